"""The store's rate limit: a token bucket measured on the store's clock."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.domain.errors import Invalid
from emulator.domain.strict import refuse_unknown


@dataclass(slots=True)
class TokenBucket:
    requests: int
    window_seconds: float
    burst: int
    status: int = 429
    headers: bool = False
    tokens: float = -1.0
    updated_ms: int | None = None

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = float(self.burst)

    @property
    def rate_per_ms(self) -> float:
        return self.requests / (self.window_seconds * 1000)

    def take(self, now_ms: int) -> float | None:
        """Spend a token; None when allowed, else seconds until one is back."""
        if self.updated_ms is not None and now_ms > self.updated_ms:
            self.tokens = min(
                self.burst, self.tokens + (now_ms - self.updated_ms) * self.rate_per_ms
            )
        self.updated_ms = now_ms if self.updated_ms is None else max(now_ms, self.updated_ms)
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate_per_ms / 1000

    def limit_headers(self, retry_after_s: float) -> dict[str, str]:
        return {
            "Retry-After": str(max(1, math.ceil(retry_after_s))),
            "X-RateLimit-Limit": str(self.requests),
            "X-RateLimit-Remaining": str(int(self.tokens)),
            "X-RateLimit-Reset": str(max(1, math.ceil(retry_after_s))),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "window_seconds": self.window_seconds,
            "burst": self.burst,
            "status": self.status,
            "headers": self.headers,
            "tokens": round(self.tokens, 3),
        }


def parse_bucket(raw: Mapping[str, Any]) -> TokenBucket:
    """`{"requests", "window_seconds", "burst", "status", "headers"}`; `burst` defaults
    to `requests`, `status` to 429 (404 is FastSpring's documented alternative)."""
    refuse_unknown(raw, ("requests", "window_seconds", "burst", "status", "headers"))
    requests = raw.get("requests")
    if isinstance(requests, bool) or not isinstance(requests, int) or not 1 <= requests <= 10**9:
        raise Invalid({"requests": "requests must be a positive integer"})
    window = raw.get("window_seconds", 60)
    if (
        isinstance(window, bool)
        or not isinstance(window, (int, float))
        or not (0 < window <= 86_400 * 365)
    ):
        raise Invalid({"window_seconds": "window_seconds must be a positive number"})
    burst = raw.get("burst", requests)
    if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= 10**9:
        raise Invalid({"burst": "burst must be a positive integer"})
    status = raw.get("status", 429)
    if status not in (429, 404):
        raise Invalid({"status": "status must be 429 or 404"})
    headers = raw.get("headers", False)
    if not isinstance(headers, bool):
        raise Invalid({"headers": "headers must be true or false"})
    return TokenBucket(requests, float(window), burst, status, headers)


def parse_rate(text: str) -> dict[str, Any]:
    """`--rate-limit 250/60`: 250 requests per 60 seconds (burst 250)."""
    requests, slash, window = text.partition("/")
    if not slash or not requests.isdecimal() or not window.replace(".", "", 1).isdecimal():
        raise ValueError(f"rate limit {text!r} is not of the form REQUESTS/SECONDS")
    raw = {"requests": int(requests), "window_seconds": float(window)}
    try:
        parse_bucket(raw)
    except Invalid as exc:
        raise ValueError("; ".join(exc.errors.values())) from None
    return raw
