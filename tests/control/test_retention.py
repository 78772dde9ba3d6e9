"""History is capped per store (--retain): oldest first, never what is still pending."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.cli import build_parser
from emulator.config import Settings
from emulator.receiver import Receiver
from emulator.retention import Retention, parse_retention
from tests.support.clients import basic
from tests.support.hooks import flush, hook
from tests.support.shop import START, add_product, buy


def retaining(**caps: int) -> TestClient:
    app = create_app(Settings(seed=5, retention=Retention(**caps)))
    client = TestClient(app, headers={"Authorization": basic("kept", "pw")})
    client.post("/_emulator/clock/freeze")
    client.post("/_emulator/clock/advance", json={"to": START})
    add_product(client, "pro")
    return client


@contextmanager
def hooked(receiver: Receiver, **caps: int) -> Iterator[TestClient]:
    """A running app with these caps, its clock frozen, a product and a webhook."""
    app = create_app(Settings(seed=5, retention=Retention(**caps)))
    with TestClient(app, headers={"Authorization": basic("kept", "pw")}) as client:
        client.post("/_emulator/clock/freeze")
        add_product(client, "pro")
        hook(client, receiver.url)
        yield client


def all_events(client: TestClient, type_: str | None = None) -> dict:
    params = {"limit": 1000} | ({"type": type_} if type_ else {})
    return client.get("/_emulator/events", params=params).json()


def test_the_event_log_keeps_the_newest_events():
    client = retaining(events=40)
    orders = [buy(client, "pro", email=f"e{n}@example.com") for n in range(30)]
    kept = all_events(client)
    assert 36 <= kept["total"] <= 40
    ids = [e["id"] for e in kept["events"]]
    assert len(set(ids)) == len(ids)
    completed = all_events(client, "order.completed")
    assert completed["events"][-1]["data"]["id"] == orders[-1]["id"]
    assert completed["total"] == sum(e["type"] == "order.completed" for e in kept["events"])
    unprocessed = client.get("/events/unprocessed", params={"days": 1})
    assert unprocessed.status_code == 200
    assert len(unprocessed.json()["events"]) <= 40


def test_pending_deliveries_keep_their_events_after_the_log_drops_them():
    replies = iter([(500, b"")] * 1000)
    with Receiver(respond=lambda _: next(replies)) as receiver:
        with hooked(receiver, events=10) as client:
            for n in range(8):
                buy(client, "pro", email=f"p{n}@example.com")
            flush(client)
            first_ids = {e["id"] for r in receiver.requests for e in r["json"]["events"]}
            assert len(first_ids) > 10  # more than the log keeps
            replies = iter([(200, b"")] * 1000)
            client.post("/_emulator/clock/advance", json={"days": 2})
            delivered = {
                e["id"] for r in receiver.requests if r is not None for e in r["json"]["events"]
            }
            attempts = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    acknowledged = {i for a in attempts for i in a["acknowledged"]}
    assert first_ids <= delivered
    assert first_ids <= acknowledged


def test_attempts_and_the_journal_are_capped():
    with Receiver() as receiver:
        with hooked(receiver, attempts=3, journal=5) as client:
            for n in range(6):
                buy(client, "pro", email=f"a{n}@example.com")
                flush(client)
            for _ in range(8):
                client.get("/accounts")
            attempts = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
            journal = client.get("/_emulator/requests").json()["requests"]
    assert len(attempts) == 3
    assert len(journal) == 5


def test_acknowledgements_are_capped_and_wait_still_counts_the_newest():
    with Receiver() as receiver:
        with hooked(receiver, acknowledged=4) as client:
            for n in range(5):
                buy(client, "pro", email=f"w{n}@example.com")
                flush(client)
            waited = client.post("/_emulator/webhooks/wait", json={"count": 4, "timeout": 5}).json()
    assert waited["result"] == "success"
    assert waited["acknowledged"] == 4


def test_finished_deliveries_past_the_cap_are_forgotten_and_redelivery_says_so():
    with Receiver() as receiver:
        with hooked(receiver, deliveries=5) as client:
            for n in range(10):
                buy(client, "pro", email=f"d{n}@example.com")
                flush(client)
            attempts = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
            oldest, newest = attempts[0], attempts[-1]
            assert oldest["finalState"] == "finished, no longer kept"
            refused = client.post(f"/_emulator/webhooks/deliveries/{oldest['id']}/redeliver")
            assert refused.status_code == 400
            assert "no longer kept" in refused.text
            assert newest["finalState"] == "acknowledged"
            again = client.post(f"/_emulator/webhooks/deliveries/{newest['id']}/redeliver")
            assert again.status_code == 200


def test_retention_caps_parse_from_the_flag():
    args = build_parser().parse_args(["serve", "--retain", "events=500, journal=20"])
    assert args.retain == Retention(events=500, journal=20)
    assert parse_retention("") == Retention()


@pytest.mark.parametrize("text", ["events", "events=0", "events=-1", "bogus=3", "events=1e3"])
def test_bad_retention_caps_are_refused(text):
    with pytest.raises(ValueError):
        parse_retention(text)


def test_a_snapshot_keeps_pending_deliveries_whose_events_the_log_dropped():
    replies = iter([(500, b"")] * 1000)
    with Receiver(respond=lambda _: next(replies)) as receiver:
        with hooked(receiver, events=10) as client:
            for n in range(8):
                buy(client, "pro", email=f"s{n}@example.com")
            flush(client)
            snapshot = client.get("/_emulator/snapshot").content
            restored = client.post("/_emulator/snapshot", content=snapshot)
            assert restored.status_code == 200, restored.text
            assert client.get("/_emulator/snapshot").content == snapshot
            pending = {e["id"] for r in receiver.requests for e in r["json"]["events"]}
            replies = iter([(200, b"")] * 1000)
            client.post("/_emulator/clock/advance", json={"days": 2})
            attempts = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    assert pending <= {i for a in attempts for i in a["acknowledged"]}
