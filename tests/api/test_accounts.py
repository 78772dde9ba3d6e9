"""The Accounts API through HTTP: shapes, rules and errors."""

from __future__ import annotations

import re

from tests.support.clients import contact, create_account, snapshot_of_accounts

ID = re.compile(r"[A-Za-z0-9_-]{22}")


# --- POST /accounts -------------------------------------------------------------------


def test_create_returns_the_real_success_shape(client):
    response = client.post("/accounts", json={"contact": contact()})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"account", "action", "result"}
    assert body["action"] == "account.create" and body["result"] == "success"
    assert ID.fullmatch(body["account"])


def test_create_stores_every_documented_field(client):
    account_id = create_account(
        client,
        contact={
            "first": "Leeroy",
            "last": "Jenkins",
            "email": "ne1@all.com",
            "company": "Horde",
            "phone": "+1 555 0100",
        },
        language="de",
        country="us",
        lookup={"custom": "user_42"},
        address={
            "addressLine1": "801 Garden St",
            "addressLine2": "Suite 200",
            "city": "Santa Barbara",
            "postalCode": "93101",
            "region": "CA",
        },
    )
    account = client.get(f"/accounts/{account_id}").json()
    assert account["contact"] == {
        "first": "Leeroy",
        "last": "Jenkins",
        "email": "ne1@all.com",
        "company": "Horde",
        "phone": "+1 555 0100",
        "subscribed": True,
    }
    assert account["language"] == "de"
    assert account["country"] == "US"
    assert account["lookup"]["custom"] == "user_42"
    assert ID.fullmatch(account["lookup"]["global"])
    assert account["lookup"]["global"] != account_id
    assert account["address"] == {
        "addressLine1": "801 Garden St",
        "addressLine2": "Suite 200",
        "city": "Santa Barbara",
        "postalCode": "93101",
        "region": "CA",
        "regionCustom": None,
        "company": None,
        "country": "US",
    }


def test_create_requires_first_last_and_a_valid_email(client):
    response = client.post("/accounts", json={"contact": {"email": "not-an-email"}})
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.create",
        "result": "error",
        "error": {"first": "first invalid", "last": "last invalid", "email": "email invalid"},
    }


def test_create_without_contact_names_every_required_field(client):
    response = client.post("/accounts", json={"language": "en"})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"first", "last", "email"}


def test_duplicate_email_is_refused_ignoring_case_with_the_existing_link(client):
    first = create_account(client, contact=contact(email="Dup@Example.com"))
    response = client.post("/accounts", json={"contact": contact(email="dup@EXAMPLE.com")})
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.create",
        "result": "error",
        "error": {"email": f"email already exists, /accounts/{first}"},
    }
    assert client.get("/accounts").json()["total"] == 1


def test_invalid_custom_lookup_key_gets_its_documented_error(client):
    for bad in ("abc", "has space", "x" * 256, 1234, ["list"]):
        response = client.post("/accounts", json={"contact": contact(), "lookup": {"custom": bad}})
        assert response.status_code == 400, bad
        assert response.json()["error"] == {"custom": "custom invalid"}
    assert client.get("/accounts").json()["total"] == 0


