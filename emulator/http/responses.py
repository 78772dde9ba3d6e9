"""FastSpring's envelopes: `action`/`result` on every record, errors as 400."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JSON(Response):
    """A JSON response rendered with orjson (the hot path of every request)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def success(action: str, body: dict[str, Any] | None = None) -> JSON:
    """A 200 carrying `body` with FastSpring's `action` and `result: success`."""
    payload = dict(body) if body else {}
    payload["action"] = action
    payload["result"] = "success"
    return JSON(payload)


def failure(action: str | None, errors: dict[str, str], status: int = 400,
            echo: dict[str, str] | None = None,
            headers: dict[str, str] | None = None) -> JSON:
    """FastSpring's error record: the action, the id it concerned, and field messages."""
    payload: dict[str, Any] = {}
    if action:
        payload["action"] = action
    if echo:
        payload.update(echo)
    payload["result"] = "error"
    payload["error"] = errors
    return JSON(payload, status_code=status, headers=headers)
