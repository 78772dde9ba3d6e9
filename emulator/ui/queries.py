"""What the dashboard shows, read from a namespace's state.

Every list is a page taken from the newest end of the same ordered structures the
API pages from, so a page costs the same at 1k and 100k records. Nothing here
changes state: the dashboard's buttons call the control plane instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from emulator.domain.accounts import Account
from emulator.domain.coupons import coupon_view
from emulator.domain.errors import Invalid
from emulator.domain.events import Event
from emulator.domain.paging import newest_first
from emulator.domain.quote_views import quote_view
from emulator.domain.subscription_search import search_subscriptions
from emulator.domain.subscriptions import STATES, Subscription
from emulator.domain.views import account_view, order_view, return_view

if TYPE_CHECKING:
    from emulator.registry import Namespace

PAGE_SIZE = 25
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """One page of a newest-first list, and whether there are more."""

    items: list[T]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdecimal() or len(raw) > 6 or int(raw) < 1:
        raise Invalid({"page": "page must be a whole number from 1"})
    return int(raw)


def start_of(page: int) -> int:
    return (page - 1) * PAGE_SIZE


def overview(namespace: Namespace) -> dict[str, Any]:
    """Counts by kind and subscriptions by state: each one an index's length."""
    store = namespace.store
    index = store.subscription_index
    return {
        "accounts": len(store.accounts),
        "subscriptions": len(store.subscriptions),
        "by_state": {state: len(index.in_status(state)) for state in STATES},
        "orders": len(store.orders),
        "returns": len(store.commerce.returns),
        "quotes": len(store.quotes),
        "coupons": len(store.coupons),
        "events": len(store.events),
        "webhooks": len(namespace.hooks.channels),
        "deliveries": len(namespace.hooks.attempts),
        "faults": len(namespace.faults.rules),
        "requests": namespace.journal.seq,
    }


def accounts(namespace: Namespace, text: str, page: int) -> Listing[Account]:
    """Accounts newest first, or those whose id, email or custom key is `text`."""
    book = namespace.store.accounts
    if text:
        found = book.search(text)
        return Listing(found, 1, len(found))
    return Listing(book.newest(start_of(page), PAGE_SIZE), page, len(book))


def subscriptions(namespace: Namespace, status: str, page: int) -> Listing[Subscription]:
    store = namespace.store
    ids = (
        search_subscriptions(store, {"status": status}) if status else store.subscriptions.all_ids()
    )
    chosen = newest_first(ids, start_of(page), PAGE_SIZE)
    return Listing([store.subscriptions.get(i) for i in chosen], page, len(ids))


def subscription(namespace: Namespace, sub_id: str) -> dict[str, Any]:
    """One subscription: its record, the next scheduled transition, its periods and
    orders, and the newest events about it."""
    store = namespace.store
    sub = store.subscriptions.get(sub_id)
    due = store.lifecycle.next_due(sub)
    events, event_total = store.events.about(sub.id, 100)
    return {
        "sub": sub,
        "record": store.lifecycle.subscription_data(sub),
        "next": None if due is None else {"at": due[0], "kind": due[1]},
        "entries": [
            {"order": store.orders.get(order_id), "begin": begin, "end": end}
            for order_id, begin, end in reversed(sub.entries)
        ],
        "events": events,
        "event_total": event_total,
    }


def account(namespace: Namespace, account_id: str) -> dict[str, Any]:
    store = namespace.store
    found = store.accounts.get(account_id)
    events, event_total = store.events.about(found.id, 50)
    return {
        "account": found,
        "record": account_view(found, store.portal_host),
        "subscriptions": [store.subscriptions.get(i) for i in found.subscriptions[-100:]],
        "events": events,
        "event_total": event_total,
    }


def orders(namespace: Namespace, page: int) -> Listing[dict[str, Any]]:
    store = namespace.store
    chosen = store.orders.newest(start_of(page), PAGE_SIZE)
    return Listing([order_view(o, store.portal_host) for o in chosen], page, len(store.orders))


def returns(namespace: Namespace, page: int) -> Listing[dict[str, Any]]:
    store = namespace.store
    book = store.commerce.returns
    chosen = book.newest(start_of(page), PAGE_SIZE)
    return Listing([return_view(r, store.portal_host) for r in chosen], page, len(book))


def quotes(namespace: Namespace, page: int) -> Listing[dict[str, Any]]:
    store = namespace.store
    chosen = store.quotes.newest(start_of(page), PAGE_SIZE)
    views = [
        quote_view(q, store.quotes.totals(q), store.catalog, store.portal_host, store.slug)
        for q in chosen
    ]
    return Listing(views, page, len(store.quotes))


def coupons(namespace: Namespace, page: int) -> Listing[dict[str, Any]]:
    book = namespace.store.coupons
    chosen = book.newest(start_of(page), PAGE_SIZE)
    return Listing([coupon_view(c) for c in chosen], page, len(book))


def events(namespace: Namespace, type_: str, page: int) -> Listing[Event]:
    """Kept events newest first, of one type if given."""
    log = namespace.store.events
    _, total = log.window(0, 0, type_ or None)
    end = total - start_of(page)
    begin = max(end - PAGE_SIZE, 0)
    chosen, _ = log.window(begin, max(end - begin, 0), type_ or None)
    return Listing(list(reversed(chosen)), page, total)


def deliveries(namespace: Namespace, page: int) -> Listing[dict[str, Any]]:
    hooks = namespace.hooks
    chosen = newest_first(hooks.attempts, start_of(page), PAGE_SIZE)
    return Listing(
        [{**a.as_dict(), "finalState": hooks.final_state(a)} for a in chosen],
        page,
        len(hooks.attempts),
    )


def newest_attempts_to(namespace: Namespace, webhook_id: str, count: int) -> list[Any]:
    """The newest attempts to one webhook (a resend's outcome shows on the page of
    the attempt it repeats); the scan stops at `count`, within the kept attempts."""
    found = []
    for attempt in reversed(namespace.hooks.attempts):
        if attempt.webhook == webhook_id:
            found.append(attempt.as_dict())
            if len(found) == count:
                break
    return found


def fingerprint(namespace: Namespace) -> tuple[Any, ...]:
    """Changes whenever anything a page shows may have changed; cheap to compute."""
    store, hooks = namespace.store, namespace.hooks
    last = hooks.attempts[-1] if hooks.attempts else None
    return (
        id(store),
        len(store.events),
        namespace.journal.seq,
        namespace.changes,
        len(hooks.attempts),
        None if last is None else (last.id, last.state),
        store.clock.frozen_at,
        store.clock.offset_ms // 1000,
        len(store.accounts),
        len(store.subscriptions),
        len(store.orders),
    )
