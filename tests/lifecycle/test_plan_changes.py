"""Plan changes: proration and its preview, estimate, add-ons, history and convert."""

from __future__ import annotations

import pytest

from tests.support.shop import (
    add_product,
    advance,
    buy,
    day,
    event_types,
    events,
    shop,
    sub,
    subscription_of,
)


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 30.0})
    add_product(client, "team", price={"USD": 60.0})
    add_product(client, "seat", price={"USD": 3.0})
    return client


@pytest.fixture
def sub_id(client):
    """A pro subscription on 2027-01-25: 21 of its 31-day period are left."""
    sub_id = subscription_of(buy(client, "pro"))
    advance(client, to="2027-01-25T10:00:00Z")
    return sub_id


def update(client, sub_id, **fields):
    return client.post(
        "/subscriptions", json={"subscriptions": [{"subscription": sub_id, **fields}]}
    )


def test_prorated_upgrade_charges_the_rest_of_the_period_now(client, sub_id):
    response = update(client, sub_id, product="team", prorate=True)
    assert response.json()["subscriptions"][0]["result"] == "success"
    assert event_types(client)[-3:] == [
        "subscription.updated",
        "subscription.charge.completed",
        "payoutEntry.created",
    ]
    charge = events(client, "subscription.charge.completed")[-1]["data"]
    assert charge["total"] == 20.32 and not charge["order"]["reference"].endswith("B")
    entries = client.get(f"/subscriptions/{sub_id}/entries").json()
    assert len(entries) == 2 and entries[0]["order"]["total"] == 20.32
    s = sub(client, sub_id)
    assert (s["product"], s["sequence"], s["nextChargeTotal"]) == ("team", 1, 60.0)


def test_prorated_downgrade_credits_a_return(client, sub_id):
    update(client, sub_id, product="team")
    update(client, sub_id, product="pro", prorate=True)
    (credit,) = events(client, "return.created")
    assert credit["data"]["totalReturn"] == 20.32
    assert credit["data"]["reference"].endswith("X")


def test_unprorated_change_charges_nothing_now(client, sub_id):
    update(client, sub_id, product="team")
    assert "subscription.charge.completed" not in event_types(client)
    advance(client, to="2027-02-15T00:00:00Z")
    assert events(client, "subscription.charge.completed")[-1]["data"]["total"] == 60.0


def test_preview_returns_the_estimate_and_commits_nothing(client, sub_id):
    before = event_types(client)
    response = update(client, sub_id, product="team", prorate=True, preview=True)
    (record,) = response.json()["subscriptions"]
    assert record["result"] == "success"
    assert record["preview"]["amountDue"]["totalAmountDue"] == 20.32
    assert sub(client, sub_id)["product"] == "pro" and event_types(client) == before


def test_preview_needs_prorate_and_prorate_refuses_next_changes(client, sub_id):
    assert update(client, sub_id, quantity=2, preview=True).json()["subscriptions"][0]["error"] == {
        "preview": "preview is only supported with prorate: true"
    }
    assert update(client, sub_id, next="2027-03-01", prorate=True).json()["subscriptions"][0][
        "error"
    ] == {"prorate": "Can't prorate a change of the next charge date"}


def test_a_declined_proration_charge_changes_nothing(client, sub_id):
    account = sub(client, sub_id)["account"]
    client.post(f"/_emulator/accounts/{account}/payment", json={"decline": "EXPIRED_CARD"})
    response = update(client, sub_id, product="team", prorate=True)
    assert response.json()["subscriptions"][0]["error"] == {"prorate": "EXPIRED_CARD"}
    assert sub(client, sub_id)["product"] == "pro"


