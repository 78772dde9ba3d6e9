"""Quotes: B2B price proposals with their own status machine on the store's clock.

OPEN quotes can be edited, canceled or deleted, and expire when their `expires`
passes (a timer on the store's timeline). The buyer's side has no public API, so
the control plane plays it: asking for an invoice moves a quote to
AWAITING_PAYMENT, and paying it files a real order through checkout and moves it
to COMPLETED. Shapes follow FastSpring's Quotes API reference (ISO dates, money
families, `statusHistory`); choices where it is silent are in docs/fidelity.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from emulator.domain.coupons import not_valid
from emulator.domain.errors import ServiceRefusal
from emulator.domain.formats import DAY_MS, round_money
from emulator.domain.paging import newest_first
from emulator.domain.prices import price_in
from emulator.domain.quote_views import invoice_reminder_data, iso, quote_event_data
from emulator.domain.timeline import QuoteTransition

if TYPE_CHECKING:
    from emulator.domain.store import Store

OPEN, AWAITING, COMPLETED, CANCELED, EXPIRED = (
    "OPEN",
    "AWAITING_PAYMENT",
    "COMPLETED",
    "CANCELED",
    "EXPIRED",
)
STATUSES = (OPEN, CANCELED, AWAITING, COMPLETED, EXPIRED)
FULFILLMENT_TERMS = ("ON_PAYMENT", "ON_QUOTE_ACCEPTANCE")
DEFAULT_EXPIRATION_DAYS = 30
DEFAULT_NET_TERMS_DAYS = 30
MAX_TEXT = 255
MAX_NOTES = 5000
RECIPIENT_FIELDS = ("first", "last", "email", "company", "phone")
ADDRESS_FIELDS = ("addressLine1", "addressLine2", "city", "country", "postalCode", "region")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3}")
TIMER = "quote"
REMINDER = "invoice"
REMINDER_DAYS_BEFORE = 7


class QuoteError(ServiceRefusal):
    """A quote request refused; an unknown quote is a 404."""


class QuoteTotals(NamedTuple):
    unit_discounts: list[float]
    subtotal: float
    discount: float
    total: float


@dataclass(slots=True)
class QuoteItem:
    product: str
    quantity: int
    unit_list_price: float
    custom_price: bool


@dataclass(slots=True)
class Quote:
    id: str
    name: str
    items: list[QuoteItem]
    recipient: dict[str, str | None]
    address: dict[str, str | None]
    currency: str
    created: int
    updated: int
    expiration_days: int
    fulfillment_term: str = "ON_PAYMENT"
    coupon: str | None = None
    notes: str = ""
    net_terms_days: int = DEFAULT_NET_TERMS_DAYS
    tags: list[dict[str, str]] = field(default_factory=list)
    tax_id: str | None = None
    source: str | None = None
    source_ip: str | None = None
    status: str = OPEN
    history: list[dict[str, str]] = field(default_factory=list)
    order_id: str | None = None
    order_reference: str | None = None
    invoice_id: str | None = None
    account_id: str | None = None
    invoice_due: int | None = None  # when an accepted quote's invoice is due

    @property
    def expires(self) -> int:
        return self.created + self.expiration_days * DAY_MS


# --- reading request bodies ------------------------------------------------------------


def _text(
    body: Mapping[str, Any],
    name: str,
    errors: list[tuple[str, str, Any]],
    path: str = "",
    required: bool = False,
    most: int = MAX_TEXT,
) -> str | None:
    value = body.get(name)
    where = f"{path}{name}"
    if value is None:
        if required:
            errors.append((where, "must not be null", None))
        return None
    if not isinstance(value, str) or len(value) > most:
        errors.append((where, f"must be a string of at most {most} characters", value))
        return None
    if required and not value.strip():
        errors.append((where, "must not be blank", value))
    return value


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _recipient(raw: object, errors: list[tuple[str, str, Any]]) -> dict[str, str | None]:
    if not isinstance(raw, Mapping):
        errors.append(("recipient", "must not be null", raw))
        return {}
    found = {
        name: _text(raw, name, errors, "recipient.", required=name in ("first", "last", "email"))
        for name in RECIPIENT_FIELDS
    }
    email = found["email"]
    if email and not _EMAIL.fullmatch(email):
        errors.append(("recipient.email", "must be a well-formed email address", email))
    return found


def _address(raw: object, errors: list[tuple[str, str, Any]]) -> dict[str, str | None]:
    if not isinstance(raw, Mapping):
        errors.append(("recipientAddress", "must not be null", raw))
        return {}
    found = {name: _text(raw, name, errors, "recipientAddress.") for name in ADDRESS_FIELDS}
    country = found["country"]
    if country is not None and not re.fullmatch(r"[A-Za-z]{2}", country):
        errors.append(("recipientAddress.country", "size must be between 2 and 2", country))
    elif country is not None:
        found["country"] = country.upper()
    return found


def _tags(raw: object, errors: list[tuple[str, str, Any]]) -> list[dict[str, str]]:
    if raw is None:
        return []
    if isinstance(raw, Mapping):  # the order-style map, accepted as a convenience
        raw = [{"key": k, "value": v} for k, v in raw.items()]
    if not isinstance(raw, list) or not all(
        isinstance(t, Mapping) and isinstance(t.get("key"), str) and isinstance(t.get("value"), str)
        for t in raw
    ):
        errors.append(("tags", "must be an array of {key, value} strings", raw))
        return []
    return [{"key": t["key"][:MAX_TEXT], "value": t["value"][:MAX_TEXT]} for t in raw]


# --- the book ----------------------------------------------------------------------------


class QuoteBook:
    """The store's quotes in creation order."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._quotes: dict[str, Quote] = {}
        store.timeline.register(TIMER, self._expire)
        store.timeline.register(REMINDER, self._remind)

    def __len__(self) -> int:
        return len(self._quotes)

    def all(self) -> list[Quote]:
        return list(self._quotes.values())

    def newest(self, start: int, count: int) -> list[Quote]:
        """A page of records, newest first (for the dashboard)."""
        return newest_first(self._quotes.values(), start, count)

    def get(self, quote_id: str) -> Quote:
        quote = self._quotes.get(quote_id)
        if quote is None:
            raise QuoteError(f"Quote not found: {quote_id}", status=404)
        return quote

    # --- building and pricing ----------------------------------------------------------

    def _items(
        self, raw: object, currency: str, errors: list[tuple[str, str, Any]]
    ) -> list[QuoteItem]:
        if not isinstance(raw, list) or not raw:
            errors.append(("items", "size must be between 1 and 2147483647", raw))
            return []
        catalog, rates = self._store.catalog, self._store.rates
        items = []
        for n, item in enumerate(raw):
            where = f"items[{n}]"
            if not isinstance(item, Mapping):
                errors.append((where, "must be an object", item))
                continue
            path = item.get("product")
            product = catalog.find(path) if isinstance(path, str) else None
            if product is None:
                errors.append((f"{where}.product", "product not found", path))
                continue
            quantity = item.get("quantity", 1)
            if not _whole(quantity, 1, 1_000_000):
                errors.append((f"{where}.quantity", "must be greater than or equal to 1", quantity))
                continue
            custom = item.get("unitListPrice")
            if custom is not None:
                if (
                    isinstance(custom, bool)
                    or not isinstance(custom, (int, float))
                    or not (0 <= custom < 10**9)
                ):
                    errors.append(
                        (f"{where}.unitListPrice", "must be greater than or equal to 0", custom)
                    )
                    continue
                price: float | None = float(custom)
            else:
                price = price_in(product.pricing.price, currency, rates)
            if price is None:
                errors.append((f"{where}.product", f"{path} has no price in {currency}", path))
                continue
            items.append(QuoteItem(product.path, quantity, price, custom is not None))
        return items

    def _read(self, body: Mapping[str, Any], current: Quote | None) -> dict[str, Any]:
        """Every field of a create or an update, checked; an update merges into
        `current` (fields left out keep their values)."""
        errors: list[tuple[str, str, Any]] = []

        def given(name: str) -> bool:
            return name in body or current is None

        fields: dict[str, Any] = {}
        if given("name"):
            fields["name"] = _text(body, "name", errors, required=True)
        currency = current.currency if current else "USD"
        if "currency" in body and body["currency"] is not None:
            value = body["currency"]
            if not isinstance(value, str) or not _CURRENCY.fullmatch(value.upper()):
                errors.append(("currency", "size must be between 3 and 3", value))
            else:
                currency = value.upper()
        fields["currency"] = currency
        if given("items") or "currency" in body:
            raw_items = (
                body.get("items")
                if "items" in body or current is None
                else [
                    {
                        "product": i.product,
                        "quantity": i.quantity,
                        **({"unitListPrice": i.unit_list_price} if i.custom_price else {}),
                    }
                    for i in current.items
                ]
            )
            fields["items"] = self._items(raw_items, currency, errors)
        if given("recipient"):
            fields["recipient"] = _recipient(body.get("recipient"), errors)
        if given("recipientAddress"):
            fields["address"] = _address(body.get("recipientAddress"), errors)
        for name, attribute, most in (
            ("notes", "notes", MAX_NOTES),
            ("taxId", "tax_id", 255),
            ("source", "source", 255),
            ("sourceIP", "source_ip", 25),
        ):
            if name in body:
                fields[attribute] = _text(body, name, errors, most=most)
        if "notes" in fields and fields["notes"] is None:
            fields["notes"] = ""
        for name, attribute, low, high in (
            ("expirationDateDays", "expiration_days", 1, 90),
            ("netTermsDays", "net_terms_days", 0, 365),
        ):
            value = body.get(name)
            if value is not None:
                if not _whole(value, low, high):
                    errors.append((name, f"must be between {low} and {high}", value))
                else:
                    fields[attribute] = value
        term = body.get("fulfillmentTerm")
        if term is not None:
            if term not in FULFILLMENT_TERMS:
                errors.append(
                    ("fulfillmentTerm", "must be ON_PAYMENT or ON_QUOTE_ACCEPTANCE", term)
                )
            else:
                fields["fulfillment_term"] = term
        if "tags" in body:
            fields["tags"] = _tags(body["tags"], errors)
        if "coupon" in body:
            code = body["coupon"]
            if code in (None, ""):
                fields["coupon"] = None
            elif not isinstance(code, str) or len(code) > MAX_TEXT:
                errors.append(("coupon", "must be a string of at most 255 characters", code))
            else:
                usable = self._store.coupons.usable(code, self._store.clock.now_ms())
                if isinstance(usable, str):
                    errors.append(("coupon", not_valid(usable), code))
                else:
                    fields["coupon"] = code
        if errors:
            raise QuoteError("Validation failed", errors)
        return fields

    def create(self, body: Mapping[str, Any]) -> Quote:
        """`POST /quotes`: a new OPEN quote, expiring `expirationDateDays` from now."""
        fields = self._read(body, None)
        store = self._store
        now = store.clock.now_ms()
        fields.setdefault("expiration_days", DEFAULT_EXPIRATION_DAYS)
        quote = Quote(store.ids.base32("QU"), created=now, updated=now, **fields)
        self._status(quote, OPEN, by_user=True)
        self._quotes[quote.id] = quote
        self._arm(quote)
        self._emit("quote.created", quote, "Quote Created")
        return quote

    def update(self, quote_id: str, body: Mapping[str, Any]) -> Quote:
        """`PUT /quotes/{id}`: only OPEN quotes; fields sent replace, others stay."""
        quote = self.get(quote_id)
        if set(body) == {"updateQuoteRequest"} and isinstance(body["updateQuoteRequest"], Mapping):
            body = body["updateQuoteRequest"]
        if quote.status != OPEN:
            raise QuoteError("Quote is not in OPEN status")
        fields = self._read(body, quote)
        for name, value in fields.items():
            setattr(quote, name, value)
        quote.updated = self._store.clock.now_ms()
        self._arm(quote)
        self._emit("quote.updated", quote, "Quote Modified via API")
        return quote

    def cancel(self, quote_id: str) -> Quote:
        quote = self.get(quote_id)
        if quote.status not in (OPEN, AWAITING):
            raise QuoteError(f"Quote cannot be canceled in {quote.status} status")
        if quote.status == AWAITING and quote.order_id is not None:
            self._store.outcomes.cancel(quote.order_id)
        self._status(quote, CANCELED, by_user=True)
        self._store.timeline.set(TIMER, quote.id, None)
        self._store.timeline.set(REMINDER, quote.id, None)
        self._emit("quote.updated", quote, "Quote Canceled")
        return quote

    def delete(self, quote_id: str) -> Quote:
        quote = self.get(quote_id)
        if quote.status in (AWAITING, COMPLETED):
            raise QuoteError(f"Quote cannot be deleted in {quote.status} status")
        del self._quotes[quote_id]
        self._store.timeline.set(TIMER, quote.id, None)
        return quote

    # --- the buyer's side (control plane) ----------------------------------------------

    def invoice(self, quote_id: str) -> Quote:
        """The buyer accepts and asks for an invoice to pay later: the order waits for
        payment (`order.payment.pending`), and reminders fall due before and on the
        invoice's due date, `netTermsDays` after acceptance."""
        quote = self.get(quote_id)
        if quote.status != OPEN:
            raise QuoteError("Quote is not in OPEN status")
        store = self._store
        order = store.purchases.checkout(
            self._checkout_request(quote, "payment-pending"), quote=quote.id
        )
        quote.order_id, quote.account_id = order.id, order.account_id
        quote.invoice_id = store.ids.base32("IN")
        self._status(quote, AWAITING)
        store.timeline.set(TIMER, quote.id, None)
        now = store.clock.now_ms()
        quote.invoice_due = now + quote.net_terms_days * DAY_MS
        first = quote.invoice_due - REMINDER_DAYS_BEFORE * DAY_MS
        store.timeline.set(REMINDER, quote.id, first if first > now else quote.invoice_due)
        self._emit("quote.updated", quote, "Quote Accepted")
        return quote

    def _checkout_request(self, quote: Quote, outcome: str) -> dict[str, Any]:
        request: dict[str, Any] = {
            "contact": {k: v for k, v in quote.recipient.items() if v},
            "currency": quote.currency,
            "outcome": outcome,
            "items": [
                {
                    "product": i.product,
                    "quantity": i.quantity,
                    "pricing": {"price": {quote.currency: i.unit_list_price}},
                }
                for i in quote.items
            ],
        }
        if quote.address.get("country"):
            request["country"] = quote.address["country"]
        if quote.coupon:
            request["coupon"] = quote.coupon
        return request

    def pay(self, quote_id: str) -> Quote:
        """The buyer pays (at once, or the invoice): a real order through checkout,
        with the account, subscriptions and their events; the quote completes."""
        quote = self.get(quote_id)
        if quote.status not in (OPEN, AWAITING):
            raise QuoteError(f"Quote cannot be paid in {quote.status} status")
        store = self._store
        if quote.status == AWAITING and quote.order_id is not None:
            order = store.outcomes.complete(quote.order_id)
        else:
            order = store.purchases.checkout(
                self._checkout_request(quote, "completed"), quote=quote.id
            )
        store.timeline.set(REMINDER, quote.id, None)
        quote.order_id, quote.order_reference = order.id, order.reference
        quote.account_id = order.account_id
        self._status(quote, COMPLETED)
        store.timeline.set(TIMER, quote.id, None)
        self._emit("quote.updated", quote, "Quote Completed")
        return quote

    # --- time ----------------------------------------------------------------------------

    def _arm(self, quote: Quote) -> None:
        self._store.timeline.set(TIMER, quote.id, quote.expires)

    def _expire(self, quote_id: str) -> QuoteTransition | None:
        quote = self._quotes.get(quote_id)
        if quote is None or quote.status != OPEN:
            return None
        self._status(quote, EXPIRED)
        self._emit("quote.updated", quote, "Quote Expired")
        return QuoteTransition(
            self._store.clock.now_ms(), quote.id, "expire", EXPIRED, ("quote.updated",)
        )

    def _remind(self, quote_id: str) -> QuoteTransition | None:
        """`invoice.reminder.email` for an accepted quote's unpaid invoice: a week
        before it is due, then on the due date."""
        store = self._store
        quote = self._quotes.get(quote_id)
        if quote is None or quote.status != AWAITING or quote.invoice_due is None:
            return None
        order = store.orders.find(quote.order_id)
        account = store.accounts.find(quote.account_id or "")
        totals = self.totals(quote)
        store.events.emit(
            "invoice.reminder.email",
            invoice_reminder_data(
                quote,
                totals,
                order.reference if order else None,
                account.id if account else None,
                store.portal_host,
                store.catalog,
            ),
        )
        if store.clock.now_ms() < quote.invoice_due:
            store.timeline.set(REMINDER, quote.id, quote.invoice_due)
        return QuoteTransition(
            store.clock.now_ms(),
            quote.id,
            "invoice reminder",
            quote.status,
            ("invoice.reminder.email",),
        )

    def _status(self, quote: Quote, status: str, by_user: bool = False) -> None:
        now = self._store.clock.now_ms()
        quote.status = status
        quote.updated = now
        name, email = (
            ("API User", f"api@{self._store.slug}.test") if by_user else ("SYSTEM SYSTEM", "SYSTEM")
        )
        quote.history.append(
            {
                "statusUpdatedTo": status,
                "statusUpdatedByFullName": name,
                "statusUpdatedByEmail": email,
                "statusUpdatedOn": iso(now),
            }
        )

    def _emit(self, type_: str, quote: Quote, reason: str) -> None:
        store = self._store
        self._store.events.emit(
            type_,
            quote_event_data(
                quote,
                self.totals(quote),
                reason,
                store.catalog,
                store.portal_host,
                store.clock.now_ms(),
            ),
        )

    def totals(self, quote: Quote) -> QuoteTotals:
        """Each line's coupon discount per unit, and the quote's sums."""
        coupon = self._store.coupons.by_code(quote.coupon) if quote.coupon else None
        c = quote.currency
        unit_off = [
            coupon.discount(i.product, i.unit_list_price, 1, c) if coupon else 0.0
            for i in quote.items
        ]
        subtotal = round_money(sum(i.unit_list_price * i.quantity for i in quote.items), c)
        discount = round_money(
            sum(off * i.quantity for off, i in zip(unit_off, quote.items, strict=True)), c
        )
        return QuoteTotals(unit_off, subtotal, discount, round_money(subtotal - discount, c))

    # --- snapshots ---------------------------------------------------------------------

    def export(self) -> list[dict[str, Any]]:
        return [asdict(q) for q in self._quotes.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        self._quotes.clear()
        for raw in data:
            quote = Quote(**{**raw, "items": [QuoteItem(**i) for i in raw["items"]]})
            self._quotes[quote.id] = quote
            if quote.status == OPEN:
                self._arm(quote)
            elif quote.status == AWAITING and quote.invoice_due is not None:
                now = self._store.clock.now_ms()
                first = quote.invoice_due - REMINDER_DAYS_BEFORE * DAY_MS
                self._store.timeline.set(
                    REMINDER,
                    quote.id,
                    first
                    if first > now
                    else (quote.invoice_due if quote.invoice_due > now else None),
                )
