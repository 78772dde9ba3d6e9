"""Fixture documents: a whole store described in JSON or YAML, loaded through the API's rules.

Every entry goes through the same domain calls as the API, so a fixture cannot
create a state the API could not reach. States that need time to pass are
reached by time passing: an `overdue` or `paused` subscription is bought one
period (plus a day) before the clock start, with its decline or pause applied,
and the clock then runs forward to the start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import yaml

from emulator.domain.calendar import add_interval, parse_instant
from emulator.domain.cooperative import Steps, finish, finish_async
from emulator.domain.errors import DomainError, ServiceRefusal
from emulator.domain.formats import DAY_MS, start_of_day
from emulator.domain.purchases import CHECKOUT_KEYS
from emulator.domain.store import Store
from emulator.domain.strict import refuse_unknown
from emulator.http.body import MAX_DEPTH, nesting_depth
from emulator.webhooks.config import parse_webhook

SECTIONS = (
    "store",
    "seed",
    "clock",
    "exchange_rates",
    "products",
    "offers",
    "coupons",
    "accounts",
    "orders",
    "quotes",
    "checkout_sessions",
    "invoices",
    "webhooks",
    "faults",
    "rate_limit",
)
QUOTE_STATES = ("OPEN", "AWAITING_PAYMENT", "COMPLETED", "CANCELED")
# Entries are strict: a typo such as `stat: overdue` must not load an active subscription.
ACCOUNT_KEYS = ("name", "payment", "contact", "language", "country", "lookup", "address")
ORDER_KEYS = (*CHECKOUT_KEYS, "name", "state", "decline", "pausePeriods")
STATES = ("active", "trial", "overdue", "canceled", "deactivated", "paused", "managed")
TIMED_STATES = ("overdue", "paused")


class FixtureError(Exception):
    """A fixture entry the emulator refused: which document, entry and field, and why."""

    def __init__(self, document: str, entry: str, field: str, message: str) -> None:
        super().__init__(f"{document}: {entry}: {field}: {message}")
        self.document, self.entry, self.field, self.message = document, entry, field, message

    def as_dict(self) -> dict[str, str]:
        return {
            "document": self.document,
            "entry": self.entry,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class FixtureDocument:
    name: str
    body: dict[str, Any]

    @property
    def store(self) -> tuple[str, str] | None:
        store = self.body.get("store")
        if store is None:
            return None
        if not isinstance(store, Mapping) or not all(
            isinstance(store.get(k), str) and store.get(k) for k in ("username", "password")
        ):
            raise FixtureError(
                self.name, "store", "store", "store must be {username: ..., password: ...}"
            )
        return store["username"], store["password"]


def parse_document(name: str, text: bytes | str) -> FixtureDocument:
    """A JSON or YAML fixture document (JSON is YAML, so one parser reads both)."""
    try:
        body = orjson.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
        raise FixtureError(name, "document", "document", f"not valid JSON or YAML: {exc}") from None
    except RecursionError:
        raise FixtureError(name, "document", "document", "nested too deeply") from None
    if body is None:
        body = {}
    if nesting_depth(body, MAX_DEPTH + 2) > MAX_DEPTH + 2:
        raise FixtureError(
            name, "document", "document", f"nested more than {MAX_DEPTH + 2} levels deep"
        )
    if not isinstance(body, dict):
        raise FixtureError(name, "document", "document", "a fixture is a mapping of sections")
    unknown = [str(k) for k in body if k not in SECTIONS]
    if unknown:
        raise FixtureError(
            name, unknown[0], unknown[0], "unknown section; sections are " + ", ".join(SECTIONS)
        )
    return FixtureDocument(name, body)


def _ready_documents() -> Any:
    """Where the ready documents are: inside the installed package, or in fixtures/
    beside it in a source checkout (an editable install)."""
    try:
        return resources.files("emulator.fixture_documents")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "fixtures"


def read_document(path: str | Path) -> FixtureDocument:
    """A document from a path, or a ready one by name (`demo`, `empty`) when no such
    file exists: those ship inside the package."""
    path = Path(path)
    if not path.exists() and str(path.parent) == ".":
        name = path.name if path.suffix else f"{path.name}.yaml"
        packaged = _ready_documents() / name
        if packaged.is_file():
            return parse_document(packaged.name, packaged.read_bytes())
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise FixtureError(str(path), "document", "document", str(exc)) from None
    return parse_document(path.name, text)


class _Loader:
    """Applies one document to one namespace's store, hooks and faults."""

    def __init__(self, document: FixtureDocument, namespace: Any, dry_run: bool) -> None:
        self.doc = document
        self.namespace = namespace
        self.dry_run = dry_run
        self.store: Store = namespace.store
        self.accounts: dict[str, str] = {}
        self.orders: dict[str, Any] = {}

    def fail(self, entry: str, field: str, message: str) -> FixtureError:
        return FixtureError(self.doc.name, entry, field, message)

    def section(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        items = self.doc.body.get(name) or []
        if not isinstance(items, list):
            raise self.fail(name, name, f"{name} must be a list")
        entries = []
        for n, item in enumerate(items):
            label = f"{name}[{n}]"
            if not isinstance(item, Mapping):
                raise self.fail(label, name, "each entry must be a mapping")
            if isinstance(item.get("name"), str):
                label += f" ({item['name']})"
            entries.append((label, dict(item)))
        return entries

    def domain(self, entry: str, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except DomainError as exc:
            field, message = next(iter(exc.errors.items()))
            raise self.fail(entry, field, message) from None
        except ServiceRefusal as exc:
            raise self.fail(entry, exc.field, exc.message) from None

    def load(self) -> Steps[None]:
        """Apply the document, one entry per step."""
        body = self.doc.body
        orders = self.section("orders")
        timed = [(e, i) for e, i in orders if i.get("state") in TIMED_STATES]
        if timed and "clock" not in body:
            raise self.fail(timed[0][0], "state", "overdue and paused need a clock start")
        if timed and len(self.store.events):
            raise self.fail(
                timed[0][0],
                "state",
                "overdue and paused need an empty store: they are reached by moving the clock",
            )
        if "seed" in body:
            if isinstance(body["seed"], bool) or not isinstance(body["seed"], int):
                raise self.fail("seed", "seed", "seed must be an integer")
            self.store.ids.reseed(body["seed"])
        start, frozen = self._clock()
        if "exchange_rates" in body:
            self.domain("exchange_rates", self.store.rates.set, body["exchange_rates"])
        for entry, item in self.section("products"):
            self.domain(entry, self.store.catalog.upsert, item)
            yield
        for entry, item in self.section("offers"):
            self.domain(
                entry, self.store.catalog.set_offers, str(item.get("product")), item.get("offers")
            )
            yield
        for entry, item in self.section("coupons"):
            self.domain(entry, self.store.coupons.upsert, item)
            yield
        for entry, item in self.section("webhooks"):
            if self.dry_run:  # only check: a scratch store's events must never go out
                self.domain(entry, parse_webhook, "check", item)
            else:
                self.domain(entry, self.namespace.hooks.add, item)
            yield
        for entry, item in self.section("accounts"):
            self._account(entry, item)
            yield
        yield from self._timed_orders(timed, start)
        clock = self.store.clock
        if start is not None and start > clock.now_ms():
            self.store.timeline.advance_now(start)
        for entry, item in orders:
            if item.get("state") not in TIMED_STATES:
                self._order(entry, item)
                yield
        yield from self._quotes()
        yield from self._checkout_sessions()
        for entry, item in self.section("invoices"):
            paid = item.pop("paid", False)
            invoice = self.domain(entry, self.store.invoices.create, item)
            if paid is True:
                self.domain(entry, self.store.invoices.pay, invoice.id)
            yield
        for entry, item in self.section("faults"):
            self.domain(entry, self.namespace.faults.add, item)
            yield
        if "rate_limit" in body:
            self.domain(
                "rate_limit",
                self.namespace.faults.set_rate_limit,
                body["rate_limit"] if isinstance(body["rate_limit"], Mapping) else {},
            )
        if frozen is False:
            clock.unfreeze()

    def _quotes(self) -> Steps[None]:
        """Quotes in the API's shape; `status` reaches a later state as the buyer would."""
        quotes = self.store.quotes
        for entry, item in self.section("quotes"):
            status = item.pop("status", "OPEN")
            if status not in QUOTE_STATES:
                raise self.fail(entry, "status", "status must be one of " + ", ".join(QUOTE_STATES))
            quote = self.domain(entry, quotes.create, item)
            if status == "AWAITING_PAYMENT":
                self.domain(entry, quotes.invoice, quote.id)
            elif status == "COMPLETED":
                self.domain(entry, quotes.pay, quote.id)
            elif status == "CANCELED":
                self.domain(entry, quotes.cancel, quote.id)
            yield

    def _checkout_sessions(self) -> Steps[None]:
        """Sessions v2: the create body with `storeId` and `checkoutId`;
        `completed: true` pays it."""
        checkouts = self.store.checkouts
        for entry, item in self.section("checkout_sessions"):
            store_id, checkout_id = item.pop("storeId", None), item.pop("checkoutId", None)
            completed = item.pop("completed", False)
            if not isinstance(store_id, str) or not isinstance(checkout_id, str):
                raise self.fail(entry, "storeId", "storeId and checkoutId are required")
            session = self.domain(entry, checkouts.create, item, store_id, checkout_id)
            if completed is True:
                self.domain(entry, checkouts.complete, session.id, None)
            yield

    def _clock(self) -> tuple[int | None, bool | None]:
        clock = self.doc.body.get("clock")
        if clock is None:
            return None, None
        if isinstance(clock, str):
            clock = {"start": clock}
        if not isinstance(clock, Mapping):
            raise self.fail("clock", "clock", "clock must be {start: <ISO-8601>, frozen: true}")
        given = clock.get("start")
        start = parse_instant(given) if isinstance(given, str) else None
        if start is None:
            raise self.fail("clock", "start", "start must be an ISO-8601 instant")
        frozen = clock.get("frozen", True)
        if not isinstance(frozen, bool):
            raise self.fail("clock", "frozen", "frozen must be true or false")
        if len(self.store.events) and start < self.store.clock.now_ms():
            raise self.fail("clock", "start", "the store's clock is already past this start")
        self.store.clock.freeze()
        self.store.clock.travel_to(start)
        return start, frozen

    def _account(self, entry: str, item: dict[str, Any]) -> None:
        self.domain(entry, refuse_unknown, item, ACCOUNT_KEYS)
        name = item.pop("name", None)
        payment = item.pop("payment", None)
        if not isinstance(name, str) or not name:
            raise self.fail(entry, "name", "every account needs a name to be referred to")
        if name in self.accounts:
            raise self.fail(entry, "name", f"another account is already named {name}")
        account = self.domain(entry, self.store.accounts.create, item)
        self.accounts[name] = account.id
        if payment is not None:
            self.domain(
                entry,
                self.store.lifecycle.set_payment,
                account.id,
                payment.get("decline") if isinstance(payment, Mapping) else 0,
            )

    def _purchase(self, entry: str, item: dict[str, Any]) -> Any:
        self.domain(entry, refuse_unknown, item, ORDER_KEYS)
        body = {k: v for k, v in item.items() if k not in ORDER_KEYS[-4:]}
        account = body.get("account")
        if isinstance(account, str):
            if account not in self.accounts:
                raise self.fail(
                    entry, "account", f"no account is named {account}; name it in accounts first"
                )
            body["account"] = self.accounts[account]
        order = self.domain(entry, self.store.purchases.checkout, body)
        name = item.get("name")
        if isinstance(name, str):
            if name in self.orders:
                raise self.fail(entry, "name", f"another order is already named {name}")
            self.orders[name] = order
        return order

    def _subscriptions(self, entry: str, order: Any) -> list[Any]:
        subs = [self.store.subscriptions.get(i.subscription) for i in order.items if i.subscription]
        if not subs:
            raise self.fail(entry, "state", "a state needs a subscription product in items")
        return subs

    def _timed_orders(
        self, timed: list[tuple[str, dict[str, Any]]], start: int | None
    ) -> Steps[None]:
        """Buy overdue and paused subscriptions back-dated, oldest purchase first."""
        if not timed or start is None:
            return
        plans = []
        for entry, item in timed:
            first = item.get("items")
            path = (
                first[0].get("product")
                if isinstance(first, list) and first and isinstance(first[0], Mapping)
                else None
            )
            product = self.store.catalog.find(path) if isinstance(path, str) else None
            pricing = product.pricing if product else None
            if pricing is None or not pricing.is_subscription or pricing.managed:
                raise self.fail(
                    entry, "items", "overdue and paused need a product that renews by itself"
                )
            day = start_of_day(start)
            assert pricing.interval is not None  # a subscription product, checked above
            period_days = (
                pricing.trial
                or (add_interval(day, pricing.interval, pricing.interval_length) - day) // DAY_MS
            )
            plans.append((start - (period_days + 1) * DAY_MS, entry, item))
        plans.sort(key=lambda p: p[0])
        self.store.clock.travel_to(plans[0][0])  # back in time: the store has no events
        for bought_at, entry, item in plans:
            self.store.timeline.advance_now(bought_at)
            order = self._purchase(entry, item)
            for sub in self._subscriptions(entry, order):
                if item["state"] == "paused":
                    periods = item.get("pausePeriods", 1)
                    self.domain(entry, self.store.lifecycle.pause, sub.id, periods)
                else:
                    self.domain(
                        entry,
                        self.store.lifecycle.set_payment,
                        sub.account_id,
                        item.get("decline", "EXPIRED_CARD"),
                    )
            yield

    def _order(self, entry: str, item: dict[str, Any]) -> None:
        state = item.get("state")
        if state is not None and state not in STATES:
            raise self.fail(entry, "state", "state must be one of " + ", ".join(STATES))
        order = self._purchase(entry, item)
        if state is None:
            return
        for sub in self._subscriptions(entry, order):
            if state in ("canceled", "deactivated"):
                self.domain(entry, self.store.lifecycle.cancel, sub.id, state == "deactivated")
            elif state == "trial" and sub.state != "trial":
                raise self.fail(entry, "state", f"{sub.product} has no free trial")
            elif state == "managed" and not sub.adhoc:
                raise self.fail(entry, "state", f"{sub.product} is not a managed (adhoc) product")
            elif state == "active" and sub.state != "active":
                raise self.fail(entry, "state", f"{sub.product} starts in {sub.state}")


def load_document(document: FixtureDocument, namespace: Any) -> None:
    """Load `document` into `namespace` at once (start-up; see `load_steps`)."""
    finish(load_steps(document, namespace))


async def load_async(document: FixtureDocument, namespace: Any) -> None:
    """Load `document` into `namespace` without holding the event loop for long: the
    store's own requests and advances wait meanwhile (an advance under way finishes
    first), so they never see it half loaded; other stores are served."""
    async with namespace.exclusive(), namespace.store.timeline.still():
        await finish_async(load_steps(document, namespace))


def load_steps(document: FixtureDocument, namespace: Any) -> Steps[None]:
    """Load `document` into `namespace`, one entry per step.

    Into an empty store, the whole document is first loaded into a scratch copy, so a
    document with a bad entry changes nothing. A document added to a store that already
    holds data may build on it (an order for a product loaded before), so it cannot be
    tried apart: its structure is checked first, and an entry the rules refuse stops
    the load there, with the entries before it applied.
    """
    if (
        len(namespace.store.events) == 0
        and len(namespace.store.accounts) == 0
        and len(namespace.store.catalog) == 0
    ):
        yield from _Loader(document, namespace.scratch(), dry_run=True).load()
    yield from _Loader(document, namespace, dry_run=False).load()
