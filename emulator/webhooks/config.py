"""A webhook configuration: where events go and how they are signed and shaped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from emulator.domain.errors import Invalid
from emulator.domain.strict import refuse_unknown

SCOPES = ("all", "live", "test")
SCHEDULES = ("current", "legacy", "fast")
MAX_SECRET = 100
DEFAULT_TIMEOUT_S = 10.0


@dataclass(slots=True)
class Webhook:
    id: str
    url: str
    secret: str | None = None
    expand: bool = False
    events: frozenset[str] | None = None  # None: every event type
    scope: str = "all"
    schedule: str = "current"
    timeout: float = DEFAULT_TIMEOUT_S

    def wants(self, type_: str, live: bool) -> bool:
        if self.events is not None and type_ not in self.events:
            return False
        return self.scope == "all" or (self.scope == "live") == live

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "secret": self.secret,
            "expand": self.expand,
            "events": None if self.events is None else sorted(self.events),
            "scope": self.scope,
            "schedule": self.schedule,
            "timeout": self.timeout,
        }


def valid_url(url: object) -> bool:
    if not isinstance(url, str) or len(url) > 2000:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def valid_secret(secret: object) -> bool:
    return secret is None or (isinstance(secret, str) and 0 < len(secret) <= MAX_SECRET)


def parse_webhook(webhook_id: str, raw: Mapping[str, Any]) -> Webhook:
    """A webhook from `POST /_emulator/webhooks`; every field but `url` is optional."""
    refuse_unknown(raw, ("url", "secret", "expand", "events", "scope", "schedule", "timeout"))
    errors: dict[str, str] = {}
    url = raw.get("url")
    if not valid_url(url):
        errors["url"] = "url must be an http:// or https:// URL"
    secret = raw.get("secret")
    if not valid_secret(secret):
        errors["secret"] = f"secret must be a string of 1 to {MAX_SECRET} characters, or null"
    expand = raw.get("expand", False)
    if not isinstance(expand, bool):
        errors["expand"] = "expand must be true or false"
    events = raw.get("events")
    if events is not None and (
        not isinstance(events, list) or not all(isinstance(e, str) and e for e in events)
    ):
        errors["events"] = "events must be a list of event types, or null for all"
    scope = raw.get("scope", "all")
    if scope not in SCOPES:
        errors["scope"] = "scope must be live, test or all"
    schedule = raw.get("schedule", "current")
    if schedule not in SCHEDULES:
        errors["schedule"] = "schedule must be current, legacy or fast"
    timeout = raw.get("timeout", DEFAULT_TIMEOUT_S)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not (0 < timeout <= 120)
    ):
        errors["timeout"] = "timeout must be a number of seconds from 0 to 120"
    if errors:
        raise Invalid(errors)
    assert isinstance(url, str)  # valid_url checked it
    return Webhook(
        webhook_id,
        url,
        secret,
        expand,
        None if events is None else frozenset(events),
        scope,
        schedule,
        float(timeout),
    )
