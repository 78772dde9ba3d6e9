"""The product catalog: products by path, with the pricing that drives subscriptions.

`POST /products` is an upsert by path. Only the fields the emulator acts on are
validated strictly; the rest of a product document is kept and echoed back.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.domain.calendar import UNITS
from emulator.domain.errors import Invalid, NotFound
from emulator.domain.offers import merge_offers, parse_offers

_PATH = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
# Paths the API itself uses under /products/: a product by these names could never
# be read back.
RESERVED_PATHS = frozenset({"price", "offers"})
_CURRENCY = re.compile(r"[A-Z]{3}")
# Product fields echoed back as given (FastSpring's document fields we do not act on).
PASSTHROUGH = (
    "description",
    "image",
    "format",
    "taxcode",
    "taxcodeDescription",
    "fulfillments",
    "attributes",
    "offers",
    "productAppReference",
    "parent",
)


@dataclass(slots=True)
class Notice:
    """A notification series: reminders before a charge, overdue notices after one."""

    enabled: bool
    unit: str
    length: int
    amount: int = 1


@dataclass(slots=True)
class Pricing:
    interval: str | None = None  # None: a one-time product; "adhoc": managed
    interval_length: int = 1
    interval_count: int | None = None  # total periods; None renews indefinitely
    trial: int = 0  # free trial days
    price: dict[str, float] = field(default_factory=dict)
    quantity_default: int = 1
    reminder: Notice = field(default_factory=lambda: Notice(True, "week", 1))
    overdue: Notice = field(default_factory=lambda: Notice(True, "week", 1, 4))
    cancellation: Notice = field(default_factory=lambda: Notice(True, "week", 1))
    setup_fee: dict[str, Any] | None = None
    renew: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_subscription(self) -> bool:
        return self.interval is not None

    @property
    def managed(self) -> bool:
        return self.interval == "adhoc"

    def trial_price(self, currency: str) -> float | None:
        """What a paid trial costs in `currency` (None: the trial is free)."""
        if self.extra.get("paidTrial") is not True:
            return None
        prices = self.extra.get("trialPrice")
        value = prices.get(currency) if isinstance(prices, Mapping) else None
        return float(value) if isinstance(value, (int, float)) else None


@dataclass(slots=True)
class Product:
    path: str
    display: dict[str, str]
    sku: str | None
    pricing: Pricing
    document: dict[str, Any] = field(default_factory=dict)

    def price_in(self, currency: str) -> float | None:
        return self.pricing.price.get(currency)


def _positive_int(value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError
    return value


def _unit(value: object, allowed: tuple[str, ...] = UNITS) -> str:
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ValueError
    return value.lower()


def _notice(raw: object, default: Notice, with_amount: bool = False) -> Notice:
    if not isinstance(raw, Mapping):
        raise ValueError
    enabled = raw.get("enabled", default.enabled)
    if not isinstance(enabled, bool):
        raise ValueError
    return Notice(
        enabled,
        _unit(raw.get("interval", default.unit)),
        _positive_int(raw.get("intervalLength", default.length)),
        _positive_int(raw.get("amount", default.amount)) if with_amount else 1,
    )


def _prices(raw: object) -> dict[str, float]:
    if not isinstance(raw, Mapping) or not raw:
        raise ValueError
    prices: dict[str, float] = {}
    for currency, amount in raw.items():
        if (
            not _CURRENCY.fullmatch(currency)
            or isinstance(amount, bool)
            or not isinstance(amount, (int, float))
            or not 0 <= amount < 10**9
        ):
            raise ValueError
        prices[currency] = float(amount)
    return prices


_PRICING_FIELDS = {
    "interval": "interval",
    "intervalLength": "interval_length",
    "intervalCount": "interval_count",
    "trial": "trial",
    "price": "price",
    "quantityDefault": "quantity_default",
    "reminderNotification": "reminder",
    "overdueNotification": "overdue",
    "cancellation": "cancellation",
    "setupFee": "setup_fee",
    "renew": "renew",
}


def _parse_pricing_field(name: str, value: object, current: Pricing) -> object:
    if name == "interval":
        return None if value is None else _unit(value, (*UNITS, "adhoc"))
    if name in ("intervalLength", "quantityDefault"):
        return _positive_int(value)
    if name == "intervalCount":
        return None if value is None else _positive_int(value)
    if name == "trial":
        return 0 if value is None else _positive_int(value, minimum=0)
    if name == "price":
        return _prices(value)
    if name == "reminderNotification":
        return _notice(value, current.reminder)
    if name == "overdueNotification":
        return _notice(value, current.overdue, with_amount=True)
    if name == "cancellation":
        return _notice(value, current.cancellation)
    if name == "setupFee":
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ValueError
        return {"title": value.get("title") or {}, "price": _prices(value.get("price"))}
    if name == "renew":
        if value not in ("auto", "manual"):
            raise ValueError
        return value
    raise AssertionError(name)


def _merge_pricing(raw: object, current: Pricing) -> Pricing:
    if not isinstance(raw, Mapping):
        raise Invalid({"pricing": "pricing must be an object"})
    values = {f: getattr(current, f) for f in Pricing.__slots__}
    values["extra"] = dict(current.extra)
    errors: dict[str, str] = {}
    for name, value in raw.items():
        attribute = _PRICING_FIELDS.get(name)
        if attribute is None:
            values["extra"][name] = value
            continue
        try:
            values[attribute] = _parse_pricing_field(name, value, current)
        except ValueError:
            errors[name] = f"{name} invalid"
    if errors:
        raise Invalid(errors)
    trial_price = raw.get("trialPrice")
    if trial_price is not None and (
        not isinstance(trial_price, Mapping)
        or not trial_price
        or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0
            for v in trial_price.values()
        )
    ):
        errors["trialPrice"] = 'price must be defined "USD" price may not be zero or less'
        raise Invalid(errors)
    pricing = Pricing(**values)
    if pricing.setup_fee and pricing.trial and raw.get("paymentCollected") is False:
        raise Invalid(
            {
                "setupFee": "Cannot be applied when a free trial without payment "
                "method required is set up"
            }
        )
    return pricing


class Catalog:
    def __init__(self) -> None:
        self._products: dict[str, Product] = {}

    def __len__(self) -> int:
        return len(self._products)

    def paths(self) -> list[str]:
        return list(self._products)

    def get(self, path: str) -> Product:
        product = self._products.get(path)
        if product is None:
            raise NotFound({"product": "Not found"})
        return product

    def restore(self, product: Product) -> None:
        """Put back a product exactly as a snapshot holds it."""
        self._products[product.path] = product

    def find(self, path: str) -> Product | None:
        return self._products.get(path)

    def upsert(self, raw: Mapping[str, Any]) -> Product:
        """Create the product at `raw["product"]`, or update the fields given."""
        path = raw.get("product")
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            raise Invalid(
                {"product": "Product path is required: lower-case letters, digits, - and _"}
            )
        if path in RESERVED_PATHS:
            raise Invalid({"product": f"Product path {path} is reserved by the API"})
        current = self._products.get(path)
        display = raw.get("display", current.display if current else {"en": path})
        if isinstance(display, str):
            display = {"en": display}
        if not isinstance(display, Mapping) or not all(
            isinstance(v, str) for v in display.values()
        ):
            raise Invalid({"display": "display invalid"})
        sku = raw.get("sku", current.sku if current else None)
        if sku is not None and not isinstance(sku, str):
            raise Invalid({"sku": "sku invalid"})
        pricing = _merge_pricing(raw.get("pricing", {}), current.pricing if current else Pricing())
        if pricing.is_subscription and not pricing.price:
            raise Invalid({"price": "price must be defined"})
        document = dict(current.document) if current else {}
        document.update({k: raw[k] for k in PASSTHROUGH if k in raw})
        product = Product(path, dict(display), sku, pricing, document)
        self._products[path] = product
        return product

    def page(self, page: int, limit: int) -> tuple[list[Product], bool]:
        """One page of products in creation order, and whether another follows."""
        start = (page - 1) * limit
        chosen = list(itertools.islice(self._products.values(), start, start + limit + 1))
        return chosen[:limit], len(chosen) > limit

    def set_offers(self, path: str, raw_offers: object) -> bool:
        """`POST /products/offers/{path}`: replace the offer lists of the posted
        types. True when the product had no offers before (a create)."""
        product = self.get(path)
        posted = parse_offers(raw_offers, self._products)
        current = product.document.get("offers") or []
        # A new product, not a change in place: events taken before keep the old one.
        self._products[path] = Product(
            product.path,
            product.display,
            product.sku,
            product.pricing,
            {**product.document, "offers": merge_offers(current, posted)},
        )
        return not current

    def delete(self, path: str) -> None:
        if self._products.pop(path, None) is None:
            raise NotFound({"product": "Not found"})