def test_estimate(client, sub_id):
    response = client.post(
        "/subscriptions/estimate", json={"subscription": sub_id, "product": "team", "quantity": 1}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["subscription"] == sub_id and body["timezone"] == "UTC"
    assert body["periodStartDate"] == day("2027-01-15")
    assert body["periodEndDateDisplayISO8601"] == "2027-02-14"
    assert body["currentPlan"]["product"] == "pro"
    assert body["currentPlan"]["billingFrequency"] == "1 month"
    assert body["proposedPlan"]["product"] == "team"
    assert body["proposedPlan"]["proratedItemCharge"] == 20.32
    assert body["amountDue"]["nextChargeAmount"] == 60.0
    assert body["amountDue"]["nextChargeDateDisplayISO8601"] == "2027-02-15"
    assert sub(client, sub_id)["product"] == "pro"


@pytest.mark.parametrize(
    "body", [{"subscription": "nope"}, {}, {"subscription": None, "product": "team"}]
)
def test_estimate_of_an_unchangeable_subscription(client, body):
    response = client.post("/subscriptions/estimate", json=body)
    assert response.status_code == 400
    assert response.json()["action"] == "subscriptions.estimate.update"
    assert response.json()["error"] == {"subscription": "Subscription is not changeable."}


def test_estimate_field_errors(client, sub_id):
    response = client.post("/subscriptions/estimate", json={"subscription": sub_id, "quantity": 0})
    assert response.json()["error"] == {"quantity": "Must be greater than zero"}


def test_addons_add_edit_and_remove(client, sub_id):
    update(client, sub_id, addons=[{"product": "seat", "quantity": 4}])
    s = sub(client, sub_id)
    assert [(a["product"], a["quantity"], a["subtotal"]) for a in s["addons"]] == [
        ("seat", 4, 12.0)
    ]
    assert s["subtotal"] == 42.0 and s["nextChargeTotal"] == 42.0
    update(
        client,
        sub_id,
        addons=[{"product": "seat", "quantity": 2, "pricing": {"price": {"USD": 5.0}}}],
    )
    assert sub(client, sub_id)["addons"][0]["subtotal"] == 10.0
    advance(client, to="2027-02-15T00:00:00Z")
    rebill = events(client, "subscription.charge.completed")[-1]["data"]["order"]
    assert [(i["product"], i["subtotal"]) for i in rebill["items"]] == [
        ("pro", 30.0),
        ("seat", 10.0),
    ]
    update(client, sub_id, addons=[{"product": "seat", "quantity": 0}])
    assert sub(client, sub_id)["addons"] == []


@pytest.mark.parametrize(
    "addons",
    ["seat", [{"product": "nope"}], [{"product": "pro"}], [{"product": "seat", "quantity": -1}]],
)
def test_bad_addons(client, sub_id, addons):
    response = update(client, sub_id, addons=addons)
    assert response.status_code == 400
    assert "addons" in response.json()["subscriptions"][0]["error"]


def test_history_lists_every_plan(client, sub_id):
    update(client, sub_id, quantity=2)
    update(client, sub_id, addons=[{"product": "seat", "quantity": 1}])
    body = client.get(f"/subscriptions/{sub_id}/history").json()
    assert body["action"] == "subscription.history" and body["subscription"] == sub_id
    assert [(h["type"], h["product"], h["quantity"]) for h in body["history"]] == [
        ("base_plan", "pro", 1),
        ("base_plan", "pro", 2),
        ("base_plan", "pro", 2),
        ("add_on", "seat", 1),
    ]
    newest = client.get(
        f"/subscriptions/{sub_id}/history", params={"scope": "add_on", "order": "decreasing"}
    ).json()
    assert [h["product"] for h in newest["history"]] == ["seat"]
    for params in ({"scope": "x"}, {"order": "up"}):
        assert client.get(f"/subscriptions/{sub_id}/history", params=params).status_code == 400
    assert client.get("/subscriptions/nope/history").status_code == 400


def test_trial_without_a_payment_method_then_convert(client):
    add_product(client, "free-trial", trial=7, paymentCollected=False)
    order = buy(client, "free-trial", email="trial@example.com")
    sub_id = subscription_of(order)
    assert client.get(f"/accounts/{order['account']}").json()["payment"]["methods"] == 0
    advance(client, days=8)
    s = sub(client, sub_id)
    assert (s["state"], s["declineReason"]) == ("overdue", "NO_PAYMENT_METHOD")
    response = client.post(f"/subscriptions/{sub_id}/convert")
    assert response.status_code == 200
    session = response.json()
    assert session["account"] == order["account"] and session["order"] is None
    assert session["items"] == [{"product": "free-trial", "quantity": 1}]
    completed = client.post(f"/_emulator/sessions/{session['id']}/complete").json()
    assert completed["account"] == order["account"]


def test_convert_errors(client, sub_id):
    assert client.post("/subscriptions/nope/convert").json() == {
        "action": "subscription.convert",
        "result": "error",
        "error": {"subscription.convert": "Unable to find subscription."},
    }
    response = client.post(f"/subscriptions/{sub_id}/convert")
    assert response.status_code == 400
    assert "expired trial" in response.json()["error"]["subscription.convert"]
