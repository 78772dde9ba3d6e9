"""Signed webhook delivery to a real receiver on 127.0.0.1."""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit

import pytest

from emulator.receiver import Receiver, dead_url
from tests.support.clients import basic
from tests.support.hooks import expected_signature, flush, hook, log_ids
from tests.support.shop import buy, running_shop


@pytest.fixture
def client():
    with running_shop() as client:
        yield client


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


# --- the request ----------------------------------------------------------------------


def test_delivery_is_a_signed_batch_of_events(client, receiver):
    hook(client, receiver.url, secret="s3cr3t")
    buy(client, "pro")
    flush(client)
    (request,) = receiver.requests
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["x-fs-signature"] == expected_signature("s3cr3t", request["body"])
    assert request["headers"]["x-fs-signature"] != expected_signature("wrong", request["body"])
    events = request["json"]["events"]
    assert [e["type"] for e in events] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    assert [e["id"] for e in events] == log_ids(client)
    for event in events:
        assert set(event) == {"id", "live", "processed", "type", "created", "data"}
        assert event["live"] is False and event["processed"] is False


def test_no_signature_without_a_secret(client, receiver):
    hook(client, receiver.url)
    buy(client, "pro")
    flush(client)
    assert "x-fs-signature" not in receiver.requests[0]["headers"]


def test_rotating_the_secret_with_webhooks_keys(client, receiver):
    hook(client, receiver.url, secret="old")
    response = client.post("/webhooks/keys", json={"url": receiver.url, "hmacSecret": "new"})
    assert response.status_code == 200 and response.json()["result"] == "success"
    buy(client, "pro")
    flush(client)
    request = receiver.requests[0]
    assert request["headers"]["x-fs-signature"] == expected_signature("new", request["body"])
    assert client.get("/_emulator/webhooks").json()["webhooks"][0]["secret"] == "new"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "http://elsewhere/hook", "hmacSecret": "x"}, "url"),
        ({"hmacSecret": "x"}, "url"),
        ({"url": "U", "hmacSecret": ""}, "hmacSecret"),
        ({"url": "U", "hmacSecret": "x" * 101}, "hmacSecret"),
    ],
)
def test_webhooks_keys_errors(client, receiver, body, field):
    hook(client, receiver.url)
    body = {**body, "url": receiver.url} if body.get("url") == "U" else body
    response = client.post("/webhooks/keys", json=body)
    assert response.status_code == 400 and field in response.json()["error"]


# --- acknowledgements and retries -----------------------------------------------------


def test_a_partial_202_acknowledges_only_the_listed_ids_and_retries_the_rest(client):
    def respond(request):
        ids = [e["id"] for e in request["json"]["events"]]
        first_post = len(partial.requests) == 1
        return 202, ("\n".join(ids[:1]) if first_post else "\n".join(ids)).encode()

    with Receiver(respond) as partial:
        hook(client, partial.url)
        buy(client, "pro")
        flush(client)
        first = partial.requests[0]["json"]["events"]
        assert len(first) == 4
        client.post("/_emulator/clock/advance", json={"seconds": 3600})
        second = partial.requests[1]["json"]["events"]
        assert [e["id"] for e in second] == [e["id"] for e in first[1:]]
        deliveries = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
        assert [d["state"] for d in deliveries] == ["partially acknowledged", "acknowledged"]
        assert deliveries[0]["acknowledged"] == [first[0]["id"]]
        assert deliveries[1]["attempt"] == 2 and deliveries[0]["finalState"] == "acknowledged"


@pytest.mark.parametrize("status", [201, 204, 301, 400, 500, 503])
def test_any_other_status_is_a_failure(client, status):
    with Receiver(lambda r: (status, b"nope")) as receiver:
        hook(client, receiver.url)
        buy(client, "pro")
        flush(client)
        (delivery,) = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
        assert delivery["state"] == "failed, will retry"
        body = "" if status == 204 else "nope"  # a 204 has no body by definition
        assert delivery["response"] == {"status": status, "body": body}
        assert delivery["nextRetry"] == delivery["at"] + 3_600_000
        unprocessed = client.get("/events/unprocessed", params={"days": 1}).json()["events"]
        assert len(unprocessed) == 4


