"""The control plane and fixture documents refuse unknown keys, naming the key and the
closest known one, so a typo never silently changes what a test means. FastSpring's
own API bodies stay as lenient as FastSpring."""

from __future__ import annotations

import pytest

from tests.support.shop import add_product, shop


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro")
    return client


@pytest.mark.parametrize(
    "method, path, body, key, hint",
    [
        ("post", "/_emulator/faults", {"actoin": "drop"}, "actoin", "action"),
        (
            "post",
            "/_emulator/webhooks",
            {"url": "http://127.0.0.1:9/h", "secert": "s"},
            "secert",
            "secret",
        ),
        (
            "post",
            "/_emulator/webhooks/wait",
            {"typ": "order.completed", "timeout": 0},
            "typ",
            "type",
        ),
        ("post", "/_emulator/clock/advance", {"dayz": 1}, "dayz", "days"),
        ("put", "/_emulator/rate-limit", {"requests": 5, "window": 60}, "window", "window_seconds"),
        (
            "post",
            "/_emulator/orders",
            {
                "contact": {"first": "A", "last": "B", "email": "a@example.com"},
                "items": [{"product": "pro"}],
                "copuon": "X",
            },
            "copuon",
            "coupon",
        ),
        (
            "post",
            "/_emulator/orders",
            {
                "contact": {"first": "A", "last": "B", "email": "a@example.com"},
                "items": [{"product": "pro", "qty": 2}],
            },
            "items[0].qty",
            None,
        ),
    ],
)
def test_a_typo_is_a_400_naming_the_key(client, method, path, body, key, hint):
    before = client.get("/_emulator/snapshot").json()
    response = client.request(method.upper(), path, json=body)
    assert response.status_code == 400, response.text
    message = response.json()["error"][key]
    assert f"unknown key `{key.split('.')[-1]}`" in message
    if hint:
        assert f"did you mean `{hint}`?" in message
    after = client.get("/_emulator/snapshot").json()
    assert after["data"] == before["data"] and after["faults"] == before["faults"]


def test_a_latency_only_rule_slows_and_passes_through(client):
    rule = client.post("/_emulator/faults", json={"path": "/accounts", "latency_ms": 1})
    assert rule.status_code == 200
    assert client.get("/accounts").status_code == 200  # not the default 429
    assert client.get("/_emulator/faults").json()["faults"][0]["fired"] == 1


def test_payment_and_the_api_stay_as_they_should(client):
    order = client.post(
        "/_emulator/orders",
        json={
            "contact": {"first": "A", "last": "B", "email": "a@example.com"},
            "items": [{"product": "pro"}],
        },
    ).json()
    bad = client.post(f"/_emulator/accounts/{order['account']}/payment", json={"decilne": None})
    assert "did you mean `decline`?" in bad.json()["error"]["decilne"]
    lenient = client.post(
        "/accounts",
        json={
            "contact": {"first": "L", "last": "Enient", "email": "l@example.com"},
            "colour": "blue",
        },
    )
    assert lenient.status_code == 200  # FastSpring ignores unknown fields


@pytest.mark.parametrize(
    "document, entry, field",
    [
        ({"accounts": [{"name": "x", "contcat": {}}]}, "accounts[0] (x)", "contcat"),
        (
            {
                "products": [
                    {"product": "p", "pricing": {"interval": "month", "price": {"USD": 1}}}
                ],
                "accounts": [
                    {"name": "x", "contact": {"first": "X", "last": "Y", "email": "x@example.com"}}
                ],
                "orders": [{"account": "x", "items": [{"product": "p"}], "stat": "overdue"}],
            },
            "orders[0]",
            "stat",
        ),
        ({"faults": [{"actoin": "drop"}]}, "faults[0]", "actoin"),
    ],
)
def test_fixture_entries_are_strict(client, document, entry, field):
    client.post("/_emulator/reset")
    response = client.post("/_emulator/fixtures", json=document)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["entry"], error["field"]) == (entry, field)
    assert "unknown key" in error["message"]
