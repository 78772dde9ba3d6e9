"""The CLI's HTTP protocol, fed raw bytes in-process: what it writes, and in how many
writes. A response with a Content-Length goes out in one write, head and body
together; every other kind of exchange still works as uvicorn's own protocol does."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from emulator.app import create_app
from emulator.config import Settings
from emulator.http.protocol import FastSpringHttpProtocol

AUTH = "Basic " + base64.b64encode(b"user:pass").decode()


class RecordingTransport(asyncio.Transport):
    """Keeps every write apart, so a test can count them."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8080)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass


def exchange(*chunks: bytes, answers: int = 1, settings: Settings | None = None) -> list[bytes]:
    """Feed `chunks` to a fresh connection; the writes once `answers` responses are out."""

    async def run() -> list[bytes]:
        app = create_app(settings or Settings(seed=1))
        config = Config(app=app, http=FastSpringHttpProtocol, lifespan="off", log_level="error")
        config.load()
        protocol = FastSpringHttpProtocol(config=config, server_state=ServerState(), app_state={})
        transport = RecordingTransport()
        protocol.connection_made(transport)
        for chunk in chunks:
            protocol.data_received(chunk)
        for _ in range(2000):
            if b"".join(transport.writes).count(b"HTTP/1.1 ") >= answers and (
                protocol.cycle is None or protocol.cycle.response_complete
            ):
                break
            await asyncio.sleep(0.001)
        protocol.connection_lost(None)
        return transport.writes

    return asyncio.run(run())


def request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: x", f"Authorization: {AUTH}", "User-Agent: t"]
    lines += [*headers, f"Content-Length: {len(body)}"] if body else list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def split(response: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status, *fields = head.decode("latin-1").split("\r\n")
    return status, {k.lower(): v for k, v in (f.split(": ", 1) for f in fields)}, body


def test_a_json_answer_is_one_write_of_head_and_body():
    writes = exchange(request("GET", "/accounts?page=1"))
    assert len(writes) == 1
    status, headers, body = split(writes[0])
    assert status == "HTTP/1.1 200 OK"
    assert int(headers["content-length"]) == len(body)
    assert body.startswith(b'{"') and b'"result":"success"' in body


def test_an_error_answer_is_one_write_too():
    writes = exchange(request("GET", "/accounts/nope"))
    assert len(writes) == 1
    status, headers, body = split(writes[0])
    assert status == "HTTP/1.1 400 Bad Request"
    assert int(headers["content-length"]) == len(body)


def test_head_sends_the_head_alone():
    writes = exchange(request("HEAD", "/accounts?page=1"))
    assert len(writes) == 1
    status, headers, body = split(writes[0])
    assert status == "HTTP/1.1 200 OK"
    assert int(headers["content-length"]) > 0
    assert body == b""


def test_expect_100_continue_gets_its_interim_answer_before_the_final_one():
    body = b'{"contact":{"first":"A","last":"B","email":"a@example.com"}}'
    head = request("POST", "/accounts", "Expect: 100-continue", body=body)[: -len(body)]
    writes = exchange(head, body, answers=2)
    assert writes[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
    status, _, answer = split(b"".join(writes[1:]))
    assert status == "HTTP/1.1 200 OK"
    assert b'"action":"account.create"' in answer


def test_a_streamed_answer_sends_its_head_at_once():
    """No Content-Length: the head is not held back for a first piece that may come late."""
    writes = exchange(request("GET", "/_emulator/snapshot"))
    status, headers, rest = split(writes[0])
    assert status == "HTTP/1.1 200 OK"
    assert headers["transfer-encoding"] == "chunked"
    assert rest == b""
    assert len(writes) > 1


def test_pipelined_requests_are_answered_in_order_one_write_each():
    writes = exchange(
        request("GET", "/accounts/first-unknown") + request("GET", "/accounts?page=1"),
        answers=2,
    )
    assert len(writes) == 2
    assert b'"first-unknown"' in split(writes[0])[2]
    assert b'"action":"account.getall"' in split(writes[1])[2]


@pytest.mark.parametrize("close", ["Connection: close", None])
def test_a_closing_connection_still_gets_the_whole_answer(close):
    lines = [
        "GET /_emulator/health HTTP/1.0" if close is None else "GET /_emulator/health HTTP/1.1"
    ]
    lines += ["Host: x", *([close] if close else [])]
    writes = exchange(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert len(writes) == 1
    status, headers, body = split(writes[0])
    assert status.endswith("200 OK")
    assert int(headers["content-length"]) == len(body)
