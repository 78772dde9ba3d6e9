"""Purchases and order filing: checkout, and the orders that charges produce.

A mixin of `Lifecycle` (see `lifecycle.py`), kept apart to keep modules small; it
uses the lifecycle's scheduling and event helpers through `self`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from emulator.domain.accounts import Account, parse_account_body
from emulator.domain.calendar import add_interval, one_day_before
from emulator.domain.catalog import Product
from emulator.domain.coupons import Coupon, not_valid
from emulator.domain.errors import Invalid
from emulator.domain.formats import round_money, start_of_day
from emulator.domain.orders import Order, OrderItem
from emulator.domain.outcomes import OUTCOMES
from emulator.domain.subscriptions import Subscription, subscription_filter_value
from emulator.domain.views import charge_record, order_view, subscription_view

if TYPE_CHECKING:
    from emulator.domain.store import Store

MAX_QUANTITY = 1_000_000
# What a checkout body (`POST /_emulator/orders`) may hold.
CHECKOUT_KEYS = (
    "contact",
    "account",
    "items",
    "coupon",
    "currency",
    "country",
    "language",
    "tags",
    "payment",
    "outcome",
    "mailingList",
)
# The stored payment method a checkout leaves on the account, until the control plane
# sets another (`POST /_emulator/accounts/{id}/payment` with `card`).
TEST_CARD = {
    "paymentMethod": "CREDIT_CARD",
    "cardType": "VISA",
    "cardEnding": "4242",
    "expiry": "12/30",
}
DECLINE_REASON = "[A-Z][A-Z0-9_]{0,63}"


class Line(NamedTuple):
    """One validated checkout item."""

    product: Product
    quantity: int
    unit_price: float
    attributes: dict[str, Any]
    setup_fee: float | None = None  # an item's own setup fee, over the product's


class Purchases:
    """Checkout and order filing: new orders, accounts and subscriptions, and the
    orders of rebills and plan changes. Events go out through the store's lifecycle."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- orders -------------------------------------------------------------------------

    def rebill_order(self, sub: Subscription) -> Order:
        store = self.store
        account = store.accounts.get(sub.account_id)
        now = store.clock.now_ms()
        items = [
            OrderItem(
                sub.product,
                sub.display,
                sub.sku,
                sub.quantity,
                sub.unit_price,
                discount=sub.discount,
                subscription=sub.id,
                coupon=sub.coupon_code if sub.discount else None,
            )
        ]
        if sub.coupon is not None and sub.discount_periods_left is not None:
            sub.discount_periods_left -= 1
            if sub.discount_periods_left == 0:
                sub.coupon = sub.coupon_code = sub.discount_periods_left = None
        items += [
            OrderItem(
                a.product,
                a.display,
                a.sku,
                a.quantity,
                a.unit_price,
                subscription=sub.id,
                driver={"type": "addon", "path": sub.product},
            )
            for a in sub.addons
        ]
        order = Order(
            store.orders.new_id(),
            store.orders.reference(now, "B"),
            account.id,
            sub.currency,
            now,
            items,
            _customer(account),
            account.country,
            account.language,
            sub.live,
            rebill=True,
            address=dict(account.address),
        )
        self._file_order(order, account)
        return order

    def _file_order(self, order: Order, account: Account, charged: bool = True) -> None:
        """Record a new order (and, once paid, its charge on the account)."""
        store = self.store
        if order.changed is None:
            order.changed = store.clock.change_stamp()
        store.orders.add(order)
        account.add_order(order.id)
        if charged:
            account.add_charge(charge_record(order))
        accounts = store.accounts
        accounts.link("orderID", order.id, account.id)
        accounts.link("orderReference", order.reference, account.id)
        for path in order.products:
            accounts.link("products", path, account.id)
        store.order_index.add(order)

    # --- checkout -----------------------------------------------------------------------

    def checkout(
        self, request: Mapping[str, Any], quote: str | None = None, existing: Order | None = None
    ) -> Order:
        """Complete a purchase as if the buyer paid (control plane `POST /_emulator/orders`).

        `outcome` in the request may leave the order failed or waiting for payment or
        approval instead (see outcomes.py); `existing` is such a waiting order, now paid.
        Everything is validated before anything changes, so a refused checkout
        leaves the store as it was.
        """
        store = self.store
        outcome = request.get("outcome", "completed")
        if not isinstance(outcome, str) or outcome not in OUTCOMES:
            raise Invalid({"outcome": "outcome must be one of " + ", ".join(OUTCOMES)})
        opted_in = request.get("mailingList", False)
        if not isinstance(opted_in, bool):
            raise Invalid({"mailingList": "mailingList must be true or false"})
        currency = request.get("currency", "USD")
        if not isinstance(currency, str) or not currency.isalpha() or len(currency) != 3:
            raise Invalid({"currency": "currency invalid"})
        currency = currency.upper()
        lines = self.checkout_lines(request.get("items"), currency)
        decline = decline_reason_of(request.get("payment"))
        account, contact_body = self._checkout_account(request)
        coupon: Coupon | None = None
        code = str(request.get("coupon") or "")
        if code:
            usable = store.coupons.usable(code, store.clock.now_ms())
            if isinstance(usable, str):
                raise Invalid({"coupon": not_valid(usable)})
            coupon = usable
        country = request.get("country")
        if country is not None and (not isinstance(country, str) or len(country) != 2):
            raise Invalid({"country": "country invalid"})
        tags = request.get("tags", {})
        if not isinstance(tags, Mapping):
            raise Invalid({"tags": "tags must be an object"})

        details = self._changed_details(account, request.get("contact"))

        events: list[tuple[str, Any]] = []
        if account is None:
            assert contact_body is not None
            account = store.accounts.create(contact_body)
            events.append(("account.created", None))
        elif details:
            store.accounts.update(account.id, {"contact": details})
            store.outcomes.account_updated(account.id)
        now = store.clock.now_ms()
        if existing is not None:
            order = existing
            order.items.clear()
            order.completed, order.status = True, "completed"
        else:
            order = Order(
                store.orders.new_id(),
                store.orders.reference(now),
                account.id,
                currency,
                now,
                [],
                _customer(account),
                (country or account.country or "US").upper(),
                account.language,
                tags=dict(tags),
                quote=quote,
                address=dict(account.address),
                changed=store.clock.change_stamp(),
            )
        if outcome != "completed":
            order.items.extend(_unpaid_items(lines, coupon, code, currency))
            self._file_order(order, account, charged=False)
            if events:
                store.events.emit("account.created", self.store.lifecycle.account_data(account.id))
            store.outcomes.hold(order, outcome, request)
            return order
        new_subscriptions: list[Subscription] = []
        for product, quantity, unit_price, attributes, own_fee in lines:
            item = OrderItem(
                product.path,
                product.display.get("en", product.path),
                product.sku,
                quantity,
                unit_price,
                attributes=attributes,
            )
            applied = coupon if coupon is not None and coupon.applies_to(product.path) else None
            if applied is not None:
                item.coupon = code
                item.discount = applied.discount(product.path, unit_price, quantity, currency)
            if product.pricing.is_subscription:
                sub = self._new_subscription(
                    product, quantity, currency, unit_price, account, order
                )
                sub.attributes.update(attributes)
                item.subscription = sub.id
                if applied is not None:
                    _give_coupon(sub, applied, code, first_period_used=sub.state != "trial")
                if sub.state == "trial":
                    paid = product.pricing.trial_price(currency)
                    item.discount = (
                        item.subtotal
                        if paid is None
                        else round_money(max(item.subtotal - paid * quantity, 0.0), currency)
                    )
                new_subscriptions.append(sub)
            order.items.append(item)
            setup_fee = product.pricing.setup_fee
            fee = (
                own_fee
                if own_fee is not None
                else (setup_fee["price"].get(currency, 0.0) if setup_fee else None)
            )
            if product.pricing.is_subscription and fee is not None:
                order.items.append(
                    OrderItem(
                        f"{product.path}.setupFee",
                        "Setup Fee",
                        None,
                        1,
                        fee,
                        driver={"type": "one_time_fee", "path": product.path},
                    )
                )
        if coupon is not None:
            order.coupons = (*order.coupons, code)
            coupon.uses += 1
        if existing is None:
            self._file_order(order, account)
        else:
            account.add_charge(charge_record(order))
            order.changed = store.clock.change_stamp()
        if any(
            line.product.pricing.extra.get("paymentCollected") is not False
            for line in lines
            if line.product.pricing.is_subscription
        ):
            account.payment_methods = max(account.payment_methods, 1)
            if account.card is None:
                account.card = TEST_CARD  # cards are replaced, never changed: shared
        if decline is not None:
            account.decline = decline or None
        for sub in new_subscriptions:
            sub.card = account.card
            self.store.plans.record_plan(sub)
            sub.add_entry(
                order.id, sub.begin, None if sub.next is None else one_day_before(sub.next)
            )
            store.subscriptions.add(sub)
            store.subscription_index.add(sub)
            account.add_subscription(sub.id)
            store.accounts.link("subscriptionId", sub.id, account.id)
            store.accounts.track_subscription(
                account.id, None, subscription_filter_value(sub.state)
            )
            self.store.lifecycle.schedule(sub)

        if events:
            store.events.emit("account.created", self.store.lifecycle.account_data(account.id))
        subs_by_id = {s.id: subscription_view(s) for s in new_subscriptions}
        store.events.emit(
            "order.completed",
            order_view(
                order, store.portal_host, self.store.lifecycle.account_data(account.id), subs_by_id
            ),
        )
        for sub in new_subscriptions:
            self.store.lifecycle.emit_subscription("subscription.activated", sub)
        outcomes = store.outcomes
        outcomes.payout(order, [s.id for s in new_subscriptions])
        if opted_in:
            outcomes.opted_in(order, account.email)
        outcomes.purchased(order, account.email)
        return order

    def _changed_details(self, account: Account | None, contact: object) -> dict[str, Any]:
        """The contact a checkout names for an existing buyer, if it differs from the
        account's (FastSpring then updates the account and sends `account.updated`)."""
        if account is None or not isinstance(contact, Mapping):
            return {}
        changes = parse_account_body({"contact": contact}, creating=False)
        current = {
            "first": account.first,
            "last": account.last,
            "email": account.email,
            "company": account.company,
            "phone": account.phone,
        }
        differs = any(
            k in current
            and v != current[k]
            and not (k == "email" and str(v).casefold() == str(current[k]).casefold())
            for k, v in changes.items()
        )
        return dict(contact) if differs else {}

    def checkout_lines(self, items: object, currency: str) -> list[Line]:
        """Validate checkout items: known products, positive quantities, a price in
        `currency` (or an explicit `pricing.price`), optional attributes."""
        if not isinstance(items, list) or not items:
            raise Invalid({"items": "items must be a non-empty array"})
        lines = []
        for n, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise Invalid({f"items[{n}]": "each item must be an object"})
            path = item.get("product")
            product = self.store.catalog.find(path) if isinstance(path, str) else None
            if product is None:
                raise Invalid({f"items[{n}].product": f"Product not found: {path}"})
            quantity = item.get("quantity", product.pricing.quantity_default)
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not (0 < quantity <= MAX_QUANTITY)
            ):
                raise Invalid({f"items[{n}].quantity": "Must be greater than zero"})
            price = product.price_in(currency)
            pricing, own_fee = item.get("pricing"), None
            if pricing is not None and not isinstance(pricing, Mapping):
                raise Invalid({f"items[{n}].pricing": "pricing must be an object"})
            if pricing is not None and "price" in pricing:
                price = price_from(pricing, currency)
                if price is None:
                    raise Invalid(
                        {f"items[{n}].pricing": f"pricing.price.{currency} must be a number >= 0"}
                    )
            if pricing is not None and pricing.get("setupFee") is not None:
                own_fee = price_from(pricing["setupFee"], currency)
                if own_fee is None:
                    raise Invalid(
                        {
                            f"items[{n}].pricing.setupFee": "setupFee.price."
                            f"{currency} must be a number >= 0"
                        }
                    )
            if product.pricing.is_subscription and price is None:
                raise Invalid({f"items[{n}].product": f"{path} has no {currency} price"})
            attributes = item.get("attributes", {})
            if not isinstance(attributes, Mapping):
                raise Invalid({f"items[{n}].attributes": "attributes must be an object"})
            lines.append(Line(product, quantity, price or 0.0, dict(attributes), own_fee))
        return lines

    def _checkout_account(
        self, request: Mapping[str, Any]
    ) -> tuple[Account | None, dict[str, Any] | None]:
        """The existing account to use, or the body to create one from (not yet made)."""
        accounts = self.store.accounts
        account_id, contact = request.get("account"), request.get("contact")
        if (account_id is None) == (contact is None):
            raise Invalid({"account": "Give exactly one of account or contact"})
        if account_id is not None:
            if not isinstance(account_id, str):
                raise Invalid({"account": "account invalid"})
            return accounts.get(account_id), None
        body = {"contact": contact}
        for key in ("language", "country"):
            if key in request:
                body[key] = request[key]
        changes = parse_account_body(body, creating=True)
        existing = accounts.find_by_email(changes["email"])
        return (existing, None) if existing is not None else (None, body)

    def _new_subscription(
        self,
        product: Product,
        quantity: int,
        currency: str,
        unit_price: float,
        account: Account,
        order: Order,
    ) -> Subscription:
        pricing = product.pricing
        now = self.store.clock.now_ms()
        begin = start_of_day(now)
        managed = pricing.managed
        unit = None if managed else pricing.interval
        sub = Subscription(
            id=self.store.orders.new_id(),
            account_id=account.id,
            product=product.path,
            display=product.display.get("en", product.path),
            sku=product.sku,
            quantity=quantity,
            currency=currency,
            unit_price=unit_price,
            state="active",
            begin=begin,
            next=None,
            interval_unit=unit,
            interval_length=pricing.interval_length,
            periods=pricing.interval_count,
            reminder=pricing.reminder,
            overdue=pricing.overdue,
            cancellation=pricing.cancellation,
            initial_order_id=order.id,
            initial_order_reference=order.reference,
            changed=self.store.clock.change_stamp(),
            adhoc=managed,
            auto_renew=pricing.renew == "auto",
            trial_days=0 if managed else pricing.trial,
            setup_fee=dict(pricing.setup_fee) if pricing.setup_fee else None,
        )
        if not managed:
            if sub.trial_days:
                sub.state = "trial"
                sub.next = add_interval(begin, "day", sub.trial_days)
            else:
                sub.next = sub.period_after(begin)
            if sub.periods is not None:
                sub.end = one_day_before(
                    add_interval(begin, unit or "day", sub.interval_length * sub.periods)
                )
        return sub

    def charge_order(self, sub: Subscription, amount: float) -> Order:
        """A proration charge: an ordinary order (no B) listed in the entries."""
        store = self.store
        account = store.accounts.get(sub.account_id)
        now = store.clock.now_ms()
        item = OrderItem(sub.product, sub.display, sub.sku, 1, amount, subscription=sub.id)
        order = Order(
            store.orders.new_id(),
            store.orders.reference(now),
            account.id,
            sub.currency,
            now,
            [item],
            _customer(account),
            account.country,
            account.language,
            sub.live,
            address=dict(account.address),
        )
        self._file_order(order, account)
        sub.add_entry(
            order.id, start_of_day(now), None if sub.next is None else one_day_before(sub.next)
        )
        return order


