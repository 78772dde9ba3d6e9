"""Returns (refunds): full or partial, against one completed order.

A return never refunds more than is left on the order: each item's returned
quantity and the order's refunded amount are tracked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.domain.errors import Invalid, NotFound
from emulator.domain.formats import round_money
from emulator.domain.orders import Order, OrderItem
from emulator.domain.paging import newest_first

REASONS = (
    "DUPLICATE_ORDER",
    "PRODUCT_NOT_RECEIVED",
    "PRODUCT_NOT_AS_DESCRIBED",
    "CUSTOMER_SATISFACTION_GUARANTEE",
    "FRAUDULENT",
    "UNRECOGNIZED_CHARGE",
    "CANCELLED_SUBSCRIPTION",
    "OTHER",
)


@dataclass(slots=True)
class ReturnLine:
    item: OrderItem
    quantity: int
    credit: float | None = None  # a proration credit: an amount, not items

    @property
    def amount(self) -> float:
        if self.credit is not None:
            return self.credit
        if self.item.quantity == 0:
            return 0.0
        net = self.item.subtotal - self.item.discount
        return round_money(net * self.quantity / self.item.quantity)


@dataclass(slots=True)
class Return:
    id: str
    reference: str
    order: Order
    lines: list[ReturnLine]
    reason: str
    note: str | None
    created: int
    notification: str = "ORIGINAL"
    live: bool = False
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round_money(sum(line.amount for line in self.lines))


def plan_return(
    order: Order, request: Mapping[str, Any], returned: dict[int, int]
) -> tuple[list[ReturnLine], str, str | None]:
    """Validate one `POST /returns` item against what is left to return on `order`.

    `returned` maps an item's position to the quantity already returned. Without
    `items` the return is everything that is left (a full refund).
    """
    reason = request.get("reason", "OTHER")
    if reason not in REASONS:
        raise Invalid({"reason": "Supported value: " + ", ".join(REASONS)})
    note = request.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 1000):
        raise Invalid({"note": "note invalid"})
    wanted = request.get("items")
    lines: list[ReturnLine] = []
    if wanted is None:
        for position, item in enumerate(order.items):
            left = item.quantity - returned.get(position, 0)
            if left > 0 and item.subtotal - item.discount > 0:
                lines.append(ReturnLine(item, left))
    else:
        if not isinstance(wanted, list) or not wanted:
            raise Invalid({"items": "items must be a non-empty array"})
        for n, entry in enumerate(wanted):
            if not isinstance(entry, Mapping):
                raise Invalid({f"items[{n}]": "each item must be an object"})
            found = next(
                (p for p, i in enumerate(order.items) if i.product == entry.get("product")), None
            )
            if found is None:
                raise Invalid({f"items[{n}].product": "Product is not in the order"})
            position = found
            item = order.items[position]
            left = item.quantity - returned.get(position, 0)
            if left == 0:
                raise Invalid({f"items[{n}].product": "Already fully returned"})
            quantity = entry.get("quantity", left)
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not (0 < quantity <= left)
            ):
                raise Invalid({f"items[{n}].quantity": f"Must be from 1 to {left}"})
            lines.append(ReturnLine(item, quantity))
    if not lines:
        raise Invalid({"order": "Nothing left to return on this order"})
    return lines, reason, note


class ReturnBook:
    def __init__(self) -> None:
        self._by_id: dict[str, Return] = {}
        self._returned: dict[str, dict[int, int]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def returned_on(self, order_id: str) -> dict[int, int]:
        return self._returned.get(order_id, {})

    def add(self, record: Return) -> None:
        self._by_id[record.id] = record
        counts = self._returned.setdefault(record.order.id, {})
        for line in record.lines:
            position = record.order.items.index(line.item)
            counts[position] = counts.get(position, 0) + line.quantity

    def all(self) -> list[Return]:
        return list(self._by_id.values())

    def newest(self, start: int, count: int) -> list[Return]:
        """A page of records, newest first (for the dashboard)."""
        return newest_first(self._by_id.values(), start, count)

    def get(self, return_id: str) -> Return:
        found = self._by_id.get(return_id)
        if found is None:
            raise NotFound({"return": "Not found"})
        return found
