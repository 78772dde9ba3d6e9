"""Checkout sessions v2: create, edit the cart and customer, and complete as a buyer."""

from __future__ import annotations

import re

import pytest

from tests.support.shop import add_product, advance, events, shop

BASE = "/v2/checkouts/acme/popup-acme/sessions"


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 20.0, "EUR": 18.0})
    add_product(client, "ebook", interval=None, price={"USD": 10.0})
    return client


def body(**overrides):
    return {
        "locale": "en",
        "country": "US",
        "customer": {
            "billToContact": {"email": "buyer@example.com", "firstName": "Bea", "lastName": "Buyer"}
        },
        "cart": {"lineItems": [{"productPath": "pro", "quantity": 2}]},
    } | overrides


def create(client, **overrides):
    response = client.post(BASE, json=body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def test_create_and_read(client):
    session = create(client)
    assert session["status"] == "OPEN" and session["currency"] == "USD"
    assert session["checkoutStatus"] == ["READY_FOR_CHECKOUT"]
    assert session["created"] == "2027-01-15T10:00:00.000+00:00"
    assert session["expires"] == "2027-01-16T10:00:00.000+00:00"
    (line,) = session["cart"]["lineItems"]
    assert (line["productPath"], line["quantity"], line["productType"]) == (
        "pro",
        2,
        "SUBSCRIPTION_PLAN",
    )
    assert line["price"]["extendedNetTotal"] == 40.0
    assert session["cart"]["netTotal"] == 40.0 and session["cart"]["netTotalDisplay"] == "$40.00"
    assert session["checkoutUrls"]["webcheckoutUrl"].endswith("/checkout/session/" + session["id"])
    assert client.get(f"{BASE}/{session['id']}").json() == session
    assert client.get(f"/v2/checkouts/acme/other/sessions/{session['id']}").status_code == 404


def test_soft_problems_are_warnings(client):
    session = create(
        client,
        country="ZZ",
        locale="klingon",
        live=True,
        cart={"couponCode": "NOPE", "lineItems": []},
    )
    assert {w["code"] for w in session["warnings"]} == {
        "INVALID_COUNTRY",
        "INVALID_LOCALE",
        "CHECKOUT_NOT_LIVE",
        "INVALID_PROMO_CODE",
    }
    assert session["country"] == "US" and session["live"] is False
    assert session["checkoutStatus"] == ["PRODUCTS_REQUIRED"]
    assert session["cart"]["couponHasApplied"] is False


def test_country_currency_and_coupon(client):
    client.post(
        "/coupons",
        json={"coupon": "c", "codes": ["TEN"], "discount": {"type": "percent", "percent": 10}},
    )
    session = create(
        client, country="DE", cart={"couponCode": "ten", "lineItems": [{"productPath": "pro"}]}
    )
    assert session["currency"] == "EUR" and session["cart"]["couponHasApplied"] is True
    assert session["cart"]["lineItems"][0]["price"]["unitNetPrice"] == 16.2
    assert session["cart"]["couponDiscountTotal"] == 1.8


def test_cart_items_and_customer(client):
    session = create(client)
    sid = session["id"]
    added = client.post(f"{BASE}/{sid}/cart/items", json={"productPath": "ebook", "quantity": 3})
    assert added.status_code == 200 and added.json()["price"]["extendedNetTotal"] == 30.0
    assert client.post(f"{BASE}/{sid}/cart/items", json={"productPath": "ebook"}).status_code == 400
    updated = client.put(f"{BASE}/{sid}/cart/items/pro,ebook", json={"quantity": 1})
    assert [i["quantity"] for i in updated.json()["cart"]["lineItems"]] == [1, 1]
    removed = client.delete(f"{BASE}/{sid}/cart/items/ebook")
    assert removed.status_code == 204 and removed.content == b""
    assert client.delete(f"{BASE}/{sid}/cart/items/ebook").status_code == 400
    customer = client.put(
        f"{BASE}/{sid}/customer",
        json={
            "billToContact": {"email": "new@example.com", "firstName": "New", "lastName": "Buyer"}
        },
    ).json()
    assert customer["customer"]["billToContact"]["email"] == "new@example.com"
    methods = client.get(f"{BASE}/{sid}/payment-methods").json()["paymentMethods"]
    assert [m["id"] for m in methods][:1] == ["CARD"]


def test_overwrite_replaces_the_whole_session(client):
    session = create(client, hidePaymentMethods=["PAYPAL"])
    replaced = client.put(
        f"{BASE}/{session['id']}", json={"cart": {"lineItems": [{"productPath": "ebook"}]}}
    ).json()
    assert replaced["id"] == session["id"] and replaced["created"] == session["created"]
    assert [i["productPath"] for i in replaced["cart"]["lineItems"]] == ["ebook"]
    assert replaced["customer"] == {"savedPaymentMethod": None}
    assert replaced["hidePaymentMethods"] == []


def test_complete_files_an_order_with_its_events(client):
    session = create(client, orderTags={"campaign": "spring"})
    done = client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert done.status_code == 200, done.text
    order = done.json()
    assert order["total"] == 40.0 and order["tags"] == {"campaign": "spring"}
    assert [e["type"] for e in events(client)][-4:] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    read = client.get(f"{BASE}/{session['id']}").json()
    assert read["status"] == "COMPLETED" and read["checkoutStatus"] == ["CONCLUDED"]
    again = client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert again.status_code == 400
    assert (
        client.post(f"{BASE}/{session['id']}/cart/items", json={"productPath": "ebook"}).status_code
        == 400
    )


def test_an_account_id_customer_and_expiry(client):
    account = client.post(
        "/accounts", json={"contact": {"first": "Al", "last": "Ready", "email": "al@example.com"}}
    ).json()["account"]
    session = create(client, customer={"accountId": account})
    advance(client, days=2)
    assert client.get(f"{BASE}/{session['id']}").json()["status"] == "EXPIRED"
    expired = client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert expired.status_code == 400
    fresh = create(client, customer={"accountId": account})
    order = client.post(f"/_emulator/sessions/{fresh['id']}/complete").json()
    assert order["account"] == account


def test_a_session_without_a_buyer_cannot_complete(client):
    session = create(client, customer={})
    response = client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert response.status_code == 400
    assert "customer" in response.json()["error"]["session"]


@pytest.mark.parametrize(
    "change, code",
    [
        ({"cart": {"lineItems": [{"productPath": "ghost"}]}}, "INVALID_PRODUCT"),
        ({"cart": {"lineItems": [{"productPath": "pro", "quantity": 0}]}}, "INVALID_QUANTITY"),
        (
            {"cart": {"lineItems": [{"productPath": "pro"}, {"productPath": "pro"}]}},
            "DUPLICATE_ITEM",
        ),
        (
            {
                "cart": {
                    "lineItems": [{"productPath": "pro", "customPrice": {"unitPrice": {"EUR": 5}}}]
                }
            },
            "INVALID_PRICE",
        ),
        ({"customer": {"billToContact": {"email": "nope"}}}, "INVALID_EMAIL_FORMAT"),
        ({"customer": {"accountId": "missing"}}, "INVALID_ACCOUNT"),
        ({"customer": "me"}, "INVALID_VALUE"),
        ({"cart": {"lineItems": "pro"}}, "INVALID_VALUE"),
        ({"hidePaymentMethods": ["CASH"]}, "INVALID_VALUE"),
    ],
)
def test_bad_sessions_are_spring_400s(client, change, code):
    response = client.post(BASE, json=body(**change))
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["status"] == "400 BAD_REQUEST"
    assert re.fullmatch(r"FS[A-Z2-7]{26}", error["id"])
    assert error["errors"][0]["errorCode"] == code


def test_unreadable_bodies_and_unknown_sessions(client):
    assert client.post(BASE, content=b"{").status_code == 400
    assert client.post(BASE, json=[]).status_code == 400
    for method, suffix in (
        ("GET", ""),
        ("PUT", ""),
        ("GET", "/payment-methods"),
        ("POST", "/cart/items"),
        ("PUT", "/cart/items/pro"),
        ("DELETE", "/cart/items/pro"),
        ("PUT", "/customer"),
    ):
        response = client.request(method, f"{BASE}/nope{suffix}", json={})
        assert response.status_code == 404, (method, suffix)
    session = create(client)
    assert client.put(f"{BASE}/{session['id']}/customer", json=[1]).status_code == 400
    assert client.put(f"{BASE}/{session['id']}/cart/items/pro", json=[1]).status_code == 400
    assert client.post(f"{BASE}/{session['id']}/cart/items", json=5).status_code == 400
    # A body naming another product than the path: refused, the cart unchanged.
    before = client.get(f"{BASE}/{session['id']}").json()["cart"]
    for path, body in (("pro", {"productPath": "ebook"}), ("pro,pro", {"productPath": "pro"})):
        refused = client.put(f"{BASE}/{session['id']}/cart/items/{path}", json=body)
        assert refused.status_code == 400, refused.text
        assert refused.json()["errors"][0]["field"] == "productPath"
    assert client.get(f"{BASE}/{session['id']}").json()["cart"] == before
    same = {"productPath": "pro", "quantity": 2}
    assert client.put(f"{BASE}/{session['id']}/cart/items/pro", json=same).status_code == 200


def test_custom_price_and_snapshots(client):
    session = create(
        client,
        cart={"lineItems": [{"productPath": "pro", "customPrice": {"unitPrice": {"USD": 7.5}}}]},
    )
    assert session["cart"]["netTotal"] == 7.5
    snapshot = client.get("/_emulator/snapshot").json()
    client.post("/_emulator/reset")
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert client.get(f"{BASE}/{session['id']}").json() == session
    order = client.post(f"/_emulator/sessions/{session['id']}/complete").json()
    assert order["total"] == 7.5
