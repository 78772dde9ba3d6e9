"""The control plane: journal, reset and health."""

from __future__ import annotations

from tests.support.clients import client_for, contact, create_account


def test_journal_lists_method_path_status_and_warnings_oldest_first(client):
    account_id = create_account(client)
    client.get(f"/accounts/{account_id}")
    client.get("/accounts/unknown")
    entries = client.get("/_emulator/requests").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/accounts", 200),
        ("GET", f"/accounts/{account_id}", 200),
        ("GET", "/accounts/unknown", 400),
    ]
    assert all(e["warnings"] == [] for e in entries)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["time"].endswith("Z")


def test_journal_keeps_query_strings_and_honours_limit_and_since(client):
    for n in range(5):
        client.get("/accounts", params={"page": n + 1})
    last_two = client.get("/_emulator/requests", params={"limit": 2}).json()["requests"]
    assert [e["query"] for e in last_two] == ["page=4", "page=5"]
    after = client.get("/_emulator/requests", params={"since": 3}).json()["requests"]
    assert [e["seq"] for e in after] == [4, 5]


def test_journal_is_per_store_and_skips_control_calls(app):
    alice, bob = client_for(app, "alice", "pw"), client_for(app, "bob", "pw")
    alice.get("/accounts")
    alice.post("/_emulator/reset")
    assert bob.get("/_emulator/requests").json()["requests"] == []
    assert [e["path"] for e in alice.get("/_emulator/requests").json()["requests"]] == []


def test_journal_rejects_bad_parameters(client):
    for params in ({"limit": "x"}, {"since": "-1"}):
        response = client.get("/_emulator/requests", params=params)
        assert response.status_code == 400
        assert response.json()["result"] == "error"


def test_journal_is_bounded_to_the_last_thousand(client):
    for _ in range(1005):
        client.get("/accounts")
    entries = client.get("/_emulator/requests", params={"limit": 5000}).json()["requests"]
    assert len(entries) == 1000 and entries[-1]["seq"] == 1005


def test_reset_empties_only_the_callers_store(app):
    alice, bob = client_for(app, "alice", "pw"), client_for(app, "bob", "pw")
    create_account(alice, contact=contact(email="a@example.com"))
    create_account(bob)
    response = alice.post("/_emulator/reset")
    assert response.status_code == 200 and response.json()["result"] == "success"
    assert alice.get("/accounts").json()["total"] == 0
    assert bob.get("/accounts").json()["total"] == 1
    create_account(alice, contact=contact(email="a@example.com"))


def test_health_reports_ok_and_version(client):
    body = client.get("/_emulator/health").json()
    assert body == {"status": "ok", "version": "0.1.0"}


def test_reset_clears_the_lifecycle_and_restarts_the_clock():
    from tests.support.shop import add_product, buy, shop

    client = shop()
    add_product(client, "pro")
    buy(client, "pro")
    client.post("/_emulator/reset")
    assert client.get("/products").json()["products"] == []
    assert client.get("/subscriptions").json()["total"] == 0
    assert client.get("/orders").json()["total"] == 0
    assert client.get("/_emulator/events").json()["total"] == 0
    assert client.get("/_emulator/clock").json()["frozen"] is False


def test_journal_keeps_bodies_headers_and_durations_with_secrets_redacted(client):
    body = {"contact": contact(first="Journal")}
    created = client.post("/accounts", json=body, headers={"X-Trace": "t-1"})
    long_query = "x" * 5000
    client.post("/accounts", content=long_query, headers={"Content-Type": "application/json"})
    first, second = client.get("/_emulator/requests").json()["requests"][-2:]
    assert '"first":"Journal"' in first["request"]["body"].replace(" ", "")
    assert created.text == first["response"]["body"]
    headers = first["request"]["headers"]
    assert headers["authorization"] == "[redacted]" and headers["x-trace"] == "t-1"
    assert first["durationMs"] >= 0
    kept = second["request"]["body"]
    assert kept.startswith("x" * 4096) and kept.endswith("…[truncated: 5000 bytes]")


def test_a_snapshot_keeps_the_journals_exchanges(client):
    client.post("/accounts", json={"contact": contact(first="Kept")})
    before = client.get("/_emulator/requests").json()["requests"]
    snapshot = client.get("/_emulator/snapshot").content
    assert client.post("/_emulator/snapshot", content=snapshot).status_code == 200
    assert client.get("/_emulator/requests").json()["requests"] == before
