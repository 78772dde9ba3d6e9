"""Quotes: the Quotes API, its status machine on the store clock, and paying a quote."""

from __future__ import annotations

import re

import pytest

from tests.support.shop import add_product, advance, events, shop, sub


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 100.0, "EUR": 90.0})
    add_product(client, "ebook", interval=None, price={"USD": 20.0})
    return client


def body(**overrides):
    return {
        "name": "Quote for ABC Company",
        "items": [{"product": "pro", "quantity": 2}, {"product": "ebook", "unitListPrice": 15}],
        "recipient": {
            "first": "Ann",
            "last": "Buyer",
            "email": "ann@abc.example",
            "company": "ABC",
        },
        "recipientAddress": {
            "addressLine1": "801 Garden St",
            "city": "Santa Barbara",
            "country": "US",
            "postalCode": "93101",
            "region": "CA",
        },
        "notes": "Thanks",
        "tags": [{"key": "deal", "value": "42"}],
    } | overrides


def create(client, **overrides):
    response = client.post("/quotes", json=body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def test_create_and_read_a_quote(client):
    quote = create(client)
    assert re.fullmatch(r"QU[A-Z2-7]{26}", quote["id"])
    assert quote["status"] == "OPEN" and quote["currency"] == "USD"
    assert quote["created"] == "2027-01-15T10:00:00.000+00:00"
    assert quote["expires"] == "2027-02-14T10:00:00.000+00:00"
    assert (quote["expirationDateDays"], quote["fulfillmentTerm"]) == (30, "ON_PAYMENT")
    assert (quote["subtotal"], quote["discount"], quote["total"]) == (215.0, 0.0, 215.0)
    assert quote["totalDisplay"] == "$215.00"
    pro, ebook = quote["items"]
    assert (pro["unitListPrice"], pro["customPrice"], pro["subscription"]) == (100.0, False, True)
    assert (ebook["unitListPrice"], ebook["customPrice"]) == (15.0, True)
    assert pro["period"] == "Monthly" and pro["display"] == "Pro"
    assert quote["statusHistory"][0]["statusUpdatedTo"] == "OPEN"
    assert quote["tags"] == [{"key": "deal", "value": "42"}]
    assert quote["quoteUrl"].endswith("/popup-defaultB2B/account/order/quote/" + quote["id"])
    assert client.get(f"/quotes/{quote['id']}").json() == quote
    (event,) = events(client, "quote.created")
    data = event["data"]
    assert (data["quote"], data["Reason"], data["quoteStatus"]) == (
        quote["id"],
        "Quote Created",
        "OPEN",
    )
    assert (data["total"], data["subtotal"], data["tax"]) == ("215", "215", 0)
    assert data["tags"] == {"deal": "42"} and data["items"][0]["display"] == "Pro"


def test_a_coupon_code_discounts_the_quote(client):
    client.post(
        "/coupons",
        json={"coupon": "ten", "codes": ["TENOFF"], "discount": {"type": "percent", "percent": 10}},
    )
    quote = create(client, coupon="tenoff", currency="EUR")
    assert quote["items"][0]["unitCouponDiscount"] == 9.0
    assert (quote["subtotal"], quote["discount"], quote["total"]) == (195.0, 19.5, 175.5)
    bad = client.post("/quotes", json=body(coupon="NOPE"))
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "coupon"


def test_update_only_while_open_and_the_wrapped_form(client):
    quote = create(client)
    response = client.put(
        f"/quotes/{quote['id']}",
        json={
            "updateQuoteRequest": {
                "name": "Renamed",
                "expirationDateDays": 60,
                "items": [{"product": "ebook"}],
            }
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Renamed" and updated["total"] == 20.0
    assert updated["expires"] == "2027-03-16T10:00:00.000+00:00"
    assert updated["recipient"]["email"] == "ann@abc.example"
    assert events(client, "quote.updated")[-1]["data"]["Reason"] == "Quote Modified via API"
    client.post(f"/quotes/{quote['id']}/cancel")
    refused = client.put(f"/quotes/{quote['id']}", json={"name": "Again"})
    assert refused.status_code == 400
    assert refused.json()["message"] == "Quote is not in OPEN status"


def test_expiry_on_the_store_clock(client):
    quote = create(client, expirationDateDays=1)
    kept = create(client)
    moved = advance(client, days=2)
    assert {
        "at": moved["transitions"][0]["at"],
        "quote": quote["id"],
        "transition": "expire",
        "state": "EXPIRED",
        "events": ["quote.updated"],
    } == moved["transitions"][0]
    got = client.get(f"/quotes/{quote['id']}").json()
    assert got["status"] == "EXPIRED"
    assert got["statusHistory"][-1]["statusUpdatedByFullName"] == "SYSTEM SYSTEM"
    assert events(client, "quote.updated")[-1]["data"]["Reason"] == "Quote Expired"
    assert client.get(f"/quotes/{kept['id']}").json()["status"] == "OPEN"
    assert client.post(f"/_emulator/quotes/{quote['id']}/pay").status_code == 400


def test_an_extended_quote_does_not_expire_at_its_old_date(client):
    quote = create(client, expirationDateDays=1)
    client.put(f"/quotes/{quote['id']}", json={"expirationDateDays": 10})
    advance(client, days=5)
    assert client.get(f"/quotes/{quote['id']}").json()["status"] == "OPEN"
    advance(client, days=6)
    assert client.get(f"/quotes/{quote['id']}").json()["status"] == "EXPIRED"


def test_pay_at_once_files_the_order_account_and_subscriptions(client):
    quote = create(client)
    paid = client.post(f"/_emulator/quotes/{quote['id']}/pay")
    assert paid.status_code == 200, paid.text
    answer = paid.json()
    order, done = answer["order"], answer["quote"]
    assert done["status"] == "COMPLETED" and done["orderReference"] == order["reference"]
    assert order["quote"] == quote["id"] and order["total"] == 215.0
    assert [i["product"] for i in order["items"]] == ["pro", "ebook"]
    sub_id = order["items"][0]["subscription"]
    assert sub(client, sub_id)["price"] == 100.0
    account = client.get(f"/accounts/{order['account']}").json()
    assert account["contact"]["email"] == "ann@abc.example"
    assert [e["type"] for e in events(client)][-5:] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
        "quote.updated",
    ]
    assert events(client, "quote.updated")[-1]["data"]["Reason"] == "Quote Completed"
    assert events(client, "order.completed")[-1]["data"]["quote"] == quote["id"]


def test_the_invoice_path(client):
    quote = create(client)
    invoiced = client.post(f"/_emulator/quotes/{quote['id']}/invoice").json()["quote"]
    assert invoiced["status"] == "AWAITING_PAYMENT" and invoiced["invoiceId"]
    assert events(client, "quote.updated")[-1]["data"]["Reason"] == "Quote Accepted"
    advance(client, days=40)  # an accepted quote no longer expires
    assert client.get(f"/quotes/{quote['id']}").json()["status"] == "AWAITING_PAYMENT"
    assert client.delete(f"/quotes/{quote['id']}").status_code == 400
    paid = client.post(f"/_emulator/quotes/{quote['id']}/pay").json()["quote"]
    assert paid["status"] == "COMPLETED"
    assert [h["statusUpdatedTo"] for h in paid["statusHistory"]] == [
        "OPEN",
        "AWAITING_PAYMENT",
        "COMPLETED",
    ]
    assert client.post(f"/quotes/{quote['id']}/cancel").status_code == 400


def test_cancel_and_delete(client):
    quote = create(client)
    canceled = client.post(f"/quotes/{quote['id']}/cancel", json={"ignored": True}).json()
    assert canceled["status"] == "CANCELED"
    assert events(client, "quote.updated")[-1]["data"]["Reason"] == "Quote Canceled"
    deleted = client.delete(f"/quotes/{quote['id']}")
    assert deleted.status_code == 200 and deleted.json()["id"] == quote["id"]
    missing = client.get(f"/quotes/{quote['id']}")
    assert missing.status_code == 404 and missing.json()["status"] == "NOT_FOUND"


def test_list_and_its_filters(client):
    first = create(client)
    advance(client, days=1)
    second = create(
        client, name="Second", recipient={"first": "Bo", "last": "Lee", "email": "bo@xyz.example"}
    )
    client.post(f"/quotes/{first['id']}/cancel")

    def ids(**params):
        response = client.get("/quotes", params=params)
        assert response.status_code == 200, response.text
        return [q["id"] for q in response.json()["_embedded"]["quotes"]]

    assert ids() == [second["id"], first["id"]]
    assert ids(statuses="OPEN") == [second["id"]]
    assert (
        client.get("/quotes?statuses=OPEN&statuses=CANCELED").json()["_embedded"]["quotes"][0]["id"]
        == second["id"]
    )
    assert ids(createdEmail="BO@xyz.example") == [second["id"]]
    assert ids(searchParam="second") == [second["id"]]
    assert ids(createdBegin="2027-01-16") == [second["id"]]
    assert ids(createdEnd="2027-01-15") == [first["id"]]
    assert client.get("/quotes", params={"onlyQuoteId": "true"}).json() == {
        "_embedded": {"quotes": [{"id": second["id"]}, {"id": first["id"]}]}
    }
    assert ids(statuses="EXPIRED") == []
    for params in ({"statuses": "DONE"}, {"createdBegin": "soon"}):
        response = client.get("/quotes", params=params)
        assert response.status_code == 400 and response.json()["status"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": None}, "name"),
        ({"items": []}, "items"),
        ({"items": [{"product": "ghost"}]}, "items[0].product"),
        ({"items": [{"product": "pro", "quantity": 0}]}, "items[0].quantity"),
        ({"items": [{"product": "pro", "unitListPrice": -1}]}, "items[0].unitListPrice"),
        ({"items": ["pro"]}, "items[0]"),
        ({"recipient": {"first": "A", "last": "B"}}, "recipient.email"),
        ({"recipient": {"first": "A", "last": "B", "email": "not-an-email"}}, "recipient.email"),
        ({"recipient": "ann"}, "recipient"),
        ({"recipientAddress": {"country": "USA"}}, "recipientAddress.country"),
        ({"currency": "DOLLARS"}, "currency"),
        ({"currency": "XTS", "items": [{"product": "pro"}]}, "items[0].product"),
        ({"expirationDateDays": 91}, "expirationDateDays"),
        ({"fulfillmentTerm": "LATER"}, "fulfillmentTerm"),
        ({"notes": "x" * 5001}, "notes"),
        ({"tags": [{"key": 1}]}, "tags"),
    ],
)
def test_bad_quotes_are_spring_400s_and_change_nothing(client, change, field):
    response = client.post("/quotes", json=body(**change))
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["status"] == "BAD_REQUEST" and re.fullmatch(r"FS[A-Z2-7]{26}", error["id"])
    assert field in [e["field"] for e in error["errors"]]
    assert client.get("/quotes").json() == {"_embedded": {"quotes": []}}
    assert events(client, "quote.created") == []


def test_unreadable_bodies_and_unknown_ids(client):
    assert client.post("/quotes", content=b"{").status_code == 400
    assert client.post("/quotes", json=[1]).status_code == 400
    for method, path in (
        ("GET", "/quotes/QUNOPE"),
        ("PUT", "/quotes/QUNOPE"),
        ("DELETE", "/quotes/QUNOPE"),
        ("POST", "/quotes/QUNOPE/cancel"),
        ("POST", "/_emulator/quotes/QUNOPE/pay"),
        ("POST", "/_emulator/quotes/QUNOPE/invoice"),
    ):
        response = client.request(method, path, json={})
        assert response.status_code == 404, (method, path)


def test_a_refused_quote_uses_no_id(client):
    client.post("/quotes", json=body(items=[]))
    first = create(client)["id"]
    fresh = shop()
    add_product(fresh, "pro", price={"USD": 100.0, "EUR": 90.0})
    add_product(fresh, "ebook", interval=None, price={"USD": 20.0})
    assert create(fresh)["id"] == first


def test_quotes_survive_snapshots_with_their_timers(client):
    quote = create(client, expirationDateDays=2)
    paid = create(client)
    client.post(f"/_emulator/quotes/{paid['id']}/pay")
    snapshot = client.get("/_emulator/snapshot").json()
    client.post("/_emulator/reset")
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert client.get("/_emulator/snapshot").json() == snapshot
    advance(client, days=3)
    assert client.get(f"/quotes/{quote['id']}").json()["status"] == "EXPIRED"
    assert client.get(f"/quotes/{paid['id']}").json()["status"] == "COMPLETED"


def test_reset_forgets_the_newer_groups_and_their_timers(client):
    quote = create(client, expirationDateDays=1)
    client.post(
        "/coupons",
        json={"coupon": "c", "codes": ["C"], "discount": {"type": "percent", "percent": 5}},
    )
    client.post("/v2/checkouts/s/c/sessions", json={})
    client.put("/_emulator/exchange-rates", json={"rates": {"EUR": 2}})
    assert client.post("/_emulator/reset").status_code == 200
    assert client.get("/quotes").json() == {"_embedded": {"quotes": []}}
    assert client.get("/coupons").json() == {"coupons": []}
    assert client.get("/_emulator/exchange-rates").json()["rates"]["EUR"] == 0.9
    data = client.get("/_emulator/snapshot").json()["data"]
    assert data["checkout_sessions"] == [] and data["invoices"] == []
    client.post("/_emulator/clock/freeze")
    moved = client.post("/_emulator/clock/advance", json={"days": 3}).json()
    assert moved["transitions"] == [] and quote["id"]
