"""Webhook test helpers: add a hook, deliver what is due, read the log, sign a body."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any


def hook(client: Any, url: str, **config: Any) -> Any:
    response = client.post("/_emulator/webhooks", json={"url": url, **config})
    assert response.status_code == 200, response.text
    return response.json()


def flush(client: Any) -> None:
    """Deliver everything due now (a zero advance awaits due deliveries)."""
    client.post("/_emulator/clock/advance", json={"seconds": 0})


def log_ids(client: Any) -> list[str]:
    events = client.get("/_emulator/events", params={"limit": 1000}).json()["events"]
    return [e["id"] for e in events]


def expected_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
