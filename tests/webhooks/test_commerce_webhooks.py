"""End to end: quotes, checkout sessions v2 and payment invoices, created through the
API and completed through the control plane, deliver their events as signed webhooks
to a real receiver."""

from __future__ import annotations

import pytest

from emulator.receiver import Receiver
from tests.support.hooks import expected_signature, flush, hook
from tests.support.shop import running_shop


@pytest.fixture
def client():
    with running_shop("commerce-hooks") as client:
        yield client


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


CONTACTS = [
    {
        "contactType": kind,
        "contact": {"email": "inv@example.com", "firstName": "In", "lastName": "Voice"},
        "address": {"country": "US"},
    }
    for kind in ("billTo", "deliverTo")
]


def signed_events(receiver, secret):
    for request in receiver.requests:
        assert request["headers"]["x-fs-signature"] == expected_signature(secret, request["body"])
    return receiver.events()


def test_a_v2_session_completed_as_the_buyer(client, receiver):
    hook(client, receiver.url, secret="v2")
    session = client.post(
        "/v2/checkouts/acme/web-acme/sessions",
        json={
            "customer": {"billToContact": {"email": "v2@example.com", "firstName": "Vee"}},
            "cart": {"lineItems": [{"productPath": "pro"}]},
        },
    ).json()
    order = client.post(f"/_emulator/sessions/{session['id']}/complete").json()
    flush(client)
    events = signed_events(receiver, "v2")
    assert [e["type"] for e in events] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    assert events[1]["data"]["id"] == order["id"]
    sub_id = order["items"][0]["subscription"]
    assert client.get(f"/subscriptions/{sub_id}").json()["state"] == "active"
    assert (
        client.get(f"/accounts/{order['account']}").json()["contact"]["email"] == "v2@example.com"
    )


def test_a_payment_invoice_paid_as_the_buyer(client, receiver):
    hook(client, receiver.url, secret="inv")
    invoice = client.post(
        "/invoices/paymentInvoice",
        json={"contacts": CONTACTS, "invoiceItems": [{"productPath": "pro", "quantity": 2}]},
    ).json()
    paid = client.post(f"/_emulator/invoices/{invoice['id']}/pay").json()
    flush(client)
    events = signed_events(receiver, "inv")
    assert [e["type"] for e in events] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    assert events[1]["data"]["total"] == paid["order"]["total"] == 20.0


def test_a_quote_from_creation_to_payment(client, receiver):
    hook(client, receiver.url, secret="q")
    quote = client.post(
        "/quotes",
        json={
            "name": "Q",
            "items": [{"product": "pro"}],
            "recipient": {"first": "Que", "last": "Buyer", "email": "que@example.com"},
            "recipientAddress": {"country": "US", "postalCode": "10001"},
        },
    ).json()
    client.post(f"/_emulator/quotes/{quote['id']}/invoice")
    client.post(f"/_emulator/quotes/{quote['id']}/pay")
    flush(client)
    events = signed_events(receiver, "q")
    assert [e["type"] for e in events] == [
        "quote.created",
        "account.created",
        "order.payment.pending",
        "quote.updated",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
        "quote.updated",
    ]
    assert [e["data"]["Reason"] for e in events if e["type"].startswith("quote.")] == [
        "Quote Created",
        "Quote Accepted",
        "Quote Completed",
    ]
    pending, completed = events[2]["data"], events[4]["data"]
    assert pending["id"] == completed["id"] and pending["completed"] is False
    assert completed["completed"] is True and completed["quote"] == quote["id"]


NEW_TYPES = {
    "account.updated",
    "order.failed",
    "order.payment.pending",
    "order.approval.pending",
    "order.canceled",
    "chargeback.created",
    "payoutEntry.created",
    "mailingListEntry.updated",
    "mailingListEntry.removed",
    "mailingListEntry.abandoned",
    "fulfillment.failed",
    "quote.created",
    "quote.updated",
    "invoice.reminder.email",
}


def test_every_newer_event_type_is_delivered_signed_with_and_without_expansion(client):
    with Receiver() as expanded, Receiver() as plain:
        hook(client, expanded.url, secret="x", expand=True)
        hook(client, plain.url, secret="y")
        contact = {"first": "Eve", "last": "Ent", "email": "eve@example.com"}
        paid = client.post(
            "/_emulator/orders",
            json={"contact": contact, "items": [{"product": "pro"}], "mailingList": True},
        ).json()
        client.post(f"/accounts/{paid['account']}", json={"contact": {"company": "Eve Co"}})
        client.post(f"/_emulator/orders/{paid['id']}/chargeback")
        client.post(f"/_emulator/orders/{paid['id']}/fulfillment-failure")
        client.post("/_emulator/mailing-list/unsubscribe", json={"email": "eve@example.com"})
        for outcome in ("failed", "approval-pending"):
            order = client.post(
                "/_emulator/orders",
                json={"contact": contact, "items": [{"product": "pro"}], "outcome": outcome},
            ).json()
        client.post(f"/_emulator/orders/{order['id']}/approve")
        client.post(f"/_emulator/orders/{order['id']}/cancel")
        session = client.post(
            "/v2/checkouts/s/c/sessions",
            json={"customer": {"billToContact": {"email": "eve@example.com"}}},
        ).json()
        client.post(f"/_emulator/sessions/{session['id']}/abandon")
        quote = client.post(
            "/quotes",
            json={
                "name": "Q",
                "items": [{"product": "pro"}],
                "netTermsDays": 7,
                "recipient": contact,
                "recipientAddress": {"country": "US"},
            },
        ).json()
        client.post(f"/_emulator/quotes/{quote['id']}/invoice")
        client.post("/_emulator/clock/advance", json={"days": 8})
        flush(client)
        big = {e["id"]: e for e in signed_events(expanded, "x")}
        small = {e["id"]: e for e in signed_events(plain, "y")}
    assert {e["type"] for e in big.values()} >= NEW_TYPES
    assert big.keys() == small.keys()
    for event_id, event in big.items():
        if event["type"] in ("payoutEntry.created", "order.failed", "order.canceled"):
            assert isinstance(event["data"]["account"], dict)
            assert isinstance(small[event_id]["data"]["account"], str)
        if event["type"] == "chargeback.created":
            assert isinstance(event["data"]["order"], dict)
            assert small[event_id]["data"]["order"] == event["data"]["id"]
