"""A small webhook receiver for the compose example: checks X-FS-Signature, logs events.

Standard library only, so its image needs nothing installed. It answers 200 to a
correctly signed batch, 401 to a bad signature and 400 to a body that is not a
FastSpring event batch, and prints one JSON line per event.

Environment: WEBHOOK_SECRET (the emulator's webhook secret; empty skips the check),
HOST (default 0.0.0.0) and PORT (default 9000).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    if not secret:
        return True
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return header is not None and hmac.compare_digest(expected.decode(), header)


class Handler(BaseHTTPRequestHandler):
    secret = os.environ.get("WEBHOOK_SECRET", "")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not signature_ok(self.secret, body, self.headers.get("X-FS-Signature")):
            print(json.dumps({"rejected": "bad signature"}), flush=True)
            self._answer(401)
            return
        try:
            events = json.loads(body)["events"]
            lines = [
                json.dumps(
                    {"id": e["id"], "type": e["type"], "created": e["created"], "live": e["live"]}
                )
                for e in events
            ]
        except (ValueError, KeyError, TypeError):
            self._answer(400)
            return
        for line in lines:
            print(line, flush=True)
        self._answer(200)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    host, port = os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "9000"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(json.dumps({"listening": f"http://{host}:{server.server_address[1]}"}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
