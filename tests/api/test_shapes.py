"""Shapes FastSpring's clients read: order addresses and items, subscription payment
and fee keys, estimates, products' actions and paid trials, strictly increasing
`changed`, and the stored card set through the control plane."""

from __future__ import annotations

import pytest

from tests.support.shop import add_product, buy, events, shop, sub, subscription_of


@pytest.fixture
def client():
    client = shop()
    add_product(
        client,
        "pro",
        price={"USD": 20.0},
        setupFee={"title": {"en": "Setup"}, "price": {"USD": 5.0}},
    )
    add_product(client, "team", price={"USD": 50.0})
    return client


def test_an_order_carries_the_buyers_address_and_item_drivers(client):
    account = client.post(
        "/accounts",
        json={
            "contact": {"first": "Ada", "last": "Ress", "email": "ada@example.com"},
            "country": "US",
            "address": {
                "addressLine1": "801 Garden St",
                "city": "Santa Barbara",
                "postalCode": "93101",
                "region": "CA",
            },
        },
    ).json()["account"]
    order = client.post(
        "/_emulator/orders", json={"account": account, "items": [{"product": "pro"}]}
    ).json()
    assert order["address"] == {
        "addressLine1": "801 Garden St",
        "city": "Santa Barbara",
        "country": "US",
        "display": "Santa Barbara, CA, 93101, US",
        "postalCode": "93101",
        "region": "CA",
        "regionCode": "CA",
        "regionDisplay": "CA",
    }
    assert order["recipients"][0]["recipient"]["address"] == order["address"]
    assert order["payment"]["bank"] is None and order["payment"]["creditCard"] == "visa"
    plan, fee = order["items"]
    assert plan["driver"] is None and fee["driver"] == {"type": "one_time_fee", "path": "pro"}
    assert fee["taxWithholding"]["taxWithholding"] == "false"
    expanded = events(client, "order.completed")[0]["data"]
    assert expanded["recipients"][0]["recipient"]["account"]["id"] == account


def test_a_subscription_shows_its_setup_fee_card_and_coupon_terms(client):
    client.post(
        "/coupons",
        json={
            "coupon": "c",
            "codes": ["TEN"],
            "discountPeriodCount": 3,
            "discount": {"type": "percent", "percent": 10},
        },
    )
    sub_id = subscription_of(buy(client, "pro", coupon="TEN"))
    s = sub(client, sub_id)
    assert s["setupFee"] == {"title": {"en": "Setup"}, "price": {"USD": 5.0}}
    assert (s["paymentMethod"], s["cardType"], s["cardEnding"], s["expiry"]) == (
        "CREDIT_CARD",
        "VISA",
        "4242",
        "12/30",
    )
    assert s["discounts"] == [{"discountPath": "pro", "discountDuration": 2, "percentValue": 10.0}]
    regular = s["instructions"][-1]
    assert (regular["unitDiscount"], regular["discountTotal"]) == (2.0, 2.0)
    assert regular["discountDurationLength"] == 2 and regular["discountIntervalUnit"] == "month"


def test_a_new_card_from_the_control_plane(client):
    order = buy(client, "pro")
    response = client.post(
        f"/_emulator/accounts/{order['account']}/payment",
        json={"card": {"cardType": "MASTERCARD", "cardEnding": "5454", "expiry": "01/29"}},
    )
    assert response.status_code == 200 and response.json()["card"]["cardType"] == "MASTERCARD"
    s = sub(client, subscription_of(order))
    assert (s["cardType"], s["cardEnding"], s["expiry"]) == ("MASTERCARD", "5454", "01/29")
    updated = events(client, "subscription.updated")[-1]["data"]
    assert updated["paymentMethodAction"] == "updated"
    assert updated["paymentMethod"] == {
        "type": "card",
        "cardBrand": "MASTERCARD",
        "lastFour": "5454",
        "expirationDate": "01/29",
    }
    for card in (
        {"cardEnding": "54"},
        {"expiry": "13/29"},
        {"colour": "red"},
        "visa",
        {"cardType": 4},
    ):
        bad = client.post(f"/_emulator/accounts/{order['account']}/payment", json={"card": card})
        assert bad.status_code == 400, card


def test_a_trial_subscription_shows_its_reminder(client):
    add_product(
        client,
        "trial",
        trial=14,
        reminderNotification={"enabled": True, "interval": "day", "intervalLength": 3},
    )
    s = sub(client, subscription_of(buy(client, "trial")))
    assert s["trialReminder"] == {"intervalUnit": "day", "intervalLength": 3}
    assert "trialReminder" not in sub(
        client, subscription_of(buy(client, "pro", email="nt@example.com"))
    )


def test_the_estimate_plans_and_the_short_pricing_form(client):
    sub_id = subscription_of(buy(client, "pro"))
    response = client.post(
        "/subscriptions/estimate", json={"subscription": sub_id, "pricing": {"USD": 30.0}}
    )
    assert response.status_code == 200, response.text
    estimate = response.json()
    current, proposed = estimate["currentPlan"], estimate["proposedPlan"]
    assert proposed["price"] == 30.0
    for plan in (current, proposed):
        assert plan["taxPercentDisplay"] == "0%"
        assert plan["periodStartDate"] == estimate["periodStartDate"]
        assert "periodEndDateDisplayISO8601" in plan
        assert {"proratedItemCharge", "proratedItemCredit"} <= set(plan)
    assert current["proratedItemCharge"] == 0.0 and proposed["proratedItemCredit"] == 0.0


def test_products_answer_update_and_refuse_a_free_paid_trial(client):
    again = client.post(
        "/products",
        json={
            "products": [
                {"product": "pro", "display": {"en": "Pro"}},
                {"product": "brand-new", "pricing": {"price": {"USD": 1}}},
            ]
        },
    ).json()
    assert [r["action"] for r in again["products"]] == ["product.updated", "product.create"]
    bad = client.post(
        "/products",
        json={
            "products": [
                {
                    "product": "paid",
                    "pricing": {
                        "interval": "month",
                        "price": {"USD": 20},
                        "trial": 7,
                        "paidTrial": True,
                        "trialPrice": {"USD": 0},
                    },
                }
            ]
        },
    )
    assert bad.status_code == 400
    assert bad.json()["products"][0]["error"]["trialPrice"].startswith("price must be defined")


def test_a_paid_trial_charges_its_trial_price(client):
    add_product(client, "paid", trial=7, paidTrial=True, trialPrice={"USD": 1.99})
    order = buy(client, "paid")
    assert order["total"] == 1.99
    assert sub(client, subscription_of(order))["state"] == "trial"


def test_changed_strictly_increases_at_a_frozen_instant(client):
    order = buy(client, "pro")
    sub_id = subscription_of(order)
    first = sub(client, sub_id)["changed"]
    client.post("/subscriptions", json={"subscriptions": [{"subscription": sub_id, "quantity": 2}]})
    second = sub(client, sub_id)["changed"]
    client.post("/subscriptions", json={"subscriptions": [{"subscription": sub_id, "quantity": 3}]})
    third = sub(client, sub_id)["changed"]
    assert first < second < third
    before = client.get(f"/orders/{order['id']}").json()["changed"]
    client.post("/orders", json={"orders": [{"order": order["id"], "tags": {"a": "b"}}]})
    assert client.get(f"/orders/{order['id']}").json()["changed"] > before
