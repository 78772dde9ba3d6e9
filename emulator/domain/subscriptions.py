"""Subscriptions: the record and the facts derived from its dates.

The state changes themselves live in `lifecycle.py`, which owns the clock and
the event log; this module only knows one subscription at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from emulator.domain.calendar import add_interval, one_day_before
from emulator.domain.catalog import Notice
from emulator.domain.coupons import Coupon
from emulator.domain.errors import NotFound

STATES = ("trial", "active", "overdue", "canceled", "deactivated", "paused")


def subscription_filter_value(state: str) -> str:
    """Which `GET /accounts?subscriptions=` value a subscription state counts under."""
    return {"canceled": "canceled", "deactivated": "ended"}.get(state, "active")


@dataclass(slots=True)
class Addon:
    product: str
    display: str
    sku: str | None
    quantity: int
    unit_price: float

    @property
    def amount(self) -> float:
        return self.unit_price * self.quantity


@dataclass(slots=True)
class Subscription:
    id: str
    account_id: str
    product: str
    display: str
    sku: str | None
    quantity: int
    currency: str
    unit_price: float
    state: str
    begin: int
    next: int | None
    interval_unit: str | None
    interval_length: int
    periods: int | None
    reminder: Notice
    overdue: Notice
    cancellation: Notice
    initial_order_id: str
    initial_order_reference: str
    changed: int
    adhoc: bool = False
    auto_renew: bool = True
    live: bool = False
    sequence: int = 1
    end: int | None = None
    canceled_date: int | None = None
    deactivation_date: int | None = None
    state_before_cancel: str | None = None
    trial_days: int = 0
    reminded_for: int | None = None
    overdue_since: int | None = None
    overdue_sent: int = 0
    decline_reason: str | None = None
    pause_date: int | None = None
    resume_date: int | None = None
    pause_periods: int | None = None
    # The sequences below are tuples, replaced (never changed in place) on change,
    # so that a captured copy can share them.
    # (order id, period begin, period end) for the purchase and every charge, oldest first
    entries: tuple[tuple[str, int, int | None], ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    history: tuple[dict[str, Any], ...] = ()
    coupons: tuple[str, ...] = ()
    addons: tuple[Addon, ...] = ()
    tax_exempt_id: str | None = None
    coupon: Coupon | None = None
    coupon_code: str | None = None  # the code as the buyer typed it
    setup_fee: dict[str, Any] | None = None  # the product's, as bought
    card: dict[str, str] | None = None  # the account's stored payment method (shared)
    discount_periods_left: int | None = None  # None with a coupon: for every period

    @property
    def amount(self) -> float:
        """What one period costs: the base plan and every add-on."""
        return self.unit_price * self.quantity + sum(a.amount for a in self.addons)

    @property
    def discount(self) -> float:
        """The coupon's discount on the next charge (base plan only), or 0."""
        if self.coupon is None or self.discount_periods_left == 0:
            return 0.0
        return self.coupon.discount(self.product, self.unit_price, self.quantity, self.currency)

    @property
    def net_amount(self) -> float:
        return self.amount - self.discount

    @property
    def period_start(self) -> int:
        """The first day of the period paid last (the purchase or the latest charge)."""
        return self.entries[-1][1] if self.entries else self.begin

    @property
    def active(self) -> bool:
        """FastSpring's `active` flag: false only once deactivated."""
        return self.state != "deactivated"

    @property
    def remaining_periods(self) -> int | None:
        if self.state == "deactivated" and self.periods == 0:
            return 0
        return None if self.periods is None else max(self.periods - self.sequence, 0)

    @property
    def pause_scheduled(self) -> bool:
        return self.pause_date is not None and self.state != "paused"

    def period_after(self, day_ms: int) -> int:
        assert self.interval_unit is not None
        return add_interval(day_ms, self.interval_unit, self.interval_length)

    def notification(self) -> tuple[str, int] | None:
        """The next reminder FastSpring would send: (type, date), or None."""
        if (
            self.adhoc
            or self.next is None
            or not self.reminder.enabled
            or self.state not in ("trial", "active")
            or self.pause_scheduled
        ):
            return None
        date = add_interval(self.next, self.reminder.unit, -self.reminder.length)
        if self.reminded_for == self.next or date < self.begin:
            return None
        kind = "TRIAL_REMINDER" if self.state == "trial" else "PAYMENT_REMINDER"
        return kind, date

    def last_service_day(self) -> int | None:
        """The day a period-end cancellation or an end date deactivates on."""
        return None if self.next is None else one_day_before(self.next)

    def add_entry(self, order_id: str, begin: int, end: int | None) -> None:
        self.entries = (*self.entries, (order_id, begin, end))

    def captured(self) -> Subscription:
        """A copy that later changes cannot reach, for an event rendered when read.

        Its dicts are copies; what it shares (tuples, the card, coupon, notices,
        add-ons) is replaced, never changed in place, when the subscription changes.
        """
        copy = Subscription(*_subscription_fields(self))
        copy.attributes = dict(self.attributes)
        copy.tags = dict(self.tags)
        if self.setup_fee is not None:
            copy.setup_fee = dict(self.setup_fee)
        return copy


_subscription_fields = attrgetter(*(f.name for f in fields(Subscription)))


class SubscriptionBook:
    def __init__(self) -> None:
        self._by_id: dict[str, Subscription] = {}
        self._order: list[str] = []

    def __len__(self) -> int:
        return len(self._order)

    def add(self, subscription: Subscription) -> None:
        self._by_id[subscription.id] = subscription
        self._order.append(subscription.id)

    def get(self, subscription_id: str) -> Subscription:
        found = self._by_id.get(subscription_id)
        if found is None:
            raise NotFound({"subscription": "Subscription not found"})
        return found

    def find(self, subscription_id: str) -> Subscription | None:
        return self._by_id.get(subscription_id)

    def all_ids(self) -> list[str]:
        return self._order
