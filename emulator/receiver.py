"""A real webhook receiver on 127.0.0.1, run in a thread, scriptable per request.

For tests of code that receives FastSpring webhooks: the emulator's own test suite
and contract suite use it, and so can a user's tests. It records every POST and
answers what `respond` says (200 by default).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, bytes]


class _Server(ThreadingHTTPServer):
    # Room for many webhooks connecting at once (the default backlog is 5).
    request_queue_size = 128
    daemon_threads = True


class Receiver:
    """Records every POST; answers 200 unless `respond` says otherwise."""

    def __init__(
        self, respond: Callable[[dict[str, Any]], Reply] | None = None, port: int = 0
    ) -> None:
        self.requests: list[dict[str, Any]] = []
        self.respond = respond or (lambda _: (200, b""))
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                record = {
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                    "json": json.loads(body),
                    "path": self.path,
                }
                receiver.requests.append(record)
                receiver.release.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                status, reply = receiver.respond(record)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the emulator gave up waiting (a timeout test): nothing to say

            def log_message(self, *args: Any) -> None:
                pass

        self.release = threading.Event()
        self.release.set()
        self.server = _Server(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict[str, Any]]:
        return [e for r in self.requests for e in r["json"]["events"]]

    def event_types(self) -> list[str]:
        return [e["type"] for e in self.events()]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dead_url() -> str:
    """A loopback URL nothing listens on (connections are refused at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
