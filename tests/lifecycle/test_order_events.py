"""The events FastSpring sends besides a completed purchase, and the control paths that
trigger them: failed and pending orders, chargebacks, payout entries, mailing-list
entries, failed fulfillments, account updates and invoice reminders."""

from __future__ import annotations

import pytest

from emulator.config import Settings
from tests.support.shop import add_product, advance, buy, events, shop, subscription_of

CONTACT = {"first": "Olive", "last": "Order", "email": "olive@example.com"}


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 20.0})
    add_product(client, "ebook", interval=None, price={"USD": 10.0})
    return client


def checkout(client, **extra):
    response = client.post(
        "/_emulator/orders",
        json={"contact": CONTACT, "items": [{"product": "pro"}, {"product": "ebook"}]} | extra,
    )
    assert response.status_code == 200, response.text
    return response.json()


def types(client):
    return [e["type"] for e in events(client)]


def test_a_failed_checkout(client):
    order = checkout(client, outcome="failed")
    assert order["completed"] is False and all(i["subscription"] is None for i in order["items"])
    assert types(client) == ["account.created", "order.failed"]
    data = events(client, "order.failed")[0]["data"]
    assert data["completed"] is False and data["account"]["id"] == order["account"]
    assert client.get("/subscriptions").json()["subscriptions"] == []
    assert client.post(f"/_emulator/orders/{order['id']}/complete").status_code == 400
    searched = client.get("/orders", params={"status": "failed"}).json()["orders"]
    assert [o["id"] for o in searched] == [order["id"]]


def test_a_pending_payment_completes_later(client):
    order = checkout(client, outcome="payment-pending", coupon=None)
    assert order["completed"] is False
    assert types(client) == ["account.created", "order.payment.pending"]
    done = client.post(f"/_emulator/orders/{order['id']}/complete").json()
    assert done["id"] == order["id"] and done["completed"] is True
    assert done["items"][0]["subscription"] is not None
    assert types(client)[2:] == ["order.completed", "subscription.activated", "payoutEntry.created"]
    account = client.get(f"/accounts/{order['account']}").json()
    assert [c["order"] for c in account["charges"]] == [order["id"]]


def test_approval_then_payment_or_cancel(client):
    first = checkout(client, outcome="approval-pending")
    assert types(client)[-1] == "order.approval.pending"
    assert client.post(f"/_emulator/orders/{first['id']}/approve").status_code == 200
    assert types(client)[-1] == "order.payment.pending"
    assert client.post(f"/_emulator/orders/{first['id']}/approve").status_code == 400
    canceled = client.post(f"/_emulator/orders/{first['id']}/cancel").json()
    assert canceled["completed"] is False and types(client)[-1] == "order.canceled"
    assert client.post(f"/_emulator/orders/{first['id']}/complete").status_code == 400
    assert (
        client.post(
            "/_emulator/orders",
            json={"contact": CONTACT, "items": [{"product": "pro"}], "outcome": "maybe"},
        ).status_code
        == 400
    )


def test_payout_entries_for_orders_rebills_and_returns(client):
    order = checkout(client)
    payout = events(client, "payoutEntry.created")[0]["data"]
    assert (payout["orderId"], payout["reference"], payout["quote"]) == (
        order["id"],
        order["reference"],
        None,
    )
    assert payout["payouts"][0]["total"] == "30.00" and payout["payouts"][0]["payout"] == "27.33"
    assert payout["subtractions"]["fastspring"] == {
        "currency": "USD",
        "amount": 2.67,
        "percentage": 8.9,
    }
    assert payout["subscriptions"] == [order["items"][0]["subscription"]]
    advance(client, to="2027-02-16T00:00:00Z")
    assert events(client, "payoutEntry.created")[-1]["data"]["payouts"][0]["total"] == "20.00"
    client.post("/returns", json={"returns": [{"order": order["id"]}]})
    refund = events(client, "payoutEntry.created")[-1]["data"]
    assert refund["payouts"][0]["total"] == "-30.00" and "return" in refund