def test_retries_follow_the_clock_then_fail_permanently(client):
    hook(client, dead_url())
    buy(client, "pro")
    flush(client)
    client.post("/_emulator/clock/advance", json={"days": 8})
    deliveries = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    offsets = [(d["at"] - deliveries[0]["at"]) // 3_600_000 for d in deliveries]
    assert offsets == [0, 1, 3, 7, 13, 19, 25, 49, 73, 97, 121, 145]
    assert [d["attempt"] for d in deliveries] == list(range(1, 13))
    assert all(d["events"] == deliveries[0]["events"] for d in deliveries)
    assert deliveries[-1]["state"] == "permanently failed"
    assert deliveries[-1]["nextRetry"] is None
    assert "ConnectError" in deliveries[0]["error"]
    client.post("/_emulator/clock/advance", json={"days": 30})
    first_event = deliveries[0]["events"][0]
    later = client.get("/_emulator/webhooks/deliveries", params={"event": first_event})
    assert len(later.json()["deliveries"]) == 12


def test_the_legacy_schedule_retries_every_ten_minutes_for_a_day(client):
    hook(client, dead_url(), schedule="legacy")
    buy(client, "pro")
    flush(client)
    client.post("/_emulator/clock/advance", json={"days": 2})
    deliveries = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    assert len(deliveries) == 1 + 144
    assert (deliveries[1]["at"] - deliveries[0]["at"]) == 600_000
    assert deliveries[-1]["state"] == "permanently failed"


def test_the_fast_schedule_is_the_current_one_in_seconds(client):
    hook(client, dead_url(), schedule="fast")
    buy(client, "pro")
    flush(client)
    client.post("/_emulator/clock/advance", json={"seconds": 200})
    deliveries = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(deliveries)]
    assert gaps[:7] == [1000, 2000, 4000, 6000, 6000, 6000, 24000]
    assert deliveries[-1]["state"] == "permanently failed" and len(deliveries) == 12


def test_a_restarted_receiver_gets_everything(client):
    url = dead_url()
    hook(client, url)
    buy(client, "pro")
    flush(client)
    with Receiver(port=urlsplit(url).port or 0) as receiver:
        client.post("/_emulator/clock/advance", json={"seconds": 3600})
        assert [e["id"] for e in receiver.events()] == log_ids(client)
    assert client.get("/events/unprocessed", params={"days": 1}).json()["events"] == []


def test_redelivery_sends_the_same_events_under_new_ids(client, receiver):
    hook(client, receiver.url)
    buy(client, "pro")
    flush(client)
    (delivery,) = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    response = client.post(f"/_emulator/webhooks/deliveries/{delivery['id']}/redeliver")
    assert response.status_code == 200
    new_ids = response.json()["events"]
    flush(client)
    resent = receiver.requests[1]["json"]["events"]
    assert [e["id"] for e in resent] == new_ids
    assert not set(new_ids) & set(delivery["events"])
    assert [e["type"] for e in resent] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    assert client.post("/_emulator/webhooks/deliveries/nope/redeliver").status_code == 400


def test_events_arrive_in_log_order(client, receiver):
    hook(client, receiver.url)
    for n in range(5):
        buy(client, "pro", email=f"o{n}@example.com")
    client.post("/_emulator/clock/advance", json={"days": 40})
    flush(client)
    assert [e["id"] for e in receiver.events()] == log_ids(client)


def test_a_blocked_receiver_does_not_hold_up_the_api(client, receiver):
    """While a delivery is in flight (the receiver has not answered), API requests are
    answered: delivery runs beside them, not inside them."""
    hook(client, receiver.url)
    receiver.release.clear()
    try:
        order = buy(client, "pro")
        for n in range(5):
            assert client.get(f"/orders/{order['id']}").status_code == 200
            buy(client, "pro", email=f"n{n}@example.com")
    finally:
        receiver.release.set()


def test_one_dead_webhook_does_not_stall_another(client, receiver):
    hook(client, dead_url())
    hook(client, receiver.url)
    buy(client, "pro")
    flush(client)
    assert [e["id"] for e in receiver.events()] == log_ids(client)


# --- configuration --------------------------------------------------------------------


def test_event_type_and_scope_filters(client, receiver):
    hook(client, receiver.url, events=["subscription.activated"])
    hook(client, dead_url(), scope="live")
    buy(client, "pro")
    flush(client)
    assert receiver.event_types() == ["subscription.activated"]
    deliveries = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    assert len(deliveries) == 1


def test_configuring_listing_and_removing_webhooks(client, receiver):
    created = hook(
        client,
        receiver.url,
        secret="x",
        expand=True,
        events=["order.completed"],
        scope="test",
        timeout=3,
    )
    assert created == {
        "id": created["id"],
        "url": receiver.url,
        "secret": "x",
        "expand": True,
        "events": ["order.completed"],
        "scope": "test",
        "schedule": "current",
        "timeout": 3.0,
    }
    assert client.get("/_emulator/webhooks").json()["webhooks"] == [created]
    assert client.delete(f"/_emulator/webhooks/{created['id']}").status_code == 200
    assert client.get("/_emulator/webhooks").json()["webhooks"] == []
    assert client.delete(f"/_emulator/webhooks/{created['id']}").status_code == 400
    buy(client, "pro")
    flush(client)
    assert receiver.requests == []


