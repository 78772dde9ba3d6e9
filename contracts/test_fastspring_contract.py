"""Contract tests that pass against the emulator and should pass against FastSpring.

Read-only tests run against any target. `writes` tests create records (only with
FASTSPRING_ALLOW_WRITES=1 on a real store); `emulator_only` tests need the clock,
checkout or faults that only the emulator has.
"""

from __future__ import annotations

import uuid

import httpx2 as httpx
import pytest

ID = r"^[A-Za-z0-9_-]{22}$"


def unique_email() -> str:
    return f"contract-{uuid.uuid4().hex[:16]}@example.com"


# --- read-only ------------------------------------------------------------------------


def test_a_request_without_credentials_is_401(target):
    response = httpx.get(f"{target.base_url}/accounts", headers={"User-Agent": "contract"})
    assert response.status_code == 401


def test_account_list_is_ids_with_paging(api):
    body = api.get("/accounts", params={"limit": 2}).json()
    assert body["action"] == "account.getall" and body["result"] == "success"
    assert isinstance(body["accounts"], list) and all(isinstance(a, str) for a in body["accounts"])
    assert "nextPage" in body


def test_unknown_account_is_a_400_error_record(api):
    response = api.get("/accounts/doesNotExist000000000000")
    assert response.status_code == 400
    body = response.json()
    assert body["result"] == "error" and body["action"] == "account.get"
    assert "account" in body["error"]


def test_lookup_without_a_match_is_an_error(api):
    response = api.get("/accounts", params={"email": unique_email()})
    assert response.status_code == 400
    assert response.json()["action"] == "account.lookup"
    assert response.json()["result"] == "error"


def test_unknown_order_is_wrapped(api):
    response = api.get("/orders/doesNotExist000000000000")
    assert response.status_code == 400
    (record,) = response.json()["orders"]
    assert record["result"] == "error" and record["error"]["order"] == "Not found"


def test_product_and_subscription_lists(api):
    products = api.get("/products").json()
    assert products["action"] == "products.getall"
    subscriptions = api.get("/subscriptions").json()
    assert subscriptions["action"] == "subscription.getall"
    assert "nextPage" in subscriptions


def test_events_need_a_begin(api):
    response = api.get("/events/unprocessed")
    assert response.status_code == 400
    assert response.json()["error"] == {"begin": "Begin required."}


# --- writes ---------------------------------------------------------------------------


@pytest.mark.writes
def test_create_get_update_authenticate_an_account(api):
    email = unique_email()
    created = api.post(
        "/accounts", json={"contact": {"first": "Contract", "last": "Test", "email": email}}
    )
    assert created.status_code == 200
    assert created.json()["action"] == "account.create"
    account_id = created.json()["account"]
    account = api.get(f"/accounts/{account_id}").json()
    assert account["contact"]["email"] == email and account["result"] == "success"
    updated = api.post(f"/accounts/{account_id}", json={"contact": {"last": "Updated"}})
    assert updated.status_code == 200 and updated.json()["result"] == "success"
    assert api.get(f"/accounts/{account_id}").json()["contact"]["last"] == "Updated"
    (portal,) = api.get(f"/accounts/{account_id}/authenticate").json()["accounts"]
    assert portal["result"] == "success" and portal["url"].startswith("https://")
    duplicate = api.post(
        "/accounts", json={"contact": {"first": "C", "last": "T", "email": email.upper()}}
    )
    assert duplicate.status_code >= 400
    assert duplicate.json()["error"]["email"].startswith("email already exists")


# --- emulator only --------------------------------------------------------------------


@pytest.mark.emulator_only
@pytest.mark.writes
def test_a_purchase_then_a_period_end_cancel(api):
    api.post("/_emulator/clock/freeze")
    api.post(
        "/products",
        json={
            "products": [
                {
                    "product": "contract-monthly",
                    "pricing": {"interval": "month", "price": {"USD": 9.0}},
                }
            ]
        },
    )
    order = api.post(
        "/_emulator/orders",
        json={
            "contact": {"first": "C", "last": "T", "email": unique_email()},
            "items": [{"product": "contract-monthly"}],
        },
    ).json()
    sub_id = order["items"][0]["subscription"]
    cancel = api.delete(f"/subscriptions/{sub_id}").json()
    assert cancel["subscriptions"][0]["action"] == "subscription.cancel"
    sub = api.get(f"/subscriptions/{sub_id}").json()
    assert (sub["state"], sub["active"]) == ("canceled", True)
    assert sub["deactivationDate"] == sub["next"] - 86_400_000


@pytest.mark.emulator_only
def test_a_forced_rate_limit_has_no_retry_after(api):
    response = api.get("/accounts", headers={"X-Emulator-Fault": "429"})
    assert response.status_code == 429 and "retry-after" not in response.headers
