"""Orders: purchases and rebills, with FastSpring's references and money families.

An order is immutable once completed, except for its tags, item attributes and
the returns recorded against it. Tags and returns are replaced, never changed in
place, so that a copy taken for an event (`Order.captured`) can share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.domain.errors import NotFound
from emulator.domain.formats import iso_date, round_money
from emulator.domain.ids import IdGenerator
from emulator.domain.paging import Page, newest_first, paginate

# Seller payout is in USD; other currencies convert at these fixed rates.
PAYOUT_CURRENCY = "USD"
PAYOUT_RATES = {
    "USD": 1.0,
    "EUR": 1.09,
    "GBP": 1.27,
    "CAD": 0.74,
    "AUD": 0.66,
    "JPY": 0.0067,
    "CHF": 1.13,
    "INR": 0.012,
    "BRL": 0.2,
}


def payout_rate(currency: str) -> float:
    return PAYOUT_RATES.get(currency, 1.0)


@dataclass(slots=True)
class OrderItem:
    product: str
    display: str
    sku: str | None
    quantity: int
    unit_price: float
    discount: float = 0.0
    subscription: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    coupon: str | None = None
    driver: dict[str, str] | None = None  # what brought the item in: an addon, a fee

    @property
    def subtotal(self) -> float:
        return round_money(self.unit_price * self.quantity)

    def captured(self) -> OrderItem:
        """A copy for an event: attributes change in place (order updates)."""
        return OrderItem(
            self.product,
            self.display,
            self.sku,
            self.quantity,
            self.unit_price,
            self.discount,
            self.subscription,
            dict(self.attributes),
            self.coupon,
            self.driver,
        )


@dataclass(slots=True)
class Order:
    id: str
    reference: str
    account_id: str
    currency: str
    created: int
    items: list[OrderItem]
    customer: dict[str, Any]
    country: str | None
    language: str = "en"
    live: bool = False
    completed: bool = True
    status: str = "completed"
    rebill: bool = False
    coupons: tuple[str, ...] = ()
    tags: dict[str, Any] = field(default_factory=dict)
    returns: tuple[dict[str, Any], ...] = ()
    quote: str | None = None  # the quote this order paid, if any
    address: dict[str, Any] = field(default_factory=dict)  # the buyer's, when ordered
    changed: int | None = None  # the last change; strictly increasing

    @property
    def subtotal(self) -> float:
        return round_money(sum(i.subtotal for i in self.items))

    @property
    def discount(self) -> float:
        return round_money(sum(i.discount for i in self.items))

    @property
    def tax(self) -> float:
        return 0.0

    @property
    def total(self) -> float:
        return round_money(self.subtotal - self.discount + self.tax)

    @property
    def products(self) -> list[str]:
        return [i.product for i in self.items]

    def captured(self) -> Order:
        """A copy that later changes cannot reach, for an event rendered when read.

        It shares what is replaced rather than changed (tags, returns, the buyer's
        details) and copies the items, whose attributes change in place.
        """
        return Order(
            self.id,
            self.reference,
            self.account_id,
            self.currency,
            self.created,
            [item.captured() for item in self.items],
            self.customer,
            self.country,
            self.language,
            self.live,
            self.completed,
            self.status,
            self.rebill,
            self.coupons,
            self.tags,
            self.returns,
            self.quote,
            self.address,
            self.changed,
        )


class OrderBook:
    def __init__(self, ids: IdGenerator, store_prefix: str) -> None:
        self._ids = ids
        self._prefix = store_prefix.upper()[:12] or "STORE"
        self._by_id: dict[str, Order] = {}
        self._by_reference: dict[str, str] = {}
        self._order: list[str] = []

    def __len__(self) -> int:
        return len(self._order)

    def reference(self, at_ms: int, suffix: str = "") -> str:
        """`<STORE><YYMMDD>-<4 digits>-<5 digits>`; rebills end in B, returns in X."""
        iso = iso_date(at_ms)  # YYYY-MM-DD, cached per day
        day = iso[2:4] + iso[5:7] + iso[8:10]
        return f"{self._prefix}{day}-{self._ids.digits(4)}-{self._ids.digits(5)}{suffix}"

    def add(self, order: Order) -> Order:
        self._by_id[order.id] = order
        self._by_reference[order.reference] = order.id
        self._order.append(order.id)
        return order

    def new_id(self) -> str:
        return self._ids.new_id()

    def get(self, order_id: str) -> Order:
        order = self._by_id.get(order_id)
        if order is None:
            raise NotFound({"order": "Not found"})
        return order

    def find(self, order_id: str | None) -> Order | None:
        return None if order_id is None else self._by_id.get(order_id)

    def find_by_reference(self, reference: str) -> Order | None:
        order_id = self._by_reference.get(reference)
        return None if order_id is None else self._by_id[order_id]

    def newest(self, start: int, count: int) -> list[Order]:
        """A page of orders, newest first (for the dashboard)."""
        return [self._by_id[i] for i in newest_first(self._order, start, count)]

    def all_ids(self) -> list[str]:
        return self._order

    def page_of(self, ids: list[str], page: int, limit: int) -> Page[Order]:
        chosen = paginate(ids, page, limit)
        return Page(
            [self._by_id[i] for i in chosen.items],
            chosen.page,
            chosen.limit,
            chosen.next_page,
            chosen.total,
        )