def test_invalid_country_and_language_are_refused(client):
    response = client.post(
        "/accounts", json={"contact": contact(), "country": "XX", "language": "klingon"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "country": "country invalid",
        "language": "language is invalid",
    }


def test_wrong_types_are_field_errors_not_crashes(client):
    bodies = [
        {"contact": "jane"},
        {"contact": {"first": 1, "last": True, "email": ["a@b.co"]}},
        {"contact": contact(), "address": "Main St"},
        {"contact": contact(), "address": {"city": 12}},
        {"contact": contact(), "lookup": "key"},
        {"contact": contact(phone={"n": 1})},
        {"contact": contact(subscribed="yes")},
        {"contact": contact(first="x" * 256)},
        {"contact": contact(first="bad\u0000name")},
        {"contact": contact(first=123456789012345678901234567890)},
    ]
    for body in bodies:
        response = client.post("/accounts", json=body)
        assert response.status_code == 400, body
        assert response.json()["result"] == "error"
    assert client.get("/accounts").json()["total"] == 0


def test_unknown_fields_are_ignored(client):
    account_id = create_account(client, favouriteColour="teal", contact=contact(nickname="J"))
    account = client.get(f"/accounts/{account_id}").json()
    assert "favouriteColour" not in account and "nickname" not in account["contact"]


def test_odd_unicode_is_stored_and_returned_exactly(client):
    name = "Zoë 山田 👩‍💻"
    account_id = create_account(client, contact=contact(first=name, last="Ñandú"))
    assert client.get(f"/accounts/{account_id}").json()["contact"]["first"] == name


# --- GET /accounts/{id} ---------------------------------------------------------------


def test_get_returns_the_bare_account_object(client):
    account_id = create_account(client)
    response = client.get(f"/accounts/{account_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "account.get" and body["result"] == "success"
    assert body["id"] == body["account"] == account_id
    assert body["orders"] == [] and body["subscriptions"] == [] and body["charges"] == []
    assert body["payment"] == {"methods": 0, "active": 0}
    assert body["url"] == "https://store.test.onfastspring.com/account"
    assert set(body) >= {"contact", "address", "language", "country", "lookup", "subscribed"}


def test_get_unknown_id_is_a_400_in_the_documented_shape(client):
    response = client.get("/accounts/doesNotExist0000000000")
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.get",
        "account": "doesNotExist0000000000",
        "result": "error",
        "error": {"account": "account not found"},
    }


def test_comma_separated_ids_are_one_unknown_id(client):
    a, b = create_account(client), create_account(client)
    for path in (f"/accounts/{a},{b}", f"/accounts/{a}%2C{b}"):
        response = client.get(path)
        assert response.status_code == 400
        assert response.json()["account"] == f"{a},{b}"
        assert response.json()["error"] == {"account": "account not found"}


# --- POST /accounts/{id} --------------------------------------------------------------


def test_update_changes_only_the_supplied_fields(client):
    account_id = create_account(
        client,
        contact=contact(first="Jane", phone="1"),
        country="US",
        address={"city": "Paris", "region": "IDF"},
    )
    before = client.get(f"/accounts/{account_id}").json()
    response = client.post(
        f"/accounts/{account_id}", json={"contact": {"last": "Smith"}, "address": {"city": "Lyon"}}
    )
    assert response.status_code == 200
    assert response.json() == {
        "account": account_id,
        "action": "account.update",
        "result": "success",
    }
    after = client.get(f"/accounts/{account_id}").json()
    assert after["contact"] == {**before["contact"], "last": "Smith"}
    assert after["address"] == {**before["address"], "city": "Lyon"}
    assert after["country"] == "US" and after["lookup"] == before["lookup"]


def test_update_email_rechecks_uniqueness(client):
    taken = create_account(client, contact=contact(email="taken@example.com"))
    mover = create_account(client, contact=contact(email="mover@example.com"))
    response = client.post(f"/accounts/{mover}", json={"contact": {"email": "TAKEN@example.com"}})
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.update",
        "account": mover,
        "result": "error",
        "error": {"email": f"email already exists, /accounts/{taken}"},
    }
    assert client.get(f"/accounts/{mover}").json()["contact"]["email"] == "mover@example.com"


def test_update_to_own_email_in_another_case_is_allowed(client):
    account_id = create_account(client, contact=contact(email="me@example.com"))
    response = client.post(f"/accounts/{account_id}", json={"contact": {"email": "ME@example.com"}})
    assert response.status_code == 200
    assert (
        client.get("/accounts", params={"email": "me@example.com"}).json()["accounts"][0]["id"]
        == account_id
    )


def test_changed_email_frees_the_old_one_and_moves_the_lookup(client):
    account_id = create_account(client, contact=contact(email="old@example.com"))
    client.post(f"/accounts/{account_id}", json={"contact": {"email": "new@example.com"}})
    assert client.get("/accounts", params={"email": "old@example.com"}).status_code == 400
    assert client.get("/accounts", params={"email": "new@example.com"}).status_code == 200
    create_account(client, contact=contact(email="old@example.com"))


