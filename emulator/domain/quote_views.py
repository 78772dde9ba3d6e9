"""Quotes as the Quotes API answers them, and as `quote.*` events carry them.

The two shapes differ on purpose, as FastSpring's do: the REST object uses ISO
dates and money families; the event payload is flat and display-oriented, with
amounts as strings and `Reason` spelled with a capital R.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from emulator.domain.formats import display_money, money_family, utc

if TYPE_CHECKING:
    from emulator.domain.catalog import Catalog
    from emulator.domain.quotes import Quote, QuoteTotals

PERIODS = {"day": "Daily", "week": "Weekly", "month": "Monthly", "year": "Yearly"}


def iso(ms: int) -> str:
    """The quote service's ISO form: `2024-09-09T14:51:34.814+00:00`."""
    return utc(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+00:00"


def site_id(slug: str) -> str:
    """The store's short site id (11 characters, as in `pOBehkkfTGo`), stable per store."""
    digest = hashlib.sha256(slug.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:11]


def quote_url(portal_host: str, quote_id: str) -> str:
    return f"https://{portal_host}/popup-defaultB2B/account/order/quote/{quote_id}"


def _plain_amount(amount: float) -> str:
    """Amounts in quote events are strings: `"60"`, `"59.5"`."""
    return f"{amount:.2f}".rstrip("0").rstrip(".")


def _display(catalog: Catalog, path: str) -> str:
    product = catalog.find(path)
    return product.display.get("en", path) if product else path


def _item_view(quote: Quote, index: int, totals: QuoteTotals, catalog: Catalog) -> dict[str, Any]:
    item = quote.items[index]
    c = quote.currency
    product = catalog.find(item.product)
    pricing = product.pricing if product else None
    subscription = bool(pricing and pricing.is_subscription)
    off = totals.unit_discounts[index]
    unit = item.unit_list_price - off
    return {
        "product": item.product,
        "display": _display(catalog, item.product),
        "image": product.document.get("image") if product else None,
        "quantity": item.quantity,
        "customPrice": item.custom_price,
        "subscription": subscription,
        "type": "SUBSCRIPTION" if subscription else "ONE_TIME",
        "period": PERIODS.get(pricing.interval or "") if pricing else None,
        "periodDays": "0",
        "intervalCount": str(pricing.interval_length) if subscription and pricing else None,
        "trialDays": pricing.trial if pricing else 0,
        "renewIntoProducts": [],
        "taxes": [{"taxValue": 0, "totalTaxable": round(unit * item.quantity, 2)}],
        **money_family("unitListPrice", item.unit_list_price, c, c),
        **money_family("unitPrice", unit, c, c),
        **money_family("unitDiscount", off, c, c),
        **money_family("unitCouponDiscount", off, c, c),
        "unitPriceWithoutTax": unit,
        "unitPriceWithoutTaxDisplay": display_money(unit, c),
        "unitListPriceWithoutTax": item.unit_list_price,
        "unitListPriceWithoutTaxDisplay": display_money(item.unit_list_price, c),
    }


def quote_view(
    quote: Quote, totals: QuoteTotals, catalog: Catalog, portal_host: str, slug: str
) -> dict[str, Any]:
    """The quote object of `GET /quotes/{id}`."""
    c = quote.currency
    return {
        "id": quote.id,
        "name": quote.name,
        "buyerGenerated": False,
        "coupon": quote.coupon,
        "created": iso(quote.created),
        "updated": iso(quote.updated),
        "expires": iso(quote.expires),
        "createdBy": {
            "company": None,
            "email": f"api@{slug}.test",
            "first": "API",
            "last": "User",
            "phone": None,
            "userId": slug,
        },
        "currency": c,
        "expirationDateDays": quote.expiration_days,
        "fulfillmentTerm": quote.fulfillment_term,
        "items": [_item_view(quote, n, totals, catalog) for n in range(len(quote.items))],
        "notes": quote.notes,
        "copyNotesToInvoice": False,
        "netTermsDays": quote.net_terms_days,
        "quoteUrl": quote_url(portal_host, quote.id),
        "siteId": site_id(slug),
        "recipient": {**quote.recipient, "userId": None},
        "recipientAddress": dict(quote.address),
        "status": quote.status,
        "statusHistory": [dict(h) for h in quote.history],
        **money_family("subtotal", totals.subtotal, c, c),
        **money_family("discount", totals.discount, c, c),
        **money_family("total", totals.total, c, c),
        "tax": 0.0,
        "taxRate": 0.0,
        "taxType": "TAX",
        "isGrossTax": False,
        "tags": [dict(t) for t in quote.tags],
        "taxId": quote.tax_id,
        "source": quote.source,
        "sourceIP": quote.source_ip,
        "invoiceId": quote.invoice_id,
        "orderReference": quote.order_reference,
        "links": [],
    }


def quote_event_data(
    quote: Quote, totals: QuoteTotals, reason: str, catalog: Catalog, portal_host: str, now_ms: int
) -> dict[str, Any]:
    """The `data` of `quote.created` and `quote.updated`."""
    c = quote.currency
    moment = utc(now_ms)
    address = quote.address
    shown_address = ", ".join(
        v
        for v in (
            address.get("addressLine1"),
            address.get("city"),
            address.get("region"),
            address.get("postalCode"),
            address.get("country"),
        )
        if v
    )
    return {
        "quote": quote.id,
        "quoteName": quote.name,
        "changed": now_ms,
        "changedInSeconds": now_ms // 1000,
        "changedDisplay": f"{moment.month:02d}/{moment.day:02d}/{moment.year % 100:02d}",
        "changedTimeDisplay": moment.strftime("%H:%M:%S UTC"),
        "type": "Assisted",
        "updatedBy": "null",
        "Reason": reason,
        "creator": "API User",
        "quoteStatus": quote.status,
        "language": "en",
        "quoteCurrency": c,
        "quoteUrl": quote_url(portal_host, quote.id),
        "live": False,
        "account": quote.account_id,
        "coupon": quote.coupon,
        "total": _plain_amount(totals.total),
        "totalDisplay": display_money(totals.total, c),
        "tax": 0,
        "taxDisplay": display_money(0.0, c),
        "taxType": "TAX",
        "subtotal": _plain_amount(totals.subtotal),
        "subtotalDisplay": display_money(totals.subtotal, c),
        "discount": _plain_amount(totals.discount),
        "discountDisplay": display_money(totals.discount, c),
        "recipient": {
            **{k: quote.recipient.get(k) for k in ("first", "last", "email", "company", "phone")},
            "taxID": quote.tax_id,
        },
        "address": {
            **{
                k: address.get(k)
                for k in ("addressLine1", "city", "region", "postalCode", "country")
            },
            "display": shown_address,
        },
        "fulfillmentSetting": quote.fulfillment_term,
        "notes": quote.notes,
        "tags": {t["key"]: t["value"] for t in quote.tags},
        "items": [
            {
                "product": i.product,
                "display": _display(catalog, i.product),
                "quantity": i.quantity,
                "price": i.unit_list_price,
                "subtotal": _plain_amount(i.unit_list_price * i.quantity),
                "subtotalDisplay": display_money(i.unit_list_price * i.quantity, c),
            }
            for i in quote.items
        ],
        "order": quote.order_id,
        "orderReference": quote.order_reference,
        "invoiceId": quote.invoice_id,
    }


def invoice_reminder_data(
    quote: Quote,
    totals: QuoteTotals,
    order_reference: str | None,
    account_id: str | None,
    portal_host: str,
    catalog: Catalog,
) -> dict[str, Any]:
    """The `data` of `invoice.reminder.email` for an accepted quote's unpaid invoice."""
    c = quote.currency
    assert quote.invoice_due is not None
    return {
        "id": quote.invoice_id,
        "orderReference": order_reference,
        "dueDate": utc(quote.invoice_due).strftime("%Y-%m-%d"),
        "subtotal": totals.subtotal,
        "subtotalDisplay": display_money(totals.subtotal, c),
        "total": totals.total,
        "totalDisplay": display_money(totals.total, c),
        "currency": c,
        "contact": {k: quote.recipient.get(k) for k in ("first", "last", "email", "company")},
        "items": [
            {
                "product": i.product,
                "display": _display(catalog, i.product),
                "quantity": i.quantity,
                "price": i.unit_list_price,
                "subtotal": round(i.unit_list_price * i.quantity, 2),
            }
            for i in quote.items
        ],
        "invoiceUrl": f"https://{portal_host}/account/order/{order_reference}/invoice",
        "account": account_id,
        "quote": quote.id,
    }
