"""Order search and updates, returns, and checkout sessions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.shop import add_product, advance, buy, event_types, events, shop, subscription_of


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 10.0})
    add_product(client, "ebook", interval=None, price={"USD": 5.0})
    return client


# --- GET /orders ----------------------------------------------------------------------


def test_search_by_date_range_products_and_rebill(client):
    first = buy(client, "pro")
    advance(client, to="2027-02-20T00:00:00Z")
    second = buy(client, "ebook", email="b@example.com")

    def ids(**params):
        response = client.get("/orders", params=params)
        assert response.status_code == 200, response.text
        return [o["id"] for o in response.json()["orders"]]

    body = client.get("/orders", params={"begin": "2027-01-01", "end": "2027-01-31"}).json()
    assert body["action"] == "order.lookup" and (body["begin"], body["end"]) == (
        "1/1/27",
        "1/31/27",
    )
    assert [o["id"] for o in body["orders"]] == [first["id"]]
    rebill = [o for o in client.get("/orders", params={"rebill": "true"}).json()["orders"]]
    assert len(rebill) == 1 and rebill[0]["reference"].endswith("B")
    assert ids(rebill="false") == [first["id"], second["id"]]
    assert ids(products="ebook") == [second["id"]]
    assert ids(begin="02/01/27", end="02/28/27") == [rebill[0]["id"], second["id"]]
    assert ids(days="3") == [second["id"]]
    assert ids(status="completed", scope="test") == ids()
    assert ids(status="failed") == [] and ids(scope="live") == []


def test_search_paging(client):
    made = [buy(client, "ebook", email=f"p{n}@example.com")["id"] for n in range(5)]
    pages = [client.get("/orders", params={"limit": 2, "page": p}).json() for p in (1, 2, 3)]
    assert [o["id"] for p in pages for o in p["orders"]] == made
    assert [p["nextPage"] for p in pages] == [2, 3, None] and pages[0]["total"] == 5


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"begin": "2027-13-01"}, "begin", "Invalid begin date"),
        ({"end": "tomorrow"}, "end", "Invalid end date"),
        ({"begin": "2027-02-01", "end": "2027-01-01"}, "end", "End date must be after begin date"),
        ({"begin": "2027-02-01", "end": "2027-02-01"}, "end", "End date must be after begin date"),
        ({"days": "-1"}, "days", "Invalid days"),
        ({"status": "done"}, "status", None),
        ({"rebill": "yes"}, "rebill", None),
        ({"returns": "1"}, "returns", None),
        ({"scope": "x"}, "scope", None),
        ({"limit": "0"}, "limit", None),
    ],
)
def test_search_errors(client, params, field, message):
    response = client.get("/orders", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["action"] == "order.lookup" and body["result"] == "error"
    assert field in body["error"]
    if message:
        assert body["error"][field] == message


# --- POST /orders ---------------------------------------------------------------------


def test_update_tags_and_item_attributes(client):
    order = buy(client, "pro")
    response = client.post(
        "/orders",
        json={
            "orders": [
                {
                    "order": order["id"],
                    "tags": {"crm": "42"},
                    "items": [{"product": "pro", "attributes": {"seats": "5"}}],
                }
            ]
        },
    )
    assert response.json() == {
        "orders": [{"order": order["id"], "action": "order.update", "result": "success"}]
    }
    updated = client.get(f"/orders/{order['id']}").json()
    assert updated["tags"] == {"crm": "42"}
    assert updated["items"][0]["attributes"] == {"seats": "5"}
    sub = client.get(f"/subscriptions/{subscription_of(order)}").json()
    assert sub["attributes"] == {"seats": "5"}


def test_update_errors_per_item(client):
    order = buy(client, "pro")
    response = client.post(
        "/orders",
        json={
            "orders": [
                {"order": "nope", "tags": {}},
                {"order": order["id"], "tags": "x"},
                {"order": order["id"], "items": [{"product": "ebook", "attributes": {}}]},
            ]
        },
    )
    assert response.status_code == 400
    errors = [r["error"] for r in response.json()["orders"]]
    assert errors == [
        {"order": "Not found"},
        {"tags": "tags must be an object"},
        {"items[0].product": "Product is not in the order"},
    ]


def test_update_items_that_are_not_objects(client):
    response = client.post("/orders", json={"orders": [None, 5, "x", []]})
    assert response.status_code == 400
    assert [r["error"] for r in response.json()["orders"]] == [
        {"order": "each order must be an object"}
    ] * 4


def test_create_and_charge_for_an_account_with_a_stored_method(client):
    order = buy(client, "pro")
    response = client.post(
        "/orders",
        json={
            "account": order["account"],
            "currency": "USD",
            "tags": {"src": "api"},
            "items": [
                {
                    "product": "ebook",
                    "quantity": 2,
                    "pricing": {"price": {"USD": 9.95}},
                    "attributes": {"k": "v"},
                }
            ],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "order.create" and body["order"] == body["id"]
    assert body["total"] == 19.9 and body["tags"] == {"src": "api"}
    assert event_types(client)[-2:] == ["order.completed", "payoutEntry.created"]


def test_create_and_charge_needs_a_stored_method_that_works(client):
    bare = client.post(
        "/accounts", json={"contact": {"first": "N", "last": "M", "email": "nomethod@example.com"}}
    ).json()["account"]
    refused = client.post("/orders", json={"account": bare, "items": [{"product": "ebook"}]})
    assert refused.status_code == 400
    assert refused.json()["error"] == {"account": "No payment method on file for this account"}
    order = buy(client, "pro")
    client.post(f"/_emulator/accounts/{order['account']}/payment", json={"decline": "EXPIRED_CARD"})
    declined = client.post(
        "/orders", json={"account": order["account"], "items": [{"product": "ebook"}]}
    )
    assert declined.json()["error"] == {"payment": "EXPIRED_CARD"}
    assert client.get("/orders").json()["total"] == 1


# --- returns --------------------------------------------------------------------------


def test_full_return(client):
    order = buy(client, "pro", "ebook")
    response = client.post(
        "/returns",
        json={
            "returns": [{"order": order["id"], "reason": "DUPLICATE_ORDER", "note": "As requested"}]
        },
    )
    assert response.status_code == 200
    (record,) = response.json()["returns"]
    assert record["action"] == "return.create" and record["result"] == "success"
    assert record["reference"].endswith("X") and record["type"] == "RETURN"
    assert record["totalReturn"] == 15.0 and record["reason"] == "DUPLICATE_ORDER"
    assert record["original"]["order"] == order["id"]
    assert [i["product"] for i in record["items"]] == ["pro", "ebook"]
    fetched = client.get(f"/returns/{record['return']}").json()["returns"][0]
    assert fetched["action"] == "return.get" and fetched["totalReturn"] == 15.0
    listed = client.get(f"/orders/{order['id']}").json()["returns"]
    assert listed == [
        {
            "return": record["return"],
            "amount": 15.0,
            "amountDisplay": "USD 15.00",
            "amountInPayoutCurrency": 15.0,
            "amountInPayoutCurrencyDisplay": "USD 15.00",
        }
    ]
    (created,) = events(client, "return.created")
    assert created["data"]["return"] == record["return"]
    assert created["data"]["account"]["id"] == order["account"]
    assert (
        client.get("/accounts", params={"refunds": "true"}).json()["accounts"][0]["id"]
        == order["account"]
    )
    again = client.post("/returns", json={"returns": [{"order": order["id"]}]})
    assert again.status_code == 400
    assert again.json()["returns"][0]["error"] == {"order": "Nothing left to return on this order"}


def test_partial_returns_until_nothing_is_left(client):
    order = client.post(
        "/_emulator/orders",
        json={
            "contact": {"first": "A", "last": "B", "email": "p@example.com"},
            "items": [{"product": "ebook", "quantity": 3}],
        },
    ).json()
    first = client.post(
        "/returns",
        json={"returns": [{"order": order["id"], "items": [{"product": "ebook", "quantity": 2}]}]},
    ).json()
    assert first["returns"][0]["totalReturn"] == 10.0
    second = client.post(
        "/returns",
        json={"returns": [{"order": order["id"], "items": [{"product": "ebook", "quantity": 2}]}]},
    )
    assert second.json()["returns"][0]["error"] == {"items[0].quantity": "Must be from 1 to 1"}
    last = client.post(
        "/returns", json={"returns": [{"order": order["id"], "items": [{"product": "ebook"}]}]}
    ).json()
    assert last["returns"][0]["totalReturn"] == 5.0
    assert len(client.get(f"/orders/{order['id']}").json()["returns"]) == 2


@pytest.mark.parametrize(
    "item, field",
    [
        ({"order": "nope"}, "order"),
        ({"order": 5}, "order"),
        ({"order": None}, "order"),
        ({"reason": "BORED"}, "reason"),
        ({"items": []}, "items"),
        ({"items": [{"product": "other"}]}, "items[0].product"),
        ({"items": [{"product": "ebook", "quantity": 0}]}, "items[0].quantity"),
        ({"note": 5}, "note"),
    ],
)
def test_bad_returns_change_nothing(client, item, field):
    order = buy(client, "ebook")
    body = {"order": order["id"], **item} if "order" not in item else item
    response = client.post("/returns", json={"returns": [body]})
    assert response.status_code == 400
    assert field in response.json()["returns"][0]["error"]
    assert "returns" not in client.get(f"/orders/{order['id']}").json()
    assert "return.created" not in event_types(client)


def test_unknown_return_and_bad_bodies(client):
    assert client.get("/returns/nope").json() == {
        "returns": [
            {
                "return": "nope",
                "action": "return.get",
                "result": "error",
                "error": {"return": "Not found"},
            }
        ]
    }
    bodies: list[dict[str, Any]] = [{}, {"returns": []}, {"returns": "x"}]
    for body in bodies:
        assert client.post("/returns", json=body).status_code == 400


# --- sessions -------------------------------------------------------------------------


def test_session_then_completion(client):
    order = buy(client, "ebook")
    session = client.post(
        "/sessions",
        json={"account": order["account"], "items": [{"product": "pro", "quantity": 2}]},
    ).json()
    assert set(session) == {"id", "currency", "expires", "order", "account", "subtotal", "items"}
    assert session["order"] is None and session["subtotal"] == 20.0
    assert session["expires"] - client.get("/_emulator/clock").json()["now"] == 86_400_000
    completed = client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert completed.status_code == 200
    assert completed.json()["account"] == order["account"]
    assert completed.json()["items"][0]["quantity"] == 2
    again = client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert again.status_code == 400


def test_expired_or_unknown_sessions_cannot_complete(client):
    order = buy(client, "ebook")
    session = client.post(
        "/sessions", json={"account": order["account"], "items": [{"product": "pro"}]}
    ).json()
    advance(client, days=2)
    expired = client.post(f"/_emulator/sessions/{session['id']}/complete")
    assert expired.json()["error"] == {"session": "Session has expired"}
    assert client.post("/_emulator/sessions/nope/complete").status_code == 400


@pytest.mark.parametrize("raw", [b"{", b"[]", b""])
def test_unparseable_session_bodies_get_the_spring_style_error(client, raw):
    response = client.post("/sessions", content=raw)
    assert response.status_code == 400
    assert response.json()["params"] == []
    if raw != b"[]":
        assert response.json() == {"message": "Can not parse request body.", "params": []}


def test_invalid_sessions(client):
    for body in (
        {"items": [{"product": "pro"}]},
        {"account": "nope", "items": []},
        {"account": "nope", "items": [{"product": "pro"}]},
    ):
        response = client.post("/sessions", json=body)
        assert response.status_code == 400
        assert set(response.json()) == {"message", "params"}


def test_the_official_session_example_with_only_a_setup_fee(client):
    """FastSpring's reference example: an item whose pricing carries only a setupFee."""
    client.post(
        "/products",
        json={
            "products": [
                {
                    "product": "example-monthly-subscription",
                    "pricing": {"interval": "month", "price": {"USD": 20.0}},
                }
            ]
        },
    )
    account = client.post(
        "/accounts",
        json={"contact": {"first": "Ex", "last": "Ample", "email": "example@example.com"}},
    ).json()["account"]
    response = client.post(
        "/sessions",
        json={
            "account": account,
            "items": [
                {
                    "product": "example-monthly-subscription",
                    "quantity": 1,
                    "pricing": {
                        "setupFee": {
                            "title": {"en": "Subscription Initiation Fee"},
                            "price": {"USD": 10},
                        }
                    },
                }
            ],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["subtotal"] == 20.0
    order = client.post(f"/_emulator/sessions/{response.json()['id']}/complete").json()
    assert [(i["product"], i["subtotal"]) for i in order["items"]] == [
        ("example-monthly-subscription", 20.0),
        ("example-monthly-subscription.setupFee", 10.0),
    ]
    bad = client.post(
        "/sessions",
        json={
            "account": account,
            "items": [
                {"product": "example-monthly-subscription", "pricing": {"setupFee": {"price": "x"}}}
            ],
        },
    )
    assert bad.status_code == 400
