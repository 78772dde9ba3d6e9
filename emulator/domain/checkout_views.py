"""Checkout sessions v2 as the Sessions v2 API answers them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.domain.formats import display_money, round_money
from emulator.domain.quote_views import iso

if TYPE_CHECKING:
    from emulator.domain.catalog import Catalog
    from emulator.domain.checkouts import CheckoutSession, CheckoutSessions, LineItem

TAX_ADDED = "TAXES_ADDED_TO_PRICE"


def _money(name: str, amount: float, currency: str) -> dict[str, Any]:
    return {name: round_money(amount, currency), f"{name}Display": display_money(amount, currency)}


def line_item_view(
    sessions: CheckoutSessions, session: CheckoutSession, item: LineItem, catalog: Catalog
) -> dict[str, Any]:
    c = session.currency
    product = catalog.find(item.product)
    pricing = product.pricing if product else None
    coupon = sessions.coupon(session)
    unit_list = sessions.unit_list_price(session, item)
    unit_off = coupon.discount(item.product, unit_list, 1, c) if coupon else 0.0
    unit_net = unit_list - unit_off
    subscription = None
    if pricing is not None and pricing.is_subscription:
        subscription = {
            "intervalUnit": (pricing.interval or "").upper()
            if not pricing.managed
            else "ON_DEMAND",
            "intervalLength": pricing.interval_length,
            "intervalCount": pricing.interval_count,
            "trialDays": pricing.trial,
        }
    return {
        "productPath": item.product,
        "quantity": item.quantity,
        "quantityBehavior": "ALLOW",
        "quantityDefault": pricing.quantity_default if pricing else 1,
        "virtualProduct": False,
        "price": {
            **_money("unitNetPrice", unit_net, c),
            **_money("unitListPrice", unit_list, c),
            **_money("unitDiscount", unit_off, c),
            **_money("extendedTotalDiscount", unit_off * item.quantity, c),
            **_money("extendedNetTotal", unit_net * item.quantity, c),
            **_money("extendedListTotal", unit_list * item.quantity, c),
            "taxIncluded": TAX_ADDED,
            **_money("unitTaxAmount", 0.0, c),
            **_money("extendedTaxTotal", 0.0, c),
            "taxPercent": 0.0,
            "taxExempt": False,
            "productDiscountDuration": None,
            "couponDiscountDuration": coupon.periods_for(item.product) if coupon else None,
        },
        "productType": "SUBSCRIPTION_PLAN" if subscription else "ONE_TIME",
        "removable": True,
        "bundle": False,
        "descriptions": {"display": dict(product.display) if product else {}},
        "productFormat": "DIGITAL",
        "attributes": dict(item.attributes),
        "subscription": subscription,
    }


def _methods(session: CheckoutSession) -> list[dict[str, Any]]:
    ordered = session.methods_order + [
        m for m in ("CARD", "PAYPAL", "WIRE") if m not in session.methods_order
    ]
    return [
        {
            "id": m,
            "description": f"PaymentMethodType.{m.title().replace('_', '')}",
            "requiredFieldElements": [],
            "showFieldElements": [],
            "supportedProductTypes": ["ONE_TIME", "SUBSCRIPTION_PLAN"],
            "variants": [],
        }
        for m in ordered
        if m not in session.hidden_methods
    ]


def payment_methods_view(session: CheckoutSession) -> dict[str, Any]:
    return {"paymentMethods": _methods(session)}


def session_view(
    sessions: CheckoutSessions,
    session: CheckoutSession,
    catalog: Catalog,
    portal_host: str,
    now_ms: int,
) -> dict[str, Any]:
    c = session.currency
    lines = [line_item_view(sessions, session, i, catalog) for i in session.items]
    net = sum(line["price"]["extendedNetTotal"] for line in lines)
    listed = sum(line["price"]["extendedListTotal"] for line in lines)
    coupon_off = listed - net
    status = session.status(now_ms)
    if status in ("COMPLETED", "FAILED", "CANCELLED", "EXPIRED"):
        checkout_status = ["CONCLUDED"]
    else:
        checkout_status = ["READY_FOR_CHECKOUT"] if lines else ["PRODUCTS_REQUIRED"]
    return {
        "id": session.id,
        "created": iso(session.created),
        "expires": iso(session.expires),
        "status": status,
        "locale": session.locale,
        "country": session.country,
        "currency": c,
        "live": False,
        "customer": {**session.customer, "savedPaymentMethod": None},
        "orderTags": dict(session.order_tags),
        "cart": {
            "couponCode": session.coupon_code,
            "couponHasApplied": sessions.coupon(session) is not None,
            "lineItems": lines,
            **_money("netTotal", net, c),
            **_money("listTotal", listed, c),
            **_money("withTaxNetTotal", net, c),
            **_money("withTaxListTotal", listed, c),
            **_money("withoutTaxNetTotal", net, c),
            **_money("withoutTaxListTotal", listed, c),
            **_money("discountTotal", coupon_off, c),
            **_money("couponDiscountTotal", coupon_off, c),
            **_money("productDiscountTotal", 0.0, c),
            "taxIncluded": TAX_ADDED,
            **_money("taxTotal", 0.0, c),
            "taxRate": 0.0,
        },
        "checkoutUrls": {"webcheckoutUrl": f"https://{portal_host}/checkout/session/{session.id}"},
        "warnings": [dict(w) for w in session.warnings],
        "checkoutStatus": checkout_status,
        "paymentMethods": _methods(session),
        "hidePaymentMethods": list(session.hidden_methods),
        "order": session.order_id,
    }
