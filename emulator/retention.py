"""How much history each store keeps, so memory follows the data, not the uptime.

Records (accounts, orders, subscriptions, quotes...) are never dropped. History
is: the event log, webhook deliveries and their attempts, acknowledgements, and
the request journal. Each is capped per store; the oldest entries go first, and
a delivery that is still pending or retrying is never dropped. See
`docs/persistence.md` ("What is kept").
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Retention:
    events: int = 10_000  # event log entries (Events API, /_emulator/events)
    deliveries: int = 10_000  # finished webhook deliveries (acknowledged or failed)
    attempts: int = 2_000  # webhook POSTs shown by /_emulator/webhooks/deliveries
    acknowledged: int = 10_000  # acknowledged events that /_emulator/webhooks/wait counts
    journal: int = 1_000  # requests in /_emulator/requests


def parse_retention(text: str) -> Retention:
    """`events=50000,attempts=500`: the named caps change, the others keep defaults."""
    known = {f.name for f in fields(Retention)}
    changes: dict[str, int] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or name not in known:
            raise ValueError(f"{item!r} is not name=N with a name among {', '.join(sorted(known))}")
        value = value.strip()
        if not value.isdecimal() or not 1 <= int(value) <= 10_000_000:
            raise ValueError(f"{name} must be a whole number from 1 to 10000000, not {value!r}")
        changes[name] = int(value)
    return replace(Retention(), **changes)
