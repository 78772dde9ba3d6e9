"""The pytest plugin, tested with pytester in fresh pytest processes."""

from __future__ import annotations

import pytest

from tests.support.server import emulator

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.e2e

JOURNEY = """
def test_a_rebill(fastspring):
    fastspring.freeze()
    fastspring.client.post("/products", json={"products": [{"product": "pro", "pricing": {
        "interval": "month", "price": {"USD": 10}}}]})
    order = fastspring.checkout("pro", email="jane@example.com")
    sub_id = order["items"][0]["subscription"]
    fastspring.advance(days=31)
    assert fastspring.client.get(f"/subscriptions/{sub_id}").json()["sequence"] == 2
    assert [e["type"] for e in fastspring.events("subscription.charge.completed")] == [
        "subscription.charge.completed"]
"""

ISOLATION = """
import pytest

@pytest.mark.parametrize("n", range(6))
def test_each_test_has_an_empty_store(fastspring, n):
    assert fastspring.client.get("/accounts").json()["total"] == 0
    created = fastspring.client.post("/accounts", json={"contact": {
        "first": "A", "last": "B", "email": "same@example.com"}})
    assert created.status_code == 200
"""

CONTROLS = """
import pytest

def test_controls(fastspring):
    fastspring.freeze()
    fastspring.client.post("/products", json={"products": [{"product": "pro", "pricing": {
        "interval": "month", "price": {"USD": 10}}}]})
    order = fastspring.checkout("pro")
    fastspring.decline(order["account"])
    fastspring.advance(days=31)
    sub = fastspring.client.get(f"/subscriptions/{order['items'][0]['subscription']}").json()
    assert sub["state"] == "overdue"
    fastspring.fault(path="/accounts", status=503, times=1)
    assert fastspring.client.get("/accounts").status_code == 503
    fastspring.rate_limit(1)
    assert [fastspring.client.get("/orders").status_code for _ in range(2)] == [200, 429]
    fastspring.clear_rate_limit()
    assert fastspring.requests()[-1]["path"] == "/orders"
    with pytest.raises(AssertionError, match="waited"):
        fastspring.wait("order.completed", timeout=0.1)
    with pytest.raises(AssertionError, match="400"):
        fastspring.advance(days=-1)
    fastspring.reset()
    assert fastspring.client.get("/products").json()["products"] == []
"""

FIXTURES_AND_SNAPSHOTS = """
def test_fixture_and_snapshot(fastspring, tmp_path):
    path = tmp_path / "store.yaml"
    path.write_text("accounts: [{name: a, contact: {first: A, last: B, email: a@example.com}}]")
    assert fastspring.load_fixture(path)["accounts"] == 1
    fastspring.load_fixture({"accounts": [{"name": "b", "contact": {
        "first": "B", "last": "C", "email": "b@example.com"}}]})
    saved = fastspring.snapshot()
    fastspring.reset()
    assert fastspring.client.get("/accounts").json()["total"] == 0
    fastspring.restore(saved)
    assert fastspring.client.get("/accounts").json()["total"] == 2
"""

URL = """
import os

def test_uses_the_external_emulator(fastspring):
    assert fastspring.base_url == os.environ["FASTSPRING_EMULATOR_URL"]
    assert fastspring.client.post("/accounts", json={"contact": {
        "first": "A", "last": "B", "email": "ext@example.com"}}).status_code == 200
"""


def test_the_fastspring_fixture_runs_a_journey(pytester):
    pytester.makepyfile(JOURNEY)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_control_client(pytester):
    pytester.makepyfile(CONTROLS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_fixtures_and_snapshots_from_the_control_client(pytester):
    pytester.makepyfile(FIXTURES_AND_SNAPSHOTS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_every_test_gets_its_own_store(pytester):
    pytester.makepyfile(ISOLATION)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=6)


def test_pytest_xdist_workers_share_an_external_emulator_without_cross_talk(pytester, monkeypatch):
    with emulator() as running:
        monkeypatch.setenv("FASTSPRING_EMULATOR_URL", running.url)
        pytester.makepyfile(test_isolation=ISOLATION, test_url=URL)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
        result.assert_outcomes(passed=7)


def test_xdist_workers_each_start_an_emulator_without_a_url(pytester, monkeypatch):
    monkeypatch.delenv("FASTSPRING_EMULATOR_URL", raising=False)
    pytester.makepyfile(ISOLATION)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2").assert_outcomes(passed=6)
