"""The data of events that are rendered when first read (see `events.py`).

Each function here turns copies taken when the event happened into the event's
`data`, exactly as an eager rendering at that moment would have. Their inputs
are captures: a subscription's or an order's `captured()` copy, an account's
`captured()` values, a product (products are replaced, never changed in place)
and plain values.
"""

from __future__ import annotations

from typing import Any

from emulator.domain.accounts import Account, AccountCapture
from emulator.domain.catalog import Product
from emulator.domain.formats import date_family, round_money
from emulator.domain.orders import Order
from emulator.domain.subscriptions import Subscription
from emulator.domain.views import order_view, product_view, subscription_view, webhook_account_view

# What FastSpring keeps of an order's total (payout entries show it as a subtraction).
FASTSPRING_FEE_PERCENT = 8.9


def render_account(account: AccountCapture, host: str) -> dict[str, Any]:
    return webhook_account_view(Account.from_capture(account), host)


def render_subscription(
    sub: Subscription, account: AccountCapture, product: Product | None, host: str
) -> dict[str, Any]:
    """A subscription as events carry it: account and product embedded (a product
    deleted since shows as its path)."""
    return subscription_view(
        sub,
        render_account(account, host),
        product_view(product) if product is not None else sub.product,
    )


def render_charge(
    sub: Subscription, account: AccountCapture, product: Product | None, host: str, order: Order
) -> dict[str, Any]:
    """`subscription.charge.completed`: the charge's order, subscription and account."""
    return {
        "order": order_view(order, host),
        "currency": order.currency,
        "total": order.total,
        "status": "successful",
        **date_family("timestamp", order.created, iso=False),
        "sequence": sub.sequence,
        "periods": sub.periods,
        "account": render_account(account, host),
        "subscription": render_subscription(sub, account, product, host),
    }


def render_charge_failed(
    sub: Subscription, account: AccountCapture, product: Product | None, host: str, reason: str
) -> dict[str, Any]:
    return {
        "reason": reason,
        "account": render_account(account, host),
        "quote": None,
        "subscription": render_subscription(sub, account, product, host),
    }


def render_payout(
    order: Order,
    account: AccountCapture,
    host: str,
    payee: str,
    subscription_ids: tuple[str, ...],
    returned: tuple[str, float] | None,
) -> dict[str, Any]:
    """`payoutEntry.created` for an order, or for a return `(id, total)` of it
    (negative amounts)."""
    c = order.currency
    total = returned[1] if returned is not None else order.total
    sign = -1 if returned is not None else 1
    fee = round_money(total * FASTSPRING_FEE_PERCENT / 100, c)
    tax = order.tax
    data = {
        "orderId": order.id,
        "quote": order.quote,
        "reference": order.reference,
        "live": order.live,
        "order": order_view(order, host),
        "account": render_account(account, host),
        "subscriptions": list(subscription_ids),
        "subtractions": {
            "tax": {"currency": c, "amount": sign * tax, "percentage": 0.0},
            "fastspring": {
                "currency": c,
                "amount": sign * fee,
                "percentage": FASTSPRING_FEE_PERCENT,
            },
            "withholdings": {"currency": c, "amount": 0.0, "percentage": 0.0},
        },
        "payouts": [
            {
                "payee": payee,
                "currency": c,
                "payout": f"{sign * round_money(total - fee - tax, c):.2f}",
                "subtotal": sign * round_money(total - tax, c),
                "total": f"{sign * total:.2f}",
            }
        ],
    }
    if returned is not None:
        data["return"] = returned[0]
    return data
