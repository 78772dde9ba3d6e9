"""Products: upsert by path, get one or several, list paths, delete."""

from __future__ import annotations

import pytest

MONTHLY = {
    "product": "pro-monthly",
    "display": {"en": "Pro Monthly"},
    "sku": "PRO-M",
    "pricing": {
        "interval": "month",
        "intervalLength": 1,
        "intervalCount": None,
        "trial": 14,
        "price": {"USD": 14.95, "EUR": 13.5},
        "quantityDefault": 1,
        "reminderNotification": {"enabled": True, "interval": "day", "intervalLength": 3},
        "overdueNotification": {
            "enabled": True,
            "interval": "week",
            "intervalLength": 1,
            "amount": 2,
        },
        "cancellation": {"interval": "week", "intervalLength": 1},
        "setupFee": {"title": {"en": "Setup"}, "price": {"USD": 9.95}},
    },
    "description": {"summary": {"en": "All features"}},
}


def test_create_then_get_returns_every_pricing_field(client):
    response = client.post("/products", json={"products": [MONTHLY]})
    assert response.status_code == 200
    assert response.json() == {
        "products": [{"product": "pro-monthly", "action": "product.create", "result": "success"}]
    }
    (product,) = client.get("/products/pro-monthly").json()["products"]
    assert product["action"] == "products.get" and product["result"] == "success"
    assert product["display"] == {"en": "Pro Monthly"} and product["sku"] == "PRO-M"
    assert product["description"] == {"summary": {"en": "All features"}}
    pricing = product["pricing"]
    assert pricing["interval"] == "month" and pricing["trial"] == 14
    assert pricing["price"] == {"USD": 14.95, "EUR": 13.5}
    assert pricing["reminderNotification"] == {
        "enabled": True,
        "interval": "day",
        "intervalLength": 3,
    }
    assert pricing["overdueNotification"]["amount"] == 2
    assert pricing["cancellation"] == {"interval": "week", "intervalLength": 1}
    assert pricing["setupFee"] == {"title": {"en": "Setup"}, "price": {"USD": 9.95}}


def test_post_updates_an_existing_path_keeping_what_is_not_sent(client):
    client.post("/products", json={"products": [MONTHLY]})
    client.post(
        "/products",
        json={"products": [{"product": "pro-monthly", "pricing": {"price": {"USD": 19.95}}}]},
    )
    (product,) = client.get("/products/pro-monthly").json()["products"]
    assert product["pricing"]["price"] == {"USD": 19.95}
    assert product["pricing"]["trial"] == 14 and product["display"] == {"en": "Pro Monthly"}


def test_upper_case_intervals_are_accepted_and_emitted_lower_case(client):
    client.post(
        "/products",
        json={
            "products": [
                {"product": "weekly", "pricing": {"interval": "WEEK", "price": {"USD": 1}}}
            ]
        },
    )
    assert client.get("/products/weekly").json()["products"][0]["pricing"]["interval"] == "week"


def test_list_returns_the_paths(client):
    client.post(
        "/products",
        json={"products": [MONTHLY, {"product": "ebook", "pricing": {"price": {"USD": 5}}}]},
    )
    body = client.get("/products").json()
    assert body["action"] == "products.getall" and body["products"] == ["pro-monthly", "ebook"]
    assert body["nextPage"] is None


def test_several_paths_return_one_record_each_with_errors_for_unknown(client):
    client.post("/products", json={"products": [MONTHLY]})
    response = client.get("/products/pro-monthly,nope")
    assert response.status_code == 200
    first, second = response.json()["products"]
    assert first["product"] == "pro-monthly" and first["result"] == "success"
    assert second == {
        "product": "nope",
        "action": "products.get",
        "result": "error",
        "error": {"product": "Not found"},
    }
    assert client.get("/products/nope").status_code == 400


def test_delete_removes_a_product(client):
    client.post("/products", json={"products": [MONTHLY]})
    response = client.delete("/products/pro-monthly")
    assert response.json() == {
        "products": [{"action": "products.delete", "result": "success", "product": "pro-monthly"}]
    }
    assert client.get("/products").json()["products"] == []
    again = client.delete("/products/pro-monthly")
    assert again.status_code == 400
    assert again.json()["products"][0]["error"] == {"product": "Not found"}


@pytest.mark.parametrize(
    "item, field",
    [
        ({"product": "Bad Path", "pricing": {"price": {"USD": 1}}}, "product"),
        ({"pricing": {"price": {"USD": 1}}}, "product"),
        ({"product": "p", "pricing": {"interval": "fortnight", "price": {"USD": 1}}}, "interval"),
        (
            {
                "product": "p",
                "pricing": {"interval": "month", "intervalLength": 0, "price": {"USD": 1}},
            },
            "intervalLength",
        ),
        ({"product": "p", "pricing": {"interval": "month", "price": {"usd": 1}}}, "price"),
        ({"product": "p", "pricing": {"interval": "month", "price": {"USD": -1}}}, "price"),
        ({"product": "p", "pricing": {"interval": "month"}}, "price"),
        ({"product": "p", "pricing": {"trial": -3, "price": {"USD": 1}}}, "trial"),
        (
            {"product": "p", "pricing": {"price": {"USD": 1}, "reminderNotification": 5}},
            "reminderNotification",
        ),
        ({"product": "p", "pricing": "free"}, "pricing"),
        ({"product": "p", "display": 7, "pricing": {"price": {"USD": 1}}}, "display"),
        (
            {
                "product": "p",
                "pricing": {
                    "interval": "month",
                    "trial": 7,
                    "paymentCollected": False,
                    "price": {"USD": 1},
                    "setupFee": {"price": {"USD": 2}},
                },
            },
            "setupFee",
        ),
    ],
)
def test_invalid_products_are_refused_per_item(client, item, field):
    response = client.post("/products", json={"products": [item]})
    assert response.status_code == 400
    (record,) = response.json()["products"]
    assert record["action"] == "product.create" and record["result"] == "error"
    assert field in record["error"]
    assert client.get("/products").json()["products"] == []


def test_one_bad_item_does_not_stop_the_others(client):
    response = client.post(
        "/products",
        json={
            "products": [
                {"product": "BAD"},
                {"product": "good", "pricing": {"price": {"USD": 1}}},
                7,
            ]
        },
    )
    assert response.status_code == 200
    assert [r["result"] for r in response.json()["products"]] == ["error", "success", "error"]
    assert client.get("/products").json()["products"] == ["good"]


@pytest.mark.parametrize("body", [{}, {"products": []}, {"products": {"product": "x"}}])
def test_a_body_without_a_products_array_is_400(client, body):
    response = client.post("/products", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {"products": "products must be a non-empty array"}