def test_chargebacks(client):
    order = checkout(client)
    response = client.post(f"/_emulator/orders/{order['id']}/chargeback", json={"amount": 12.5})
    assert response.status_code == 200, response.text
    data = events(client, "chargeback.created")[0]["data"]
    assert {
        k: data[k]
        for k in (
            "id",
            "reasonCode",
            "reasonDescription",
            "fraudType",
            "chargebackAmount",
            "currency",
            "status",
            "paymentMethod",
        )
    } == {
        "id": order["id"],
        "reasonCode": "4837",
        "reasonDescription": "FRAUDULENT",
        "fraudType": "true",
        "chargebackAmount": 12.5,
        "currency": "USD",
        "status": "NEW",
        "paymentMethod": "CREDIT_CARD",
    }
    assert data["order"]["id"] == order["id"]
    assert data["creationDate"] == "Fri Jan 15 10:00:00 UTC 2027"
    again = client.post(f"/_emulator/orders/{order['id']}/chargeback")
    assert again.status_code == 400
    for body in ({"amount": 0}, {"amount": 999}, {"reasonCode": 5}):
        fresh = checkout(client, contact={**CONTACT, "email": f"c{len(str(body))}@e.com"})
        assert (
            client.post(f"/_emulator/orders/{fresh['id']}/chargeback", json=body).status_code == 400
        )
    pending = checkout(client, outcome="payment-pending")
    assert client.post(f"/_emulator/orders/{pending['id']}/chargeback").status_code == 400
    assert client.post("/_emulator/orders/nope/chargeback").status_code == 400


