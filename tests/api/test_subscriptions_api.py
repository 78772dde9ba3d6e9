"""The Subscriptions, Orders and clock APIs: shapes, filters, updates and bad input."""

from __future__ import annotations

import pytest

from tests.support.shop import (
    add_product,
    advance,
    buy,
    day,
    event_types,
    shop,
    sub,
    subscription_of,
)


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 10.0, "EUR": 9.0})
    add_product(client, "basic", price={"USD": 5.0, "EUR": 4.5})
    add_product(client, "usage", interval="adhoc", price={"USD": 1.0})
    return client


# --- get and list ---------------------------------------------------------------------


def test_several_ids_return_the_plural_wrapper_with_errors(client):
    a = subscription_of(buy(client, "pro"))
    b = subscription_of(buy(client, "basic", email="b@example.com"))
    response = client.get(f"/subscriptions/{a},nope,{b}")
    assert response.status_code == 200
    records = response.json()["subscriptions"]
    assert [r["result"] for r in records] == ["success", "error", "success"]
    assert records[0]["id"] == a and records[0]["action"] == "subscription.get"
    assert records[1] == {
        "subscription": "nope",
        "action": "subscription.get",
        "result": "error",
        "error": {"subscription": "Subscription not found"},
    }


def test_unknown_subscription_is_a_top_level_400(client):
    response = client.get("/subscriptions/nope")
    assert response.status_code == 400
    assert response.json() == {
        "action": "subscription.get",
        "subscription": "nope",
        "result": "error",
        "error": {"subscription": "Subscription not found"},
    }


def test_filters_on_the_by_id_path_are_accepted(client):
    sub_id = subscription_of(buy(client, "pro"))
    response = client.get(f"/subscriptions/{sub_id}", params={"accountId": "x", "scope": "live"})
    assert response.status_code == 200 and response.json()["id"] == sub_id


def test_list_returns_ids_without_filters_and_objects_with_them(client):
    first = buy(client, "pro")
    ids = [subscription_of(first), subscription_of(buy(client, "basic", email="b@x.co"))]
    plain = client.get("/subscriptions").json()
    assert plain["action"] == "subscription.getall" and plain["subscriptions"] == ids
    assert (plain["page"], plain["limit"], plain["nextPage"], plain["total"]) == (1, 50, None, 2)
    mine = client.get("/subscriptions", params={"accountId": first["account"]}).json()
    assert [s["id"] for s in mine["subscriptions"]] == ids[:1]
    assert mine["subscriptions"][0]["state"] == "active"


def test_list_filters(client):
    jane = buy(client, "pro")
    bob = buy(client, "basic", email="bob@example.com")
    add_product(client, "trial", trial=7)
    trial = subscription_of(buy(client, "trial", email="t@example.com"))
    canceled = subscription_of(buy(client, "pro", email="c@example.com"))
    client.delete(f"/subscriptions/{canceled}")

    def ids(**params):
        response = client.get("/subscriptions", params=params)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["subscriptions"]]

    assert ids(status="active") == [subscription_of(jane), subscription_of(bob), trial]
    assert ids(status="trial") == [trial]
    assert ids(status="canceled") == [canceled]
    assert ids(products="basic") == [subscription_of(bob)]
    assert ids(products="basic,trial") == [subscription_of(bob), trial]
    assert ids(products="pro", status="active") == [subscription_of(jane)]
    assert ids(scope="live") == [] and len(ids(scope="test")) == 4
    assert ids(event="canceled", begin="2027-01-15", end="2027-01-15") == [canceled]
    assert ids(event="canceled", begin="2027-01-16") == []
    assert ids(event="trialstarted") == [trial]
    assert ids(accountId="unknown") == []