@pytest.mark.parametrize(
    "config, field",
    [
        ({}, "url"),
        ({"url": "ftp://x"}, "url"),
        ({"url": "nope"}, "url"),
        ({"url": "http://127.0.0.1/h", "secret": ""}, "secret"),
        ({"url": "http://127.0.0.1/h", "expand": "yes"}, "expand"),
        ({"url": "http://127.0.0.1/h", "events": "order.completed"}, "events"),
        ({"url": "http://127.0.0.1/h", "scope": "prod"}, "scope"),
        ({"url": "http://127.0.0.1/h", "schedule": "daily"}, "schedule"),
        ({"url": "http://127.0.0.1/h", "timeout": 0}, "timeout"),
    ],
)
def test_bad_webhook_configurations(client, config, field):
    response = client.post("/_emulator/webhooks", json=config)
    assert response.status_code == 400 and field in response.json()["error"]
    assert client.get("/_emulator/webhooks").json()["webhooks"] == []


def test_reset_keeps_no_run_time_webhooks(client, receiver):
    hook(client, receiver.url)
    client.post("/_emulator/reset")
    assert client.get("/_emulator/webhooks").json()["webhooks"] == []


# --- wait -----------------------------------------------------------------------------


def test_wait_returns_once_the_events_are_acknowledged(client, receiver):
    hook(client, receiver.url)
    buy(client, "pro")
    response = client.post(
        "/_emulator/webhooks/wait",
        json={"type": "subscription.activated", "count": 1, "timeout": 10},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged"] == 1 and body["events"][0]["type"] == "subscription.activated"


def test_wait_times_out_with_what_it_saw(client):
    hook(client, dead_url())
    buy(client, "pro")
    response = client.post("/_emulator/webhooks/wait", json={"count": 1, "timeout": 0.2})
    assert response.status_code == 408
    assert response.json()["result"] == "timeout" and response.json()["acknowledged"] == 0


def test_a_wait_that_times_out_says_why_the_receiver_refused():
    """A receiver that checks signatures with the wrong secret answers 401: the
    timeout shows that answer, not only "0 acknowledged"."""
    refusing = Receiver(respond=lambda _: (401, b"bad signature: expected abc"))
    with refusing, running_shop() as client:
        hook(client, refusing.url, secret="s3cret")
        buy(client, "pro")
        flush(client)
        response = client.post("/_emulator/webhooks/wait", json={"count": 1, "timeout": 0.1})
    assert response.status_code == 408
    (latest, *_) = response.json()["failedAttempts"]
    assert latest["status"] == 401 and latest["response"] == "bad signature: expected abc"
    assert latest["url"] == refusing.url and latest["state"] == "failed, will retry"


@pytest.mark.parametrize(
    "body", [{"count": 0}, {"count": "1"}, {"timeout": -1}, {"timeout": 1000}, {"type": 5}]
)
def test_bad_wait_requests(client, body):
    assert client.post("/_emulator/webhooks/wait", json=body).status_code == 400


def test_a_blocked_receiver_does_not_stall_another_store(client, receiver):
    other = {"Authorization": basic("other-store", "pw")}
    with Receiver() as other_receiver:
        hook(client, receiver.url)
        client.post("/_emulator/webhooks", json={"url": other_receiver.url}, headers=other)
        client.post(
            "/products",
            headers=other,
            json={
                "products": [
                    {"product": "pro", "pricing": {"interval": "month", "price": {"USD": 1}}}
                ]
            },
        )
        receiver.release.clear()
        try:
            buy(client, "pro")
            buy(client, "pro", email="o@example.com", headers=other)
            waited = client.post(
                "/_emulator/webhooks/wait",
                headers=other,
                json={"type": "subscription.activated", "timeout": 10},
            )
            assert waited.status_code == 200
            assert len(receiver.requests) == 1  # still in flight, unanswered
            assert "subscription.activated" in other_receiver.event_types()
        finally:
            receiver.release.set()


def test_a_receiver_slower_than_the_timeout_is_a_failure(client, receiver):
    hook(client, receiver.url, timeout=0.2)
    receiver.delay = 1.0
    buy(client, "pro")
    flush(client)
    (delivery,) = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    assert delivery["state"] == "failed, will retry"
    assert delivery["error"] == "timed out after 0.2 s" and delivery["response"]["status"] is None


def test_a_batch_that_cannot_be_built_is_retried_not_lost(client, receiver, monkeypatch):
    from emulator.webhooks import channel

    real = channel.envelope
    calls = {"n": 0}

    def flaky(events):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("cannot encode")
        return real(events)

    monkeypatch.setattr(channel, "envelope", flaky)
    hook(client, receiver.url)
    buy(client, "pro")
    flush(client)
    (failed,) = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
    assert failed["error"].startswith("could not build the request: ValueError")
    assert failed["state"] == "failed, will retry"
    client.post("/_emulator/clock/advance", json={"seconds": 3600})
    assert [e["id"] for e in receiver.events()] == log_ids(client)
