"""Guide traps: answered as the real API would, flagged, and refused under --strict."""

from __future__ import annotations

import pytest

from emulator.config import Settings
from tests.support.clients import contact, create_account


def warnings_of(response) -> list[str]:
    return response.headers.get_list("x-emulator-warning")


@pytest.fixture
def strict(make_client):
    return make_client(Settings(strict=True))


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_or_patch_on_an_account_is_405_with_a_warning(client, method):
    account_id = create_account(client)
    response = client.request(
        method, f"/accounts/{account_id}", json={"contact": {"first": "Changed"}}
    )
    assert response.status_code == 405
    assert response.json()["result"] == "error"
    assert warnings_of(response)[0].startswith("update-method: ")
    assert "POST /accounts/{id}" in warnings_of(response)[0]
    assert client.get(f"/accounts/{account_id}").json()["contact"]["first"] == "Jane"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_or_patch_is_a_400_under_strict(strict, method):
    account_id = create_account(strict)
    response = strict.request(method, f"/accounts/{account_id}", json={})
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.update",
        "result": "error",
        "error": {"method": warnings_of(response)[0].split(": ", 1)[1]},
    }


def test_lookup_key_param_is_ignored_like_the_real_api_and_flagged(client):
    ids = [create_account(client, lookup={"custom": "user-1"}), create_account(client)]
    response = client.get("/accounts", params={"lookup.key": "user-1"})
    assert response.status_code == 200
    assert response.json()["action"] == "account.getall"
    assert response.json()["accounts"] == ids
    assert warnings_of(response)[0].startswith("lookup-key-param: ")
    assert "?custom=" in warnings_of(response)[0]


def test_lookup_key_param_is_refused_under_strict(strict):
    response = strict.get("/accounts", params={"lookup.key": "user-1"})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"lookup.key"}


def test_flat_account_fields_fail_like_the_real_api_and_say_where_they_belong(client):
    response = client.post(
        "/accounts", json={"email": "flat@example.com", "firstName": "Jo", "lastName": "Flat"}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"first", "last", "email"}
    (warning,) = warnings_of(response)
    assert warning.startswith("flat-account-fields: ")
    assert "email -> contact.email" in warning and "firstName -> contact.first" in warning


def test_flat_fields_on_update_are_ignored_and_flagged(client):
    account_id = create_account(client)
    response = client.post(f"/accounts/{account_id}", json={"firstName": "Ignored"})
    assert response.status_code == 200
    assert warnings_of(response)[0].startswith("flat-account-fields: ")
    assert client.get(f"/accounts/{account_id}").json()["contact"]["first"] == "Jane"


def test_tags_on_an_account_are_ignored_and_flagged(client):
    response = client.post("/accounts", json={"contact": contact(), "tags": ["vip"]})
    assert response.status_code == 200
    assert [w.split(":")[0] for w in warnings_of(response)] == ["account-tags"]
    account = client.get(f"/accounts/{response.json()['account']}").json()
    assert "tags" not in account


def test_strict_refuses_flat_fields_and_tags_before_changing_the_store(strict):
    for body in (
        {"contact": contact(), "email": "x@example.com"},
        {"contact": contact(), "tags": ["vip"]},
    ):
        response = strict.post("/accounts", json=body)
        assert response.status_code == 400
        assert response.json()["action"] == "account.create"
    assert strict.get("/accounts").json()["total"] == 0


def test_missing_user_agent_is_served_with_a_warning(app):
    from tests.support.clients import client_for

    client = client_for(app, user_agent=None)
    response = client.get("/accounts")
    assert response.status_code == 200
    assert warnings_of(response)[0].startswith("missing-user-agent: ")


def test_missing_user_agent_is_refused_under_strict(make_client):
    client = make_client(Settings(strict=True), user_agent=None)
    response = client.post("/accounts", json={"contact": contact()})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"User-Agent"}
    agent = make_client(Settings(strict=True))
    assert agent.get("/accounts").json()["total"] == 0


def test_a_clean_request_has_no_warning(client):
    assert warnings_of(client.post("/accounts", json={"contact": contact()})) == []


def test_warnings_are_recorded_in_the_journal(client):
    client.get("/accounts", params={"lookup.key": "x"})
    (entry,) = client.get("/_emulator/requests").json()["requests"]
    assert entry["warnings"][0]["code"] == "lookup-key-param"
    assert "?custom=" in entry["warnings"][0]["message"]
