"""The compose example's webhook receiver, run as its own process."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.support.server import emulator

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "webhook-receiver" / "receiver.py"


class ReceiverProcess:
    def __init__(self, secret: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT)],
            stdout=subprocess.PIPE,
            text=True,
            env={"WEBHOOK_SECRET": secret, "HOST": "127.0.0.1", "PORT": "0"},
        )
        self.lines: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.lines.get(timeout=20)["listening"] + "/webhooks"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def logged(self, count: int) -> list[dict]:
        return [self.lines.get(timeout=20) for _ in range(count)]

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def receiver():
    process = ReceiverProcess("demo-secret")
    yield process
    process.stop()


def signed(body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"X-FS-Signature": base64.b64encode(digest).decode()}


def test_a_signed_batch_is_accepted_and_logged(receiver):
    body = json.dumps(
        {
            "events": [
                {
                    "id": "e1",
                    "type": "order.completed",
                    "created": 1,
                    "live": False,
                    "processed": False,
                    "data": {},
                }
            ]
        }
    ).encode()
    response = httpx.post(receiver.url, content=body, headers=signed(body, "demo-secret"))
    assert response.status_code == 200
    assert receiver.logged(1) == [
        {"id": "e1", "type": "order.completed", "created": 1, "live": False}
    ]


def test_a_bad_signature_is_401_and_a_bad_body_400(receiver):
    body = b'{"events": []}'
    assert httpx.post(receiver.url, content=body, headers=signed(body, "wrong")).status_code == 401
    assert httpx.post(receiver.url, content=body).status_code == 401
    assert receiver.logged(2) == [{"rejected": "bad signature"}] * 2
    junk = b"not json"
    assert (
        httpx.post(receiver.url, content=junk, headers=signed(junk, "demo-secret")).status_code
        == 400
    )


def test_it_receives_the_emulators_signed_events(receiver):
    with emulator("--webhook", receiver.url, "--webhook-secret", "demo-secret") as running:
        auth, agent = ("compose", "pw"), {"User-Agent": "t"}
        httpx.post(
            f"{running.url}/accounts",
            auth=auth,
            headers=agent,
            json={"contact": {"first": "A", "last": "B", "email": "a@example.com"}},
        )
        httpx.post(
            f"{running.url}/products",
            auth=auth,
            headers=agent,
            json={
                "products": [
                    {"product": "p", "pricing": {"interval": "month", "price": {"USD": 1}}}
                ]
            },
        )
        httpx.post(
            f"{running.url}/_emulator/orders",
            auth=auth,
            headers=agent,
            json={
                "contact": {"first": "C", "last": "D", "email": "c@example.com"},
                "items": [{"product": "p"}],
            },
        )
        types = [line["type"] for line in receiver.logged(3)]
        assert types == ["account.created", "order.completed", "subscription.activated"]
