"""Plan changes: the batch update, proration and its estimate, add-ons, trial convert.

A mixin of `Lifecycle` (see `lifecycle.py`), kept apart to keep modules small; it
uses the lifecycle's scheduling and event helpers through `self`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from emulator.domain.calendar import parse_day
from emulator.domain.coupons import not_valid
from emulator.domain.errors import Invalid
from emulator.domain.formats import start_of_day
from emulator.domain.proration import prorate
from emulator.domain.purchases import MAX_QUANTITY, price_from
from emulator.domain.subscriptions import Addon, Subscription
from emulator.domain.views import estimate_view

if TYPE_CHECKING:
    from emulator.domain.commerce import Session
    from emulator.domain.store import Store


class PlanChanges:
    """`POST /subscriptions` changes, `/estimate`, `/convert` and the plan history
    (mixed into `Lifecycle`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def update(
        self, sub_id: str, item: Mapping[str, Any]
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
            reason = self.store.lifecycle.decline_reason(sub) if proration.charge > 0 else None
            if reason is not None:
                errors["prorate"] = reason
        if errors:
            raise Invalid(errors)
        events = self.store.lifecycle.uncancel(sub_id) if uncancel else []
        if not changes:
            return events, None
        plan_changed = any(k in changes for k in ("product", "quantity", "unit_price", "addons"))
        if "product" in changes:
            self.store.subscription_index.change_product(sub.id, changes["product"], sub.state)
        for name, value in changes.items():
            setattr(sub, name, value)
        if changes.get("coupon") is not None:
            changes["coupon"].uses += 1
        if "next" in changes:
            sub.reminded_for = None
        sub.changed = self.store.clock.change_stamp()
        if plan_changed:
            self.record_plan(sub)
        self.store.lifecycle.schedule(sub)
        events.append(self.store.lifecycle.emit_subscription("subscription.updated", sub))
        if proration is not None and proration.charge > 0:
            order = self.store.purchases.charge_order(sub, proration.charge)
            events.append(self.store.lifecycle.emit_charge(sub, order))
        elif proration is not None and proration.credit > 0:
            self.store.commerce.credit(sub, proration.credit)
            events.append("return.created")
        return events, None

    def estimate(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /subscriptions/estimate`: the proration of a plan change, committing
        nothing."""
        sub_id = request.get("subscription")
        sub = self.store.subscriptions.find(sub_id) if isinstance(sub_id, str) else None
        if (
            sub is None
            or sub.adhoc
            or sub.next is None
            or sub.state not in ("trial", "active", "overdue")
        ):
            raise Invalid({"subscription": "Subscription is not changeable."})
        wanted = {
            k: request[k] for k in ("product", "quantity", "pricing", "addons") if k in request
        }
        pricing = wanted.get("pricing")
        if isinstance(pricing, Mapping) and "price" not in pricing:
            wanted["pricing"] = {"price": pricing}  # the short form {"USD": 14.95}
        changes, errors = self._parse_update(sub, wanted)
        if errors:
            raise Invalid(errors)
        proposed = replace(sub, **changes)
        return estimate_view(
            sub, proposed, prorate(sub, proposed.net_amount, self.store.clock.now_ms())
        )

    def convert(self, sub_id: str) -> Session:
        """`POST /subscriptions/{id}/convert`: a checkout session for a trial that ended
        without a payment method on file."""
        sub = self.store.subscriptions.find(sub_id)
        if sub is None:
            raise Invalid({"subscription.convert": "Unable to find subscription."})
        account = self.store.accounts.get(sub.account_id)
        if (
            not sub.trial_days
            or account.payment_methods
            or sub.state not in ("overdue", "deactivated")
        ):
            raise Invalid(
                {
                    "subscription.convert": "Subscription is not an expired trial "
                    "without a payment method."
                }
            )
        return self.store.commerce.create_session(
            {
                "account": sub.account_id,
                "currency": sub.currency,
                "items": [{"product": sub.product, "quantity": sub.quantity}],
            }
        )

    def record_plan(self, sub: Subscription) -> None:
        """Append the current plan to the subscription's history (`/history`)."""
        now = self.store.clock.now_ms()
        plans = [
            {
                "type": "base_plan",
                "product": sub.product,
                "quantity": sub.quantity,
                "price": sub.unit_price,
                "at": now,
            }
        ]
        plans += [
            {
                "type": "add_on",
                "product": addon.product,
                "quantity": addon.quantity,
                "price": addon.unit_price,
                "at": now,
            }
            for addon in sub.addons
        ]
        sub.history = (*sub.history, *plans)

    def _parse_update(
        self, sub: Subscription, item: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        changes: dict[str, Any] = {}
        errors: dict[str, str] = {}
        if "quantity" in item:
            quantity = item["quantity"]
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not (0 < quantity <= MAX_QUANTITY)
            ):
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
                errors["end"] = "Set 0 for no end date or Date format yyyy-mm-dd or milliseconds"
            else:
                changes["end"] = None if day == 0 else day
                changes["periods"] = None
        if "product" in item:
            path = item["product"]
            product = self.store.catalog.find(path) if isinstance(path, str) else None
            if (
                product is None
                or not product.pricing.is_subscription
                or (product.pricing.managed != sub.adhoc)
            ):
                errors["product"] = "Not a subscription product"
            else:
                changes.update(
                    product=product.path,
                    sku=product.sku,
                    display=product.display.get("en", product.path),
                    unit_price=product.price_in(sub.currency) or sub.unit_price,
                )
        if "manualRenew" in item:
            manual = item["manualRenew"]
            if not isinstance(manual, bool):
                errors["manualRenew"] = "manualRenew must be true or false"
            elif manual and not sub.auto_renew:
                errors["manualRenew"] = "Subscription is already set to manual renew"
            else:
                changes["auto_renew"] = not manual
        if "pricing" in item:
            price = price_from(item["pricing"], sub.currency)
            if price is None:
                errors["pricing"] = f"pricing.price.{sub.currency} must be a number >= 0"
            else:
                changes["unit_price"] = price
        if "coupons" in item:
            coupons = item["coupons"]
            if not isinstance(coupons, list) or len(coupons) > 1:
                errors["coupons"] = "Only one coupon is supported"
            elif not coupons:
                changes.update(coupon=None, coupon_code=None, discount_periods_left=None)
            else:
                coupon = self.store.coupons.usable(coupons[0], self.store.clock.now_ms())
                if isinstance(coupon, str):
                    errors["coupons"] = not_valid(coupon)
                elif not coupon.applies_to(changes.get("product", sub.product)):
                    errors["coupons"] = not_valid("DOES_NOT_EXIST")
                else:
                    changes.update(
                        coupon=coupon,
                        coupon_code=coupons[0],
                        discount_periods_left=coupon.periods_for(
                            changes.get("product", sub.product)
                        ),
                    )
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

    def _parse_addons(self, sub: Subscription, raw: object) -> tuple[Addon, ...] | str:
        """Add or edit add-ons by product; quantity 0 removes one. A str is the error."""
        if not isinstance(raw, list):
            return "addons must be an array"
        addons = {a.product: a for a in sub.addons}
        for entry in raw:
            path = entry.get("product") if isinstance(entry, Mapping) else None
            product = self.store.catalog.find(path) if isinstance(path, str) else None
            if product is None or path == sub.product:
                return f"Not a valid add-on: {path}"
            path = product.path
            quantity = entry.get("quantity", 1)
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not (0 <= quantity <= MAX_QUANTITY)
            ):
                return "Add-on quantity must be zero (to remove) or more"
            price = product.price_in(sub.currency)
            if "pricing" in entry:
                price = price_from(entry["pricing"], sub.currency)
            if price is None:
                return f"{path} has no {sub.currency} price"
            if quantity == 0:
                addons.pop(path, None)
            else:
                addons[path] = Addon(
                    path, product.display.get("en", path), product.sku, quantity, price
                )
        return tuple(addons.values())


def _date_input(value: object) -> int | None:
    """`yyyy-mm-dd` or epoch ms as a day (0 stays 0, meaning "no date")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 10**14:
        return start_of_day(value)
    if isinstance(value, str):
        return parse_day(value)
    return None
