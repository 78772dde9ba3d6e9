"""Coupons: the Coupons API, the control-plane shortcut, and using codes to buy."""

from __future__ import annotations

import pytest

from tests.support.shop import add_product, advance, buy, events, shop, sub, subscription_of


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 20.0})
    add_product(client, "ebook", interval=None, price={"USD": 10.0})
    return client


def define(client, **coupon):
    response = client.post("/_emulator/coupons", json=coupon)
    assert response.status_code == 200, response.text
    return response.json()


def percent(n):
    return {"type": "percent", "percent": n}


def upsert(client, **coupon):
    response = client.post("/coupons", json=coupon)
    assert response.status_code == 200, response.text
    return response.json()


def checkout_error(client, code, email="x@example.com"):
    response = client.post(
        "/_emulator/orders",
        json={
            "contact": {"first": "A", "last": "B", "email": email},
            "items": [{"product": "pro"}],
            "coupon": code,
        },
    )
    assert response.status_code == 400
    return response.json()["error"]["coupon"]


# --- using coupons -----------------------------------------------------------------------


def test_a_percent_coupon_discounts_the_purchase_and_n_periods(client):
    define(client, coupon="SAVE25", discount=percent(25), discountPeriodCount=2)
    order = buy(client, "pro", coupon="SAVE25")
    assert order["coupons"] == ["SAVE25"] and order["discount"] == 5.0
    assert order["total"] == 15.0 and order["items"][0]["coupon"] == "SAVE25"
    sub_id = subscription_of(order)
    s = sub(client, sub_id)
    assert (s["discount"], s["discountDuration"], s["nextChargeTotal"]) == (5.0, 1, 15.0)
    assert s["coupons"] == ["SAVE25"]
    advance(client, to="2027-03-16T00:00:00Z")
    totals = [e["data"]["total"] for e in events(client, "subscription.charge.completed")]
    assert totals == [15.0, 20.0]
    assert sub(client, sub_id)["coupons"] == []


def test_an_amount_coupon_limited_to_some_products(client):
    define(
        client,
        coupon="TENOFF",
        discount={"type": "flat", "amount": {"USD": 10}},
        products=["ebook"],
    )
    order = client.post(
        "/_emulator/orders",
        json={
            "contact": {"first": "A", "last": "B", "email": "a@example.com"},
            "items": [{"product": "pro"}, {"product": "ebook", "quantity": 2}],
            "coupon": "TENOFF",
        },
    ).json()
    assert [i["discount"] for i in order["items"]] == [0.0, 20.0]
    assert order["total"] == 20.0
    assert sub(client, subscription_of(order))["coupons"] == []


def test_coupons_in_a_subscription_update(client):
    define(client, coupon="HALF", discount=percent(50))
    sub_id = subscription_of(buy(client, "pro"))
    response = client.post(
        "/subscriptions", json={"subscriptions": [{"subscription": sub_id, "coupons": ["half"]}]}
    )
    assert response.status_code == 200
    assert sub(client, sub_id)["nextChargeTotal"] == 10.0
    client.post("/subscriptions", json={"subscriptions": [{"subscription": sub_id, "coupons": []}]})
    assert sub(client, sub_id)["nextChargeTotal"] == 20.0


def test_coupon_rules_and_their_documented_errors(client):
    define(client, coupon="ONCE", discount=percent(10), limit=1)
    define(client, coupon="LATER", discount=percent(10), available={"start": "2030-01-01"})
    define(
        client,
        coupon="OVER",
        discount=percent(10),
        available={"start": "2026-01-01 00:00", "end": "2027-01-14"},
    )
    buy(client, "pro", coupon="ONCE")
    for code, reason in (
        ("ONCE", "USE_LIMIT_REACHED"),
        ("LATER", "NOT_VALID_TODAY"),
        ("OVER", "NOT_VALID_TODAY"),
        ("NOPE", "DOES_NOT_EXIST"),
    ):
        assert checkout_error(client, code, f"{code}@example.com") == (
            f"coupon_code is not a valid coupon: {reason}"
        )
    listed = client.get("/_emulator/coupons").json()["coupons"]
    assert [(c["coupon"], c["uses"]) for c in listed] == [("ONCE", 1), ("LATER", 0), ("OVER", 0)]


