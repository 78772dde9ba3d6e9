"""Secondary indexes for the subscription and order searches.

Each one is kept up to date on every change, so a filtered page costs what
the matching records cost, not what the whole store holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from emulator.domain.ordered import IdsInOrder, contains_sorted, insert_sorted, remove_sorted
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


def status_filters(state: str) -> tuple[str, ...]:
    """The `?status=` values a subscription in `state` matches: `active` includes trials."""
    return (state, "active") if state == "trial" else (state,)


class SubscriptionIndex:
    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self._seq: dict[str, int] = {}
        self._by_seq: list[str] = []
        self._by_state: dict[str, list[int]] = {}
        self._by_status: dict[str, list[int]] = {}
        self._by_product: dict[str, list[int]] = {}  # product -> creation positions
        self._product_of: list[str] = []  # by creation position
        # (product, `?status=` value) -> creation positions: the common pair of filters
        self._by_product_status: dict[tuple[str, str], list[int]] = {}
        self._notes: dict[str, list[tuple[int, str]]] = {k: [] for k in SUBSCRIPTION_EVENTS}
        # event -> creation positions of the subscriptions that ever had it
        self._noted: dict[str, list[int]] = {k: [] for k in SUBSCRIPTION_EVENTS}

    def _place(self, sub_id: str, product: str) -> int:
        seq = len(self._by_seq)
        self._seq[sub_id] = seq
        self._by_seq.append(sub_id)
        self._product_of.append(product)
        self._by_product.setdefault(product, []).append(seq)
        return seq

    def _enter(self, seq: int, state: str) -> None:
        product = self._product_of[seq]
        for status in status_filters(state):
            insert_sorted(self._by_status.setdefault(status, []), seq)
            insert_sorted(self._by_product_status.setdefault((product, status), []), seq)

    def _leave(self, seq: int, state: str) -> None:
        product = self._product_of[seq]
        for status in status_filters(state):
            remove_sorted(self._by_status[status], seq)
            remove_sorted(self._by_product_status[(product, status)], seq)

    def _mark(self, event: str, sub_id: str) -> None:
        seq = self._seq[sub_id]
        noted = self._noted[event]
        if not contains_sorted(noted, seq):  # a bisection: no set beside the list
            insert_sorted(noted, seq)

    def add(self, sub: Subscription) -> None:
        seq = self._place(sub.id, sub.product)
        self._by_state.setdefault(sub.state, []).append(seq)
        self._enter(seq, sub.state)
        self.note("created", sub.id, sub.changed)
        if sub.state == "trial":
            self.note("trialstarted", sub.id, sub.changed)

    def move(self, sub_id: str, old: str, new: str) -> None:
        seq = self._seq[sub_id]
        remove_sorted(self._by_state[old], seq)
        insert_sorted(self._by_state.setdefault(new, []), seq)
        self._leave(seq, old)
        self._enter(seq, new)
        if old == "trial":
            self.note("trialended", sub_id, None)

    def export(self) -> dict[str, Any]:
        """What a snapshot keeps; the rest is rebuilt from the subscriptions."""
        return {
            "by_state": {state: list(seqs) for state, seqs in self._by_state.items()},
            "notes": {event: list(notes) for event, notes in self._notes.items()},
        }

    def restore(self, subscriptions: Iterable[Subscription], saved: dict[str, Any]) -> None:
        """Rebuild from a snapshot: subscriptions in creation order, plus `export()`."""
        self._clear()
        for sub in subscriptions:
            self._place(sub.id, sub.product)
        self._by_state = {state: list(seqs) for state, seqs in saved["by_state"].items()}
        for state, seqs in self._by_state.items():
            for seq in seqs:
                self._enter(seq, state)
        self._notes = {k: [(at, sub_id) for at, sub_id in v] for k, v in saved["notes"].items()}
        for event, notes in self._notes.items():
            for _, sub_id in notes:
                self._mark(event, sub_id)

    def in_status(self, status: str) -> IdsInOrder:
        """`?status=` matches in creation order, lazily."""
        return IdsInOrder(self._by_status.get(status, []), self._by_seq)

    def note(self, event: str, sub_id: str, at_ms: int | None) -> None:
        notes = self._notes[event]
        at = at_ms if at_ms is not None else (notes[-1][0] if notes else 0)
        notes.append((at, sub_id))
        self._mark(event, sub_id)

    def for_product(self, path: str) -> IdsInOrder:
        return IdsInOrder(self._by_product.get(path, []), self._by_seq)

    def change_product(self, sub_id: str, new: str, state: str) -> None:
        """A plan change moved the subscription to another product."""
        seq = self._seq[sub_id]
        old = self._product_of[seq]
        if old == new:
            return
        self._leave(seq, state)
        remove_sorted(self._by_product[old], seq)
        insert_sorted(self._by_product.setdefault(new, []), seq)
        self._product_of[seq] = new
        self._enter(seq, state)

    def for_product_in_status(self, path: str, status: str) -> IdsInOrder:
        return IdsInOrder(self._by_product_status.get((path, status), []), self._by_seq)

    def had(self, event: str, sub_id: str) -> bool:
        return contains_sorted(self._noted[event], self._seq[sub_id])

    def ever_had(self, event: str) -> IdsInOrder:
        """Subscriptions that had `event` at any time, in creation order, lazily."""
        return IdsInOrder(self._noted[event], self._by_seq)

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
