"""Secondary indexes for the subscription and order searches.

Each one is kept up to date on every change, so a filtered page costs what
the matching records cost, not what the whole store holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from emulator.domain.orders import Order
from emulator.domain.subscriptions import Subscription

# `GET /subscriptions?event=` values and the notes the lifecycle writes for them.
SUBSCRIPTION_EVENTS = (
    "canceled",
    "charged",
    "created",
    "deactivated",
    "trialended",
    "trialstarted",
)


class SubscriptionIndex:
    def __init__(self) -> None:
        self._seq: dict[str, int] = {}
        self._by_seq: list[str] = []
        self._by_state: dict[str, list[int]] = {}
        self._by_product: dict[str, list[str]] = {}
        self._notes: dict[str, list[tuple[int, str]]] = {k: [] for k in SUBSCRIPTION_EVENTS}

    def add(self, sub: Subscription) -> None:
        seq = len(self._by_seq)
        self._seq[sub.id] = seq
        self._by_seq.append(sub.id)
        self._by_state.setdefault(sub.state, []).append(seq)
        self._by_product.setdefault(sub.product, []).append(sub.id)
        self.note("created", sub.id, sub.changed)
        if sub.state == "trial":
            self.note("trialstarted", sub.id, sub.changed)

    def move(self, sub_id: str, old: str, new: str) -> None:
        seq = self._seq[sub_id]
        bucket = self._by_state[old]
        del bucket[bisect.bisect_left(bucket, seq)]
        bisect.insort(self._by_state.setdefault(new, []), seq)
        if old == "trial":
            self.note("trialended", sub_id, None)

    def note(self, event: str, sub_id: str, at_ms: int | None) -> None:
        notes = self._notes[event]
        at = at_ms if at_ms is not None else (notes[-1][0] if notes else 0)
        notes.append((at, sub_id))

    def in_state(self, state: str) -> list[str]:
        return [self._by_seq[s] for s in self._by_state.get(state, ())]

    def for_product(self, path: str) -> list[str]:
        return self._by_product.get(path, [])

    def with_event(self, event: str, begin: int | None, end: int | None) -> list[str]:
        notes = self._notes[event]
        lo = 0 if begin is None else bisect.bisect_left(notes, (begin, ""))
        hi = len(notes) if end is None else bisect.bisect_left(notes, (end, ""))
        return list(dict.fromkeys(sub_id for _, sub_id in notes[lo:hi]))

    def in_creation_order(self, ids: Iterable[str]) -> list[str]:
        return sorted(set(ids), key=self._seq.__getitem__)


class OrderIndex:
    def __init__(self) -> None:
        self._created: list[int] = []
        self._ids: list[str] = []
        self._by_product: dict[str, list[str]] = {}

    def add(self, order: Order) -> None:
        self._created.append(order.created)
        self._ids.append(order.id)
        for path in dict.fromkeys(order.products):
            self._by_product.setdefault(path, []).append(order.id)

    def between(self, begin: int | None, end: int | None) -> list[str]:
        lo = 0 if begin is None else bisect.bisect_left(self._created, begin)
        hi = len(self._ids) if end is None else bisect.bisect_left(self._created, end)
        return self._ids[lo:hi]

    def for_products(self, paths: list[str]) -> list[str]:
        found: dict[str, None] = {}
        for path in paths:
            found.update(dict.fromkeys(self._by_product.get(path, ())))
        return list(found)
