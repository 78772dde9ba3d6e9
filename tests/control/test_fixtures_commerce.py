"""Fixture sections for the newer API groups: exchange rates, offers, coupons, quotes,
checkout sessions v2 and payment invoices, each loaded through the API's rules."""

from __future__ import annotations

import pytest

from emulator.app import create_app
from emulator.config import Settings
from tests.support.clients import client_for
from tests.support.fixture_docs import BASE, load


@pytest.fixture
def client():
    return client_for(create_app(Settings()), "fixture-store", "pw")


CONTACTS = [
    {
        "contactType": kind,
        "contact": {"email": "ivy@example.com", "firstName": "Ivy", "lastName": "Payer"},
        "address": {"country": "US"},
    }
    for kind in ("billTo", "deliverTo")
]
QUOTE = {
    "name": "Q",
    "items": [{"product": "pro", "quantity": 2}],
    "recipient": {"first": "Q", "last": "Buyer", "email": "q@example.com"},
    "recipientAddress": {"country": "US", "postalCode": "10001"},
}
DOCUMENT = {
    **BASE,
    "exchange_rates": {"EUR": 0.5},
    "products": BASE["products"] + [{"product": "book", "pricing": {"price": {"USD": 8}}}],
    "offers": [{"product": "pro", "offers": [{"type": "upsell", "items": ["book"]}]}],
    "coupons": [
        {"coupon": "half", "codes": ["HALF"], "discount": {"type": "percent", "percent": 50}}
    ],
    "quotes": [
        QUOTE,
        {**QUOTE, "name": "Paid", "status": "COMPLETED"},
        {**QUOTE, "name": "Waiting", "status": "AWAITING_PAYMENT"},
        {**QUOTE, "name": "Gone", "status": "CANCELED"},
    ],
    "checkout_sessions": [
        {"storeId": "s", "checkoutId": "c", "cart": {"lineItems": [{"productPath": "book"}]}},
        {
            "storeId": "s",
            "checkoutId": "c",
            "completed": True,
            "customer": {"billToContact": {"email": "v2@example.com"}},
            "cart": {"lineItems": [{"productPath": "book"}], "couponCode": "HALF"},
        },
    ],
    "invoices": [
        {"contacts": CONTACTS, "invoiceItems": [{"productPath": "book"}]},
        {"contacts": CONTACTS, "invoiceItems": [{"productPath": "book"}], "paid": True},
    ],
}


def test_every_new_section_loads(client):
    response = load(client, DOCUMENT)
    assert response.status_code == 200, response.text
    assert (
        client.get("/products/price/book", params={"country": "DE"}).json()["products"][0][
            "pricing"
        ]["DE"]["price"]
        == 4.0
    )
    assert client.get("/products/offers/pro").json()["products"][0]["offers"][0]["items"] == [
        "book"
    ]
    statuses = [q["status"] for q in client.get("/quotes").json()["_embedded"]["quotes"]]
    assert sorted(statuses) == ["AWAITING_PAYMENT", "CANCELED", "COMPLETED", "OPEN"]
    data = client.get("/_emulator/snapshot").json()["data"]
    sessions = {s["closed_as"] for s in data["checkout_sessions"]}
    assert sessions == {None, "COMPLETED"}
    assert sorted(i["status"] for i in data["invoices"]) == ["OPEN", "PAID"]
    orders = client.get("/orders", params={"limit": 50}).json()["orders"]
    assert sorted((o["total"], o["completed"]) for o in orders) == [
        (4.0, True),
        (8.0, True),
        (20.0, False),
        (20.0, True),
    ]  # the waiting quote's order


@pytest.mark.parametrize(
    "change, entry, field",
    [
        ({"offers": [{"product": "pro", "offers": [{"type": "sideways"}]}]}, "offers[0]", "type"),
        ({"offers": [{"product": "ghost", "offers": []}]}, "offers[0]", "product"),
        (
            {"coupons": [{"coupon": "x", "discount": {"type": "percent", "percent": 0}}]},
            "coupons[0]",
            "coupon",
        ),
        ({"quotes": [{**QUOTE, "items": []}]}, "quotes[0] (Q)", "items"),
        ({"quotes": [{**QUOTE, "status": "EXPIRED"}]}, "quotes[0] (Q)", "status"),
        ({"checkout_sessions": [{"cart": {}}]}, "checkout_sessions[0]", "storeId"),
        (
            {
                "checkout_sessions": [
                    {
                        "storeId": "s",
                        "checkoutId": "c",
                        "cart": {"lineItems": [{"productPath": "ghost"}]},
                    }
                ]
            },
            "checkout_sessions[0]",
            "cart.lineItems[0].productPath",
        ),
        (
            {"invoices": [{"contacts": CONTACTS[:1], "invoiceItems": [{"productPath": "pro"}]}]},
            "invoices[0]",
            "contacts",
        ),
        ({"exchange_rates": {"EUR": -1}}, "exchange_rates", "rates"),
    ],
)
def test_bad_entries_name_their_field_and_change_nothing(client, change, entry, field):
    response = load(client, {**BASE, **change})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["entry"], error["field"]) == (entry, field)
    assert client.get("/quotes").json() == {"_embedded": {"quotes": []}}
    assert client.get("/products").json()["products"] == []


def test_orders_may_be_left_unpaid(client):
    response = load(
        client,
        {
            **BASE,
            "orders": [
                {"account": "jane", "items": [{"product": "pro"}], "outcome": "payment-pending"},
                {"account": "jane", "items": [{"product": "pro"}], "outcome": "failed"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    orders = client.get("/orders", params={"limit": 50}).json()["orders"]
    assert [o["completed"] for o in orders] == [False, False]
    types = [e["type"] for e in client.get("/_emulator/events").json()["events"]]
    assert types[-2:] == ["order.payment.pending", "order.failed"]
    fresh = client_for(create_app(Settings()), "fresh-store", "pw")
    bad = load(
        fresh,
        {
            **BASE,
            "orders": [{"account": "jane", "items": [{"product": "pro"}], "outcome": "someday"}],
        },
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "outcome"
