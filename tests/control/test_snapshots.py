"""Snapshots (export, import, export gives the same document) and --state-file."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx2 as httpx
import orjson
import pytest
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings
from emulator.receiver import dead_url
from tests.support.clients import basic, client_for
from tests.support.server import start
from tests.support.shop import START, add_product, buy, subscription_of


def running_client(app, username="snap"):
    return TestClient(app, headers={"Authorization": basic(username, "pw"), "User-Agent": "t"})


def rich_store(client):
    """A store with a bit of everything, and nothing due (so it is at rest)."""
    client.post("/_emulator/clock/freeze")
    client.post("/_emulator/clock/advance", json={"to": START})
    add_product(
        client,
        "pro",
        overdueNotification={"enabled": True, "interval": "week", "intervalLength": 1, "amount": 2},
    )
    add_product(client, "seat", price={"USD": 2})
    add_product(client, "ebook", interval=None, price={"USD": 5})
    client.post(
        "/_emulator/coupons",
        json={
            "coupon": "TEN",
            "discount": {"type": "percent", "percent": 10},
            "discountPeriodCount": 2,
        },
    )
    client.post(
        "/coupons",
        json={
            "coupon": "tiers",
            "codes": ["TIERS"],
            "discounts": [
                {"type": "flat", "amount": {"USD": 1}, "products": ["seat"]},
                {"type": "percent", "percent": 5, "discountPeriodCount": 3},
            ],
            "hasMultiDiscount": True,
            "limit": 9,
            "available": {"start": "2027-01-01"},
        },
    )
    client.post("/_emulator/webhooks", json={"url": dead_url(), "secret": "s"})
    client.post("/_emulator/faults", json={"path": "/orders*", "probability": 0.5, "seed": 4})
    client.put("/_emulator/rate-limit", json={"requests": 1000, "window_seconds": 60})
    first = buy(client, "pro", "ebook", coupon="TEN")
    second = buy(client, "pro", email="second@example.com")
    client.post(
        "/subscriptions",
        json={
            "subscriptions": [
                {
                    "subscription": subscription_of(first),
                    "addons": [{"product": "seat", "quantity": 2}],
                }
            ]
        },
    )
    client.post(
        f"/_emulator/accounts/{second['account']}/payment", json={"decline": "EXPIRED_CARD"}
    )
    client.post("/_emulator/clock/advance", json={"days": 40})
    client.post(
        "/returns", json={"returns": [{"order": first["id"], "items": [{"product": "ebook"}]}]}
    )
    client.post("/sessions", json={"account": first["account"], "items": [{"product": "pro"}]})
    for _ in range(6):
        client.get("/orders")
    client.delete(f"/subscriptions/{subscription_of(second)}")
    client.post("/_emulator/clock/advance", json={"seconds": 0})
    return first, second


def export(client):
    body = orjson.loads(client.get("/_emulator/snapshot").content)
    body.pop("store")
    return body


def test_export_import_export_gives_the_same_document():
    with (
        running_client(create_app(Settings(seed=3))) as source,
        running_client(create_app(Settings(seed=99)), "copy") as copy,
    ):
        rich_store(source)
        snapshot = source.get("/_emulator/snapshot")
        assert snapshot.status_code == 200
        data = orjson.loads(snapshot.content)
        assert data["webhooks"]["channels"][0]["deliveries"]
        assert any(d["state"] == "retrying" for d in data["webhooks"]["channels"][0]["deliveries"])
        assert data["data"]["clock"]["frozen_at"] is not None and data["data"]["events"]
        response = copy.post("/_emulator/snapshot", content=snapshot.content)
        assert response.status_code == 200, response.text
        assert export(copy) == export(source)


def without_durations(document):
    """Attempts record how long each POST took on the wall clock: never the same twice."""
    for attempt in document["webhooks"]["attempts"]:
        attempt.pop("duration_ms")
    return document


def test_a_restored_store_carries_on_as_the_original_would():
    """The same store name on another emulator: the copy then behaves exactly like the
    original (references start with the store's name, so the name must match)."""
    with (
        running_client(create_app(Settings(seed=3))) as source,
        running_client(create_app(Settings(seed=99))) as copy,
    ):
        first, _ = rich_store(source)
        copy.post("/_emulator/snapshot", content=source.get("/_emulator/snapshot").content)
        for client in (source, copy):
            client.post("/_emulator/clock/advance", json={"days": 31})
        assert without_durations(export(copy)) == without_durations(export(source))
        body = {"contact": {"first": "N", "last": "M", "email": "new@example.com"}}
        assert (
            source.post("/accounts", json=body).json() == copy.post("/accounts", json=body).json()
        )
        sub = copy.get(f"/subscriptions/{subscription_of(first)}").json()
        assert sub["sequence"] == 3 and len(sub["addons"]) == 1


@pytest.mark.parametrize(
    "body", [{}, {"version": 3}, {"version": 1, "data": {}}, {"version": 2, "data": {"ids": 5}}]
)
def test_a_bad_snapshot_is_400_and_changes_nothing(body):
    with running_client(create_app(Settings(seed=3))) as client:
        rich_store(client)
        before = export(client)
        response = client.post("/_emulator/snapshot", json=body)
        assert response.status_code == 400 and "snapshot" in response.json()["error"]
        assert export(client) == before


def test_state_file_survives_a_sigterm_restart(tmp_path):
    state = tmp_path / "state.json"
    auth, agent = ("persist", "pw"), {"User-Agent": "t"}
    running = start("--state-file", str(state), "--seed", "5")
    try:
        httpx.post(f"{running.url}/_emulator/clock/freeze", auth=auth, headers=agent)
        created = httpx.post(
            f"{running.url}/accounts",
            auth=auth,
            headers=agent,
            json={"contact": {"first": "P", "last": "Q", "email": "p@example.com"}},
        ).json()
        clock = httpx.get(f"{running.url}/_emulator/clock", auth=auth, headers=agent).json()
        before = httpx.get(f"{running.url}/_emulator/snapshot", auth=auth, headers=agent).json()
    finally:
        assert running.stop(signal.SIGTERM) == 0
    saved = json.loads(state.read_text())
    assert list(saved["stores"]) == ["persist"]
    again = start("--state-file", str(state), "--seed", "5")
    try:
        got = httpx.get(f"{again.url}/accounts/{created['account']}", auth=auth, headers=agent)
        assert got.status_code == 200
        assert httpx.get(f"{again.url}/_emulator/clock", auth=auth, headers=agent).json() == clock
        after = httpx.get(f"{again.url}/_emulator/snapshot", auth=auth, headers=agent).json()
        before["journal"] = after["journal"] = None  # the reads above are journaled
        assert after == before
    finally:
        again.stop()


def _saved_accounts(state: Path, store: str) -> list[dict]:
    """The accounts of `store` in the state file, [] if not saved yet."""
    if not state.exists():
        return []
    saved = json.loads(state.read_text()).get("stores", {}).get(store)
    return saved["data"]["accounts"] if saved else []


def test_state_file_is_saved_at_an_interval_and_stays_valid_after_a_hard_kill(tmp_path):
    import time

    state = tmp_path / "state.json"
    running = start("--state-file", str(state), "--state-interval", "0.2")
    try:
        httpx.post(
            f"{running.url}/accounts",
            auth=("kill", "pw"),
            headers={"User-Agent": "t"},
            json={"contact": {"first": "K", "last": "L", "email": "k@example.com"}},
        )
        deadline = time.monotonic() + 10
        while not _saved_accounts(state, "kill"):  # wait for a save that has it
            assert time.monotonic() < deadline, "no save held the account"
            time.sleep(0.05)
    finally:
        running.stop(signal.SIGKILL)
    saved = json.loads(state.read_text())
    assert saved["stores"]["kill"]["data"]["accounts"][0]["email"] == "k@example.com"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".state.json.")]


def test_a_broken_state_file_stops_the_emulator(tmp_path):
    import subprocess
    import sys

    state = tmp_path / "state.json"
    state.write_text("{not json")
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--state-file", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "state file" in result.stderr


def test_a_version_1_snapshot_restores_with_its_coupons_converted():
    """Snapshots and state files written before the Coupons API still load."""
    old = json.loads(
        (Path(__file__).resolve().parents[1] / "support" / "data" / "snapshot-v1.json").read_text()
    )
    client = client_for(create_app(Settings()), "old", "pw")
    assert client.post("/_emulator/snapshot", json=old).status_code == 200
    coupon = client.get("/coupons/Half").json()
    assert coupon["codes"] == ["HALF"] and coupon["limit"] == "5"
    assert coupon["discount"]["percent"] == 50 and coupon["discountPeriodCount"] == 3
    (sub_id,) = client.get("/subscriptions").json()["subscriptions"]
    subscription = client.get(f"/subscriptions/{sub_id}").json()
    assert subscription["coupons"] == ["Half"] and subscription["nextChargeTotal"] == 10.0
    assert client.get("/_emulator/snapshot").json()["version"] == 2
