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


async def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object, whatever Content-Type says (FastSpring parses JSON
    regardless of it); over `max_bytes` is a 413, anything but an object a 400."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > max_bytes:
        raise BadRequestBody(413, f"Request body exceeds {max_bytes} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BadRequestBody(413, f"Request body exceeds {max_bytes} bytes.")
        chunks.append(chunk)
    try:
        value = orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError:
        raise BadRequestBody(400, "Can not parse request body.") from None
    if not isinstance(value, dict):
        raise BadRequestBody(400, "Request body must be a JSON object.")
    return value
