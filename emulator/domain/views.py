"""FastSpring's JSON shapes for domain records, as the REST API returns them.

Kept apart from the records so that the webhook shapes (which spell some keys
differently) can be built from the same data later.
"""

from __future__ import annotations

from typing import Any

from emulator.domain.accounts import ADDRESS_FIELDS, Account, ChargeRecord
from emulator.domain.calendar import add_interval, one_day_before
from emulator.domain.catalog import Notice, Pricing, Product
from emulator.domain.formats import date_family, display_money, money_family, round_money
from emulator.domain.orders import PAYOUT_CURRENCY, Order, OrderItem, payout_rate
from emulator.domain.proration import Proration
from emulator.domain.returns import Return
from emulator.domain.subscriptions import Subscription


def _contact(account: Account) -> dict[str, Any]:
    return {
        "first": account.first,
        "last": account.last,
        "email": account.email,
        "company": account.company,
        "phone": account.phone,
        "subscribed": account.subscribed,
    }


def _lookup(account: Account) -> dict[str, str]:
    lookup = {"global": account.global_key}
    if account.custom is not None:
        lookup["custom"] = account.custom
    return lookup


_NO_ADDRESS: dict[str, None] = dict.fromkeys(ADDRESS_FIELDS)


def account_view(account: Account, portal_host: str) -> dict[str, Any]:
    """The account object of `GET /accounts/{id}` and of lookups (see `docs/api.md`)."""
    # The address's keys are ADDRESS_FIELDS (the API parser keeps no others), so
    # merging into all-None fields gives every field, in that order.
    address: dict[str, Any] = {**_NO_ADDRESS, **account.address, "country": account.country}
    return {
        "id": account.id,
        "account": account.id,
        "contact": _contact(account),
        "address": address,
        "language": account.language,
        "country": account.country,
        "lookup": _lookup(account),
        "url": f"https://{portal_host}/account",
        "payment": {"methods": account.payment_methods, "active": account.payment_methods},
        "orders": list(account.orders),
        "subscriptions": list(account.subscriptions),
        "charges": [charge_view(c) for c in account.charges],
        "subscribed": account.subscribed,
    }


def pricing_view(pricing: Pricing) -> dict[str, Any]:
    view: dict[str, Any] = dict(pricing.extra)
    view.update(
        {
            "interval": pricing.interval,
            "intervalLength": pricing.interval_length,
            "intervalCount": pricing.interval_count,
            "trial": pricing.trial,
            "renew": pricing.renew,
            "quantityDefault": pricing.quantity_default,
            "quantityBehavior": pricing.extra.get("quantityBehavior", "allow"),
            "dateLimitsEnabled": pricing.extra.get(
                "dateLimitsEnabled", bool(pricing.extra.get("dateLimits"))
            ),
            "price": dict(pricing.price),
            "reminderNotification": {
                "enabled": pricing.reminder.enabled,
                "interval": pricing.reminder.unit,
                "intervalLength": pricing.reminder.length,
            },
            "overdueNotification": {
                "enabled": pricing.overdue.enabled,
                "interval": pricing.overdue.unit,
                "intervalLength": pricing.overdue.length,
                "amount": pricing.overdue.amount,
            },
            "cancellation": {
                "interval": pricing.cancellation.unit,
                "intervalLength": pricing.cancellation.length,
            },
        }
    )
    if pricing.setup_fee is not None:
        view["setupFee"] = pricing.setup_fee
    return view


def product_view(product: Product) -> dict[str, Any]:
    """The product object of `GET /products/{path}` (`docs/api.md`, "Products")."""
    document = product.document
    return {
        "product": product.path,
        "parent": document.get("parent"),
        "productAppReference": document.get("productAppReference"),
        "display": dict(product.display),
        "description": document.get("description", {}),
        "image": document.get("image"),
        "sku": product.sku,
        "fulfillments": document.get("fulfillments", {}),
        "format": document.get("format", "digital"),
        "taxcode": document.get("taxcode"),
        "taxcodeDescription": document.get("taxcodeDescription"),
        "attributes": document.get("attributes", {}),
        "offers": document.get("offers", []),
        "pricing": pricing_view(product.pricing),
    }


