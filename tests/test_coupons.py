"""Coupons: defined through the control plane, used at checkout and in updates."""

from __future__ import annotations

import pytest

from tests.shop import add_product, advance, buy, events, shop, sub, subscription_of


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 20.0})
    add_product(client, "ebook", interval=None, price={"USD": 10.0})
    return client


def define(client, **coupon):
    response = client.post("/_emulator/coupons", json=coupon)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_percent_coupon_discounts_the_purchase_and_n_periods(client):
    define(client, coupon="SAVE25", discount={"percent": 25}, periods=2)
    order = buy(client, "pro", coupon="SAVE25")
    assert order["coupons"] == ["SAVE25"] and order["discount"] == 5.0
    assert order["total"] == 15.0 and order["items"][0]["coupon"] == "SAVE25"
    sub_id = subscription_of(order)
    s = sub(client, sub_id)
    assert (s["discount"], s["discountDuration"], s["nextChargeTotal"]) == (5.0, 1, 15.0)
    assert s["coupons"] == ["SAVE25"]
    advance(client, to="2027-03-16T00:00:00Z")
    totals = [e["data"]["total"] for e in events(client, "subscription.charge.completed")]
    assert totals == [15.0, 20.0]
    assert sub(client, sub_id)["coupons"] == []


def test_an_amount_coupon_limited_to_some_products(client):
    define(client, coupon="TENOFF", discount={"amount": {"USD": 10}}, products=["ebook"])
    order = client.post("/_emulator/orders", json={
        "contact": {"first": "A", "last": "B", "email": "a@example.com"},
        "items": [{"product": "pro"}, {"product": "ebook", "quantity": 2}],
        "coupon": "TENOFF"}).json()
    assert [i["discount"] for i in order["items"]] == [0.0, 20.0]
    assert order["total"] == 20.0
    assert sub(client, subscription_of(order))["coupons"] == []


def test_coupons_in_a_subscription_update(client):
    define(client, coupon="HALF", discount={"percent": 50})
    sub_id = subscription_of(buy(client, "pro"))
    response = client.post("/subscriptions", json={"subscriptions": [
        {"subscription": sub_id, "coupons": ["HALF"]}]})
    assert response.status_code == 200
    assert sub(client, sub_id)["nextChargeTotal"] == 10.0
    client.post("/subscriptions", json={"subscriptions": [
        {"subscription": sub_id, "coupons": []}]})
    assert sub(client, sub_id)["nextChargeTotal"] == 20.0


def test_coupon_rules_and_their_documented_errors(client):
    define(client, coupon="ONCE", discount={"percent": 10}, maxUses=1)
    define(client, coupon="LATER", discount={"percent": 10}, validFrom="2030-01-01T00:00:00Z")
    buy(client, "pro", coupon="ONCE")
    for code, reason in (("ONCE", "USE_LIMIT_REACHED"), ("LATER", "NOT_VALID_TODAY"),
                         ("NOPE", "DOES_NOT_EXIST")):
        response = client.post("/_emulator/orders", json={
            "contact": {"first": "A", "last": "B", "email": f"{code}@example.com"},
            "items": [{"product": "pro"}], "coupon": code})
        assert response.status_code == 400
        assert response.json()["error"] == {
            "coupon": f"coupon_code is not a valid coupon: {reason}"}
    listed = client.get("/_emulator/coupons").json()["coupons"]
    assert [(c["coupon"], c["uses"]) for c in listed] == [("ONCE", 1), ("LATER", 0)]


def test_a_session_carries_its_coupon(client):
    define(client, coupon="SAVE5", discount={"amount": {"USD": 5}})
    account = buy(client, "ebook")["account"]
    session = client.post("/sessions", json={"account": account, "coupon": "SAVE5",
                                             "items": [{"product": "ebook"}]}).json()
    order = client.post(f"/_emulator/sessions/{session['id']}/complete").json()
    assert order["total"] == 5.0 and order["coupons"] == ["SAVE5"]


@pytest.mark.parametrize("body, field", [
    ({"discount": {"percent": 10}}, "coupon"),
    ({"coupon": "bad code", "discount": {"percent": 10}}, "coupon"),
    ({"coupon": "X"}, "discount"),
    ({"coupon": "X", "discount": {"percent": 0}}, "discount"),
    ({"coupon": "X", "discount": {"percent": 10, "amount": {"USD": 1}}}, "discount"),
    ({"coupon": "X", "discount": {"amount": {"USD": -1}}}, "discount"),
    ({"coupon": "X", "discount": {"percent": 5}, "periods": 0}, "periods"),
    ({"coupon": "X", "discount": {"percent": 5}, "products": "pro"}, "products"),
    ({"coupon": "X", "discount": {"percent": 5}, "validUntil": "soon"}, "validUntil"),
])
def test_bad_coupon_definitions(client, body, field):
    response = client.post("/_emulator/coupons", json=body)
    assert response.status_code == 400
    assert field in response.json()["error"]
    assert client.get("/_emulator/coupons").json()["coupons"] == []
