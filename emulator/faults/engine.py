"""A store's chaos settings, and the one decision per request they add up to.

Order: the `X-Emulator-Fault` header wins, then the rate limit, then the first
matching rule in creation order. The control plane is never faulted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.domain.errors import Invalid, NotFound
from emulator.domain.ids import IdGenerator
from emulator.faults.bucket import TokenBucket, parse_bucket
from emulator.faults.rules import MAX_LATENCY_MS, Fault, FaultRule, parse_rule

_LATENCY = re.compile(r"latency=(\d+)(ms|s)")


def header_fault(value: str) -> Fault:
    """`X-Emulator-Fault`: `429`, `500` (any status), `latency=200ms`, `drop`,
    `malformed`, or a comma-separated mix such as `latency=1s,503`."""
    fault = {"action": "delay", "status": 429, "latency_ms": 0}
    for token in (t.strip().lower() for t in value.split(",")):
        latency = _LATENCY.fullmatch(token)
        if token.isdecimal() and 100 <= int(token) <= 599:
            fault.update(action="status", status=int(token))
        elif token in ("drop", "malformed"):
            fault["action"] = token
        elif latency:
            ms = int(latency.group(1)) * (1000 if latency.group(2) == "s" else 1)
            if ms > MAX_LATENCY_MS:
                raise Invalid({"X-Emulator-Fault": f"latency is at most {MAX_LATENCY_MS} ms"})
            fault["latency_ms"] = ms
        else:
            raise Invalid(
                {
                    "X-Emulator-Fault": "use a status such as 429 or 500, "
                    "latency=200ms, drop or malformed"
                }
            )
    return Fault(
        "header",
        str(fault["action"]),
        int(fault["status"]),  # type: ignore[call-overload]
        latency_ms=fault["latency_ms"],  # type: ignore[arg-type]
    )


class Faults:
    def __init__(
        self, name: str, seed: int | None, boot_rate_limit: Mapping[str, Any] | None
    ) -> None:
        self.ids = IdGenerator(seed, f"{name}:faults")
        self._boot_rate_limit = boot_rate_limit
        self.rules: list[FaultRule] = []
        self.bucket: TokenBucket | None = None
        self.reset()

    def reset(self) -> None:
        self.ids.reset()
        self.rules.clear()
        self.bucket = parse_bucket(self._boot_rate_limit) if self._boot_rate_limit else None

    def add(self, raw: Mapping[str, Any]) -> FaultRule:
        parse_rule("check", raw)  # a refused rule must not use up a seeded id
        rule = parse_rule(self.ids.new_id(), raw)
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> None:
        for n, rule in enumerate(self.rules):
            if rule.id == rule_id:
                del self.rules[n]
                return
        raise NotFound({"fault": "Not found"})

    def set_rate_limit(self, raw: Mapping[str, Any]) -> TokenBucket:
        self.bucket = parse_bucket(raw)
        return self.bucket

    def decide(self, method: str, path: str, now_ms: int) -> Fault | None:
        """The rate limit, then the first matching rule; None lets the request through."""
        bucket = self.bucket
        if bucket is not None:
            wait_s = bucket.take(now_ms)
            if wait_s is not None:
                headers = bucket.limit_headers(wait_s) if bucket.headers else {}
                return Fault("rate-limit", "status", bucket.status, headers=headers)
        for rule in self.rules:
            if rule.matches(method, path):
                return rule.fault() if rule.fires(now_ms) else None
        return None
