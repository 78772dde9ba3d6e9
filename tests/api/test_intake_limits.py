"""Bodies nested too deep are refused at intake, on every path, so everything the
emulator accepts can be read back, exported, delivered and saved; credentials
compare as UTF-8."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.app import create_app
from emulator.config import Settings
from emulator.http.body import MAX_DEPTH
from tests.support.clients import client_for, examples
from tests.support.shop import add_product, shop


def nested(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth - 1):
        value = {"x": value}
    return value


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro")
    return client


@pytest.mark.parametrize(
    "path, body",
    [
        (
            "/products",
            lambda deep: {
                "products": [
                    {"product": "deep", "description": deep, "pricing": {"price": {"USD": 1}}}
                ]
            },
        ),
        (
            "/accounts",
            lambda deep: {
                "contact": {"first": "A", "last": "B", "email": "a@example.com"},
                "extra": deep,
            },
        ),
        (
            "/_emulator/orders",
            lambda deep: {
                "contact": {"first": "A", "last": "B", "email": "a@example.com"},
                "items": [{"product": "pro", "attributes": deep}],
            },
        ),
        ("/_emulator/faults", lambda deep: {"path": "/x", "body": deep}),
        ("/_emulator/webhooks", lambda deep: {"url": "http://127.0.0.1:9/h", "extra": deep}),
        ("/quotes", lambda deep: {"name": deep}),
        ("/coupons", lambda deep: {"coupon": "c", "reason": deep}),
        ("/data/v1/revenue", lambda deep: {"filter": deep}),
    ],
)
def test_a_body_nested_too_deep_is_a_400_that_changes_nothing(client, path, body):
    before = client.get("/_emulator/snapshot").json()["data"]
    response = client.post(path, json=body(nested(300)))
    assert response.status_code == 400, response.text
    if path != "/coupons":  # the coupon service answers every such body "unreadable"
        assert "nested more than" in response.text
    after = client.get("/_emulator/snapshot").json()["data"]
    assert after == before


def test_a_fixture_nested_too_deep_is_refused(client):
    response = client.post(
        "/_emulator/fixtures", json={"products": [{"product": "p", "description": nested(100)}]}
    )
    assert response.status_code == 400 and "nested" in response.json()["error"]["message"]


@settings(max_examples=examples(30), deadline=None)
@given(depth=st.integers(min_value=1, max_value=MAX_DEPTH + 3))
def test_whatever_is_accepted_reads_back_and_exports(depth):
    client = shop()
    response = client.post(
        "/products",
        json={
            "products": [
                {"product": "deep", "description": nested(depth), "pricing": {"price": {"USD": 1}}}
            ]
        },
    )
    if response.status_code != 200:
        assert response.status_code == 400
        return
    assert client.get("/products/deep").status_code == 200
    snapshot = client.get("/_emulator/snapshot")
    assert snapshot.status_code == 200
    orjson.dumps(snapshot.json())
    assert client.post("/_emulator/snapshot", json=snapshot.json()).status_code == 200


def test_non_ascii_credentials():
    app = create_app(Settings(credentials={"bob": "pässwörd"}))
    assert client_for(app, "bob", "pässwörd").get("/accounts").status_code == 200
    assert client_for(app, "bob", "wröng").get("/accounts").status_code == 401
    assert client_for(app, "bob", "wrong").get("/accounts").status_code == 401


def test_refused_control_requests_use_no_seeded_id():
    def ids(refuse_first: bool) -> list[str]:
        client = client_for(create_app(Settings(seed=9)), "ids", "pw")
        if refuse_first:
            assert client.post("/_emulator/webhooks", json={"url": "ftp://x"}).status_code == 400
            assert client.post("/_emulator/faults", json={"action": "explode"}).status_code == 400
        hook = client.post("/_emulator/webhooks", json={"url": "http://127.0.0.1:9/h"}).json()
        rule = client.post("/_emulator/faults", json={"path": "/nothing"}).json()
        return [hook["id"], rule["id"]]

    assert ids(refuse_first=True) == ids(refuse_first=False)