def parse_card(raw: object) -> dict[str, str]:
    """A stored card from the control plane: `cardType`, `cardEnding` (4 digits) and
    `expiry` (MM/YY) required, `paymentMethod` optional."""
    if not isinstance(raw, Mapping):
        raise Invalid({"card": "card must be an object"})
    card = {**TEST_CARD, **{k: v for k, v in raw.items() if k in TEST_CARD}}
    unknown = sorted(set(raw) - set(TEST_CARD))
    if unknown:
        raise Invalid({"card": f"unknown key {unknown[0]}; the keys are " + ", ".join(TEST_CARD)})
    if not all(isinstance(v, str) for v in card.values()):
        raise Invalid({"card": "card values must be text"})
    if not re.fullmatch(r"\d{4}", card["cardEnding"]):
        raise Invalid({"card": "cardEnding must be 4 digits"})
    if not re.fullmatch(r"(0[1-9]|1[0-2])/\d\d", card["expiry"]):
        raise Invalid({"card": "expiry must be MM/YY"})
    return card


def card_event_view(card: dict[str, str]) -> dict[str, str]:
    """The `paymentMethod` object `subscription.updated` carries when the card changed."""
    return {
        "type": "card",
        "cardBrand": card["cardType"],
        "lastFour": card["cardEnding"],
        "expirationDate": card["expiry"],
    }