def test_mailing_list_entries(client):
    order = checkout(client, mailingList=True)
    updated = events(client, "mailingListEntry.updated")[0]["data"]
    assert (updated["list"], updated["reason"], updated["email"]) == (
        "subscribed",
        "subscribed",
        "olive@example.com",
    )
    assert len(updated["id"]) == 64 and updated["order"]["reference"] == order["reference"]
    assert (
        client.post(
            "/_emulator/mailing-list/unsubscribe", json={"email": "olive@example.com"}
        ).status_code
        == 200
    )
    removed = events(client, "mailingListEntry.removed")[0]["data"]
    assert (removed["list"], removed["reason"]) == ("unsubscribed", "unsubscribed")
    assert (
        client.post(
            "/_emulator/mailing-list/unsubscribe", json={"email": "olive@example.com"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/_emulator/orders",
            json={"contact": CONTACT, "items": [{"product": "pro"}], "mailingList": "yes"},
        ).status_code
        == 400
    )


def test_abandoned_carts_and_their_purchase(client):
    session = client.post(
        "/v2/checkouts/s/c/sessions",
        json={
            "customer": {"billToContact": {"email": "ab@example.com"}},
            "cart": {"lineItems": [{"productPath": "ebook"}]},
        },
    ).json()
    assert client.post(f"/_emulator/sessions/{session['id']}/abandon").status_code == 200
    abandoned = events(client, "mailingListEntry.abandoned")[0]["data"]
    assert (abandoned["list"], abandoned["order"]["session"]) == ("abandoned", session["id"])
    assert abandoned["order"]["items"][0]["product"] == "ebook"
    client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert types(client)[-1] == "mailingListEntry.removed"
    account = buy(client, "ebook", email="v1@example.com")["account"]
    v1 = client.post("/sessions", json={"account": account, "items": [{"product": "ebook"}]})
    assert client.post(f"/_emulator/sessions/{v1.json()['id']}/abandon").status_code == 200
    assert events(client, "mailingListEntry.abandoned")[-1]["data"]["email"] == "v1@example.com"
    assert client.post("/_emulator/sessions/nope/abandon").status_code == 400
    nobody = client.post("/v2/checkouts/s/c/sessions", json={}).json()
    assert client.post(f"/_emulator/sessions/{nobody['id']}/abandon").status_code == 400


def test_a_failed_fulfillment(client):
    order = checkout(client)
    response = client.post(
        f"/_emulator/orders/{order['id']}/fulfillment-failure", json={"product": "ebook"}
    )
    assert response.status_code == 200
    data = events(client, "fulfillment.failed")[0]["data"]
    assert set(data) == {
        "product",
        "quote",
        "fulfillment",
        "type",
        "order",
        "reference",
        "account",
        "subscription",
        "reason",
    }
    assert (data["product"], data["order"], data["type"]) == ("ebook", order["id"], "License")
    assert (
        client.post(
            f"/_emulator/orders/{order['id']}/fulfillment-failure", json={"product": "ghost"}
        ).status_code
        == 400
    )


def test_account_updates(client):
    order = checkout(client)
    account_id = order["account"]
    client.post(f"/accounts/{account_id}", json={"contact": {"first": "Olive"}})
    assert "account.updated" not in types(client)  # nothing changed
    client.post(f"/accounts/{account_id}", json={"contact": {"company": "Olive Oil Ltd"}})
    updated = events(client, "account.updated")
    assert len(updated) == 1 and updated[0]["data"]["contact"]["company"] == "Olive Oil Ltd"
    assert "changedDisplay" in updated[0]["data"]
    checkout(client, contact={**CONTACT, "last": "Married"})
    assert types(client).count("account.updated") == 2
    assert client.get(f"/accounts/{account_id}").json()["contact"]["last"] == "Married"


def test_account_created_on_the_api_is_a_setting(make_client):
    quiet = make_client(Settings(seed=2))
    quiet.post("/accounts", json={"contact": CONTACT})
    assert events(quiet) == []
    loud = make_client(Settings(seed=2, api_account_created=True))
    loud.post("/accounts", json={"contact": CONTACT})
    assert [e["type"] for e in events(loud)] == ["account.created"]


def test_invoice_reminders_for_an_accepted_quote(client):
    quote = client.post(
        "/quotes",
        json={
            "name": "Q",
            "items": [{"product": "pro"}],
            "netTermsDays": 30,
            "recipient": {"first": "Quinn", "last": "Buyer", "email": "q@example.com"},
            "recipientAddress": {"country": "US", "postalCode": "10001"},
        },
    ).json()
    client.post(f"/_emulator/quotes/{quote['id']}/invoice")
    moved = advance(client, days=31)
    reminders = events(client, "invoice.reminder.email")
    assert [r["data"]["dueDate"] for r in reminders] == ["2027-02-14", "2027-02-14"]
    assert [t["transition"] for t in moved["transitions"]] == ["invoice reminder"] * 2
    data = reminders[0]["data"]
    assert data["id"] == client.get(f"/quotes/{quote['id']}").json()["invoiceId"]
    assert data["contact"]["email"] == "q@example.com" and data["total"] == 20.0
    client.post(f"/_emulator/quotes/{quote['id']}/pay")
    advance(client, days=40)
    assert len(events(client, "invoice.reminder.email")) == 2


def test_a_canceled_accepted_quote_cancels_its_order(client):
    quote = client.post(
        "/quotes",
        json={
            "name": "Q",
            "items": [{"product": "pro"}],
            "recipient": {"first": "Quinn", "last": "Buyer", "email": "q@example.com"},
            "recipientAddress": {"country": "US", "postalCode": "10001"},
        },
    ).json()
    client.post(f"/_emulator/quotes/{quote['id']}/invoice")
    client.post(f"/quotes/{quote['id']}/cancel")
    assert types(client)[-2:] == ["order.canceled", "quote.updated"]
    advance(client, days=40)
    assert events(client, "invoice.reminder.email") == []


def test_pending_orders_survive_a_snapshot(client):
    order = checkout(client, outcome="payment-pending", mailingList=True)
    snapshot = client.get("/_emulator/snapshot").json()
    client.post("/_emulator/reset")
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert client.get("/_emulator/snapshot").json() == snapshot
    done = client.post(f"/_emulator/orders/{order['id']}/complete").json()
    assert done["completed"] is True and subscription_of(done)
