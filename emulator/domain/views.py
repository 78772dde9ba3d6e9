"""FastSpring's JSON shapes for domain records, as the REST API returns them.

Kept apart from the records so that the webhook shapes (which spell some keys
differently) can be built from the same data later.
"""

from __future__ import annotations

from typing import Any

from emulator.domain.accounts import ADDRESS_FIELDS, Account
from emulator.domain.catalog import Pricing, Product


def account_view(account: Account, portal_host: str) -> dict[str, Any]:
    """The account object of `GET /accounts/{id}` and of lookups (section 2.4)."""
    address: dict[str, Any] = {name: account.address.get(name) for name in ADDRESS_FIELDS}
    address["country"] = account.country
    lookup: dict[str, str] = {"global": account.global_key}
    if account.custom is not None:
        lookup["custom"] = account.custom
    return {
        "id": account.id,
        "account": account.id,
        "contact": {"first": account.first, "last": account.last, "email": account.email,
                    "company": account.company, "phone": account.phone,
                    "subscribed": account.subscribed},
        "address": address,
        "language": account.language,
        "country": account.country,
        "lookup": lookup,
        "url": f"https://{portal_host}/account",
        "payment": {"methods": account.payment_methods, "active": account.payment_methods},
        "orders": list(account.orders),
        "subscriptions": list(account.subscriptions),
        "charges": list(account.charges),
        "subscribed": account.subscribed,
    }


def pricing_view(pricing: Pricing) -> dict[str, Any]:
    view: dict[str, Any] = dict(pricing.extra)
    view.update({
        "interval": pricing.interval, "intervalLength": pricing.interval_length,
        "intervalCount": pricing.interval_count, "trial": pricing.trial,
        "renew": pricing.renew, "quantityDefault": pricing.quantity_default,
        "price": dict(pricing.price),
        "reminderNotification": {"enabled": pricing.reminder.enabled,
                                 "interval": pricing.reminder.unit,
                                 "intervalLength": pricing.reminder.length},
        "overdueNotification": {"enabled": pricing.overdue.enabled,
                                "interval": pricing.overdue.unit,
                                "intervalLength": pricing.overdue.length,
                                "amount": pricing.overdue.amount},
        "cancellation": {"interval": pricing.cancellation.unit,
                         "intervalLength": pricing.cancellation.length},
    })
    if pricing.setup_fee is not None:
        view["setupFee"] = pricing.setup_fee
    return view


def product_view(product: Product) -> dict[str, Any]:
    """The product object of `GET /products/{path}` (section 4.4)."""
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
