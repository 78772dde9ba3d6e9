"""The HTTP/1.1 protocol the CLI serves with: uvicorn's httptools one, with four changes.

llhttp refuses a lower-case method (`get /accounts`) in its parser, before any
application code runs, and uvicorn then answers a plain-text 400. FastSpring
answers such requests with a 404, so this protocol does too, in its JSON shape;
any other request the parser cannot read is a 400 in that shape.

A response with a Content-Length goes out in one write, head and body together,
instead of uvicorn's two (see `_HeadWithBody`).

ASGI has no way to say "close the connection without answering", which the `drop`
fault needs; this protocol puts a function that does it in each request's scope.

A client must also finish sending a request's headers within `header_timeout`
seconds of connecting or of starting the request (`--header-timeout`), so slow or
silent connections (slowloris) are cut off instead of held open for ever.
"""

from __future__ import annotations

import asyncio
import re

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_REQUEST_LINE_METHOD = re.compile(rb"([A-Za-z]{1,16}) ")


class FastSpringHttpProtocol(HttpToolsProtocol):
    _last_data = b""
    header_timeout = 10.0
    # When the headers being read must be complete (None between requests). One timer
    # per connection checks it, re-armed only when it fires: arming and cancelling a
    # timer on every request cost a noticeable share of a small request's time.
    _headers_due: float | None = None
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._headers_due is None:  # else the connection's own deadline still runs
            self._expect_headers()

    def on_headers_complete(self) -> None:
        self._headers_due = None
        super().on_headers_complete()
        self.scope["emulator.drop"] = self.transport.close  # type: ignore[typeddict-unknown-key]
        cycle = self.cycle
        if cycle is not None and not self.expect_100_continue and self.scope["method"] != "HEAD":
            cycle.transport = _HeadWithBody(self.transport)  # type: ignore[assignment]

    def _expect_headers(self) -> None:
        self._headers_due = due = self.loop.time() + self.header_timeout
        if self._header_timer is None:
            self._header_timer = self.loop.call_at(due, self._check_headers)

    def _check_headers(self) -> None:
        self._header_timer = None
        due = self._headers_due
        if due is None:
            return  # headers complete; the next request arms the timer again
        if self.loop.time() < due:  # a later request's deadline
            self._header_timer = self.loop.call_at(due, self._check_headers)
        elif not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self._last_data = data
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        match = _REQUEST_LINE_METHOD.match(self._last_data)
        if match is not None and not match.group(1).isupper():
            method = match.group(1).decode("ascii")
            error = {"method": f"Unknown method {method}; methods are upper-case"}
            self._refuse(b"404 Not Found", error)
            return
        # Any other request the parser cannot read (a Content-Length that is no number,
        # a header with a bare control character): a 400 in FastSpring's JSON shape,
        # like every other refusal, rather than uvicorn's plain text.
        self._refuse(b"400 Bad Request", {"request": f"The request could not be read: {msg}"})

    def _refuse(self, status: bytes, error: dict[str, str]) -> None:
        body = orjson.dumps({"result": "error", "error": error})
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()


def with_header_timeout(seconds: float) -> type[FastSpringHttpProtocol]:
    """The protocol with another header timeout (uvicorn takes a class)."""
    return type("FastSpringHttpProtocol", (FastSpringHttpProtocol,), {"header_timeout": seconds})


class _HeadWithBody:
    """The transport as one response's cycle sees it: the status line and headers of
    a response with a Content-Length wait for the first piece of its body and go out
    in the same write.

    uvicorn writes the head as soon as the application starts the response, and then
    the body: two writes, two segments and two wake-ups of the client for every small
    JSON answer, which cost more than the emulator's own work on a `GET` by id. A
    streamed response (no Content-Length) is not held, since its first piece may
    come much later. HEAD requests and `Expect: 100-continue` ones never get this
    transport: the first has no body to wait for, the second an interim response.
    """

    __slots__ = ("_first", "_held", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._first = True
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        if self._first:  # the response's head (header values never hold a CR or LF)
            self._first = False
            if b"\r\ncontent-length: " in data:
                self._held = data
                return
        elif self._held is not None:
            data = self._held + data
            self._held = None
        self._transport.write(data)

    def close(self) -> None:
        if self._held is not None:
            self._transport.write(self._held)
            self._held = None
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()