def test_an_end_date_covers_its_whole_day_on_the_store_clock(client):
    define(client, coupon="TODAY", discount=percent(10), available={"end": "2027-01-15"})
    assert buy(client, "ebook", coupon="today")["discount"] == 1.0
    advance(client, to="2027-01-16T00:00:00Z")
    assert checkout_error(client, "TODAY").endswith("NOT_VALID_TODAY")


def test_a_session_carries_its_coupon(client):
    define(client, coupon="SAVE5", discount={"type": "flat", "amount": {"USD": 5}})
    account = buy(client, "ebook")["account"]
    session = client.post(
        "/sessions", json={"account": account, "coupon": "SAVE5", "items": [{"product": "ebook"}]}
    ).json()
    order = client.post(f"/_emulator/sessions/{session['id']}/complete").json()
    assert order["total"] == 5.0 and order["coupons"] == ["SAVE5"]


# --- the Coupons API ---------------------------------------------------------------------


def test_create_read_update_and_use_through_the_api(client):
    assert upsert(
        client,
        coupon="summer",
        discount=percent(20),
        codes=["sun10", "SUN10"],
        reason={"en": "Summer"},
        limit=5,
        products=["pro"],
    ) == {"coupon": "summer", "action": "coupon.create", "result": "success"}
    got = client.get("/coupons/summer").json()
    assert got == {
        "coupon": "summer",
        "discount": {
            "hasMultipleDiscounts": False,
            "discounts": [],
            "type": "percent",
            "percent": 20,
        },
        "discountPeriodCount": None,
        "combine": False,
        "reason": {"en": "Summer"},
        "limit": "5",
        "available": {},
        "codes": ["SUN10"],
        "products": ["pro"],
    }
    assert (
        upsert(client, coupon="summer", discountPeriodCount=2, applyDiscountImmediately=True)[
            "action"
        ]
        == "coupon.update"
    )
    got = client.get("/coupons/summer").json()
    assert got["codes"] == ["SUN10"] and got["discount"]["percent"] == 20
    assert got["discountPeriodCount"] == 2 and got["applyDiscountImmediately"] is True
    assert client.get("/coupons").json() == {"coupons": ["summer"]}
    order = buy(client, "pro", coupon="sun10")
    assert order["discount"] == 4.0 and order["coupons"] == ["sun10"]


def test_codes_are_added_listed_and_deleted(client):
    upsert(client, coupon="c1", discount=percent(10), codes=["A1"])
    answer = client.post("/coupons/c1", json={"codes": ["b2", "B2", "a1"]}).json()
    assert answer == {"coupon": "c1", "codes": ["b2", "B2", "a1"], "result": "success"}
    assert client.get("/coupons/c1/codes").json() == {"coupon": "c1", "codes": ["A1", "B2"]}
    assert buy(client, "ebook", coupon="b2")["discount"] == 1.0
    deleted = client.delete("/coupons/c1/codes").json()
    assert deleted == {
        "coupon": "c1",
        "codes deleted": ["A1", "B2"],
        "action": "delete coupon codes",
        "result": "success",
    }
    assert checkout_error(client, "A1").endswith("DOES_NOT_EXIST")
    assert client.post("/coupons/c1", json={"codes": ["A1"]}).json()["result"] == "success"
    assert buy(client, "ebook", coupon="a1", email="z@example.com")["discount"] == 1.0


def test_codes_replace_on_update_and_are_unique_in_the_store(client):
    upsert(client, coupon="one", discount=percent(10), codes=["X1", "X2"])
    upsert(client, coupon="one", codes=["X3"])
    assert client.get("/coupons/one/codes").json()["codes"] == ["X3"]
    assert checkout_error(client, "X1").endswith("DOES_NOT_EXIST")
    taken = client.post(
        "/coupons", json={"coupon": "two", "discount": percent(5), "codes": ["x3"]}
    ).json()
    assert taken == {
        "coupon": "two",
        "action": "coupon.create",
        "result": "error",
        "error": "Coupon code X3 already belongs to coupon one",
    }
    assert client.get("/coupons").json()["coupons"] == ["one"]


