"""A store: one FastSpring seller's data, its clock and its id sequence."""

from __future__ import annotations

import re

from emulator.domain.accounts import AccountBook
from emulator.domain.catalog import Catalog
from emulator.domain.checkouts import CheckoutSessions
from emulator.domain.clock import Clock
from emulator.domain.commerce import Commerce
from emulator.domain.coupons import CouponBook
from emulator.domain.events import DEFAULT_RETAIN, EventLog
from emulator.domain.ids import IdGenerator
from emulator.domain.indexes import OrderIndex, SubscriptionIndex
from emulator.domain.invoices import InvoiceBook
from emulator.domain.lifecycle import Lifecycle
from emulator.domain.orders import OrderBook
from emulator.domain.outcomes import OrderOutcomes
from emulator.domain.plan_changes import PlanChanges
from emulator.domain.prices import ExchangeRates
from emulator.domain.purchases import Purchases
from emulator.domain.quotes import QuoteBook
from emulator.domain.reports import ReportJobs
from emulator.domain.subscriptions import SubscriptionBook
from emulator.domain.timeline import Timeline


def store_slug(name: str) -> str:
    """The store's host label, as in `<slug>.test.onfastspring.com`."""
    return re.sub(r"[^a-z0-9]", "", name.lower())[:30] or "store"


class Store:
    def __init__(self, name: str, seed: int | None, retain_events: int = DEFAULT_RETAIN) -> None:
        self.name = name
        self.slug = store_slug(name)
        self.ids = IdGenerator(seed, name)
        # Ids of error bodies come from their own sequence, so that a refused
        # request never shifts the ids of the records made after it.
        self.error_ids = IdGenerator(seed, f"{name}:errors")
        # The clock, the timeline and the event log outlive a reset, so whoever
        # listens to them (webhook delivery) stays subscribed.
        self.clock = Clock()
        self.timeline = Timeline(self.clock)
        self.events = EventLog(self.ids, self.clock, retain_events)
        self.reset()

    def reset(self) -> None:
        """Empty the store; under a seed it then hands out the same ids again."""
        self.ids.reset()
        self.clock.reset()
        self.timeline.clear()
        self.events.clear()
        self.accounts = AccountBook(self.ids, self.clock)
        self.catalog = Catalog()
        self.rates = ExchangeRates()
        self.coupons = CouponBook()
        self.orders = OrderBook(self.ids, self.slug)
        self.order_index = OrderIndex()
        self.subscriptions = SubscriptionBook()
        self.subscription_index = SubscriptionIndex()
        self.lifecycle = Lifecycle(self)
        self.purchases = Purchases(self)
        self.plans = PlanChanges(self)
        self.quotes = QuoteBook(self)
        self.checkouts = CheckoutSessions(self)
        self.invoices = InvoiceBook(self)
        self.reports = ReportJobs()
        self.outcomes = OrderOutcomes(self)
        self.commerce = Commerce(self)

    @property
    def portal_host(self) -> str:
        """Emulated data is test-mode data, so portal links use the test host."""
        return f"{self.slug}.test.onfastspring.com"

    def portal_token(self) -> str:
        return self.ids.new_id()