def test_update_of_an_unknown_account_is_a_400(client):
    response = client.post("/accounts/nope", json={"contact": {"last": "X"}})
    assert response.status_code == 400
    assert response.json() == {
        "action": "account.update",
        "account": "nope",
        "result": "error",
        "error": {"account": "account not found"},
    }


def test_a_refused_update_changes_nothing(client):
    account_id = create_account(client)
    before = snapshot_of_accounts(client)
    response = client.post(
        f"/accounts/{account_id}",
        json={"contact": {"first": "Valid", "email": "broken"}, "country": "US"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"email": "email invalid"}
    assert snapshot_of_accounts(client) == before


def updated_events(client):
    events = client.get("/events/unprocessed", params={"days": 1}).json()["events"]
    return [e["data"] for e in events if e["type"] == "account.updated"]


def test_only_an_update_that_changes_something_sends_account_updated(client):
    account_id = create_account(client, contact=contact(first="Ann", company=None))
    same = [
        {"contact": {"first": "Ann"}},
        {"address": {"city": None}},  # unset before, unset after
        {"lookup": {}},
        {},
    ]
    for body in same:
        assert client.post(f"/accounts/{account_id}", json=body).status_code == 200
    assert updated_events(client) == []
    changes = [
        {"contact": {"first": "Bea"}},
        {"address": {"city": "Lyon"}},
        {"contact": {"company": "Acme"}},
        {"lookup": {"custom": "key-x"}},
        {"contact": {"subscribed": False}},
        {"language": "fr"},
    ]
    for body in changes:
        assert client.post(f"/accounts/{account_id}", json=body).status_code == 200
        assert client.post(f"/accounts/{account_id}", json=body).status_code == 200  # again
    shown = updated_events(client)
    assert len(shown) == len(changes)
    assert shown[0]["contact"]["first"] == "Bea"
    assert shown[1]["address"]["city"] == "Lyon"
    assert shown[-1]["language"] == "fr"


def test_custom_key_can_be_changed_and_cleared(client):
    account_id = create_account(client, lookup={"custom": "key-one"})
    client.post(f"/accounts/{account_id}", json={"lookup": {"custom": "key-two"}})
    assert client.get("/accounts", params={"custom": "key-one"}).status_code == 400
    assert (
        client.get("/accounts", params={"custom": "key-two"}).json()["accounts"][0]["id"]
        == account_id
    )
    client.post(f"/accounts/{account_id}", json={"lookup": {"custom": None}})
    assert client.get("/accounts", params={"custom": "key-two"}).status_code == 400
    assert "custom" not in client.get(f"/accounts/{account_id}").json()["lookup"]


# --- GET /accounts/{ids}/authenticate -------------------------------------------------


def test_authenticate_returns_a_fresh_portal_url_each_call(client):
    account_id = create_account(client)
    urls = set()
    for _ in range(3):
        response = client.get(f"/accounts/{account_id}/authenticate")
        assert response.status_code == 200
        (element,) = response.json()["accounts"]
        assert element["action"] == "account.authenticate.get"
        assert element["result"] == "success" and element["account"] == account_id
        assert re.fullmatch(
            r"https://store\.test\.onfastspring\.com/account/"
            r"[A-Za-z0-9_-]{22}/[A-Za-z0-9_-]{22}",
            element["url"],
        )
        urls.add(element["url"])
    assert len(urls) == 3


def test_authenticate_batches_with_error_elements_for_unknown_ids(client):
    a, b = create_account(client), create_account(client)
    response = client.get(f"/accounts/{a},missing,{b}/authenticate")
    assert response.status_code == 200
    elements = response.json()["accounts"]
    assert [e["account"] for e in elements] == [a, "missing", b]
    assert [e["result"] for e in elements] == ["success", "error", "success"]
    assert elements[1] == {
        "action": "account.authenticate.get",
        "account": "missing",
        "result": "error",
        "error": {"account": "Not found"},
    }


def test_authenticate_with_only_unknown_ids_is_a_400(client):
    response = client.get("/accounts/missing/authenticate")
    assert response.status_code == 400
    assert response.json()["accounts"][0]["error"] == {"account": "Not found"}