def test_delete_a_coupon_only_without_codes(client):
    upsert(client, coupon="gone", discount=percent(10), codes=["G1"])
    refused = client.delete("/coupons/gone").json()
    assert refused["result"] == "error" and "codes" in refused["error"]
    client.delete("/coupons/gone/codes")
    assert client.delete("/coupons/gone").json() == {
        "coupon": "gone",
        "action": "coupon.delete",
        "result": "success",
    }
    assert client.get("/coupons/gone").json() == {
        "coupon": "gone",
        "action": "coupon.get",
        "result": "error",
        "error": "Not found",
    }


def test_a_subscription_keeps_a_deleted_coupons_terms(client):
    upsert(client, coupon="keep", discount=percent(50), codes=["K"])
    sub_id = subscription_of(buy(client, "pro", coupon="K"))
    client.delete("/coupons/keep/codes")
    client.delete("/coupons/keep")
    assert sub(client, sub_id)["nextChargeTotal"] == 10.0
    snapshot = client.get("/_emulator/snapshot").json()
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert sub(client, sub_id)["nextChargeTotal"] == 10.0


def test_multi_discount_coupons_in_both_request_forms(client):
    add_product(client, "seat", price={"USD": 4.0})
    official = {
        "coupon": "Black-Friday-2021",
        "discount": {
            "hasMultipleDiscounts": True,
            "discounts": [
                {
                    "type": "flat",
                    "amount": {"USD": 10},
                    "products": ["ebook"],
                    "discountPeriodCount": None,
                },
                {"type": "percent", "percent": 25, "products": ["pro"], "discountPeriodCount": 3},
            ],
        },
        "combine": False,
        "reason": {"en": "Black Friday Savings"},
        "limit": "",
        "available": {"start": "2021-11-24 ", "end": "2031-11-29 "},
        "codes": ["BF21", "BL21"],
    }
    assert upsert(client, **official)["result"] == "success"
    got = client.get("/coupons/Black-Friday-2021").json()
    assert got["discount"]["hasMultipleDiscounts"] is True
    assert [t["discountPeriodCount"] for t in got["discount"]["discounts"]] == [None, 3]
    assert got["products"] == ["ebook", "pro"] and got["limit"] == ""
    assert got["available"] == {"start": "2021-11-24", "end": "2031-11-29"}
    order = client.post(
        "/_emulator/orders",
        json={
            "contact": {"first": "A", "last": "B", "email": "bf@example.com"},
            "items": [{"product": "pro"}, {"product": "ebook"}, {"product": "seat"}],
            "coupon": "bf21",
        },
    ).json()
    assert [i["discount"] for i in order["items"]] == [5.0, 10.0, 0.0]
    upsert(
        client,
        coupon="tiers",
        hasMultiDiscount=True,
        codes=["T"],
        discounts=[
            {"type": "percent", "percent": 10, "discountPeriodCount": 1},
            {"type": "percent", "percent": 50, "products": ["seat"]},
        ],
    )
    s = sub(client, subscription_of(buy(client, "seat", coupon="T", email="t@example.com")))
    assert s["discounts"][0]["percentValue"] == 50


