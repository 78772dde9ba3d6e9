"""Fault rules, in the schema of `docs/chaos.md`, and when each one fires.

Every draw comes from the rule's own seeded generator, so the same seed and the
same sequence of matching requests give the same hits on every run.
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.domain.calendar import parse_instant
from emulator.domain.errors import Invalid
from emulator.domain.ids import random_state, set_random_state
from emulator.domain.strict import refuse_unknown

ACTIONS = ("status", "delay", "drop", "malformed")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
WHEN = ("probability", "every", "times", "between")
MAX_LATENCY_MS = 120_000


@dataclass(frozen=True, slots=True)
class Fault:
    """What to do to one request, whichever mechanism decided it."""

    source: str  # "rule <id>", "header" or "rate-limit"
    action: str = "status"
    status: int = 429
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: int = 0
    after: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "action": self.action,
            "status": self.status if self.action == "status" else None,
            "latencyMs": self.latency_ms,
            "after": self.after,
        }


@dataclass(slots=True)
class FaultRule:
    id: str
    raw: dict[str, Any]
    method: str | None
    path: str | None
    action: str
    status: int
    body: Any
    headers: dict[str, str]
    latency: int | tuple[int, int] | None
    after: bool
    probability: float | None
    seed: int
    every: int | None
    times: int | None
    between: tuple[int, int] | None
    matched: int = 0
    fired: int = 0
    _hits: random.Random = field(init=False, repr=False)
    _latencies: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._hits = random.Random(self.seed)
        self._latencies = random.Random(f"{self.seed}:latency")

    def draws(self) -> dict[str, Any]:
        """Where the rule's seeded draws stand, for a snapshot."""
        return {"hits": random_state(self._hits), "latencies": random_state(self._latencies)}

    def restore_draws(self, data: dict[str, Any]) -> None:
        set_random_state(self._hits, data["hits"])
        set_random_state(self._latencies, data["latencies"])

    @property
    def expired(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, path: str) -> bool:
        return (
            (self.method is None or self.method == method)
            and (self.path is None or fnmatch.fnmatchcase(path, self.path))
            and not self.expired
        )

    def fires(self, now_ms: int) -> bool:
        """Count one matching request and say whether the rule fires on it."""
        self.matched += 1
        if self.probability is not None:
            hit = self._hits.random() < self.probability
        elif self.every is not None:
            hit = self.matched % self.every == 0
        elif self.between is not None:
            hit = self.between[0] <= now_ms < self.between[1]
        else:
            hit = True  # `times`, or no condition: every match
        if hit:
            self.fired += 1
        return hit

    def fault(self) -> Fault:
        latency = self.latency
        if isinstance(latency, tuple):
            latency = self._latencies.randint(*latency)
        return Fault(
            f"rule {self.id}",
            self.action,
            self.status,
            self.body,
            self.headers,
            latency or 0,
            self.after,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.raw,
            "matched": self.matched,
            "fired": self.fired,
            "expired": self.expired,
        }


def _int(raw: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid({name: f"{name} must be an integer from {low} to {high}"})
    return value


def _latency(value: object) -> int | tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_LATENCY_MS:
        return value
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1] <= MAX_LATENCY_MS
    ):
        return (value[0], value[1])
    raise Invalid(
        {"latency_ms": f"latency_ms must be milliseconds (0 to {MAX_LATENCY_MS}) or [min, max]"}
    )


RULE_KEYS = (
    "method",
    "path",
    "action",
    "status",
    "body",
    "headers",
    "latency_ms",
    "after",
    "probability",
    "seed",
    "every",
    "times",
    "between",
)


def parse_rule(rule_id: str, raw: Mapping[str, Any]) -> FaultRule:
    """A rule from `POST /_emulator/faults`; every field is optional. A rule that
    gives only a latency delays and then passes the request through."""
    refuse_unknown(raw, RULE_KEYS)
    method = raw.get("method")
    if method is not None and (not isinstance(method, str) or method.upper() not in METHODS):
        raise Invalid({"method": "method must be an HTTP method such as GET"})
    path = raw.get("path")
    if path is not None and (not isinstance(path, str) or not path.startswith("/")):
        raise Invalid({"path": "path must be a glob starting with /, such as /accounts*"})
    action = raw.get(
        "action",
        "delay"
        if "latency_ms" in raw and not ({"status", "body", "headers"} & set(raw))
        else "status",
    )
    if action not in ACTIONS:
        raise Invalid({"action": "action must be status, delay, drop or malformed"})
    status = _int(raw, "status", 100, 599) or 429
    headers = raw.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k.isascii() and v.isascii()
        for k, v in headers.items()
    ):
        raise Invalid({"headers": "headers must map ASCII names to ASCII values"})
    latency = _latency(raw.get("latency_ms"))
    if action == "delay" and latency is None:
        raise Invalid({"latency_ms": "a delay needs latency_ms"})
    after = raw.get("after", False)
    if not isinstance(after, bool):
        raise Invalid({"after": "after must be true or false"})
    given = [name for name in WHEN if raw.get(name) is not None]
    if len(given) > 1:
        raise Invalid({given[1]: "give at most one of probability, every, times and between"})
    probability = raw.get("probability")
    if probability is not None and (
        isinstance(probability, bool)
        or not isinstance(probability, (int, float))
        or not 0 <= probability <= 1
    ):
        raise Invalid({"probability": "probability must be from 0 to 1"})
    seed = _int(raw, "seed", -(2**63), 2**63 - 1) or 0
    between = raw.get("between")
    window = None
    if between is not None:
        found = [
            parse_instant(b) if isinstance(b, str) else None
            for b in (between if isinstance(between, list) else [])
        ]
        bounds = [b for b in found if b is not None]
        if len(found) != 2 or len(bounds) != 2 or bounds[0] >= bounds[1]:
            raise Invalid(
                {"between": "between must be [start, end] ISO-8601 instants, start first"}
            )
        window = (bounds[0], bounds[1])
    return FaultRule(
        rule_id,
        dict(raw),
        None if method is None else method.upper(),
        path,
        action,
        status,
        raw.get("body"),
        dict(headers),
        latency,
        after,
        None if probability is None else float(probability),
        seed,
        _int(raw, "every", 1, 10**9),
        _int(raw, "times", 1, 10**9),
        window,
    )