def webhook_account_view(account: Account, portal_host: str) -> dict[str, Any]:
    """The account as webhooks embed it: address keys spelled with spaces."""
    address = account.address
    region = address.get("region")
    if region and account.country and "-" not in region:
        region = f"{account.country}-{region}"
    return {
        "id": account.id,
        "account": account.id,
        "contact": _contact(account),
        "address": {
            "address line 1": address.get("addressLine1"),
            "address line 2": address.get("addressLine2"),
            "city": address.get("city"),
            "country": account.country,
            "postal code": address.get("postalCode"),
            "region": region,
            "region custom": address.get("regionCustom"),
            "company": address.get("company"),
        },
        "language": account.language,
        "country": account.country,
        "lookup": _lookup(account),
        "url": f"https://{portal_host}/account",
    }


def _money(name: str, amount: float, currency: str) -> dict[str, Any]:
    return money_family(name, amount, currency, PAYOUT_CURRENCY, payout_rate(currency))


def order_item_view(item: OrderItem, currency: str, subscription: Any = None) -> dict[str, Any]:
    return {
        "product": item.product,
        "quantity": item.quantity,
        "display": item.display,
        "sku": item.sku,
        **_money("subtotal", item.subtotal, currency),
        **_money("discount", item.discount, currency),
        "attributes": dict(item.attributes),
        "coupon": item.coupon,
        "subscription": subscription if subscription is not None else item.subscription,
        "fulfillments": {},
        "taxWithholding": {
            "taxWithholding": "false",
            "currency": currency,
            "amount": 0.0,
            "percentage": 0,
        },
        "driver": dict(item.driver) if item.driver else None,
    }


def order_address(address: dict[str, Any], country: str | None) -> dict[str, Any]:
    """The buyer's address on an order: every key, null where the account has none."""
    region = address.get("region")
    shown = ", ".join(
        str(part)
        for part in (address.get("city"), region, address.get("postalCode"), country)
        if part
    )
    return {
        "addressLine1": address.get("addressLine1"),
        "city": address.get("city"),
        "country": country,
        "display": shown or country,
        "postalCode": address.get("postalCode"),
        "region": region,
        "regionCode": region,
        "regionDisplay": region,
    }


