"""Checkout sessions v2 (`/v2/checkouts/{storeId}/{checkoutId}/sessions`).

A session is a cart and a customer that FastSpring's newer checkout turns into an
order once the buyer pays. Soft problems (a bad coupon code, an unknown country)
do not fail a request: they become `warnings`, as FastSpring documents. The buyer
paying is played by the control plane (`POST /_emulator/sessions/{id}/complete`),
which files an ordinary order through checkout. Sessions expire 24 hours after
they are made; the status is worked out when read. Reference: FastSpring's
Sessions v2 API; our choices where it is silent are in docs/fidelity.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.domain.codes import COUNTRIES
from emulator.domain.errors import ServiceRefusal
from emulator.domain.formats import DAY_MS
from emulator.domain.orders import Order
from emulator.domain.prices import COUNTRY_CURRENCY, price_in

if TYPE_CHECKING:
    from emulator.domain.store import Store

LIFETIME_MS = DAY_MS
PAYMENT_METHODS = (
    "CARD",
    "PAYPAL",
    "APPLE_PAY",
    "GOOGLE_PAY",
    "AMAZON",
    "ACH",
    "SEPA",
    "IDEAL",
    "KLARNA",
    "ALIPAY",
    "WECHAT_PAY",
    "WIRE",
    "PURCHASE_ORDER",
    "QUOTE",
    "KAKAOPAY",
    "MERCADO_PAGO",
    "PIX",
    "TOSS",
    "UPI",
    "UNKNOWN",
)
CONTACT_FIELDS = ("email", "firstName", "lastName", "company", "phoneNumber")
ADDRESS_FIELDS = ("addressLine1", "addressLine2", "city", "region", "postalCode", "country")
CUSTOMER_FIELDS = (
    "accountId",
    "externalAccountId",
    "billToContact",
    "billToAddress",
    "shipToContact",
    "shipToAddress",
    "shipToType",
    "accountTags",
    "taxId",
    "taxIdRegion",
)
SHIP_TO_TYPES = ("GIFT_PURCHASE", "SHIP_TO", "SAME_AS_BILL_TO")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_EXTERNAL_ID = re.compile(r"[_a-zA-Z0-9-]{4,512}")


class CheckoutError(ServiceRefusal):
    """A refused session request: errors are (errorCode, field, message, rejected)."""


@dataclass(slots=True)
class LineItem:
    product: str
    quantity: int
    unit_price: float | None  # a customPrice in the session's currency
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CheckoutSession:
    id: str
    store_id: str
    checkout_id: str
    created: int
    locale: str
    country: str
    currency: str
    customer: dict[str, Any]
    items: list[LineItem]
    coupon_code: str | None = None
    order_tags: dict[str, Any] = field(default_factory=dict)
    methods_order: list[str] = field(default_factory=list)
    hidden_methods: list[str] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    closed_as: str | None = None  # CANCELLED, COMPLETED or FAILED once decided
    order_id: str | None = None

    @property
    def expires(self) -> int:
        return self.created + LIFETIME_MS

    def status(self, now_ms: int) -> str:
        if self.closed_as is not None:
            return self.closed_as
        return "EXPIRED" if now_ms > self.expires else "OPEN"


def _mapping(raw: object, where: str, errors: list[tuple[str, str, str, Any]]) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors.append(("INVALID_VALUE", where, f"{where} must be an object", None))
        return {}
    return raw


def _strings(
    raw: Mapping[str, Any],
    names: tuple[str, ...],
    where: str,
    errors: list[tuple[str, str, str, Any]],
) -> dict[str, str]:
    found = {}
    for name in names:
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 255:
            errors.append(
                (
                    "INVALID_VALUE",
                    f"{where}.{name}",
                    f"{name} must be a string of at most 255 characters",
                    str(value)[:100],
                )
            )
            continue
        found[name] = value
    return found


def parse_customer(
    raw: object, store: Store, errors: list[tuple[str, str, str, Any]]
) -> dict[str, Any]:
    body = _mapping(raw, "customer", errors)
    customer: dict[str, Any] = {}
    account_id = body.get("accountId")
    if account_id is not None:
        if not isinstance(account_id, str) or store.accounts.find(account_id) is None:
            errors.append(
                (
                    "INVALID_ACCOUNT",
                    "customer.accountId",
                    "Account not found",
                    str(account_id)[:100],
                )
            )
        else:
            customer["accountId"] = account_id
    external = body.get("externalAccountId")
    if external is not None:
        if not isinstance(external, str) or not _EXTERNAL_ID.fullmatch(external):
            errors.append(
                (
                    "INVALID_VALUE",
                    "customer.externalAccountId",
                    "externalAccountId must be 4 to 512 of [_a-zA-Z0-9-]",
                    str(external)[:100],
                )
            )
        else:
            customer["externalAccountId"] = external
    for name, fields in (
        ("billToContact", CONTACT_FIELDS),
        ("shipToContact", CONTACT_FIELDS),
        ("billToAddress", ADDRESS_FIELDS),
        ("shipToAddress", ADDRESS_FIELDS),
    ):
        if name in body and body[name] is not None:
            customer[name] = _strings(
                _mapping(body[name], f"customer.{name}", errors), fields, f"customer.{name}", errors
            )
    for name in ("billToContact", "shipToContact"):
        email = customer.get(name, {}).get("email")
        if email is not None and not _EMAIL.fullmatch(email):
            errors.append(
                ("INVALID_EMAIL_FORMAT", f"customer.{name}.email", "Invalid email format", email)
            )
    ship_to = body.get("shipToType")
    if ship_to is not None:
        if ship_to not in SHIP_TO_TYPES:
            errors.append(
                (
                    "INVALID_VALUE",
                    "customer.shipToType",
                    "shipToType must be one of " + ", ".join(SHIP_TO_TYPES),
                    str(ship_to)[:100],
                )
            )
        else:
            customer["shipToType"] = ship_to
    customer.update(_strings(body, ("taxId", "taxIdRegion"), "customer", errors))
    tags = body.get("accountTags")
    if tags is not None:
        customer["accountTags"] = dict(_mapping(tags, "customer.accountTags", errors))
    return customer


class CheckoutSessions:
    """The store's v2 sessions by id."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._sessions: dict[str, CheckoutSession] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def find(self, session_id: str) -> CheckoutSession | None:
        return self._sessions.get(session_id)

    def get(
        self, session_id: str, store_id: str | None = None, checkout_id: str | None = None
    ) -> CheckoutSession:
        session = self._sessions.get(session_id)
        if session is None or (
            store_id is not None
            and (session.store_id, session.checkout_id) != (store_id, checkout_id)
        ):
            raise CheckoutError(f"Session not found: {session_id}", status=404)
        return session

    # --- building --------------------------------------------------------------------

    def _line(
        self, raw: object, n: int, currency: str, errors: list[tuple[str, str, str, Any]]
    ) -> LineItem | None:
        where = f"cart.lineItems[{n}]"
        if not isinstance(raw, Mapping):
            errors.append(("INVALID_VALUE", where, "each line item must be an object", None))
            return None
        path = raw.get("productPath")
        product = self._store.catalog.find(path) if isinstance(path, str) else None
        if product is None:
            errors.append(
                ("INVALID_PRODUCT", f"{where}.productPath", "Product not found", str(path)[:100])
            )
            return None
        quantity = raw.get("quantity", product.pricing.quantity_default)
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not (1 <= quantity <= 1_000_000)
        ):
            errors.append(
                (
                    "INVALID_QUANTITY",
                    f"{where}.quantity",
                    "quantity must be a whole number from 1",
                    str(quantity)[:100],
                )
            )
            return None
        custom = _mapping(raw.get("customPrice"), f"{where}.customPrice", errors)
        unit_price = None
        if "unitPrice" in custom:
            prices = custom["unitPrice"]
            amount = prices.get(currency) if isinstance(prices, Mapping) else None
            if (
                isinstance(amount, bool)
                or not isinstance(amount, (int, float))
                or not (0 <= amount < 10**9)
            ):
                errors.append(
                    (
                        "INVALID_PRICE",
                        f"{where}.customPrice.unitPrice",
                        f"unitPrice needs a {currency} amount of 0 or more",
                        str(prices)[:100],
                    )
                )
                return None
            unit_price = float(amount)
        elif price_in(product.pricing.price, currency, self._store.rates) is None and (
            product.pricing.price
        ):
            errors.append(
                (
                    "INVALID_PRODUCT",
                    f"{where}.productPath",
                    f"Product has no price in {currency}",
                    path,
                )
            )
            return None
        attributes = dict(_mapping(raw.get("attributes"), f"{where}.attributes", errors))
        return LineItem(product.path, quantity, unit_price, attributes)

    def _read(
        self, body: Mapping[str, Any], store_id: str, checkout_id: str, session_id: str | None
    ) -> CheckoutSession:
        errors: list[tuple[str, str, str, Any]] = []
        warnings: list[dict[str, str]] = []
        locale = body.get("locale", "en")
        if not isinstance(locale, str) or not 2 <= len(locale) <= 5:
            warnings.append(
                {
                    "code": "INVALID_LOCALE",
                    "field": "locale",
                    "message": "Locale is not supported; en is used",
                }
            )
            locale = "en"
        country = body.get("country", "US")
        if not isinstance(country, str) or country.upper() not in COUNTRIES:
            warnings.append(
                {
                    "code": "INVALID_COUNTRY",
                    "field": "country",
                    "message": "Country is not supported; US is used",
                }
            )
            country = "US"
        country = country.upper()
        if body.get("live") is True:
            warnings.append(
                {
                    "code": "CHECKOUT_NOT_LIVE",
                    "field": "live",
                    "message": "The checkout is not live; the session is a test session",
                }
            )
        currency = COUNTRY_CURRENCY.get(country, "USD")
        customer = parse_customer(body.get("customer"), self._store, errors)
        cart = _mapping(body.get("cart"), "cart", errors)
        raw_items = cart.get("lineItems", [])
        if not isinstance(raw_items, list):
            errors.append(("INVALID_VALUE", "cart.lineItems", "lineItems must be an array", None))
            raw_items = []
        items = [
            line
            for n, raw in enumerate(raw_items)
            if (line := self._line(raw, n, currency, errors)) is not None
        ]
        if len({i.product for i in items}) != len(items):
            errors.append(("DUPLICATE_ITEM", "cart.lineItems", "Item exists.", None))
        coupon = cart.get("couponCode")
        if coupon is not None and not isinstance(coupon, str):
            errors.append(("INVALID_VALUE", "cart.couponCode", "couponCode must be a string", None))
            coupon = None
        methods = {}
        for name in ("paymentMethodsOrder", "hidePaymentMethods"):
            given = body.get(name, [])
            if not isinstance(given, list) or not all(m in PAYMENT_METHODS for m in given):
                errors.append(("INVALID_VALUE", name, "unknown payment method", None))
                given = []
            methods[name] = list(given)
        tags = dict(_mapping(body.get("orderTags"), "orderTags", errors))
        if errors:
            raise CheckoutError(errors[0][2], errors)
        store = self._store
        session = CheckoutSession(
            session_id or store.ids.new_id(),
            store_id,
            checkout_id,
            store.clock.now_ms(),
            locale,
            country,
            currency,
            customer,
            items,
            coupon or None,
            tags,
            methods["paymentMethodsOrder"],
            methods["hidePaymentMethods"],
            warnings,
        )
        self._check_coupon(session)
        return session

    def _check_coupon(self, session: CheckoutSession) -> None:
        session.warnings = [w for w in session.warnings if w["code"] != "INVALID_PROMO_CODE"]
        if session.coupon_code and isinstance(
            self._store.coupons.usable(session.coupon_code, self._store.clock.now_ms()), str
        ):
            session.warnings.append(
                {
                    "code": "INVALID_PROMO_CODE",
                    "field": "cart.couponCode",
                    "message": "Coupon code is not valid",
                }
            )

    def coupon(self, session: CheckoutSession) -> Any:
        """The session's usable coupon, or None."""
        if not session.coupon_code:
            return None
        found = self._store.coupons.usable(session.coupon_code, self._store.clock.now_ms())
        return None if isinstance(found, str) else found

    def unit_list_price(self, session: CheckoutSession, item: LineItem) -> float:
        if item.unit_price is not None:
            return item.unit_price
        product = self._store.catalog.find(item.product)
        found = (
            price_in(product.pricing.price, session.currency, self._store.rates)
            if (product)
            else None
        )
        return found or 0.0

    # --- operations ----------------------------------------------------------------------

    def create(self, body: Mapping[str, Any], store_id: str, checkout_id: str) -> CheckoutSession:
        session = self._read(body, store_id, checkout_id, None)
        self._sessions[session.id] = session
        return session

    def _open(self, session_id: str, store_id: str, checkout_id: str) -> CheckoutSession:
        session = self.get(session_id, store_id, checkout_id)
        status = session.status(self._store.clock.now_ms())
        if status != "OPEN":
            raise CheckoutError(f"Session is {status}")
        return session

    def overwrite(
        self, session_id: str, body: Mapping[str, Any], store_id: str, checkout_id: str
    ) -> CheckoutSession:
        """`PUT …/sessions/{id}`: the whole session is replaced; it keeps its id and
        its creation time (so it expires as it would have)."""
        current = self._open(session_id, store_id, checkout_id)
        session = self._read(body, store_id, checkout_id, session_id)
        session.created = current.created
        self._sessions[session_id] = session
        return session

    def add_item(self, session_id: str, raw: object, store_id: str, checkout_id: str) -> LineItem:
        session = self._open(session_id, store_id, checkout_id)
        errors: list[tuple[str, str, str, Any]] = []
        line = self._line(raw, len(session.items), session.currency, errors)
        if line is None:
            raise CheckoutError(errors[0][2], errors)
        if any(i.product == line.product for i in session.items):
            raise CheckoutError(
                "Item exists.", [("DUPLICATE_ITEM", "productPath", "Item exists.", line.product)]
            )
        session.items.append(line)
        return line

    def update_items(
        self, session_id: str, paths: list[str], raw: object, store_id: str, checkout_id: str
    ) -> list[LineItem]:
        """`PUT …/cart/items/{paths}`: new quantity, price or attributes for items."""
        session = self._open(session_id, store_id, checkout_id)
        by_path = {i.product: i for i in session.items}
        missing = [p for p in paths if p not in by_path]
        if missing:
            raise CheckoutError(
                "Item is not in the cart",
                [("ITEM_NOT_FOUND", "productPath", "Item is not in the cart", missing[0])],
            )
        if not isinstance(raw, Mapping):
            raise CheckoutError("The body must be an object")
        named = raw.get("productPath")
        if "productPath" in raw and (len(paths) > 1 or named != paths[0]):
            # The path names the items; a body naming another would move an item
            # (docs/fidelity.md, "Checkout sessions v2").
            message = "productPath in the body does not match the path"
            raise CheckoutError(message, [("INVALID_VALUE", "productPath", message, named)])
        updated = []
        for path in paths:
            errors: list[tuple[str, str, str, Any]] = []
            line = self._line(
                {"productPath": path, "quantity": by_path[path].quantity, **raw},
                0,
                session.currency,
                errors,
            )
            if line is None:
                raise CheckoutError(errors[0][2], errors)
            updated.append(line)
        for line in updated:
            session.items[[i.product for i in session.items].index(line.product)] = line
        return updated

    def remove_item(self, session_id: str, path: str, store_id: str, checkout_id: str) -> None:
        session = self._open(session_id, store_id, checkout_id)
        kept = [i for i in session.items if i.product != path]
        if len(kept) == len(session.items):
            raise CheckoutError(
                "Item is not in the cart",
                [("ITEM_NOT_FOUND", "productPath", "Item is not in the cart", path)],
            )
        session.items = kept

    def set_customer(
        self, session_id: str, raw: object, store_id: str, checkout_id: str
    ) -> CheckoutSession:
        session = self._open(session_id, store_id, checkout_id)
        errors: list[tuple[str, str, str, Any]] = []
        customer = parse_customer(raw, self._store, errors)
        if errors:
            raise CheckoutError(errors[0][2], errors)
        session.customer = customer
        return session

    def complete(self, session_id: str, payment: object) -> Order:
        """The buyer pays: an ordinary order through checkout; the session completes."""
        session = self.get(session_id)
        status = session.status(self._store.clock.now_ms())
        if status != "OPEN":
            raise CheckoutError(f"Session is {status}")
        if not session.items:
            raise CheckoutError(
                "The cart is empty",
                [("PRODUCTS_REQUIRED", "cart.lineItems", "The cart is empty", None)],
            )
        request: dict[str, Any] = {
            "currency": session.currency,
            "country": session.country,
            "payment": payment,
            "tags": dict(session.order_tags),
            "items": [
                {
                    "product": i.product,
                    "quantity": i.quantity,
                    "attributes": dict(i.attributes),
                    "pricing": {"price": {session.currency: self.unit_list_price(session, i)}},
                }
                for i in session.items
            ],
        }
        customer = session.customer
        if "accountId" in customer:
            request["account"] = customer["accountId"]
        else:
            contact = customer.get("billToContact", {})
            if not contact.get("email"):
                raise CheckoutError(
                    "The customer needs billToContact or accountId",
                    [
                        (
                            "CUSTOMER_REQUIRED",
                            "customer.billToContact.email",
                            "The customer needs an email",
                            None,
                        )
                    ],
                )
            request["contact"] = {
                "email": contact["email"],
                "first": contact.get("firstName") or "Buyer",
                "last": contact.get("lastName") or "Buyer",
                **({"company": contact["company"]} if contact.get("company") else {}),
                **({"phone": contact["phoneNumber"]} if contact.get("phoneNumber") else {}),
            }
        if self.coupon(session) is not None:
            request["coupon"] = session.coupon_code
        order = self._store.purchases.checkout(request)
        session.order_id = order.id
        session.closed_as = "COMPLETED"
        return order

    # --- snapshots ---------------------------------------------------------------------

    def export(self) -> list[dict[str, Any]]:
        return [asdict(s) for s in self._sessions.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        self._sessions.clear()
        for raw in data:
            session = CheckoutSession(**{**raw, "items": [LineItem(**i) for i in raw["items"]]})
            self._sessions[session.id] = session
