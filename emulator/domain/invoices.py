"""Payment invoices (`POST /invoices/paymentInvoice`, `GET /invoices/{id}`).

FastSpring publishes no reference for this group; the model follows the one live
client known to use it: a bill-to and a deliver-to contact (both required), items
priced from the catalog, a payment method and a mode, and an answer with pay, web
and PDF links. The emulator serves those links itself, and paying through the
control plane files an ordinary order. docs/fidelity.md lists what is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from emulator.domain.errors import ServiceRefusal
from emulator.domain.formats import round_money
from emulator.domain.prices import price_in

if TYPE_CHECKING:
    from emulator.domain.store import Store

PAYMENT_METHODS = ("CARD", "PAYPAL", "WIRE", "ACH")
MODES = ("TEST", "LIVE")
CONTACT_TYPES = ("billTo", "deliverTo")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3}")


class InvoiceError(ServiceRefusal):
    """A refused invoice request: (field, message) pairs; 404 for an unknown id."""


@dataclass(slots=True)
class InvoiceLine:
    product: str
    quantity: int
    unit_price: float


@dataclass(slots=True)
class Invoice:
    id: str
    currency: str
    contacts: list[dict[str, Any]]
    items: list[InvoiceLine]
    payment_method: str
    mode: str
    created: int
    status: str = "OPEN"
    order_id: str | None = None
    order_reference: str | None = None
    paid: int | None = None

    @property
    def total(self) -> float:
        return round_money(sum(i.unit_price * i.quantity for i in self.items), self.currency)

    def contact(self, kind: str) -> dict[str, Any]:
        return next(c for c in self.contacts if c["contactType"] == kind)


def _contact(raw: object, n: int, errors: list[tuple[str, str]]) -> dict[str, Any] | None:
    where = f"contacts[{n}]"
    if not isinstance(raw, Mapping):
        errors.append((where, "must be an object"))
        return None
    kind = raw.get("contactType")
    if kind not in CONTACT_TYPES:
        errors.append((f"{where}.contactType", "must be billTo or deliverTo"))
        return None
    contact, address = raw.get("contact"), raw.get("address", {})
    if not isinstance(contact, Mapping) or not isinstance(address, Mapping):
        errors.append((where, "contact and address must be objects"))
        return None
    email = contact.get("email")
    if not isinstance(email, str) or not _EMAIL.fullmatch(email):
        errors.append((f"{where}.contact.email", "must be a well-formed email address"))
        return None
    texts = {k: v for k, v in contact.items() if isinstance(v, str) and len(v) <= 255}
    place = {k: v for k, v in address.items() if isinstance(v, str) and len(v) <= 255}
    return {"contactType": kind, "contact": texts, "address": place}


class InvoiceBook:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._invoices: dict[str, Invoice] = {}

    def __len__(self) -> int:
        return len(self._invoices)

    def get(self, invoice_id: str) -> Invoice:
        invoice = self._invoices.get(invoice_id)
        if invoice is None:
            raise InvoiceError(f"Invoice not found: {invoice_id}", status=404)
        return invoice

    def create(self, body: Mapping[str, Any]) -> Invoice:
        errors: list[tuple[str, str]] = []
        currency = body.get("currencyCode", "USD")
        if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
            errors.append(("currencyCode", "must be a three-letter currency code"))
            currency = "USD"
        raw_contacts = body.get("contacts")
        contacts = [
            c
            for n, raw in enumerate(raw_contacts if isinstance(raw_contacts, list) else [])
            if (c := _contact(raw, n, errors)) is not None
        ]
        kinds = [c["contactType"] for c in contacts]
        if not errors and sorted(kinds) != sorted(CONTACT_TYPES):
            errors.append(("contacts", "one billTo and one deliverTo contact are required"))
        items = self._items(body.get("invoiceItems"), currency, errors)
        method = body.get("paymentMethod", "CARD")
        if method not in PAYMENT_METHODS:
            errors.append(("paymentMethod", "must be one of " + ", ".join(PAYMENT_METHODS)))
        mode = body.get("mode", "TEST")
        if mode not in MODES:
            errors.append(("mode", "must be TEST or LIVE"))
        if errors:
            raise InvoiceError(errors[0][1], errors)
        store = self._store
        invoice = Invoice(
            store.ids.base32("IN"), currency, contacts, items, method, mode, store.clock.now_ms()
        )
        self._invoices[invoice.id] = invoice
        return invoice

    def _items(
        self, raw: object, currency: str, errors: list[tuple[str, str]]
    ) -> list[InvoiceLine]:
        if not isinstance(raw, list) or not raw:
            errors.append(("invoiceItems", "at least one item is required"))
            return []
        catalog, rates = self._store.catalog, self._store.rates
        lines = []
        for n, item in enumerate(raw):
            where = f"invoiceItems[{n}]"
            path = item.get("productPath") if isinstance(item, Mapping) else None
            product = catalog.find(path) if isinstance(path, str) else None
            if product is None:
                errors.append((f"{where}.productPath", "product not found"))
                continue
            quantity = item.get("quantity", 1)
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not (1 <= quantity <= 1_000_000)
            ):
                errors.append((f"{where}.quantity", "must be a whole number from 1"))
                continue
            price = price_in(product.pricing.price, currency, rates)
            if price is None:
                errors.append((f"{where}.productPath", f"product has no {currency} price"))
                continue
            lines.append(InvoiceLine(product.path, quantity, price))
        return lines

    def pay(self, invoice_id: str) -> Invoice:
        """The buyer pays: an ordinary order for the bill-to contact."""
        invoice = self.get(invoice_id)
        if invoice.status != "OPEN":
            raise InvoiceError(f"Invoice is {invoice.status}")
        bill_to = invoice.contact("billTo")
        contact = bill_to["contact"]
        request: dict[str, Any] = {
            "contact": {
                "email": contact["email"],
                "first": contact.get("firstName") or "Buyer",
                "last": contact.get("lastName") or "Buyer",
            },
            "currency": invoice.currency,
            "items": [
                {
                    "product": i.product,
                    "quantity": i.quantity,
                    "pricing": {"price": {invoice.currency: i.unit_price}},
                }
                for i in invoice.items
            ],
        }
        country = bill_to["address"].get("country")
        if isinstance(country, str) and len(country) == 2:
            request["country"] = country
        order = self._store.purchases.checkout(request)
        invoice.status = "PAID"
        invoice.order_id, invoice.order_reference = order.id, order.reference
        invoice.paid = self._store.clock.now_ms()
        return invoice

    def export(self) -> list[dict[str, Any]]:
        return [asdict(i) for i in self._invoices.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        self._invoices.clear()
        for raw in data:
            invoice = Invoice(**{**raw, "items": [InvoiceLine(**i) for i in raw["items"]]})
            self._invoices[invoice.id] = invoice
