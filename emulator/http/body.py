"""Reading request bodies: size-limited, JSON objects only."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request


class BadRequestBody(Exception):
    """The body cannot be used at all; carries FastSpring-style field errors."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.errors = {"request": message}


# How deep a JSON body may nest. Far below what the JSON encoder can write back (254),
# so everything accepted can always be read, exported, delivered and saved.
MAX_DEPTH = 32


def nesting_depth(value: Any, limit: int) -> int:
    """How deep `value` nests, counting up to `limit + 1` at most (no recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            children = node.values() if isinstance(node, dict) else node
            stack.extend(
                (child, depth + 1) for child in children if isinstance(child, (dict, list))
            )
    return deepest


def _too_large(max_bytes: int) -> BadRequestBody:
    return BadRequestBody(413, f"Request body exceeds {max_bytes} bytes.")


async def read_json_object(
    request: Request, max_bytes: int, optional: bool = False, max_depth: int = MAX_DEPTH
) -> dict[str, Any]:
    """The body as a JSON object; anything but an object is a 400. With `optional`,
    an empty body reads as `{}`."""
    value = await read_json(request, max_bytes, optional, max_depth)
    if not isinstance(value, dict):
        raise BadRequestBody(400, "Request body must be a JSON object.")
    return value


async def read_json(
    request: Request, max_bytes: int, optional: bool = False, max_depth: int = MAX_DEPTH
) -> Any:
    """The body as JSON, whatever Content-Type says (FastSpring parses JSON regardless
    of it); over `max_bytes` is a 413, unparseable JSON or a body nested deeper than
    `max_depth` a 400."""
    body = await read_body(request, max_bytes)
    if optional and not body.strip():
        return {}
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequestBody(400, "Can not parse request body.") from None
    if nesting_depth(value, max_depth) > max_depth:
        raise BadRequestBody(400, f"Request body is nested more than {max_depth} levels deep.")
    return value


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body, at most `max_bytes` (else a 413).

    Reads ASGI messages directly: this is on the path of every write request.
    """
    declared = request.scope["emulator"].content_length
    if declared is not None and declared > max_bytes:
        raise _too_large(max_bytes)
    body = b""
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            raise BadRequestBody(400, "Client disconnected.")
        body += message.get("body", b"")
        if len(body) > max_bytes:
            raise _too_large(max_bytes)
        if not message.get("more_body", False):
            request.scope["emulator"].body = body
            return body
