"""Every event type the lifecycle emits, delivered with expansion on and off (5.4, 5.6)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings
from emulator.receiver import Receiver
from tests.support.clients import basic
from tests.support.shop import START, add_product, buy, subscription_of

EXPECTED_TYPES = {
    "account.created",
    "order.completed",
    "subscription.activated",
    "subscription.trial.reminder",
    "subscription.payment.reminder",
    "subscription.charge.completed",
    "subscription.charge.failed",
    "subscription.payment.overdue",
    "subscription.deactivated",
    "subscription.canceled",
    "subscription.uncanceled",
    "subscription.updated",
    "subscription.paused",
    "subscription.resumed",
    "return.created",
    "payoutEntry.created",
}


@pytest.fixture(scope="module")
def deliveries():
    """One journey through every transition, to an expanding and a plain receiver."""
    with (
        Receiver() as expanded,
        Receiver() as plain,
        TestClient(
            create_app(Settings(seed=9)),
            headers={"Authorization": basic("shapes", "pw"), "User-Agent": "t"},
        ) as client,
    ):
        client.post("/_emulator/clock/freeze")
        client.post("/_emulator/clock/advance", json={"to": START})
        client.post("/_emulator/webhooks", json={"url": expanded.url, "expand": True})
        client.post("/_emulator/webhooks", json={"url": plain.url})
        add_product(
            client,
            "pro",
            overdueNotification={
                "enabled": True,
                "interval": "week",
                "intervalLength": 1,
                "amount": 1,
            },
        )
        add_product(
            client,
            "trial",
            trial=10,
            reminderNotification={"enabled": True, "interval": "day", "intervalLength": 2},
        )
        order = buy(client, "pro")
        sub_id = subscription_of(order)
        buy(client, "trial", email="trial@example.com")
        client.delete(f"/subscriptions/{sub_id}")
        client.post(
            "/subscriptions",
            json={"subscriptions": [{"subscription": sub_id, "deactivation": None}]},
        )
        client.post(f"/subscriptions/{sub_id}/pause", json={"pausePeriodCount": 1})
        client.post("/_emulator/clock/advance", json={"days": 70})
        client.post("/returns", json={"returns": [{"order": order["id"]}]})
        client.post(
            f"/_emulator/accounts/{order['account']}/payment", json={"decline": "EXPIRED_CARD"}
        )
        client.post("/_emulator/clock/advance", json={"days": 60})
        client.post("/_emulator/clock/advance", json={"seconds": 0})
        yield {e["id"]: e for e in expanded.events()}, {e["id"]: e for e in plain.events()}


def test_the_journey_produced_every_event_type(deliveries):
    expanded, plain = deliveries
    assert {e["type"] for e in expanded.values()} == EXPECTED_TYPES
    assert expanded.keys() == plain.keys()


def test_subscription_events_embed_account_and_product_only_when_expanded(deliveries):
    expanded, plain = deliveries
    for event_id, event in expanded.items():
        if event["type"].startswith("subscription.") and "charge" not in event["type"]:
            data, flat = event["data"], plain[event_id]["data"]
            assert data["account"]["address"].keys() >= {"address line 1", "postal code"}
            assert data["product"]["product"] in ("pro", "trial")
            assert flat["account"] == data["account"]["id"]
            assert flat["product"] == data["product"]["product"]
            assert flat["id"] == data["id"] and flat["state"] == data["state"]


def test_order_completed_embeds_account_and_item_subscriptions(deliveries):
    expanded, plain = deliveries
    for event_id, event in expanded.items():
        if event["type"] == "order.completed":
            data, flat = event["data"], plain[event_id]["data"]
            assert isinstance(data["account"], dict) and isinstance(flat["account"], str)
            item, flat_item = data["items"][0], flat["items"][0]
            assert isinstance(item["subscription"], dict)
            assert item["subscription"]["account"] == flat["account"]
            assert flat_item["subscription"] == item["subscription"]["id"]


def test_charge_events_reference_order_account_and_subscription(deliveries):
    expanded, plain = deliveries
    for event_id, event in expanded.items():
        if event["type"] in ("subscription.charge.completed", "subscription.charge.failed"):
            data, flat = event["data"], plain[event_id]["data"]
            assert isinstance(data["account"], dict) and isinstance(data["subscription"], dict)
            assert flat["account"] == data["account"]["id"]
            assert flat["subscription"] == data["subscription"]["id"]
            if event["type"] == "subscription.charge.completed":
                assert data["order"]["account"] == flat["account"]
                assert flat["order"] == data["order"]["id"]
            else:
                assert data["reason"] == flat["reason"] == "EXPIRED_CARD"
                assert data["subscription"]["state"] == "overdue"


def test_account_and_return_events(deliveries):
    expanded, plain = deliveries
    for event_id, event in expanded.items():
        data, flat = event["data"], plain[event_id]["data"]
        if event["type"] == "account.created":
            assert data == flat and "address line 1" in data["address"]
        if event["type"] == "return.created":
            assert isinstance(data["account"], dict) and flat["account"] == data["account"]["id"]
            assert flat["reference"].endswith("X")
