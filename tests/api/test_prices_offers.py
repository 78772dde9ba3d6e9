"""Product prices by country and currency, and product offers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.shop import add_product, shop


@pytest.fixture
def client():
    client = shop()
    add_product(
        client,
        "example-subscription",
        price={"USD": 100.0, "EUR": 90.0},
        quantityDiscounts={"2": 5, "5": 25},
        discountReason={"en": "Yearly Sale"},
        discountDuration=3,
        dateLimits={"start": "2027-01-01", "end": "2027-12-31"},
        setupFee={"title": {"en": "Setup Fee"}, "price": {"USD": 10.0}},
    )
    add_product(client, "ebook", interval=None, price={"USD": 10.0})
    return client


def prices(client, path="", **params):
    response = client.get("/products/price" + (f"/{path}" if path else ""), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_one_product_in_one_country(client):
    body = prices(client, "example-subscription", country="DE")
    assert (body["page"], body["limit"], body["nextPage"]) == (1, 50, None)
    (record,) = body["products"]
    assert (record["action"], record["result"], record["product"]) == (
        "product.price.get",
        "success",
        "example-subscription",
    )
    assert record["pricing"] == {
        "DE": {
            "currency": "EUR",
            "price": 90.0,
            "display": "€90.00",
            "quantityDiscount": {
                "2": {
                    "discountPercent": 5,
                    "discountValue": 4.5,
                    "discountValueDisplay": "€4.50",
                    "unitPrice": 85.5,
                    "unitPriceDisplay": "€85.50",
                },
                "5": {
                    "discountPercent": 25,
                    "discountValue": 22.5,
                    "discountValueDisplay": "€22.50",
                    "unitPrice": 67.5,
                    "unitPriceDisplay": "€67.50",
                },
            },
            "discountReason": {"en": "Yearly Sale"},
            "discountPeriodCount": 3,
            "available": {"start": "2027-01-01", "end": "2027-12-31"},
            "setupFeePrice": 9.0,
            "setupFeePriceDisplay": "€9.00",
            "setupFeeReason": {"en": "Setup Fee"},
        }
    }


def test_conversion_through_the_rate_table_and_a_forced_currency(client):
    gb = prices(client, "ebook", country="GB")["products"][0]["pricing"]["GB"]
    assert (gb["currency"], gb["price"], gb["quantityDiscount"]) == ("GBP", 8.0, None)
    assert gb["setupFeePrice"] is None and gb["discountReason"] is None
    forced = prices(client, "ebook", country="DE", currency="USD")["products"][0]
    assert forced["pricing"]["DE"]["price"] == 10.0
    response = client.put("/_emulator/exchange-rates", json={"rates": {"GBP": 0.5}})
    assert response.status_code == 200 and response.json()["rates"]["GBP"] == 0.5
    assert prices(client, "ebook", country="GB")["products"][0]["pricing"]["GB"]["price"] == 5
    assert client.get("/_emulator/exchange-rates").json()["rates"]["EUR"] == 0.9


def test_every_country_without_a_country_and_paging(client):
    body = prices(client)
    assert [p["product"] for p in body["products"]] == ["example-subscription", "ebook"]
    assert body["products"][0]["action"] == "product.price.getall"
    pricing = body["products"][1]["pricing"]
    assert {"US", "PR", "DE", "GB", "JP"} <= set(pricing)
    assert pricing["JP"]["price"] == 1500 and pricing["JP"]["display"] == "¥1,500"
    first = prices(client, limit=1, country="US")
    assert first["nextPage"] == 2 and len(first["products"]) == 1
    second = prices(client, limit=1, page=2, country="US")
    assert second["nextPage"] is None and second["products"][0]["product"] == "ebook"
    assert prices(client, page=3)["products"] == []


def test_unknown_products_and_bad_queries(client):
    response = client.get("/products/price/nope")
    assert response.status_code == 400
    assert response.json() == {
        "products": [
            {
                "action": "product.price.get",
                "result": "error",
                "product": "nope",
                "error": {"product": "Not found"},
            }
        ]
    }
    mixed = prices(client, "ebook,nope", country="US")["products"]
    assert [r["result"] for r in mixed] == ["success", "error"]
    for params in ({"country": "XX1"}, {"currency": "dollars"}, {"limit": "0"}, {"page": "x"}):
        assert client.get("/products/price", params=params).status_code == 400
    bad = client.get("/products/price/ebook", params={"currency": "XYZ"})
    assert bad.status_code == 400
    assert bad.json()["products"][0]["error"] == {"currency": "Invalid currency"}


def test_price_and_offers_are_not_product_names(client):
    response = client.post(
        "/products", json={"products": [{"product": "price", "pricing": {"price": {"USD": 1}}}]}
    )
    assert response.status_code == 400
    assert "reserved" in response.json()["products"][0]["error"]["product"]
    assert client.post("/products/price").status_code == 405


def test_offers_are_set_merged_by_type_and_shown_on_the_product(client):
    for path in ("pro", "team", "support"):
        add_product(client, path)
    official = {
        "products": {
            "product": "ebook",
            "offers": [
                {"type": "upgrade", "display": {"en": "Go further"}, "items": ["pro", "team"]}
            ],
        }
    }
    response = client.post("/products/offers/ebook", json=official)
    assert response.json() == {
        "products": {"product": "ebook", "action": "product.offers.create", "result": "success"}
    }
    newer = {
        "products": [
            {
                "product": "ebook",
                "offers": [{"type": "cross-sell", "display": {"en": "Also"}, "items": ["support"]}],
            }
        ]
    }
    response = client.post("/products/offers/ebook", json=newer)
    assert response.json() == {
        "products": [{"product": "ebook", "action": "product.offers.update", "result": "success"}]
    }
    got = client.get("/products/offers/ebook").json()["products"][0]
    assert (got["action"], [o["type"] for o in got["offers"]]) == (
        "product.offers.get",
        ["upgrade", "cross-sell"],
    )
    only = client.get("/products/offers/ebook", params={"type": "cross-sell"}).json()
    assert only["products"][0]["offers"] == [
        {"type": "cross-sell", "display": {"en": "Also"}, "items": ["support"]}
    ]
    product = client.get("/products/ebook").json()["products"][0]
    assert product["offers"] == got["offers"]


def test_offer_errors_change_nothing(client):
    add_product(client, "pro")
    response = client.get("/products/offers/wireless-mousef")
    assert response.status_code == 400
    assert response.json() == {
        "products": [
            {
                "action": "products.offers.get",
                "product": "wireless-mousef",
                "result": "error",
                "error": {"product": "Not found"},
            }
        ]
    }
    mismatch = client.post(
        "/products/offers/ebook", json={"products": {"product": "basic", "offers": []}}
    )
    assert mismatch.status_code == 400
    assert mismatch.json()["error"] == {
        "product": "Product in URL 'ebook' does not match product in request body 'basic'"
    }
    for offers in (
        [{"type": "sideways", "items": []}],
        [{"type": "upsell", "items": ["ghost"]}],
        "upsell",
        [{"type": "upsell", "items": "pro"}],
        [7],
        [{"type": "upsell", "display": 5}],
    ):
        response = client.post(
            "/products/offers/ebook", json={"products": {"product": "ebook", "offers": offers}}
        )
        assert response.status_code == 400, offers
        assert response.json()["products"][0]["result"] == "error"
    for body in ({}, {"products": 3}, {"products": [1, 2]}):
        assert client.post("/products/offers/ebook", json=body).status_code == 400
    assert (
        client.post(
            "/products/offers/ghost", json={"products": {"product": "ghost", "offers": []}}
        ).status_code
        == 400
    )
    assert client.get("/products/offers/ebook").json()["products"][0]["offers"] == []


def test_bad_exchange_rates_are_refused(client):
    body: dict[str, Any]
    for body in (
        {"rates": {"EUR": 0}},
        {"rates": {"eur": 1}},
        {"rates": {"USD": 2}},
        {"rates": {}},
        {"EUR": 1},
        {"rates": {"EUR": True}},
    ):
        response = client.put("/_emulator/exchange-rates", json=body)
        assert response.status_code == 400, body
    assert client.get("/_emulator/exchange-rates").json()["rates"]["EUR"] == 0.9


def test_rates_and_offers_survive_a_snapshot(client):
    add_product(client, "pro")
    client.put("/_emulator/exchange-rates", json={"rates": {"EUR": 0.5}})
    client.post(
        "/products/offers/ebook",
        json={"products": {"product": "ebook", "offers": [{"type": "upsell", "items": ["pro"]}]}},
    )
    snapshot = client.get("/_emulator/snapshot").json()
    client.post("/_emulator/reset")
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert client.get("/_emulator/snapshot").json() == snapshot
    assert prices(client, "ebook", country="DE")["products"][0]["pricing"]["DE"]["price"] == 5
