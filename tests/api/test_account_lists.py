"""GET /accounts: the id list with paging, and the lookup filters."""

from __future__ import annotations

import pytest

from tests.support.clients import contact, create_account


def test_list_without_filters_returns_ids_with_paging_keys(client):
    ids = [create_account(client) for _ in range(3)]
    response = client.get("/accounts")
    assert response.status_code == 200
    assert response.json() == {
        "action": "account.getall",
        "result": "success",
        "page": 1,
        "limit": 50,
        "nextPage": None,
        "total": 3,
        "accounts": ids,
    }


def test_limit_defaults_to_50_and_is_capped_at_50(client):
    ids = [create_account(client) for _ in range(55)]
    first = client.get("/accounts").json()
    assert first["accounts"] == ids[:50] and first["nextPage"] == 2 and first["total"] == 55
    capped = client.get("/accounts", params={"limit": 500}).json()
    assert capped["limit"] == 50 and len(capped["accounts"]) == 50
    last = client.get("/accounts", params={"page": 2}).json()
    assert last["accounts"] == ids[50:] and last["nextPage"] is None


def test_pages_follow_creation_order_and_end_with_null(client):
    ids = [create_account(client) for _ in range(7)]
    seen, page = [], 1
    while page is not None:
        body = client.get("/accounts", params={"limit": 3, "page": page}).json()
        seen.extend(body["accounts"])
        page = body["nextPage"]
    assert seen == ids


def test_a_page_past_the_end_is_empty(client):
    create_account(client)
    body = client.get("/accounts", params={"page": 9}).json()
    assert body["accounts"] == [] and body["nextPage"] is None and body["total"] == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "two"}, "page"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "9" * 30}, "limit"),
    ],
)
def test_bad_paging_values_are_400(client, params, field):
    response = client.get("/accounts", params=params)
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.getall",
        "result": "error",
        "error": {field: f"Invalid {field}"},
    }


def test_lookup_by_email_ignores_case_and_returns_objects(client):
    account_id = create_account(client, contact=contact(email="Case@Example.com"))
    response = client.get("/accounts", params={"email": "case@example.COM"})
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "account.lookup" and body["result"] == "success"
    (account,) = body["accounts"]
    assert account["id"] == account_id and account["contact"]["email"] == "Case@Example.com"


def test_lookup_by_custom_and_global_keys(client):
    account_id = create_account(client, lookup={"custom": "ext-user-9"})
    global_key = client.get(f"/accounts/{account_id}").json()["lookup"]["global"]
    by_custom = client.get("/accounts", params={"custom": "ext-user-9"}).json()
    by_global = client.get("/accounts", params={"global": global_key}).json()
    assert [a["id"] for a in by_custom["accounts"]] == [account_id]
    assert [a["id"] for a in by_global["accounts"]] == [account_id]


@pytest.mark.parametrize(
    "name", ["email", "custom", "global", "orderID", "orderReference", "subscriptionId", "products"]
)
def test_a_lookup_without_a_match_is_the_documented_error(client, name):
    create_account(client)
    response = client.get("/accounts", params={name: "nobody@example.com"})
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.lookup",
        "result": "error",
        "error": {name: "Account not found"},
    }


def test_only_one_lookup_condition_is_allowed(client):
    create_account(client, contact=contact(email="one@example.com"))
    response = client.get("/accounts", params={"email": "one@example.com", "custom": "abcd"})
    assert response.status_code == 400
    assert response.json()["error"] == {"custom": "Only one condition can be specified"}


def test_subscriptions_and_refunds_filters_validate_their_values(client):
    bad = client.get("/accounts", params={"subscriptions": "paused"})
    assert bad.status_code == 400
    assert bad.json()["error"] == {
        "subscriptions": "Supported value: active, ended, canceled, started"
    }
    bad = client.get("/accounts", params={"refunds": "false"})
    assert bad.json()["error"] == {"refunds": "Supported value: true"}
    for value in ("active", "ended", "canceled", "started"):
        response = client.get("/accounts", params={"subscriptions": value})
        assert response.json()["error"] == {"subscriptions": "Account not found"}
    assert client.get("/accounts", params={"refunds": "true"}).json()["error"] == {
        "refunds": "Account not found"
    }


def test_lookup_results_are_paged(client):
    ids = [create_account(client, lookup={"custom": "shared-key"}) for _ in range(3)]
    first = client.get("/accounts", params={"custom": "shared-key", "limit": 2}).json()
    second = client.get("/accounts", params={"custom": "shared-key", "limit": 2, "page": 2}).json()
    assert [a["id"] for a in first["accounts"] + second["accounts"]] == ids
    assert first["nextPage"] == 2 and second["nextPage"] is None and first["total"] == 3


def test_paging_survives_creates_during_the_walk(client):
    """Walking nextPage while accounts are added returns every account exactly once."""
    originals = [create_account(client) for _ in range(10)]
    seen, page, added = [], 1, []
    while page is not None:
        body = client.get("/accounts", params={"limit": 3, "page": page}).json()
        seen.extend(body["accounts"])
        added.append(create_account(client))
        page = body["nextPage"]
    assert len(seen) == len(set(seen))
    assert seen[:10] == originals
    assert set(seen) <= set(originals) | set(added)
