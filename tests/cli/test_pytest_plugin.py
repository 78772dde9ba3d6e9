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


HELPERS_AND_WEBHOOKS = """
import pytest
from emulator.pytest_plugin import FastSpringEmulatorError

def test_helpers_and_signed_webhooks(fastspring, fastspring_webhooks):
    fastspring.freeze()
    fastspring.create_product("pro", price=12.5)
    order = fastspring.checkout("pro")
    fastspring_webhooks.wait_for("order.completed")
    sub_id = order["items"][0]["subscription"]
    fastspring.sleep(31 * 86400)
    assert fastspring.subscription(sub_id)["sequence"] == 2
    charges = fastspring_webhooks.wait_for("subscription.charge.completed")
    assert charges[0]["data"]["subscription"] == sub_id
    fastspring.rate_limit(requests=2, window_seconds=60)
    retried = 0
    for n in range(5):
        while True:
            answer = fastspring.client.post("/accounts", json={"contact": {
                "first": "R", "last": "L", "email": f"r{n}@example.com"}})
            if answer.status_code != 429:
                break
            retried += 1
            fastspring.sleep(float(answer.headers.get("Retry-After", "30")))
        assert answer.status_code == 200
    assert retried >= 3
    fastspring.clear_rate_limit()
    assert fastspring.unfreeze()["frozen"] is False
    with pytest.raises(FastSpringEmulatorError, match="received 0"):
        fastspring_webhooks.wait_for("return.created", timeout=0.2)
    with pytest.raises(FastSpringEmulatorError, match="answered 400"):
        fastspring.advance(days=-1)
    # the dashboard page of this very store, readable with any credentials (open mode)
    page = fastspring.client.get(fastspring.dashboard_url.removeprefix(fastspring.base_url))
    assert page.status_code == 200 and sub_id in fastspring.client.get(
        "/_emulator/ui/subscriptions", params={"store": fastspring.auth[0]}
    ).text
"""

BAD_SIGNATURE = """
def test_a_webhook_with_a_bad_signature_fails_the_test(fastspring, fastspring_webhooks):
    fastspring.create_product("pro")
    fastspring_webhooks.secret = "not-the-store-secret"
    fastspring.checkout("pro")
    fastspring.advance(seconds=0)
"""

WARNINGS = """
import pytest

def test_warned(fastspring):
    answer = fastspring.client.get("/accounts", params={"lookup.custom": "x"})
    assert answer.headers.get("x-emulator-warning")
"""

SEEDED = """
def test_ids_follow_the_seed(fastspring):
    fastspring.create_product("pro")
    print("ORDER", fastspring.checkout("pro", email="s@example.com")["id"])
"""


def test_helpers_and_the_webhook_fixture(pytester):
    pytester.makepyfile(HELPERS_AND_WEBHOOKS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_bad_webhook_signature_fails_the_test(pytester):
    pytester.makepyfile(BAD_SIGNATURE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*webhooks arrived with bad signatures*"])


def test_warnings_fail_a_test_only_when_asked(pytester):
    pytester.makepyfile(WARNINGS)
    quiet = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    quiet.assert_outcomes(passed=1)
    strict = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--fastspring-fail-on-warnings"
    )
    strict.assert_outcomes(passed=1, errors=1)
    strict.stdout.fnmatch_lines(["*responses carried pitfall warnings*"])


def test_the_seed_option_makes_ids_replay(pytester):
    pytester.makepyfile(SEEDED)
    runs = [
        pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s", "--fastspring-seed", "42")
        for _ in range(2)
    ]
    orders = [[line for line in r.outlines if "ORDER" in line] for r in runs]
    assert orders[0] and orders[0] == orders[1]
