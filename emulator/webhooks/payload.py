"""What a webhook POST carries: the envelope, event data with or without expansion,
and the `X-FS-Signature` header."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import orjson

from emulator.domain.events import Event

# Keys whose embedded objects become plain ids when expansion is off
# (docs/webhooks-and-events.md, "Payloads").
_REFERENCES = {"account": "id", "subscription": "id", "order": "id", "product": "product"}


def collapse(value: Any) -> Any:
    """`value` with every embedded account, subscription, order and product replaced by
    its id, at any depth, as FastSpring sends events without expansion."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            id_key = _REFERENCES.get(key)
            if id_key is not None and isinstance(item, dict) and id_key in item:
                out[key] = item[id_key]
            else:
                out[key] = collapse(item)
        return out
    if isinstance(value, list):
        return [collapse(v) for v in value]
    return value


def event_payload(event: Event, expand: bool, event_id: str | None = None) -> dict[str, Any]:
    """One event as webhooks send it; `event_id` replaces the id for a manual resend."""
    return {
        "id": event_id or event.id,
        "live": event.live,
        "processed": False,
        "type": event.type,
        "created": event.created,
        "data": event.data if expand else collapse(event.data),
    }


def envelope(events: list[dict[str, Any]]) -> bytes:
    return orjson.dumps({"events": events})


def signature(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, the exact body bytes)), standard alphabet with padding."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def acknowledged_ids(status: int, body: bytes, sent: list[str]) -> set[str]:
    """Which of `sent` the receiver acknowledged: all on 200, those listed one per line
    on 202, none on anything else."""
    if status == 200:
        return set(sent)
    if status == 202:
        listed = {line.strip() for line in body.decode("utf-8", "replace").splitlines()}
        return listed & set(sent)
    return set()