def test_list_paging(client):
    created = [subscription_of(buy(client, "pro", email=f"u{n}@example.com")) for n in range(5)]
    first = client.get("/subscriptions", params={"limit": 2}).json()
    rest = client.get("/subscriptions", params={"limit": 2, "page": 2}).json()
    last = client.get("/subscriptions", params={"limit": 2, "page": 3}).json()
    assert first["subscriptions"] + rest["subscriptions"] + last["subscriptions"] == created
    assert (first["nextPage"], last["nextPage"]) == (2, None)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "inactive"}, "status"),
        ({"scope": "prod"}, "scope"),
        ({"event": "renewed"}, "event"),
        ({"event": "canceled", "begin": "01/02/27"}, "begin"),
        ({"page": "0"}, "page"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_bad_list_parameters_are_400(client, params, field):
    response = client.get("/subscriptions", params=params)
    assert response.status_code == 400
    assert response.json()["action"] == "subscription.getall"
    assert field in response.json()["error"]


# --- batch update ---------------------------------------------------------------------


def test_update_quantity_next_end_and_manual_renew(client):
    sub_id = subscription_of(buy(client, "pro"))
    response = client.post(
        "/subscriptions",
        json={
            "subscriptions": [
                {
                    "subscription": sub_id,
                    "quantity": 3,
                    "next": "2027-03-01",
                    "end": day("2027-12-31"),
                    "manualRenew": True,
                    "tags": {"plan": "team"},
                }
            ]
        },
    )
    assert response.status_code == 200
    s = sub(client, sub_id)
    assert (s["quantity"], s["next"], s["end"], s["autoRenew"]) == (
        3,
        day("2027-03-01"),
        day("2027-12-31"),
        False,
    )
    assert s["nextChargeTotal"] == 30.0 and s["tags"] == {"plan": "team"}
    assert event_types(client)[-1] == "subscription.updated"
    client.post("/subscriptions", json={"subscriptions": [{"subscription": sub_id, "end": 0}]})
    assert sub(client, sub_id)["end"] is None


def test_update_product_changes_plan_and_price(client):
    sub_id = subscription_of(buy(client, "pro"))
    client.post(f"/subscriptions/{sub_id}", json={"product": "basic"})
    s = sub(client, sub_id)
    assert (s["product"], s["price"], s["sku"]) == ("basic", 5.0, "BASIC")


def test_a_past_next_date_rebills_at_once(client):
    sub_id = subscription_of(buy(client, "pro"))
    advance(client, to="2027-01-25T12:00:00Z")
    client.post(
        "/subscriptions", json={"subscriptions": [{"subscription": sub_id, "next": "2027-01-20"}]}
    )
    s = sub(client, sub_id)
    assert s["sequence"] == 2 and s["next"] == day("2027-02-20")


def test_every_documented_update_error_is_returned_per_item(client):
    sub_id = subscription_of(buy(client, "pro"))
    managed = subscription_of(buy(client, "usage", email="m@example.com"))
    response = client.post(
        "/subscriptions",
        json={
            "subscriptions": [
                {
                    "subscription": sub_id,
                    "quantity": 0,
                    "next": "31/01/2027",
                    "end": "soon",
                    "product": "usage",
                    "coupons": ["SAVE10"],
                },
                {"subscription": managed, "prorate": True},
                {"subscription": "missing", "quantity": 2},
            ]
        },
    )
    assert response.status_code == 400
    first, second, third = response.json()["subscriptions"]
    assert first == {
        "subscription": sub_id,
        "action": "subscription.update",
        "result": "error",
        "error": {
            "quantity": "Must be greater than zero",
            "next": "Date format yyyy-mm-dd or milliseconds",
            "end": "Set 0 for no end date or Date format yyyy-mm-dd or milliseconds",
            "product": "Not a subscription product",
            "coupons": "coupon_code is not a valid coupon: DOES_NOT_EXIST",
        },
    }
    assert second["error"] == {"prorate": "Can't prorate on-demand subscription"}
    assert third["error"] == {"subscription": "Subscription not found"}
    s = sub(client, sub_id)
    assert (s["quantity"], s["next"]) == (1, day("2027-02-15"))


def test_manual_renew_twice_is_an_error(client):
    sub_id = subscription_of(buy(client, "pro"))
    body = {"subscriptions": [{"subscription": sub_id, "manualRenew": True}]}
    client.post("/subscriptions", json=body)
    response = client.post("/subscriptions", json=body)
    assert response.json()["subscriptions"][0]["error"] == {
        "manualRenew": "Subscription is already set to manual renew"
    }


def test_one_failing_item_does_not_stop_the_others(client):
    a = subscription_of(buy(client, "pro"))
    b = subscription_of(buy(client, "basic", email="b@example.com"))
    response = client.post(
        "/subscriptions",
        json={
            "subscriptions": [
                {"subscription": a, "quantity": -1},
                {"subscription": b, "quantity": 2},
            ]
        },
    )
    assert response.status_code == 200
    assert [r["result"] for r in response.json()["subscriptions"]] == ["error", "success"]
    assert sub(client, b)["quantity"] == 2 and sub(client, a)["quantity"] == 1


@pytest.mark.parametrize("body", [{}, {"subscriptions": []}, {"subscriptions": "x"}])
def test_update_without_a_subscriptions_array_is_400(client, body):
    response = client.post("/subscriptions", json=body)
    assert response.status_code == 400
    assert response.json()["action"] == "subscription.update"


def test_entries_of_an_unknown_subscription(client):
    response = client.get("/subscriptions/nope/entries")
    assert response.status_code == 400
    assert response.json()["error"] == {"subscription": "Subscription not found"}


# --- orders ---------------------------------------------------------------------------


def test_get_one_order_is_bare_and_several_are_wrapped(client):
    a = buy(client, "pro")
    b = buy(client, "basic", email="b@example.com", currency="EUR")
    one = client.get(f"/orders/{a['id']}").json()
    assert one["action"] == "order.get" and one["id"] == a["id"] and one["total"] == 10.0
    both = client.get(f"/orders/{a['id']},{b['id']}").json()["orders"]
    assert [o["id"] for o in both] == [a["id"], b["id"]]
    assert both[1]["currency"] == "EUR" and both[1]["totalDisplay"] == "€4.50"
    assert both[1]["totalInPayoutCurrencyDisplay"] == "USD 4.91"


def test_unknown_order_is_wrapped_even_alone(client):
    response = client.get("/orders/nope")
    assert response.status_code == 400
    assert response.json() == {
        "orders": [
            {
                "order": "nope",
                "action": "order.get",
                "result": "error",
                "error": {"order": "Not found"},
            }
        ]
    }


def test_account_filters_follow_orders_and_subscriptions(client):
    order = buy(client, "pro")
    sub_id = subscription_of(order)
    account_id = order["account"]
    for params in (
        {"orderID": order["id"]},
        {"orderReference": order["reference"]},
        {"subscriptionId": sub_id},
        {"products": "basic,pro"},
        {"subscriptions": "active"},
        {"subscriptions": "started"},
    ):
        response = client.get("/accounts", params=params)
        assert response.status_code == 200, params
        assert [a["id"] for a in response.json()["accounts"]] == [account_id]
    client.delete(f"/subscriptions/{sub_id}")
    assert client.get("/accounts", params={"subscriptions": "active"}).status_code == 400
    assert client.get("/accounts", params={"subscriptions": "canceled"}).status_code == 200
    client.delete(f"/subscriptions/{sub_id}?billingPeriod=0")


def test_account_filters_keep_every_buyer_and_survive_a_snapshot(client):
    """One buyer per order and subscription, several per product, a refund flag shared
    by all: the same answers before and after the store is exported and imported."""
    orders = [buy(client, "pro", email=f"buyer{n}@example.com") for n in range(3)]
    again = buy(client, "pro", email="buyer0@example.com")  # the same account again
    buyers = [order["account"] for order in orders]
    assert again["account"] == buyers[0]
    for order in (orders[0], orders[2]):
        assert (
            client.post("/returns", json={"returns": [{"order": order["id"]}]}).status_code == 200
        )

    def answers():
        found = {}
        queries = [{"products": "pro"}, {"products": "basic,pro"}, {"refunds": "true"}]
        for order in [*orders, again]:
            queries += [
                {"orderID": order["id"]},
                {"orderReference": order["reference"]},
                {"subscriptionId": subscription_of(order)},
            ]
        for params in queries:
            response = client.get("/accounts", params=params)
            assert response.status_code == 200, params
            found[tuple(params.items())] = [a["id"] for a in response.json()["accounts"]]
        return found

    before = answers()
    assert before[(("products", "pro"),)] == buyers
    assert before[(("refunds", "true"),)] == [buyers[0], buyers[2]]
    assert before[(("orderID", again["id"]),)] == [buyers[0]]
    snapshot = client.get("/_emulator/snapshot").content
    assert client.post("/_emulator/reset").status_code == 200
    assert client.post("/_emulator/snapshot", content=snapshot).status_code == 200
    assert answers() == before


# --- checkout and payment control ------------------------------------------------------


# Values of the wrong type, which once answered 500.
WRONG_OUTCOMES: tuple[object, ...] = ({}, ["failed"], "nope", 3)
WRONG_ITEMS: tuple[object, ...] = (1.5, "pro", {"product": "pro"}, None, [])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"items": [{"product": "pro"}]}, "account"),
        ({"contact": {"first": "A", "last": "B", "email": "a@b.co"}}, "items"),
        ({"contact": {"first": "A", "last": "B", "email": "a@b.co"}, "items": []}, "items"),
        (
            {
                "contact": {"first": "A", "last": "B", "email": "a@b.co"},
                "items": [{"product": "nope"}],
            },
            "items[0].product",
        ),
        (
            {
                "contact": {"first": "A", "last": "B", "email": "a@b.co"},
                "items": [{"product": "pro", "quantity": 0}],
            },
            "items[0].quantity",
        ),
        (
            {
                "contact": {"first": "A", "last": "B", "email": "a@b.co"},
                "items": [{"product": "pro"}],
                "currency": "JPY",
            },
            "items[0].product",
        ),
        ({"contact": {"first": "A", "email": "a@b.co"}, "items": [{"product": "pro"}]}, "last"),
        ({"account": "nope", "items": [{"product": "pro"}]}, "account"),
        (
            {
                "contact": {"first": "A", "last": "B", "email": "a@b.co"},
                "items": [{"product": "pro"}],
                "payment": {"decline": 5},
            },
            "decline",
        ),
        (
            {
                "contact": {"first": "A", "last": "B", "email": "a@b.co"},
                "items": [{"product": "pro"}],
                "coupon": "NOPE",
            },
            "coupon",
        ),
        ({"contact": {"first": "A", "last": "B", "email": "a@b.co"}, "items": ["pro"]}, "items[0]"),
        *(
            (
                {
                    "contact": {"first": "A", "last": "B", "email": "a@b.co"},
                    "items": [{"product": "pro"}],
                    "outcome": outcome,
                },
                "outcome",
            )
            for outcome in WRONG_OUTCOMES
        ),
        *(
            ({"contact": {"first": "A", "last": "B", "email": "a@b.co"}, "items": items}, "items")
            for items in WRONG_ITEMS
        ),
    ],
)
def test_bad_checkouts_are_400_and_change_nothing(client, body, field):
    response = client.post("/_emulator/orders", json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["error"]
    assert client.get("/accounts").json()["total"] == 0
    assert client.get("/subscriptions").json()["total"] == 0
    assert event_types(client) == []


def test_checkout_payment_behaviour_applies_to_later_charges(client):
    order = buy(client, "pro", payment={"decline": "INSUFFICIENT_FUNDS"})
    advance(client, to="2027-02-15T00:00:00Z")
    s = sub(client, subscription_of(order))
    assert (s["state"], s["declineReason"]) == ("overdue", "INSUFFICIENT_FUNDS")


@pytest.mark.parametrize("body", [{}, {"decline": 7}, {"decline": "not a reason"}])
def test_bad_payment_behaviours_are_400(client, body):
    order = buy(client, "pro")
    response = client.post(f"/_emulator/accounts/{order['account']}/payment", json=body)
    assert response.status_code == 400


def test_payment_for_an_unknown_account_is_400(client):
    response = client.post("/_emulator/accounts/nope/payment", json={"decline": None})
    assert response.status_code == 400
    assert response.json()["account"] == "nope"


# --- clock ----------------------------------------------------------------------------


def test_clock_reads_advances_and_freezes():
    client = shop()
    clock = client.get("/_emulator/clock").json()
    assert clock == {
        "now": day("2027-01-15") + 10 * 3_600_000,
        "iso": "2027-01-15T10:00:00.000Z",
        "frozen": True,
    }
    assert advance(client, seconds=90)["iso"] == "2027-01-15T10:01:30.000Z"
    assert advance(client, days=1.5)["iso"] == "2027-01-16T22:01:30.000Z"
    assert advance(client, to="2027-02-01")["iso"] == "2027-02-01T00:00:00.000Z"


def test_an_unfrozen_clock_keeps_running(make_client):
    client = make_client()
    first = client.get("/_emulator/clock").json()
    assert first["frozen"] is False
    later = client.post("/_emulator/clock/advance", json={"days": 2}).json()
    assert later["now"] - first["now"] >= 2 * 86_400_000


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"days": 1, "seconds": 1},
        {"days": -1},
        {"days": "1"},
        {"to": "yesterday"},
        {"to": "2020-01-01T00:00:00Z"},
        {"seconds": True},
        {"days": 10**9},
    ],
)
def test_bad_clock_advances_are_400_and_move_nothing(body):
    client = shop()
    response = client.post("/_emulator/clock/advance", json=body)
    assert response.status_code == 400
    assert client.get("/_emulator/clock").json()["iso"] == "2027-01-15T10:00:00.000Z"


def test_events_log_paging_and_type_filter(client):
    for n in range(3):
        buy(client, "pro", email=f"e{n}@example.com")
    body = client.get("/_emulator/events", params={"limit": 4}).json()
    assert body["total"] == 12 and body["nextPage"] == 2 and len(body["events"]) == 4
    only = client.get("/_emulator/events", params={"type": "account.created"}).json()
    assert only["total"] == 3
    assert client.get("/_emulator/events", params={"page": "x"}).status_code == 400
