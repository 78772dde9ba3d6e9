"""Carrying out a fault on a request: latency, then a status, a drop or a broken body.

Without `after`, the request never runs, so the store is untouched. With `after`,
it runs and its response is the one that gets faulted: the write happened, the
client just never learns it did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from emulator.faults.rules import Fault
from emulator.http.responses import JSON, raw

Serve = Callable[[Send], Awaitable[None]]


class ConnectionDropped(Exception):
    """Raised to the server when it cannot close the connection for us."""


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def default_body(status: int, path: str) -> dict[str, Any]:
    """FastSpring's error shape for an injected status."""
    if status == 404:
        return {"result": "error", "error": {"path": f"Not found: {path}"}}
    key = "server" if status >= 500 else "request"
    return {"result": "error", "error": {key: _phrase(status)}}


def status_response(fault: Fault, path: str) -> Response:
    headers = dict(fault.headers)
    if isinstance(fault.body, str):
        custom_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        others = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        content_type = (custom_type or "text/plain; charset=utf-8").encode("latin-1")
        return raw(fault.body.encode("utf-8"), fault.status, content_type, others)
    body = default_body(fault.status, path) if fault.body is None else fault.body
    return JSON(body, status_code=fault.status, headers=headers)


def truncated(body: bytes) -> Response:
    """A 200 whose JSON body stops half way."""
    return raw(body[: max(1, len(body) // 2)])


async def drop(scope: Scope) -> None:
    """Close the connection without a response (needs the CLI's HTTP protocol)."""
    close = scope.get("emulator.drop")
    if close is None:
        raise ConnectionDropped("the server cannot drop connections on request")
    close()
    # Let the server see the disconnect before the app returns, so it does not try
    # to answer in our place.
    for _ in range(3):
        await asyncio.sleep(0)


def _marked(send: Send, source: str) -> Send:
    header = (b"x-emulator-fault", source.encode("latin-1", "replace"))

    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), header]
        await send(message)

    return marked


class _Captured:
    def __init__(self) -> None:
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.body":
            self.body += message.get("body", b"")


async def apply_fault(
    fault: Fault, scope: Scope, receive: Receive, send: Send, serve: Serve
) -> None:
    """Carry out `fault`; every response it sends names it in `X-Emulator-Fault`."""
    send = _marked(send, fault.source)
    if fault.latency_ms:
        await asyncio.sleep(fault.latency_ms / 1000)
    if fault.action == "delay":
        await serve(send)
        return
    body = orjson.dumps({"action": "emulator.fault", "result": "success", "events": []})
    if fault.after:
        captured = _Captured()
        await serve(captured.send)
        body = captured.body or body
    if fault.action == "drop":
        await drop(scope)
    elif fault.action == "malformed":
        await truncated(body)(scope, receive, send)
    else:
        await status_response(fault, scope["path"])(scope, receive, send)
