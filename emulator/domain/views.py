"""FastSpring's JSON shapes for domain records, as the REST API returns them.

Kept apart from the records so that the webhook shapes (which spell some keys
differently) can be built from the same data later.
"""

from __future__ import annotations

from typing import Any

from emulator.domain.accounts import ADDRESS_FIELDS, Account


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