def order_view(
    order: Order, portal_host: str, account: Any = None, subscriptions: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The order object of `GET /orders/{id}`. `account` and `subscriptions`
    replace the ids with embedded objects, as expanded webhooks do."""
    c = order.currency
    customer = dict(order.customer)
    country = order.country
    view: dict[str, Any] = {
        "order": order.id,
        "id": order.id,
        "reference": order.reference,
        "quote": order.quote,
        "buyerReference": None,
        "ipAddress": None,
        "completed": order.completed,
        **date_family("changed", order.changed or order.created),
        "language": order.language,
        "live": order.live,
        "currency": c,
        "payoutCurrency": PAYOUT_CURRENCY,
        "invoiceUrl": f"https://{portal_host}/account/order/{order.reference}/invoice",
        "account": account if account is not None else order.account_id,
        **_money("total", order.total, c),
        **_money("tax", order.tax, c),
        **_money("subtotal", order.subtotal, c),
        **_money("discount", order.discount, c),
        **_money("discountWithTax", order.discount, c),
        "billDescriptor": "FS* fsprg.com",
        # Both spellings of the card brand appear in FastSpring's payloads.
        "payment": {
            "type": "test",
            "creditcard": "visa",
            "creditCard": "visa",
            "cardEnding": "4242",
            "bank": None,
        },
        "customer": customer,
        "address": order_address(order.address, country),
        "recipients": [
            {
                "recipient": {
                    **customer,
                    "account": account if account is not None else order.account_id,
                    "address": order_address(order.address, country),
                }
            }
        ],
        "notes": [],
        "coupons": list(order.coupons),
        "tags": dict(order.tags),
        "items": [
            order_item_view(i, c, (subscriptions or {}).get(i.subscription or ""))
            for i in order.items
        ],
    }
    if order.returns:
        view["returns"] = [dict(r) for r in order.returns]
    return view


def _notice_view(notice: Notice) -> dict[str, Any]:
    return {"intervalUnit": notice.unit, "intervalLength": notice.length}


def subscription_view(
    sub: Subscription, account: Any = None, product: Any = None
) -> dict[str, Any]:
    """The subscription object of `GET /subscriptions/{id}`. `account` and
    `product` replace the ids with embedded objects, as expanded webhooks do."""
    c = sub.currency
    card = sub.card or {}
    view: dict[str, Any] = {
        "id": sub.id,
        "subscription": sub.id,
        "quote": None,
        "active": sub.active,
        "state": sub.state,
        "isSubscriptionEligibleForPauseByBuyer": False,
        "isPauseScheduled": sub.pause_scheduled,
        **date_family("changed", sub.changed),
        "live": sub.live,
        "currency": c,
        "account": account if account is not None else sub.account_id,
        "product": product if product is not None else sub.product,
        "sku": sub.sku,
        "display": sub.display,
        "quantity": sub.quantity,
        "adhoc": sub.adhoc,
        "autoRenew": sub.auto_renew,
        "attributes": dict(sub.attributes),
        "tags": dict(sub.tags),
        **_money("price", sub.unit_price, c),
        **_money("discount", sub.discount, c),
        **_money("subtotal", sub.net_amount, c),
        "discountDuration": sub.discount_periods_left if sub.coupon else None,
        "coupons": [sub.coupon_code] if sub.coupon else [],
        **date_family("next", sub.next),
        **date_family("end", sub.end),
        **date_family("canceledDate", sub.canceled_date),
        **date_family("deactivationDate", sub.deactivation_date),
        **date_family("begin", sub.begin),
        "sequence": sub.sequence,
        "periods": sub.periods,
        "remainingPeriods": sub.remaining_periods,
        "intervalUnit": sub.interval_unit,
        "intervalLength": sub.interval_length,
        "initialOrderId": sub.initial_order_id,
        "initialOrderReference": sub.initial_order_reference,
        "paymentReminder": _notice_view(sub.reminder),
        "paymentOverdue": {
            **_notice_view(sub.overdue),
            "total": sub.overdue.amount,
            "sent": sub.overdue_sent,
        },
        "cancellationSetting": {
            "cancellation": "AFTER_LAST_NOTIFICATION",
            **_notice_view(sub.cancellation),
        },
        "declineReason": sub.decline_reason,
        "addons": [
            {
                "product": a.product,
                "sku": a.sku,
                "display": a.display,
                "quantity": a.quantity,
                **_money("price", a.unit_price, c),
                **_money("discount", 0.0, c),
                **_money("subtotal", a.amount, c),
                "discounts": [],
            }
            for a in sub.addons
        ],
        "discounts": [
            {
                "discountPath": sub.product,
                "discountDuration": sub.discount_periods_left,
                "percentValue": sub.coupon.percent_for(sub.product),
            }
        ]
        if sub.coupon
        else [],
        "fulfillments": {},
        "taxExemptId": sub.tax_exempt_id,
        "setupFee": sub.setup_fee,
        "paymentMethod": card.get("paymentMethod"),
        "cardType": card.get("cardType"),
        "cardEnding": card.get("cardEnding"),
        "expiry": card.get("expiry"),
        "instructions": _instructions(sub),
    }
    if sub.trial_days and sub.reminder.enabled:
        view["trialReminder"] = _notice_view(sub.reminder)
    if sub.state not in ("deactivated",) and not sub.adhoc and sub.next is not None:
        view["nextChargeCurrency"] = c
        view.update(date_family("nextChargeDate", sub.next))
        view.update(_money("nextChargePreTax", sub.net_amount, c))
        view.update(_money("nextChargeTotal", sub.net_amount, c))
    notification = sub.notification() if sub.state != "canceled" else None
    if notification is not None:
        view["nextNotificationType"] = notification[0]
        view.update(date_family("nextNotificationDate", notification[1]))
    if sub.pause_date is not None:
        view.update(date_family("pauseDate", sub.pause_date))
        view.update(date_family("resumeDate", sub.resume_date))
    return view


def _instructions(sub: Subscription) -> list[dict[str, Any]]:
    c = sub.currency
    regular_start = sub.begin
    segments = []
    if sub.trial_days:
        trial_end = add_interval(sub.begin, "day", sub.trial_days)
        regular_start = trial_end
        segments.append(
            {
                "product": sub.product,
                "type": "trial",
                **date_family("periodStartDate", sub.begin),
                **date_family("periodEndDate", one_day_before(trial_end)),
                "discountDurationUnit": "day",
                "discountDurationLength": sub.trial_days,
                "discountPercent": 100,
                "discountPercentValue": 100,
                "discountPercentDisplay": "100%",
                **_money("price", sub.unit_price, c),
                **_money("total", 0.0, c),
            }
        )
    segments.append(
        {
            "product": sub.product,
            "type": "regular",
            **date_family("periodStartDate", regular_start),
            **date_family("periodEndDate", sub.end),
            "intervalUnit": sub.interval_unit,
            "intervalLength": sub.interval_length,
            "discountPercent": 0,
            "discountPercentValue": 0,
            "discountPercentDisplay": "0%",
            **_coupon_instruction(sub),
            **_money("price", sub.unit_price, c),
            **_money("unitPrice", sub.unit_price, c),
            **_money("priceTotal", sub.unit_price * sub.quantity, c),
            **_money("total", sub.unit_price * sub.quantity, c),
        }
    )
    return segments


def _coupon_instruction(sub: Subscription) -> dict[str, Any]:
    """The coupon's part of the regular instruction: its duration and amounts."""
    c = sub.currency
    total = sub.discount
    unit = total / sub.quantity if sub.quantity else 0.0
    return {
        "discountDurationUnit": sub.interval_unit,
        "discountDurationLength": sub.discount_periods_left if sub.coupon else None,
        "discountDuration": sub.discount_periods_left if sub.coupon else None,
        "discountIntervalUnit": sub.interval_unit,
        "discountIntervalLength": sub.interval_length,
        **_money("unitDiscount", unit, c),
        **_money("discountTotal", total, c),
    }


def return_view(record: Return, portal_host: str, account: Any = None) -> dict[str, Any]:
    """The return object of `GET /returns/{id}` (`docs/api.md`, "Orders, returns and sessions")."""
    order = record.order
    c = order.currency
    total = record.total
    return {
        "return": record.id,
        "reference": record.reference,
        "completed": True,
        **date_family("changed", record.created),
        "live": record.live,
        "account": account if account is not None else order.account_id,
        "currency": c,
        "payoutCurrency": PAYOUT_CURRENCY,
        **_money("totalReturn", total, c),
        **_money("tax", 0.0, c),
        **_money("subtotal", total, c),
        "totalRefundInPayoutCurrency": _money("x", total, c)["xInPayoutCurrency"],
        "payment": {"type": "test", "creditcard": "visa", "cardEnding": "4242"},
        "reason": record.reason,
        "note": record.note,
        "type": "RETURN",
        "original": {
            "id": order.id,
            "order": order.id,
            "reference": order.reference,
            "account": order.account_id,
            "currency": c,
            "payoutCurrency": PAYOUT_CURRENCY,
            **_money("total", order.total, c),
            **_money("tax", order.tax, c),
            **_money("subtotal", order.subtotal, c),
            "notes": [{"note": record.note, "creator": "API"}] if record.note else [],
            "subscriptions": [i.subscription for i in order.items if i.subscription],
        },
        "customer": dict(order.customer),
        "items": [
            {
                "product": line.item.product,
                "quantity": line.quantity,
                "display": line.item.display,
                "sku": line.item.sku,
                **_money("subtotal", line.amount, c),
                "attributes": dict(line.item.attributes),
                "subscription": line.item.subscription,
            }
            for line in record.lines
        ],
    }


def order_return_entry(record: Return) -> dict[str, Any]:
    """How an order lists a return made against it (`returns[]`)."""
    c = record.order.currency
    payout = _money("x", record.total, c)["xInPayoutCurrency"]
    return {
        "return": record.id,
        "amount": record.total,
        "amountDisplay": display_money(record.total, c, iso_prefix=True),
        "amountInPayoutCurrency": payout,
        "amountInPayoutCurrencyDisplay": display_money(payout, PAYOUT_CURRENCY, iso_prefix=True),
    }


def _plan_view(
    sub: Subscription, credit_or_charge: float, charge: bool, proration: Proration
) -> dict[str, Any]:
    """One plan of an estimate; the current plan's amount is a credit, the proposed
    plan's a charge, and each plan carries both keys."""
    c = sub.currency
    whole = "subscriptionProratedCharge" if charge else "subscriptionProratedCredit"
    return {
        "display": sub.display,
        "product": sub.product,
        **_date_pair("periodStartDate", proration.period_start),
        **_date_pair("periodEndDate", one_day_before(proration.period_end)),
        "taxPercentDisplay": "0%",
        **_display_pair("proratedItemCharge", credit_or_charge if charge else 0.0, c),
        **_display_pair("proratedItemCredit", 0.0 if charge else credit_or_charge, c),
        "billingFrequency": f"{sub.interval_length} {sub.interval_unit}",
        **_display_pair("price", sub.unit_price, c),
        **_display_pair("discount", 0.0, c),
        "quantity": sub.quantity,
        **_display_pair("subtotal", sub.amount, c),
        **_display_pair("tax", 0.0, c),
        **_display_pair("total", sub.amount, c),
        "taxPercent": 0.0,
        **_display_pair("proratedItemSubtotal", credit_or_charge, c),
        **_display_pair("proratedItemTax", 0.0, c),
        **_display_pair("proratedItemTotal", credit_or_charge, c),
        "addons": [
            {
                "product": a.product,
                "display": a.display,
                "quantity": a.quantity,
                **_display_pair("price", a.unit_price, c),
                **_display_pair("subtotal", a.amount, c),
            }
            for a in sub.addons
        ],
        **_display_pair("subscriptionSubtotal", sub.amount, c),
        **_display_pair("subscriptionTax", 0.0, c),
        **_display_pair("subscriptionTotal", sub.amount, c),
        **_display_pair(whole, credit_or_charge, c),
    }


def _display_pair(name: str, amount: float, currency: str) -> dict[str, Any]:
    return {name: round_money(amount, currency), f"{name}Display": display_money(amount, currency)}


def estimate_view(
    current: Subscription, proposed: Subscription, proration: Proration
) -> dict[str, Any]:
    """`POST /subscriptions/estimate`: both plans and what is due now."""
    c = current.currency
    return {
        "subscription": current.id,
        "currency": c,
        "timezone": "UTC",
        **_date_pair("periodStartDate", proration.period_start),
        **_date_pair("periodEndDate", one_day_before(proration.period_end)),
        "currentPlan": _plan_view(current, proration.credit, False, proration),
        "proposedPlan": _plan_view(proposed, proration.charge, True, proration),
        "amountDue": {
            **_display_pair("prorationSubtotal", proration.difference, c),
            **_display_pair("prorationTax", 0.0, c),
            **_display_pair("totalAmountDue", proration.charge, c),
            **_date_pair("nextChargeDate", proration.period_end),
            **_display_pair("nextChargeAmount", proposed.amount, c),
        },
    }


def _date_pair(name: str, ms: int) -> dict[str, Any]:
    family = date_family(name, ms)
    return {
        name: ms,
        f"{name}Display": family[f"{name}Display"],
        f"{name}DisplayISO8601": family[f"{name}DisplayISO8601"],
    }


def history_view(sub: Subscription, scope: str | None, newest_first: bool) -> list[dict]:
    """`GET /subscriptions/{id}/history`: every plan the subscription has had."""
    chosen = [h for h in sub.history if scope is None or h["type"] == scope]
    if newest_first:
        chosen = chosen[::-1]
    return [
        {
            "type": h["type"],
            "product": h["product"],
            "quantity": h["quantity"],
            **_money("price", h["price"], sub.currency),
            **date_family("changed", h["at"]),
        }
        for h in chosen
    ]


def charge_record(order: Order) -> ChargeRecord:
    """One entry of an account's `charges`, kept as it was at the charge."""
    subscription = next((i.subscription for i in order.items if i.subscription), None)
    return (order.id, order.reference, order.currency, order.total, subscription, order.created)


def charge_view(record: ChargeRecord) -> dict[str, Any]:
    """How `GET /accounts/{id}` shows one of the account's charges."""
    order_id, reference, currency, total, subscription, timestamp = record
    return {
        "currency": currency,
        "total": total,
        "payoutCurrency": PAYOUT_CURRENCY,
        "totalInPayoutCurrency": round_money(total * payout_rate(currency), PAYOUT_CURRENCY),
        "status": "successful",
        "order": order_id,
        "orderReference": reference,
        "subscription": subscription,
        **date_family("timestamp", timestamp, iso=False),
    }
