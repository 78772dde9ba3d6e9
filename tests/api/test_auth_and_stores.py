"""Basic auth picks the store; every username is an isolated namespace."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emulator.config import Settings
from tests.support.clients import basic, client_for, contact, create_account


def test_each_username_is_its_own_store(app):
    alice, bob = client_for(app, "alice", "pw"), client_for(app, "bob", "pw")
    account_id = create_account(alice, contact=contact(email="same@example.com"))
    assert bob.get(f"/accounts/{account_id}").status_code == 400
    assert bob.get("/accounts").json()["total"] == 0
    create_account(bob, contact=contact(email="same@example.com"))
    assert alice.get("/accounts").json()["accounts"] == [account_id]


def test_without_credentials_flag_any_non_empty_pair_works(app):
    for user, password in (("a", "b"), ("ci-run-42", "x:y"), ("ünï", "cødé")):
        assert client_for(app, user, password).get("/accounts").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer abc",
        "Basic",
        "Basic !!!notbase64",
        "Basic " + "dXNlcg==",
        basic("", "pw"),
        basic("user", ""),
        "Basic //79/w==",
    ],
)
def test_missing_or_malformed_authorization_is_a_401_with_json(app, header):
    client = TestClient(
        app, headers={"User-Agent": "t"} | ({"Authorization": header} if header is not None else {})
    )
    response = client.get("/accounts")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json()["result"] == "error"
    assert response.headers["www-authenticate"].startswith("Basic")


def test_credentials_flag_admits_only_listed_pairs(make_client):
    settings = Settings(credentials={"a": "b", "c": "d:e"})
    assert make_client(settings, username="a", password="b").get("/accounts").status_code == 200
    assert make_client(settings, username="c", password="d:e").get("/accounts").status_code == 200
    for user, password in (("a", "wrong"), ("c", "d"), ("x", "b")):
        response = make_client(settings, username=user, password=password).get("/accounts")
        assert response.status_code == 401


def test_health_needs_no_auth(app):
    response = TestClient(app).get("/_emulator/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_control_plane_needs_auth(app):
    assert TestClient(app).post("/_emulator/reset").status_code == 401
    assert TestClient(app).get("/_emulator/requests").status_code == 401


def test_a_doubled_slash_reaches_the_same_route(client):
    """Clients join a base URL ending in "/" to "/accounts" and send "//accounts"."""
    created = client.post(
        "http://testserver//accounts",
        json={"contact": {"first": "Dee", "last": "Slash", "email": "dee@example.com"}},
    )
    assert created.status_code == 200, created.text
    account = created.json()["account"]
    assert client.get(f"http://testserver//accounts//{account}").json()["id"] == account