def test_get_several_and_expanded(client):
    upsert(client, coupon="a", discount=percent(10), products=["pro"])
    many = client.get("/coupons/a,missing").json()["coupons"]
    assert [(c["coupon"], c["result"]) for c in many] == [("a", "success"), ("missing", "error")]
    expanded = client.get("/coupons/a", params={"expand": "true"}).json()
    assert expanded["products"][0]["product"] == "pro"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"discount": percent(10)}, "Coupon id is required"),
        ({"coupon": "bad id", "discount": percent(10)}, "Invalid coupon id"),
        ({"coupon": "X"}, "Invalid discount type"),
        (
            {"coupon": "X", "discount": {"type": "percent", "percent": 0}},
            "Invalid discount type percent",
        ),
        (
            {"coupon": "X", "discount": {"type": "flat", "amount": {"USD": -1}}},
            "Invalid discount type amount",
        ),
        ({"coupon": "X", "discount": {"type": "gift"}}, "Invalid discount type"),
        (
            {"coupon": "X", "discount": percent(5), "codes": ["SUMMER@10"]},
            "Invalid coupon code SUMMER@10",
        ),
        ({"coupon": "X", "discount": percent(5), "limit": -1}, "Invalid limit"),
        (
            {"coupon": "X", "discount": percent(5), "discountPeriodCount": 400},
            "Invalid discount period count",
        ),
        (
            {"coupon": "X", "discount": percent(5), "available": {"start": "soon"}},
            "Invalid available dates",
        ),
        (
            {
                "coupon": "X",
                "discount": percent(5),
                "available": {"start": "2027-02-01", "end": "2027-01-01"},
            },
            "Available end date must be after the start date",
        ),
        (
            {
                "coupon": "X",
                "discount": {"type": "flat", "amount": {"USD": 5}},
                "orderLevelDiscount": True,
            },
            "Order level discounts are not enabled for this store",
        ),
        (
            {"coupon": "X", "hasMultiDiscount": True, "discounts": [percent(5)]},
            "A multi-discount coupon needs 2 to 25 discounts",
        ),
        (
            {
                "coupon": "X",
                "hasMultiDiscount": True,
                "discounts": [
                    {**percent(5), "products": ["pro"]},
                    {**percent(6), "products": ["pro"]},
                ],
            },
            "A product can belong to only one discount",
        ),
        (
            {"coupon": "X", "hasMultiDiscount": True, "discounts": [percent(5), percent(6)]},
            "Only one discount can apply to all products",
        ),
    ],
)
def test_refusals_are_200_errors_and_change_nothing(client, body, message):
    response = client.post("/coupons", json=body)
    assert response.status_code == 200
    assert response.json()["result"] == "error"
    assert response.json()["error"] == message
    assert client.get("/coupons").json()["coupons"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"coupon": "X", "discount": percent(5), "periods": 2},
        {"coupon": "X", "discount": {**percent(5), "extra": 1}},
        {"coupon": "X", "discount": percent(5), "codes": "ABC"},
        {"coupon": "X", "discount": percent(5), "combine": "yes"},
        {"coupon": "X", "discount": percent(5), "reason": "text"},
        {"coupon": "X", "discount": "ten"},
        {"coupon": {}, "discount": percent(5)},
        {"coupon": 7, "discount": percent(5)},
    ],
)
def test_unreadable_bodies_are_400s(client, body):
    response = client.post("/coupons", json=body)
    assert (response.status_code, response.json()) == (400, {"message": "unreadable", "params": []})
    assert client.get("/coupons").json()["coupons"] == []


def test_bad_input_on_the_code_endpoints(client):
    upsert(client, coupon="c", discount=percent(5))
    assert client.post("/coupons/c", content=b"{nope").status_code == 400
    assert client.post("/coupons/c", json={"codes": ["ok"], "x": 1}).status_code == 400
    bad = client.post("/coupons/c", json={"codes": ["no way"]}).json()
    assert bad["error"] == "Invalid coupon code no way"
    unknown = client.post("/coupons/nope", json={"codes": ["A"]}).json()
    assert (unknown["coupon"], unknown["error"]) == ("nope", "Not found")
    assert client.get("/coupons/nope/codes").json()["error"] == "Not found"
    assert client.delete("/coupons/nope/codes").json()["error"] == "Not found"
    assert client.get("/coupons/c/codes").json()["codes"] == []


def test_the_control_shortcut_refuses_with_a_400(client):
    response = client.post("/_emulator/coupons", json={"coupon": "X", "discount": percent(0)})
    assert response.status_code == 400
    assert response.json()["error"] == {"coupon": "Invalid discount type percent"}
    old_shape = client.post(
        "/_emulator/coupons", json={"coupon": "X", "discount": percent(5), "maxUses": 1}
    )
    assert old_shape.status_code == 400
    assert old_shape.json()["error"] == {"coupon": "unknown field maxUses"}
