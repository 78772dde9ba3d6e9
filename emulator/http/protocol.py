"""The HTTP/1.1 protocol the CLI serves with: uvicorn's httptools one, plus two things.

llhttp refuses a lower-case method (`get /accounts`) in its parser, before any
application code runs, and uvicorn then answers a plain-text 400. FastSpring
answers such requests with a 404, so this protocol does too, in its JSON shape;
any other request the parser cannot read is a 400 in that shape.

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
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._start_header_timer()

    def on_headers_complete(self) -> None:
        self._stop_header_timer()
        super().on_headers_complete()
        self.scope["emulator.drop"] = self.transport.close  # type: ignore[typeddict-unknown-key]

    def _start_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
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
