"""The store's timeline: bounded, exact under concurrency, and fair to other stores."""

from __future__ import annotations

import asyncio
import time

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings
from emulator.receiver import Receiver
from tests.support.clients import basic
from tests.support.hooks import flush, hook
from tests.support.shop import DAY, START, add_product, buy, day, running_shop, shop


@pytest.mark.parametrize(
    "body",
    [
        {"to": "9999-12-31T23:59:59Z"},
        {"to": "2127-02-01T00:00:00Z"},
        {"to": "2026-01-01T00:00:00Z"},
    ],
)
def test_advances_out_of_bounds_are_refused_and_change_nothing(body):
    client = shop()
    before = client.get("/_emulator/clock").json()
    response = client.post("/_emulator/clock/advance", json=body)
    assert response.status_code == 400, response.text
    assert client.get("/_emulator/clock").json() == before


def test_an_advance_of_almost_100_years_works():
    client = shop()
    response = client.post("/_emulator/clock/advance", json={"to": "2126-12-31T00:00:00Z"})
    assert response.status_code == 200
    assert response.json()["iso"].startswith("2126-12-31")


async def _parallel_advances(app, count: int) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": basic("hooks", "pw")}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://emulator", headers=headers
    ) as client:
        answers = await asyncio.gather(
            *(client.post("/_emulator/clock/advance", json={"days": 1}) for _ in range(count))
        )
    return [a.status_code for a in answers]


def test_parallel_advances_add_up_exactly_with_a_webhook_configured():
    with Receiver() as receiver:
        receiver.delay = 0.01
        app = create_app(Settings(seed=5))
        with TestClient(app, headers={"Authorization": basic("hooks", "pw")}) as client:
            client.post("/_emulator/clock/freeze")
            client.post("/_emulator/clock/advance", json={"to": START})
            add_product(client, "pro", interval="day")
            hook(client, receiver.url)
            buy(client, "pro")
            start = client.get("/_emulator/clock").json()["now"]
            assert client.portal is not None
            statuses = client.portal.call(_parallel_advances, app, 20)
            assert statuses == [200] * 20
            assert client.get("/_emulator/clock").json()["now"] == start + 20 * DAY
            charges = client.get(
                "/_emulator/events", params={"type": "subscription.charge.completed"}
            ).json()["events"]
            assert len(charges) == 20


def test_a_receiver_that_timed_out_costs_one_timeout_per_advance():
    """Later attempts in the same advance are recorded as failed, with the reason,
    without waiting; the next advance tries the receiver again."""
    with Receiver() as receiver, running_shop() as client:
        hook(client, receiver.url, timeout=0.3)
        for n in range(3):
            buy(client, "pro", email=f"t{n}@example.com")
            client.post("/_emulator/clock/advance", json={"days": 3})
        flush(client)
        receiver.release.clear()  # from now on, the receiver never answers
        try:
            client.post("/_emulator/clock/advance", json={"days": 40})
            first = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
            client.post("/_emulator/clock/advance", json={"days": 40})
            both = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
        finally:
            receiver.release.set()
    errors = [a["error"] for a in first if a["error"]]
    assert errors.count("timed out after 0.3 s") == 1
    skipped = [a for a in first if (a["error"] or "").startswith("not sent")]
    assert len(skipped) >= 2
    for attempt in skipped:
        assert attempt["error"] == (
            "not sent: the receiver timed out earlier in this clock advance"
        )
        assert attempt["response"]["status"] is None
        assert attempt["state"] in ("failed, will retry", "permanently failed")
    assert [a["error"] for a in both].count("timed out after 0.3 s") == 2


def _until(condition, timeout_s: float = 15.0):
    """Poll until `condition()` is truthy (no fixed sleeps); return its last value."""
    deadline = time.monotonic() + timeout_s
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return value


def test_hung_receivers_in_one_store_do_not_take_another_stores_connections():
    """A store's hung receivers fill its own connection pool: its next attempt fails
    with a pool timeout that says so, and another store still delivers."""
    other = {"Authorization": basic("other-store", "pw")}
    with Receiver() as hung, Receiver() as healthy, running_shop() as client:
        for _ in range(20):  # the size of a store's pool
            hook(client, hung.url, timeout=3)
        client.post("/_emulator/webhooks", json={"url": healthy.url}, headers=other)
        client.post(
            "/products",
            headers=other,
            json={"products": [{"product": "pro", "pricing": {"price": {"USD": 1}}}]},
        )
        hung.release.clear()
        try:
            buy(client, "pro")
            assert _until(lambda: len(hung.requests) >= 20)
            hook(client, hung.url, timeout=0.5)
            buy(client, "pro", email="second@example.com")
            buy(client, "pro", email="o@example.com", headers=other)
            waited = client.post(
                "/_emulator/webhooks/wait",
                headers=other,
                json={"type": "order.completed", "timeout": 10},
            ).json()
            assert waited["result"] == "success", waited

            def pool_timeouts():
                attempts = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
                return [a for a in attempts if (a["error"] or "").startswith("pool timeout")]

            found = _until(pool_timeouts)
        finally:
            hung.release.set()
    assert found and found[0]["error"] == (
        "pool timeout: no free connection to the receiver within 0.5 s"
    )


def test_webhooks_keep_delivering_after_a_store_reset():
    with Receiver() as receiver:
        settings = Settings(seed=5, webhook_url=receiver.url)
        with TestClient(create_app(settings), headers={"Authorization": basic("r", "pw")}) as c:
            for _ in range(2):
                assert c.post("/_emulator/reset").status_code == 200
                add_product(c, "pro")
                buy(c, "pro")
                flush(c)
                types = receiver.event_types()
                assert types.count("order.completed") >= 1
            assert receiver.event_types().count("order.completed") == 2


def test_a_quote_expiry_and_a_rebill_run_in_date_order():
    client = shop()
    add_product(client, "pro")
    buy(client, "pro")
    response = client.post(
        "/quotes",
        json={
            "name": "Q",
            "recipient": {"first": "A", "last": "B", "email": "a@example.com"},
            "recipientAddress": {"country": "US", "postalCode": "93101", "region": "CA"},
            "items": [{"product": "pro", "quantity": 1}],
            "expirationDateDays": 10,
        },
    )
    assert response.status_code in (200, 201), response.text
    done = client.post("/_emulator/clock/advance", json={"days": 40}).json()["transitions"]
    ats = [t["at"] for t in done]
    assert ats == sorted(ats)
    assert day("2027-01-25") <= ats[0]
