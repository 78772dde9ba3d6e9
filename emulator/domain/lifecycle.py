"""Every state change of orders and subscriptions, on the store's clock.

This is the specification table of `fastspring-api.md` section 3.12 in code. Each
subscription has at most one pending transition (a rebill, a reminder, a dunning
step, a deactivation, a pause or a resume) in a time-ordered queue; advancing the
clock runs them in order, each on its own date, and each writes its events to the
store's event log in the documented order.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from emulator.domain.accounts import Account, parse_account_body
from emulator.domain.calendar import add_interval, one_day_before, parse_day
from emulator.domain.coupons import Coupon, not_valid
from emulator.domain.errors import Invalid
from emulator.domain.formats import date_family, start_of_day
from emulator.domain.orders import Order, OrderItem
from emulator.domain.proration import prorate
from emulator.domain.subscriptions import Addon, Subscription
from emulator.domain.views import (charge_record, estimate_view, order_view, product_view,
                                   subscription_view, webhook_account_view)

from emulator.domain.catalog import Product

if TYPE_CHECKING:
    from emulator.domain.commerce import Session
    from emulator.domain.store import Store

MAX_QUANTITY = 1_000_000
DECLINE_REASON = "[A-Z][A-Z0-9_]{0,63}"


class Line(NamedTuple):
    """One validated checkout item."""
    product: Product
    quantity: int
    unit_price: float
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Transition:
    """One thing the clock made happen, for the summary of a clock advance."""
    at: int
    subscription: str
    kind: str
    state: str
    events: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "subscription": self.subscription, "transition": self.kind,
                "state": self.state, "events": list(self.events)}


def subscription_filter_value(state: str) -> str:
    """Which `GET /accounts?subscriptions=` value a subscription state counts under."""
    return {"canceled": "canceled", "deactivated": "ended"}.get(state, "active")


class Lifecycle:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: list[tuple[int, int, str, int]] = []
        self._versions: dict[str, int] = {}
        self._tiebreak = itertools.count()

    # --- events -------------------------------------------------------------------------

    def _account_data(self, account_id: str) -> dict[str, Any]:
        store = self.store
        return webhook_account_view(store.accounts.get(account_id), store.portal_host)

    def _product_data(self, path: str) -> Any:
        product = self.store.catalog.find(path)
        return product_view(product) if product is not None else path

    def subscription_data(self, sub: Subscription) -> dict[str, Any]:
        """A subscription as events carry it: account and product embedded."""
        return subscription_view(sub, self._account_data(sub.account_id),
                                 self._product_data(sub.product))

    def _emit_subscription(self, type_: str, sub: Subscription, **extra: Any) -> str:
        data = {**extra, **self.subscription_data(sub)} if extra else self.subscription_data(
            sub)
        self.store.events.emit(type_, data, sub.live)
        return type_

    def _emit_charge(self, sub: Subscription, order: Order) -> str:
        store = self.store
        data = {"order": order_view(order, store.portal_host), "currency": order.currency,
                "total": order.total, "status": "successful",
                **date_family("timestamp", order.created, iso=False),
                "sequence": sub.sequence, "periods": sub.periods,
                "account": self._account_data(sub.account_id),
                "subscription": self.subscription_data(sub)}
        store.events.emit("subscription.charge.completed", data, sub.live)
        return "subscription.charge.completed"

    def _emit_charge_failed(self, sub: Subscription, reason: str) -> str:
        data = {"reason": reason, "account": self._account_data(sub.account_id),
                "quote": None, "subscription": self.subscription_data(sub)}
        self.store.events.emit("subscription.charge.failed", data, sub.live)
        return "subscription.charge.failed"

    # --- state bookkeeping --------------------------------------------------------------

    def _set_state(self, sub: Subscription, state: str) -> None:
        if state != sub.state:
            self.store.accounts.track_subscription(
                sub.account_id, subscription_filter_value(sub.state),
                subscription_filter_value(state))
            self.store.subscription_index.move(sub.id, sub.state, state)
            sub.state = state
        sub.changed = self.store.clock.now_ms()

    # --- the schedule -------------------------------------------------------------------

    def _next_due(self, sub: Subscription) -> tuple[int, str] | None:
        state = sub.state
        if state == "deactivated":
            return None
        if state == "canceled":
            return (sub.deactivation_date, "deactivate") if sub.deactivation_date else None
        if sub.adhoc:
            return None
        if state == "paused":
            assert sub.resume_date is not None
            return sub.resume_date, "resume"
        if state == "overdue":
            assert sub.overdue_since is not None
            if sub.overdue.enabled and sub.overdue_sent < sub.overdue.amount:
                return add_interval(sub.overdue_since, sub.overdue.unit,
                                    sub.overdue.length * (sub.overdue_sent + 1)), "dunning"
            last_notice = add_interval(sub.overdue_since, sub.overdue.unit,
                                       sub.overdue.length * sub.overdue_sent)
            return add_interval(last_notice, sub.cancellation.unit,
                                sub.cancellation.length), "deactivate"
        assert sub.next is not None
        if sub.end is not None and sub.next > sub.end:
            return one_day_before(sub.next), "deactivate"
        charge = (sub.next, "pause" if sub.pause_date == sub.next else "charge")
        notification = sub.notification()
        if notification is not None and notification[1] < charge[0]:
            return notification[1], "remind"
        return charge

    def schedule(self, sub: Subscription) -> None:
        """(Re)compute the subscription's pending transition; older entries go stale."""
        version = self._versions.get(sub.id, 0) + 1
        self._versions[sub.id] = version
        due = self._next_due(sub)
        if due is not None:
            heapq.heappush(self._queue, (due[0], next(self._tiebreak), sub.id, version))

    def next_due_at(self) -> int | None:
        while self._queue and self._queue[0][3] != self._versions.get(self._queue[0][2]):
            heapq.heappop(self._queue)
        return self._queue[0][0] if self._queue else None

    def run_due(self, until_ms: int, travel: bool) -> list[Transition]:
        """Run every transition due at or before `until_ms`, oldest first.

        With `travel`, the clock visits each transition's date, so its events carry
        that date; without it (catching up on wall time) events carry the present.
        """
        done: list[Transition] = []
        clock = self.store.clock
        while True:
            due = self.next_due_at()
            if due is None or due > until_ms:
                return done
            _, _, sub_id, _ = heapq.heappop(self._queue)
            if travel and due > clock.now_ms():
                clock.travel_to(due)
            sub = self.store.subscriptions.get(sub_id)
            kind = self._next_due(sub)
            assert kind is not None
            events = self._run(sub, kind[1])
            done.append(Transition(due, sub.id, kind[1], sub.state, tuple(events)))
            self.schedule(sub)

    def advance(self, to_ms: int) -> list[Transition]:
        clock = self.store.clock
        if to_ms < clock.now_ms():
            raise Invalid({"clock": "The clock cannot go back in time"})
        done = self.run_due(to_ms, travel=True)
        clock.travel_to(to_ms)
        return done

    def catch_up(self) -> None:
        """Run what wall time has made due; called before every request (cheap check)."""
        now = self.store.clock.now_ms()
        due = self.next_due_at()
        if due is not None and due <= now:
            self.run_due(now, travel=False)

    # --- transitions --------------------------------------------------------------------

    def _run(self, sub: Subscription, kind: str) -> list[str]:
        if kind == "remind":
            sub.reminded_for = sub.next
            kind_of = "subscription.trial.reminder" if sub.state == "trial" else \
                "subscription.payment.reminder"
            return [self._emit_subscription(kind_of, sub)]
        if kind == "charge":
            return self._charge(sub)
        if kind == "pause":
            self._set_state(sub, "paused")
            sub.next = sub.resume_date
            return []
        if kind == "resume":
            return self._resume(sub)
        if kind == "dunning":
            return self._dunning_step(sub)
        if kind == "deactivate":
            return self._deactivate(sub)
        raise AssertionError(kind)

    def _decline_reason(self, sub: Subscription) -> str | None:
        account = self.store.accounts.get(sub.account_id)
        if account.payment_methods == 0:
            return "NO_PAYMENT_METHOD"
        return account.decline

    def _charge(self, sub: Subscription) -> list[str]:
        """A rebill on the charge date: success moves the period on, failure starts
        dunning (state overdue, `next` stays on the unpaid date)."""
        reason = self._decline_reason(sub)
        if reason is not None:
            sub.decline_reason = reason
            sub.overdue_since = sub.next
            sub.overdue_sent = 0
            self._set_state(sub, "overdue")
            return [self._emit_charge_failed(sub, reason)]
        return self._record_charge(sub)

    def _record_charge(self, sub: Subscription) -> list[str]:
        order = self._rebill_order(sub)
        sub.sequence += 1
        period_begin = sub.next if sub.next is not None else start_of_day(order.created)
        if sub.next is not None:
            sub.next = sub.period_after(sub.next)
        sub.entries.append((order.id, period_begin,
                            None if sub.next is None else one_day_before(sub.next)))
        sub.decline_reason = None
        sub.overdue_since = None
        sub.overdue_sent = 0
        if sub.state in ("trial", "overdue"):
            self._set_state(sub, "active")
        sub.changed = self.store.clock.now_ms()
        self.store.subscription_index.note("charged", sub.id, self.store.clock.now_ms())
        return [self._emit_charge(sub, order)]

    def _dunning_step(self, sub: Subscription) -> list[str]:
        if self._decline_reason(sub) is None:
            return self._record_charge(sub)
        sub.overdue_sent += 1
        sub.changed = self.store.clock.now_ms()
        return [self._emit_subscription("subscription.payment.overdue", sub)]

    def _resume(self, sub: Subscription) -> list[str]:
        sub.pause_date = sub.resume_date = sub.pause_periods = None
        self._set_state(sub, "active")
        events = [self._emit_subscription("subscription.resumed", sub)]
        return events + self._charge(sub)

    def _deactivate(self, sub: Subscription) -> list[str]:
        self._set_state(sub, "deactivated")
        self.store.subscription_index.note("deactivated", sub.id, self.store.clock.now_ms())
        return [self._emit_subscription("subscription.deactivated", sub)]

    # --- orders -------------------------------------------------------------------------

    def _rebill_order(self, sub: Subscription) -> Order:
        store = self.store
        account = store.accounts.get(sub.account_id)
        now = store.clock.now_ms()
        items = [OrderItem(sub.product, sub.display, sub.sku, sub.quantity, sub.unit_price,
                           discount=sub.discount, subscription=sub.id,
                           coupon=sub.coupon.code if sub.discount else None)]
        if sub.coupon is not None and sub.discount_periods_left is not None:
            sub.discount_periods_left -= 1
            if sub.discount_periods_left == 0:
                sub.coupon = sub.discount_periods_left = None
        items += [OrderItem(a.product, a.display, a.sku, a.quantity, a.unit_price,
                            subscription=sub.id) for a in sub.addons]
        order = Order(store.orders.new_id(), store.orders.reference(now, "B"), account.id,
                      sub.currency, now, items, _customer(account), account.country,
                      account.language, sub.live, rebill=True)
        self._file_order(order, account)
        return order

    def _file_order(self, order: Order, account: Account) -> None:
        store = self.store
        store.orders.add(order)
        account.orders.append(order.id)
        account.charges.append(charge_record(order))
        accounts = store.accounts
        accounts.link("orderID", order.id, account.id)
        accounts.link("orderReference", order.reference, account.id)
        for path in order.products:
            accounts.link("products", path, account.id)
        store.order_index.add(order)

    # --- checkout -----------------------------------------------------------------------

    def checkout(self, request: Mapping[str, Any]) -> Order:
        """Complete a purchase as if the buyer paid (control plane `POST /_emulator/orders`).

        Everything is validated before anything changes, so a refused checkout
        leaves the store as it was.
        """
        store = self.store
        currency = request.get("currency", "USD")
        if not isinstance(currency, str) or not currency.isalpha() or len(currency) != 3:
            raise Invalid({"currency": "currency invalid"})
        currency = currency.upper()
        lines = self.checkout_lines(request.get("items"), currency)
        decline = _decline_of(request.get("payment"))
        account, contact_body = self._checkout_account(request)
        coupon = None
        if request.get("coupon") not in (None, ""):
            coupon = store.coupons.usable(request["coupon"], store.clock.now_ms())
            if isinstance(coupon, str):
                raise Invalid({"coupon": not_valid(coupon)})
        country = request.get("country")
        if country is not None and (not isinstance(country, str) or len(country) != 2):
            raise Invalid({"country": "country invalid"})
        tags = request.get("tags", {})
        if not isinstance(tags, Mapping):
            raise Invalid({"tags": "tags must be an object"})

        events: list[tuple[str, Any]] = []
        if account is None:
            assert contact_body is not None
            account = store.accounts.create(contact_body)
            events.append(("account.created", None))
        now = store.clock.now_ms()
        order = Order(store.orders.new_id(), store.orders.reference(now), account.id,
                      currency, now, [], _customer(account),
                      (country or account.country or "US").upper(), account.language,
                      tags=dict(tags))
        new_subscriptions: list[Subscription] = []
        for product, quantity, unit_price, attributes in lines:
            item = OrderItem(product.path, product.display.get("en", product.path),
                             product.sku, quantity, unit_price, attributes=attributes)
            discounted = coupon is not None and coupon.applies_to(product.path)
            if discounted:
                item.coupon = coupon.code
                item.discount = coupon.discount(unit_price, quantity, currency)
            if product.pricing.is_subscription:
                sub = self._new_subscription(product, quantity, currency, unit_price,
                                             account, order)
                sub.attributes.update(attributes)
                item.subscription = sub.id
                if discounted:
                    _give_coupon(sub, coupon, first_period_used=sub.state != "trial")
                if sub.state == "trial":
                    item.discount = item.subtotal
                new_subscriptions.append(sub)
            order.items.append(item)
            setup_fee = product.pricing.setup_fee
            if setup_fee and product.pricing.is_subscription:
                order.items.append(OrderItem(f"{product.path}.setupFee", "Setup Fee", None, 1,
                                             setup_fee["price"].get(currency, 0.0)))
        if coupon is not None:
            order.coupons.append(coupon.code)
            coupon.uses += 1
        self._file_order(order, account)
        if any(line.product.pricing.extra.get("paymentCollected") is not False
               for line in lines if line.product.pricing.is_subscription):
            account.payment_methods = max(account.payment_methods, 1)
        if decline is not None:
            account.decline = decline or None
        for sub in new_subscriptions:
            self._record_plan(sub)
            sub.entries.append((order.id, sub.begin,
                                None if sub.next is None else one_day_before(sub.next)))
            store.subscriptions.add(sub)
            store.subscription_index.add(sub)
            account.subscriptions.append(sub.id)
            store.accounts.link("subscriptionId", sub.id, account.id)
            store.accounts.track_subscription(account.id, None,
                                              subscription_filter_value(sub.state))
            self.schedule(sub)

        if events:
            store.events.emit("account.created", self._account_data(account.id))
        subs_by_id = {s.id: subscription_view(s) for s in new_subscriptions}
        store.events.emit("order.completed", order_view(
            order, store.portal_host, self._account_data(account.id), subs_by_id))
        for sub in new_subscriptions:
            self._emit_subscription("subscription.activated", sub)
        return order

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
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not (
                    0 < quantity <= MAX_QUANTITY):
                raise Invalid({f"items[{n}].quantity": "Must be greater than zero"})
            price = product.price_in(currency)
            if "pricing" in item:
                price = _price_in(item["pricing"], currency)
                if price is None:
                    raise Invalid({f"items[{n}].pricing": f"pricing.price.{currency} must be "
                                                          "a number >= 0"})
            if product.pricing.is_subscription and price is None:
                raise Invalid({f"items[{n}].product": f"{path} has no {currency} price"})
            attributes = item.get("attributes", {})
            if not isinstance(attributes, Mapping):
                raise Invalid({f"items[{n}].attributes": "attributes must be an object"})
            lines.append(Line(product, quantity, price or 0.0, dict(attributes)))
        return lines

    def _checkout_account(self, request: Mapping[str, Any]
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

    def _new_subscription(self, product: Product, quantity: int, currency: str,
                          unit_price: float, account: Account, order: Order) -> Subscription:
        pricing = product.pricing
        now = self.store.clock.now_ms()
        begin = start_of_day(now)
        managed = pricing.managed
        unit = None if managed else pricing.interval
        sub = Subscription(
            id=self.store.orders.new_id(), account_id=account.id, product=product.path,
            display=product.display.get("en", product.path), sku=product.sku,
            quantity=quantity, currency=currency, unit_price=unit_price,
            state="active", begin=begin, next=None, interval_unit=unit,
            interval_length=pricing.interval_length, periods=pricing.interval_count,
            reminder=pricing.reminder, overdue=pricing.overdue,
            cancellation=pricing.cancellation, initial_order_id=order.id,
            initial_order_reference=order.reference, changed=now, adhoc=managed,
            auto_renew=pricing.renew == "auto", trial_days=0 if managed else pricing.trial)
        if not managed:
            if sub.trial_days:
                sub.state = "trial"
                sub.next = add_interval(begin, "day", sub.trial_days)
            else:
                sub.next = sub.period_after(begin)
            if sub.periods is not None:
                sub.end = one_day_before(add_interval(
                    begin, unit or "day", sub.interval_length * sub.periods))
        return sub

    # --- operations from the API --------------------------------------------------------

    def cancel(self, sub_id: str, immediately: bool) -> list[str]:
        """`DELETE /subscriptions/{id}`: at period end, or now with billingPeriod=0."""
        sub = self.store.subscriptions.get(sub_id)
        if sub.state in ("canceled", "deactivated"):
            raise Invalid({"subscription": "the subscription is already canceled"})
        today = start_of_day(self.store.clock.now_ms())
        sub.canceled_date = today
        if immediately or sub.adhoc:
            sub.end = today
            sub.deactivation_date = None
            sub.periods = 0
            events = self._deactivate(sub)
        else:
            sub.state_before_cancel = sub.state
            sub.deactivation_date = max(sub.last_service_day() or today, today)
            self._set_state(sub, "canceled")
            self.store.subscription_index.note("canceled", sub.id, self.store.clock.now_ms())
            events = [self._emit_subscription("subscription.canceled", sub)]
        self.schedule(sub)
        return events

    def uncancel(self, sub_id: str) -> list[str]:
        """`"deactivation": null`: undo a period-end cancellation before it happens."""
        sub = self.store.subscriptions.get(sub_id)
        if sub.state == "deactivated":
            raise Invalid({"uncancel": "Subscription is not active."})
        if sub.state != "canceled":
            return []
        sub.canceled_date = sub.deactivation_date = None
        self._set_state(sub, sub.state_before_cancel or "active")
        sub.state_before_cancel = None
        self.schedule(sub)
        return [self._emit_subscription("subscription.uncanceled", sub)]

    def update(self, sub_id: str, item: Mapping[str, Any]
               ) -> tuple[list[str], dict[str, Any] | None]:
        """One item of `POST /subscriptions`: validate every field, then apply them.

        `"deactivation": null` uncancels. Other changes take effect now and emit
        `subscription.updated`; a `next` date in the past rebills at once. With
        `prorate`, the rest of the period is charged (or credited as a return) now;
        with `preview` too, nothing changes and the estimate is returned instead.
        """
        sub = self.store.subscriptions.get(sub_id)
        changes, errors = self._parse_update(sub, item)
        uncancel = "deactivation" in item and item["deactivation"] is None
        if uncancel and sub.state == "deactivated":
            errors["uncancel"] = "Subscription is not active."
        elif changes and sub.state == "deactivated":
            errors["subscription"] = "Subscription is not active."
        proration = None
        if not errors and item.get("prorate") is True and changes and sub.next is not None:
            proposed = replace(sub, **changes)
            proration = prorate(sub, proposed.net_amount, self.store.clock.now_ms())
            if item.get("preview") is True:
                return [], estimate_view(sub, proposed, proration)
            reason = self._decline_reason(sub) if proration.charge > 0 else None
            if reason is not None:
                errors["prorate"] = reason
        if errors:
            raise Invalid(errors)
        events = self.uncancel(sub_id) if uncancel else []
        if not changes:
            return events, None
        plan_changed = any(k in changes for k in ("product", "quantity", "unit_price",
                                                  "addons"))
        for name, value in changes.items():
            setattr(sub, name, value)
        if changes.get("coupon") is not None:
            changes["coupon"].uses += 1
        if "next" in changes:
            sub.reminded_for = None
        sub.changed = self.store.clock.now_ms()
        if plan_changed:
            self._record_plan(sub)
        self.schedule(sub)
        events.append(self._emit_subscription("subscription.updated", sub))
        if proration is not None and proration.charge > 0:
            order = self._charge_order(sub, proration.charge)
            events.append(self._emit_charge(sub, order))
        elif proration is not None and proration.credit > 0:
            self.store.commerce.credit(sub, proration.credit)
            events.append("return.created")
        return events, None

    def estimate(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /subscriptions/estimate`: the proration of a plan change, committing
        nothing."""
        sub_id = request.get("subscription")
        sub = self.store.subscriptions.find(sub_id) if isinstance(sub_id, str) else None
        if sub is None or sub.adhoc or sub.next is None or sub.state not in (
                "trial", "active", "overdue"):
            raise Invalid({"subscription": "Subscription is not changeable."})
        wanted = {k: request[k] for k in ("product", "quantity", "pricing", "addons")
                  if k in request}
        changes, errors = self._parse_update(sub, wanted)
        if errors:
            raise Invalid(errors)
        proposed = replace(sub, **changes)
        return estimate_view(sub, proposed, prorate(sub, proposed.net_amount,
                                                    self.store.clock.now_ms()))

    def convert(self, sub_id: str) -> Session:
        """`POST /subscriptions/{id}/convert`: a checkout session for a trial that ended
        without a payment method on file."""
        sub = self.store.subscriptions.find(sub_id)
        if sub is None:
            raise Invalid({"subscription.convert": "Unable to find subscription."})
        account = self.store.accounts.get(sub.account_id)
        if not sub.trial_days or account.payment_methods or sub.state not in (
                "overdue", "deactivated"):
            raise Invalid({"subscription.convert": "Subscription is not an expired trial "
                                                   "without a payment method."})
        return self.store.commerce.create_session({
            "account": sub.account_id, "currency": sub.currency,
            "items": [{"product": sub.product, "quantity": sub.quantity}]})

    def _record_plan(self, sub: Subscription) -> None:
        """Append the current plan to the subscription's history (`/history`)."""
        now = self.store.clock.now_ms()
        sub.history.append({"type": "base_plan", "product": sub.product,
                            "quantity": sub.quantity, "price": sub.unit_price, "at": now})
        for addon in sub.addons:
            sub.history.append({"type": "add_on", "product": addon.product,
                                "quantity": addon.quantity, "price": addon.unit_price,
                                "at": now})

    def _charge_order(self, sub: Subscription, amount: float) -> Order:
        """A proration charge: an ordinary order (no B) listed in the entries."""
        store = self.store
        account = store.accounts.get(sub.account_id)
        now = store.clock.now_ms()
        item = OrderItem(sub.product, sub.display, sub.sku, 1, amount, subscription=sub.id)
        order = Order(store.orders.new_id(), store.orders.reference(now), account.id,
                      sub.currency, now, [item], _customer(account), account.country,
                      account.language, sub.live)
        self._file_order(order, account)
        sub.entries.append((order.id, start_of_day(now),
                            None if sub.next is None else one_day_before(sub.next)))
        return order

    def _parse_update(self, sub: Subscription, item: Mapping[str, Any]
                      ) -> tuple[dict[str, Any], dict[str, str]]:
        changes: dict[str, Any] = {}
        errors: dict[str, str] = {}
        if "quantity" in item:
            quantity = item["quantity"]
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not (
                    0 < quantity <= MAX_QUANTITY):
                errors["quantity"] = "Must be greater than zero"
            else:
                changes["quantity"] = quantity
        if "next" in item:
            day = _date_input(item["next"])
            if day is None or day == 0:
                errors["next"] = "Date format yyyy-mm-dd or milliseconds"
            elif sub.adhoc:
                errors["next"] = "Managed subscriptions have no next charge date"
            else:
                changes["next"] = day
        if "end" in item:
            day = _date_input(item["end"])
            if day is None:
                errors["end"] = ("Set 0 for no end date or Date format yyyy-mm-dd or "
                                 "milliseconds")
            else:
                changes["end"] = None if day == 0 else day
                changes["periods"] = None
        if "product" in item:
            path = item["product"]
            product = self.store.catalog.find(path) if isinstance(path, str) else None
            if product is None or not product.pricing.is_subscription or (
                    product.pricing.managed != sub.adhoc):
                errors["product"] = "Not a subscription product"
            else:
                changes.update(product=product.path, sku=product.sku,
                               display=product.display.get("en", product.path),
                               unit_price=product.price_in(sub.currency) or sub.unit_price)
        if "manualRenew" in item:
            manual = item["manualRenew"]
            if not isinstance(manual, bool):
                errors["manualRenew"] = "manualRenew must be true or false"
            elif manual and not sub.auto_renew:
                errors["manualRenew"] = "Subscription is already set to manual renew"
            else:
                changes["auto_renew"] = not manual
        if "pricing" in item:
            price = _price_in(item["pricing"], sub.currency)
            if price is None:
                errors["pricing"] = f"pricing.price.{sub.currency} must be a number >= 0"
            else:
                changes["unit_price"] = price
        if "coupons" in item:
            coupons = item["coupons"]
            if not isinstance(coupons, list) or len(coupons) > 1:
                errors["coupons"] = "Only one coupon is supported"
            elif not coupons:
                changes.update(coupon=None, discount_periods_left=None)
            else:
                coupon = self.store.coupons.usable(coupons[0], self.store.clock.now_ms())
                if isinstance(coupon, str):
                    errors["coupons"] = not_valid(coupon)
                elif not coupon.applies_to(changes.get("product", sub.product)):
                    errors["coupons"] = not_valid("DOES_NOT_EXIST")
                else:
                    changes.update(coupon=coupon, discount_periods_left=coupon.periods)
        for name in ("tags", "attributes"):
            if name in item:
                if isinstance(item[name], Mapping):
                    changes[name] = dict(item[name])
                else:
                    errors[name] = f"{name} must be an object"
        prorate, preview = item.get("prorate", False), item.get("preview", False)
        if not isinstance(prorate, bool) or not isinstance(preview, bool):
            errors["prorate"] = "prorate and preview must be true or false"
        elif prorate and sub.adhoc:
            errors["prorate"] = "Can't prorate on-demand subscription"
        elif prorate and "next" in item:
            errors["prorate"] = "Can't prorate a change of the next charge date"
        elif preview and not prorate:
            errors["preview"] = "preview is only supported with prorate: true"
        if "addons" in item:
            addons = self._parse_addons(sub, item["addons"])
            if isinstance(addons, str):
                errors["addons"] = addons
            else:
                changes["addons"] = addons
        if "taxExemptId" in item:
            if item["taxExemptId"] is None or isinstance(item["taxExemptId"], str):
                changes["tax_exempt_id"] = item["taxExemptId"]
            else:
                errors["taxExemptId"] = "taxExemptId must be a string"
        return changes, errors

    def _parse_addons(self, sub: Subscription, raw: object) -> list[Addon] | str:
        """Add or edit add-ons by product; quantity 0 removes one. A str is the error."""
        if not isinstance(raw, list):
            return "addons must be an array"
        addons = {a.product: a for a in sub.addons}
        for entry in raw:
            path = entry.get("product") if isinstance(entry, Mapping) else None
            product = self.store.catalog.find(path) if isinstance(path, str) else None
            if product is None or path == sub.product:
                return f"Not a valid add-on: {path}"
            quantity = entry.get("quantity", 1)
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not (
                    0 <= quantity <= MAX_QUANTITY):
                return "Add-on quantity must be zero (to remove) or more"
            price = product.price_in(sub.currency)
            if "pricing" in entry:
                price = _price_in(entry["pricing"], sub.currency)
            if price is None:
                return f"{path} has no {sub.currency} price"
            if quantity == 0:
                addons.pop(path, None)
            else:
                addons[path] = Addon(path, product.display.get("en", path), product.sku,
                                     quantity, price)
        return list(addons.values())

    def pause(self, sub_id: str, periods: object) -> list[str]:
        sub = self.store.subscriptions.get(sub_id)
        if (isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= 12
                or sub.adhoc or sub.state not in ("active", "trial") or sub.next is None):
            raise Invalid({"subscription.pause": "Invalid number of Periods."})
        sub.pause_periods = periods
        sub.pause_date = sub.next
        sub.resume_date = add_interval(sub.next, sub.interval_unit or "month",
                                       sub.interval_length * periods)
        sub.changed = self.store.clock.now_ms()
        self.schedule(sub)
        return [self._emit_subscription("subscription.paused", sub),
                self._emit_subscription("subscription.updated", sub)]

    def resume(self, sub_id: str) -> list[str]:
        """Remove a scheduled pause, or end a pause now with a charge today."""
        sub = self.store.subscriptions.find(sub_id)
        if sub is None or sub.pause_date is None:
            raise Invalid({"subscription.resume": "Unable to find subscription."})
        if sub.state != "paused":
            sub.pause_date = sub.resume_date = sub.pause_periods = None
            sub.changed = self.store.clock.now_ms()
            self.schedule(sub)
            return [self._emit_subscription("subscription.resumed", sub)]
        sub.next = start_of_day(self.store.clock.now_ms())
        events = self._resume(sub)
        self.schedule(sub)
        return events

    def charge_managed(self, sub_id: str) -> tuple[Order | None, list[str]]:
        """`POST /subscriptions/charge`: bill a managed subscription now."""
        sub = self.store.subscriptions.get(sub_id)
        if not sub.adhoc:
            raise Invalid({"subscription": "Subscription is not a managed subscription"})
        if sub.state == "deactivated":
            raise Invalid({"subscription": "Subscription is not active."})
        reason = self._decline_reason(sub)
        if reason is not None:
            sub.decline_reason = reason
            sub.changed = self.store.clock.now_ms()
            raise ChargeDeclined(reason, [self._emit_charge_failed(sub, reason)])
        events = self._record_charge(sub)
        return self.store.orders.get(sub.entries[-1][0]), events

    def set_payment(self, account_id: str, decline: object) -> list[Transition]:
        """Set the account's stored payment method to succeed or to decline.

        Clearing a decline is the buyer updating their card: overdue subscriptions
        of the account are charged again right away, ending their dunning.
        """
        reason = _decline_of({"decline": decline})
        account = self.store.accounts.get(account_id)
        account.decline = reason or None
        done = []
        if account.decline is None:
            for sub_id in account.subscriptions:
                sub = self.store.subscriptions.get(sub_id)
                if sub.state == "overdue":
                    events = self._record_charge(sub)
                    self.schedule(sub)
                    done.append(Transition(self.store.clock.now_ms(), sub.id, "charge",
                                           sub.state, tuple(events)))
        return done


class ChargeDeclined(Invalid):
    """A managed charge was declined; carries the events it emitted."""

    def __init__(self, reason: str, events: list[str]) -> None:
        super().__init__({"subscription": reason})
        self.events = events


def _give_coupon(sub: Subscription, coupon: Coupon, first_period_used: bool) -> None:
    """Attach a coupon; the purchase already used one discounted period unless it was a
    free trial."""
    left = coupon.periods
    if left is not None and first_period_used:
        left -= 1
    if left == 0:
        return
    sub.coupon, sub.discount_periods_left = coupon, left


def _date_input(value: object) -> int | None:
    """`yyyy-mm-dd` or epoch ms as a day (0 stays 0, meaning "no date")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 10**14:
        return start_of_day(value)
    if isinstance(value, str):
        return parse_day(value)
    return None


def _price_in(pricing: object, currency: str) -> float | None:
    price = pricing.get("price") if isinstance(pricing, Mapping) else None
    amount = price.get(currency) if isinstance(price, Mapping) else None
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not (
            0 <= amount < 10**9):
        return None
    return float(amount)


def _customer(account: Account) -> dict[str, Any]:
    return {"first": account.first, "last": account.last, "email": account.email,
            "company": account.company, "phone": account.phone}


def _decline_of(payment: object) -> str | None:
    """The decline reason of a payment behaviour; "" means succeed, None means unset."""
    if payment is None:
        return None
    if not isinstance(payment, Mapping):
        raise Invalid({"payment": "payment must be an object such as {\"decline\": null}"})
    reason = payment.get("decline")
    if reason is None:
        return ""
    if not isinstance(reason, str) or not re.fullmatch(DECLINE_REASON, reason):
        raise Invalid({"decline": "decline must be null or a reason such as EXPIRED_CARD"})
    return reason
