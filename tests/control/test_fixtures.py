"""Fixture documents: every state reachable through the API's rules, references,
validation errors that name the document, entry and field, and boot-time loading."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx2 as httpx
import pytest

from emulator.app import create_app
from emulator.config import Settings
from tests.support.clients import client_for
from tests.support.fixture_docs import BASE, load
from tests.support.server import emulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client():
    return client_for(create_app(Settings()), "fixture-store", "pw")


def states(client):
    subs = client.get("/subscriptions", params={"scope": "test"}).json()["subscriptions"]
    return {s["product"] + ":" + s["state"] for s in subs}


@pytest.mark.parametrize(
    "state, product",
    [
        ("active", "pro"),
        ("trial", "trial"),
        ("overdue", "pro"),
        ("overdue", "trial"),
        ("canceled", "pro"),
        ("deactivated", "pro"),
        ("paused", "pro"),
        ("managed", "usage"),
    ],
)
def test_every_state_is_reached_through_the_api(client, state, product):
    document = {
        **BASE,
        "orders": [
            {"name": "o", "account": "jane", "state": state, "items": [{"product": product}]}
        ],
    }
    response = load(client, document)
    assert response.status_code == 200, response.text
    (sub,) = client.get("/subscriptions", params={"scope": "test"}).json()["subscriptions"]
    expected = {"managed": "active"}.get(state, state)
    assert sub["state"] == expected
    assert sub["adhoc"] == (state == "managed")
    assert client.get("/_emulator/clock").json()["iso"] == "2027-01-15T10:00:00.000Z"
    if state == "overdue":
        assert sub["declineReason"] == "EXPIRED_CARD"
    if state == "paused":
        assert sub["resumeDate"] > client.get("/_emulator/clock").json()["now"]


def test_the_demo_store_has_every_state_and_25_accounts():
    client = client_for(create_app(Settings()), "demo", "demo")
    response = client.post(
        "/_emulator/fixtures",
        content=(ROOT / "fixtures" / "demo.yaml").read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 200, response.text
    assert client.get("/accounts").json()["total"] == 25
    subs = client.get("/subscriptions", params={"scope": "test"}).json()["subscriptions"]
    seen = Counter(s["state"] for s in subs)
    assert set(seen) == {"active", "trial", "overdue", "canceled", "deactivated", "paused"}
    assert any(s["adhoc"] for s in subs) and any(s["periods"] == 12 for s in subs)
    assert client.get("/_emulator/clock").json()["frozen"] is False
    (hook,) = client.get("/_emulator/webhooks").json()["webhooks"]
    assert hook["url"] == "http://receiver:9000/webhooks" and hook["secret"] == "demo-secret"
    assert client.get("/coupons/welcome").json()["codes"] == ["WELCOME10"]


def test_json_documents_and_the_empty_fixture(client):
    assert load(client, BASE, "application/json").status_code == 200
    assert client.get("/accounts").json()["total"] == 1
    empty = client_for(create_app(Settings()), "empty", "empty")
    response = empty.post(
        "/_emulator/fixtures",
        content=(ROOT / "fixtures" / "empty.yaml").read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 200 and response.json()["accounts"] == 0


def test_orders_refer_to_accounts_by_name_or_bring_a_contact(client):
    document = {
        **BASE,
        "orders": [
            {"name": "a", "account": "jane", "items": [{"product": "pro"}]},
            {
                "name": "b",
                "contact": {"first": "Bo", "last": "B", "email": "bo@example.com"},
                "items": [{"product": "pro"}],
            },
        ],
    }
    assert load(client, document).status_code == 200
    jane = client.get("/accounts", params={"email": "jane@example.com"}).json()["accounts"][0]
    assert len(jane["subscriptions"]) == 1
    assert client.get("/accounts").json()["total"] == 2


@pytest.mark.parametrize(
    "change, entry, field, message",
    [
        (
            {
                "accounts": [
                    {"name": "bob", "contact": {"first": "B", "last": "B", "email": "nope"}}
                ]
            },
            "accounts[0] (bob)",
            "email",
            "email invalid",
        ),
        (
            {"orders": [{"name": "x", "account": "ghost", "items": [{"product": "pro"}]}]},
            "orders[0] (x)",
            "account",
            "no account is named ghost; name it in accounts first",
        ),
        (
            {"orders": [{"account": "jane", "items": [{"product": "nope"}]}]},
            "orders[0]",
            "items[0].product",
            "Product not found: nope",
        ),
        (
            {"orders": [{"account": "jane", "state": "trial", "items": [{"product": "pro"}]}]},
            "orders[0]",
            "state",
            "pro has no free trial",
        ),
        (
            {"orders": [{"account": "jane", "state": "managed", "items": [{"product": "pro"}]}]},
            "orders[0]",
            "state",
            "pro is not a managed (adhoc) product",
        ),
        (
            {"orders": [{"account": "jane", "state": "frozen", "items": [{"product": "pro"}]}]},
            "orders[0]",
            "state",
            None,
        ),
        ({"products": [{"product": "Bad Path"}]}, "products[0]", "product", None),
        (
            {"accounts": [{"contact": {"first": "A", "last": "B", "email": "a@example.com"}}]},
            "accounts[0]",
            "name",
            "every account needs a name to be referred to",
        ),
        ({"accounts": BASE["accounts"] * 2}, "accounts[1] (jane)", "name", None),
        ({"faults": [{"action": "explode"}]}, "faults[0]", "action", None),
        ({"webhooks": [{"url": "nope"}]}, "webhooks[0]", "url", None),
        ({"rate_limit": {"requests": 0}}, "rate_limit", "requests", None),
        ({"clock": {"start": "soon"}}, "clock", "start", None),
        ({"seed": "x"}, "seed", "seed", "seed must be an integer"),
        ({"colour": "blue"}, "colour", "colour", None),
    ],
)
def test_errors_name_the_document_entry_and_field_and_change_nothing(
    client, change, entry, field, message
):
    response = load(client, {**BASE, **change})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["document"], error["entry"], error["field"]) == ("request.yaml", entry, field)
    if message:
        assert error["message"] == message
    assert client.get("/accounts").json()["total"] == 0
    assert client.get("/products").json()["products"] == []


@pytest.mark.parametrize("raw", [b"[1, 2]", b"{unclosed", b"just text", b"[" * 3000 + b"]" * 3000])
def test_documents_that_are_not_mappings(client, raw):
    response = client.post(
        "/_emulator/fixtures", content=raw, headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["entry"] == "document"


def test_a_section_name_that_is_not_text_is_named_as_text(client):
    response = client.post(
        "/_emulator/fixtures", content=b"{1: 2}", headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["entry"] == "1"


def test_a_document_for_another_store_is_refused(client):
    response = load(client, {"store": {"username": "someone-else", "password": "x"}})
    assert response.status_code == 400
    assert "someone-else" in response.json()["error"]["message"]


def test_time_needing_states_need_a_clock_start_and_an_empty_store(client):
    without_clock = {k: v for k, v in BASE.items() if k != "clock"}
    response = load(
        client,
        {
            **without_clock,
            "orders": [{"account": "jane", "state": "overdue", "items": [{"product": "pro"}]}],
        },
    )
    assert response.json()["error"]["message"] == "overdue and paused need a clock start"
    assert (
        load(
            client, {**BASE, "orders": [{"account": "jane", "items": [{"product": "pro"}]}]}
        ).status_code
        == 200
    )
    again = load(
        client,
        {
            "clock": {"start": "2027-06-01T00:00:00Z"},
            "accounts": [
                {"name": "x", "contact": {"first": "X", "last": "Y", "email": "x@example.com"}}
            ],
            "orders": [{"account": "x", "state": "paused", "items": [{"product": "pro"}]}],
        },
    )
    assert "empty store" in again.json()["error"]["message"]


def test_webhooks_faults_and_rate_limit_sections(client):
    document = {
        **BASE,
        "webhooks": [{"url": "http://127.0.0.1:9/hook", "secret": "s"}],
        "faults": [{"path": "/orders*", "status": 503}],
        "rate_limit": {"requests": 100, "window_seconds": 60},
    }
    assert load(client, document).status_code == 200
    assert client.get("/_emulator/webhooks").json()["webhooks"][0]["secret"] == "s"
    assert client.get("/orders").status_code == 503
    assert client.get("/_emulator/rate-limit").json()["rateLimit"]["requests"] == 100


def test_a_seed_makes_the_ids_reproducible():
    ids = []
    for _ in range(2):
        client = client_for(create_app(Settings()), "seeded", "pw")
        load(client, {**BASE, "seed": 77})
        ids.append(client.get("/accounts").json()["accounts"])
    assert ids[0] == ids[1]


# --- boot-time loading through the CLI -------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("use_env", [False, True])
def test_fixtures_load_at_boot_into_the_stores_they_name(tmp_path, use_env):
    second = tmp_path / "second.json"
    second.write_text(
        '{"store": {"username": "two", "password": "pw2"}, "accounts": '
        '[{"name": "a", "contact": {"first": "A", "last": "B", '
        '"email": "a@example.com"}}]}'
    )
    demo = str(ROOT / "fixtures" / "demo.yaml")
    args, env = (
        (["--fixtures", demo, "--fixtures", str(second)], None)
        if not use_env
        else ([], {"FASTSPRING_EMULATOR_FIXTURES": f"{demo}:{second}"})
    )
    with emulator(*args, env=env) as running:
        agent = {"User-Agent": "t"}
        demo_total = httpx.get(
            f"{running.url}/accounts", auth=("demo", "demo"), headers=agent
        ).json()["total"]
        two_total = httpx.get(f"{running.url}/accounts", auth=("two", "pw2"), headers=agent).json()[
            "total"
        ]
        assert (demo_total, two_total) == (25, 1)


@pytest.mark.e2e
@pytest.mark.parametrize(
    "content, args, message",
    [
        ("accounts: []\n", [], "must name its store"),
        ("store: {username: x, password: y}\n", ["--credentials", "a:b"], "not among"),
        ("store: {username: x, password: y}\naccounts: [{name: a}]\n", [], "accounts[0] (a)"),
        (None, [], "No such file"),
    ],
)
def test_a_bad_boot_fixture_stops_the_emulator_with_a_message(tmp_path, content, args, message):
    path = tmp_path / "bad.yaml"
    if content is not None:
        path.write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--fixtures", str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_a_later_document_can_build_on_what_an_earlier_one_loaded(client):
    assert load(client, BASE).status_code == 200
    response = load(
        client,
        {
            "accounts": [
                {"name": "bo", "contact": {"first": "Bo", "last": "B", "email": "bo@example.com"}}
            ],
            "orders": [{"account": "bo", "items": [{"product": "pro"}], "state": "canceled"}],
        },
    )
    assert response.status_code == 200, response.text
    assert states(client) == {"pro:canceled"}
