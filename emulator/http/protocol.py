"""The HTTP/1.1 protocol the CLI serves with: uvicorn's httptools one, plus two things.

llhttp refuses a lower-case method (`get /accounts`) in its parser, before any
application code runs, and uvicorn then answers a plain-text 400. FastSpring
answers such requests with a 404, so this protocol does too, in its JSON shape.

ASGI has no way to say "close the connection without answering", which the `drop`
fault needs; this protocol puts a function that does it in each request's scope.
"""

from __future__ import annotations

import re

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_REQUEST_LINE_METHOD = re.compile(rb"([A-Za-z]{1,16}) ")


class FastSpringHttpProtocol(HttpToolsProtocol):
    _last_data = b""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self.scope["emulator.drop"] = self.transport.close  # type: ignore[typeddict-unknown-key]

    def data_received(self, data: bytes) -> None:
        self._last_data = data
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        match = _REQUEST_LINE_METHOD.match(self._last_data)
        if match is None or match.group(1).isupper():
            super().send_400_response(msg)
            return
        method = match.group(1).decode("ascii")
        body = orjson.dumps({"result": "error", "error": {
            "method": f"Unknown method {method}; methods are upper-case"}})
        self.transport.write(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                             b"content-length: " + str(len(body)).encode() + b"\r\n"
                             b"connection: close\r\n\r\n" + body)
        self.transport.close()