def _unpaid_items(
    lines: list[Line], coupon: Coupon | None, code: Any, currency: str
) -> list[OrderItem]:
    """The items of an order not paid yet: priced, discounted, no subscriptions."""
    items = []
    for product, quantity, unit_price, attributes, _ in lines:
        item = OrderItem(
            product.path,
            product.display.get("en", product.path),
            product.sku,
            quantity,
            unit_price,
            attributes=attributes,
        )
        if coupon is not None and coupon.applies_to(product.path):
            item.coupon = code
            item.discount = coupon.discount(product.path, unit_price, quantity, currency)
        items.append(item)
    return items


def _give_coupon(sub: Subscription, coupon: Coupon, code: str, first_period_used: bool) -> None:
    """Attach a coupon; the purchase already used one discounted period unless it was a
    free trial."""
    left = coupon.periods_for(sub.product)
    if left is not None and first_period_used:
        left -= 1
    if left == 0:
        return
    sub.coupon, sub.coupon_code, sub.discount_periods_left = coupon, code, left


def price_from(pricing: object, currency: str) -> float | None:
    price = pricing.get("price") if isinstance(pricing, Mapping) else None
    amount = price.get(currency) if isinstance(price, Mapping) else None
    if (
        isinstance(amount, bool)
        or not isinstance(amount, (int, float))
        or not (0 <= amount < 10**9)
    ):
        return None
    return float(amount)


def _customer(account: Account) -> dict[str, Any]:
    return {
        "first": account.first,
        "last": account.last,
        "email": account.email,
        "company": account.company,
        "phone": account.phone,
    }


def decline_reason_of(payment: object) -> str | None:
    """The decline reason of a payment behaviour; "" means succeed, None means unset."""
    if payment is None:
        return None
    if not isinstance(payment, Mapping):
        raise Invalid({"payment": 'payment must be an object such as {"decline": null}'})
    reason = payment.get("decline")
    if reason is None:
        return ""
    if not isinstance(reason, str) or not re.fullmatch(DECLINE_REASON, reason):
        raise Invalid({"decline": "decline must be null or a reason such as EXPIRED_CARD"})
    return reason
