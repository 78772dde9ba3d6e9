"""FastSpring's envelopes: `action`/`result` on every record, errors as 400."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.responses import Response, StreamingResponse

_CONTENT_TYPE = (b"content-type", b"application/json")


class JSON(Response):
    """A JSON response rendered with orjson, built without Starlette's generic header
    handling: this runs on every request and the headers are always the same."""

    media_type = "application/json"

    def __init__(
        self, content: Any, status_code: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.status_code = status_code
        self.background = None
        self.body = orjson.dumps(content)
        self.raw_headers = [(b"content-length", str(len(self.body)).encode()), _CONTENT_TYPE]
        if headers:
            self.raw_headers += [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
            ]


def raw(
    body: bytes,
    status_code: int = 200,
    content_type: bytes = b"application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    """Bytes sent as they are: a cached document, a text body, a deliberately broken one."""
    response = Response(status_code=status_code)
    response.body = body
    response.raw_headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", content_type),
    ]
    if headers:
        response.raw_headers += [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]
    return response


def success(action: str, body: dict[str, Any] | None = None) -> JSON:
    """A 200 carrying `body` (a fresh dict, extended in place) with `action` and `result`."""
    payload = body if body is not None else {}
    payload["action"] = action
    payload["result"] = "success"
    return JSON(payload)


def failure(
    action: str | None,
    errors: dict[str, str],
    status: int = 400,
    echo: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSON:
    """FastSpring's error record: the action, the id it concerned, and field messages."""
    payload: dict[str, Any] = {}
    if action:
        payload["action"] = action
    if echo:
        payload.update(echo)
    payload["result"] = "error"
    payload["error"] = errors
    return JSON(payload, status_code=status, headers=headers)


def streamed_json(pieces: list[bytes]) -> StreamingResponse:
    """A big JSON document (pieces that join into it) sent about a megabyte at a
    time, so that no single write holds the event loop. The response takes `pieces`
    over and lets go of each once it is sent: freeing a 200 MB document in one go
    at the end would hold the loop too."""
    return StreamingResponse(_in_chunks(pieces), media_type="application/json")


async def _in_chunks(pieces: list[bytes], size: int = 1 << 20) -> AsyncIterator[bytes]:
    chunk: list[bytes] = []
    held = 0
    pieces.reverse()
    while pieces:
        piece = pieces.pop()
        chunk.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(chunk)
            chunk, held = [], 0
    if chunk:
        yield b"".join(chunk)
