"""Fault rules, the rate limit and the override header, in-process (issue: chaos)."""

from __future__ import annotations

import orjson
import pytest

from emulator.app import create_app
from emulator.config import Settings
from emulator.http.faulting import ConnectionDropped
from tests.support.clients import client_for, contact, create_account
from tests.support.shop import shop


@pytest.fixture
def client():
    return shop()


def rule(client, **fields):
    response = client.post("/_emulator/faults", json=fields)
    assert response.status_code == 200, response.text
    return response.json()


def statuses(client, n, path="/accounts", method="GET"):
    return [client.request(method, path).status_code for _ in range(n)]


# --- when rules fire ------------------------------------------------------------------


def test_a_rule_without_a_condition_fires_on_every_match(client):
    rule(client, method="GET", path="/accounts*")
    assert statuses(client, 3) == [429] * 3
    response = client.get("/accounts/x")
    assert response.status_code == 429
    assert response.json() == {"result": "error", "error": {"request": "Too Many Requests"}}
    assert "retry-after" not in response.headers


def test_every_n_fires_on_calls_n_2n_3n(client):
    rule(client, path="/accounts", every=3)
    assert statuses(client, 7) == [200, 200, 429, 200, 200, 429, 200]


def test_times_n_fires_on_the_next_n_then_expires(client):
    created = rule(client, path="/accounts", times=2, status=503)
    assert statuses(client, 4) == [503, 503, 200, 200]
    (listed,) = client.get("/_emulator/faults").json()["faults"]
    assert (listed["id"], listed["matched"], listed["fired"], listed["expired"]) == (
        created["id"],
        2,
        2,
        True,
    )


def test_probability_with_a_seed_is_the_same_on_every_run():
    runs = []
    for _ in range(2):
        client = shop()
        rule(client, path="/accounts", probability=0.3, seed=11)
        runs.append(statuses(client, 60))
    assert runs[0] == runs[1]
    assert 5 < runs[0].count(429) < 35
    other = shop()
    rule(other, path="/accounts", probability=0.3, seed=12)
    assert statuses(other, 60) != runs[0]


def test_between_fires_inside_a_window_of_the_store_clock(client):
    rule(client, path="/accounts", between=["2027-01-16T00:00:00Z", "2027-01-17T00:00:00Z"])
    assert statuses(client, 1) == [200]
    client.post("/_emulator/clock/advance", json={"to": "2027-01-16T12:00:00Z"})
    assert statuses(client, 1) == [429]
    client.post("/_emulator/clock/advance", json={"to": "2027-01-17T00:00:00Z"})
    assert statuses(client, 1) == [200]


def test_method_and_glob_matching_and_first_rule_wins(client):
    rule(client, method="POST", path="/accounts", status=500)
    rule(client, path="/accounts*", status=503)
    rule(client, path="/subscriptions/*", status=502)
    assert client.post("/accounts", json={}).status_code == 500
    assert client.get("/accounts").status_code == 503
    assert client.get("/subscriptions/abc").status_code == 502
    assert client.get("/subscriptions").status_code == 200  # the glob needs a segment
    assert client.get("/orders/x").status_code == 400


def test_rules_belong_to_the_callers_store():
    app = create_app(Settings(seed=1))
    chaos, calm = client_for(app, "chaos", "pw"), client_for(app, "calm", "pw")
    rule(chaos, path="/*")
    assert chaos.get("/accounts").status_code == 429
    assert calm.get("/accounts").status_code == 200
    assert calm.get("/_emulator/faults").json()["faults"] == []


# --- actions --------------------------------------------------------------------------


def test_custom_status_body_and_headers(client):
    rule(
        client,
        path="/accounts",
        status=503,
        body={"message": "maintenance"},
        headers={"Retry-After": "7"},
    )
    response = client.get("/accounts")
    assert response.status_code == 503 and response.json() == {"message": "maintenance"}
    assert response.headers["retry-after"] == "7"


def test_a_text_body(client):
    rule(client, path="/accounts", status=502, body="<html>Bad Gateway</html>")
    response = client.get("/accounts")
    assert response.status_code == 502 and response.text == "<html>Bad Gateway</html>"
    assert response.headers["content-type"].startswith("text/plain")


def test_injected_404_looks_like_fastspring_not_found(client):
    rule(client, path="/accounts", status=404)
    assert client.get("/accounts").json() == {
        "result": "error",
        "error": {"path": "Not found: /accounts"},
    }


def test_delay_passes_the_request_through(client):
    rule(client, path="/accounts", action="delay", latency_ms=30)
    response = client.post("/accounts", json={"contact": contact()})
    assert response.status_code == 200
    (entry,) = client.get("/_emulator/requests").json()["requests"]
    assert entry["fault"]["action"] == "delay" and entry["fault"]["latencyMs"] == 30


def test_latency_ranges_are_drawn_from_the_seed():
    draws = []
    for _ in range(2):
        client = shop()
        rule(client, path="/accounts", action="delay", latency_ms=[1, 20], seed=5)
        statuses(client, 8)
        draws.append(
            [e["fault"]["latencyMs"] for e in client.get("/_emulator/requests").json()["requests"]]
        )
    assert draws[0] == draws[1] and all(1 <= d <= 20 for d in draws[0])
    assert len(set(draws[0])) > 1


def test_malformed_answers_200_with_truncated_json(client):
    rule(client, path="/accounts", action="malformed")
    response = client.get("/accounts")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)


def test_drop_needs_the_cli_server_in_process(client):
    rule(client, path="/accounts", action="drop")
    with pytest.raises(ConnectionDropped):
        client.get("/accounts")


# --- the store around a fault ---------------------------------------------------------


def test_a_fault_before_the_request_leaves_the_store_unchanged(client):
    rule(client, method="POST", path="/accounts", status=500)
    assert client.post("/accounts", json={"contact": contact()}).status_code == 500
    client.delete("/_emulator/faults")
    assert client.get("/accounts").json()["total"] == 0


def test_after_applies_the_request_then_faults_the_response(client):
    rule(client, method="POST", path="/accounts", status=500, after=True, times=1)
    email = "lost-response@example.com"
    assert client.post("/accounts", json={"contact": contact(email=email)}).status_code == 500
    assert client.get("/accounts", params={"email": email}).status_code == 200
    retry = client.post("/accounts", json={"contact": contact(email=email)})
    assert retry.status_code == 400 and "already exists" in retry.json()["error"]["email"]


def test_after_with_malformed_truncates_the_real_response(client):
    rule(client, method="POST", path="/accounts", action="malformed", after=True)
    response = client.post("/accounts", json={"contact": contact()})
    assert response.status_code == 200 and response.content.startswith(b'{"account":"')
    assert client.get("/accounts").json()["total"] == 1


def test_the_control_plane_is_never_faulted(client):
    rule(client, path="/*")
    assert client.get("/_emulator/clock").status_code == 200
    assert client.get("/_emulator/faults").status_code == 200


# --- managing rules -------------------------------------------------------------------


def test_list_remove_one_and_clear(client):
    first = rule(client, path="/accounts", every=2)
    second = rule(client, path="/orders*")
    assert [r["id"] for r in client.get("/_emulator/faults").json()["faults"]] == [
        first["id"],
        second["id"],
    ]
    assert client.delete(f"/_emulator/faults/{first['id']}").status_code == 200
    assert client.delete(f"/_emulator/faults/{first['id']}").status_code == 400
    assert [r["id"] for r in client.get("/_emulator/faults").json()["faults"]] == [second["id"]]
    client.delete("/_emulator/faults")
    assert client.get("/_emulator/faults").json()["faults"] == []


def test_rule_fields_are_echoed_with_counts(client):
    created = rule(
        client,
        method="get",
        path="/accounts*",
        action="status",
        status=429,
        probability=0.5,
        seed=3,
        latency_ms=[1, 2],
        after=False,
    )
    assert created["method"] == "get" and created["probability"] == 0.5
    assert (created["matched"], created["fired"], created["expired"]) == (0, 0, False)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"method": "FETCH"}, "method"),
        ({"path": "accounts"}, "path"),
        ({"action": "explode"}, "action"),
        ({"status": 99}, "status"),
        ({"latency_ms": -1}, "latency_ms"),
        ({"latency_ms": [5, 1]}, "latency_ms"),
        ({"action": "delay"}, "latency_ms"),
        ({"after": "yes"}, "after"),
        ({"probability": 1.5}, "probability"),
        ({"every": 0}, "every"),
        ({"times": -2}, "times"),
        ({"every": 2, "times": 3}, "times"),
        ({"between": ["2027-01-02T00:00:00Z"]}, "between"),
        ({"between": ["2027-01-02T00:00:00Z", "2027-01-01T00:00:00Z"]}, "between"),
        ({"headers": {"X": 1}}, "headers"),
    ],
)
def test_invalid_rules_are_refused(client, fields, field):
    response = client.post("/_emulator/faults", json=fields)
    assert response.status_code == 400 and field in response.json()["error"]
    assert client.get("/_emulator/faults").json()["faults"] == []


def test_the_journal_names_the_rule_that_fired(client):
    created = rule(client, path="/accounts", status=500)
    client.get("/accounts")
    (entry,) = client.get("/_emulator/requests").json()["requests"]
    assert entry["status"] == 500
    assert entry["fault"] == {
        "source": f"rule {created['id']}",
        "action": "status",
        "status": 500,
        "latencyMs": 0,
        "after": False,
    }


# --- rate limit -----------------------------------------------------------------------


def test_the_bucket_empties_and_refills_with_the_store_clock(client):
    response = client.put("/_emulator/rate-limit", json={"requests": 3, "window_seconds": 60})
    assert response.json() == {
        "requests": 3,
        "window_seconds": 60.0,
        "burst": 3,
        "status": 429,
        "headers": False,
        "tokens": 3.0,
    }
    assert statuses(client, 4) == [200, 200, 200, 429]
    limited = client.get("/accounts")
    assert limited.status_code == 429 and "retry-after" not in limited.headers
    assert not any(h.startswith("x-ratelimit") for h in limited.headers)
    client.post("/_emulator/clock/advance", json={"seconds": 20})
    assert statuses(client, 2) == [200, 429]
    client.post("/_emulator/clock/advance", json={"seconds": 60})
    assert statuses(client, 4) == [200, 200, 200, 429]


def test_burst_status_404_and_headers(client):
    client.put(
        "/_emulator/rate-limit",
        json={"requests": 60, "window_seconds": 60, "burst": 2, "status": 404, "headers": True},
    )
    assert statuses(client, 2) == [200, 200]
    limited = client.get("/accounts")
    assert limited.status_code == 404
    assert limited.headers["retry-after"] == "1"
    assert limited.headers["x-ratelimit-limit"] == "60"
    assert limited.headers["x-ratelimit-remaining"] == "0"


def test_the_control_plane_is_not_rate_limited(client):
    client.put("/_emulator/rate-limit", json={"requests": 1, "window_seconds": 3600})
    statuses(client, 3)
    for _ in range(5):
        assert client.get("/_emulator/clock").status_code == 200
    assert client.get("/_emulator/rate-limit").json()["rateLimit"]["requests"] == 1
    assert client.delete("/_emulator/rate-limit").status_code == 200
    assert statuses(client, 3) == [200] * 3
    assert client.get("/_emulator/rate-limit").json() == {"rateLimit": None}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "requests"),
        ({"requests": 0}, "requests"),
        ({"requests": 5, "window_seconds": 0}, "window_seconds"),
        ({"requests": 5, "burst": 0}, "burst"),
        ({"requests": 5, "status": 503}, "status"),
        ({"requests": 5, "headers": "yes"}, "headers"),
    ],
)
def test_invalid_rate_limits(client, body, field):
    response = client.put("/_emulator/rate-limit", json=body)
    assert response.status_code == 400 and field in response.json()["error"]
    assert client.get("/_emulator/rate-limit").json() == {"rateLimit": None}


def test_a_boot_rate_limit_applies_to_every_store():
    app = create_app(Settings(rate_limit={"requests": 1, "window_seconds": 60}))
    for store in ("a", "b"):
        client = client_for(app, store, "pw")
        assert statuses(client, 2) == [200, 429]
    reset = client_for(app, "a", "pw")
    reset.post("/_emulator/reset")
    assert reset.get("/_emulator/rate-limit").json()["rateLimit"]["requests"] == 1


# --- the override header --------------------------------------------------------------


@pytest.mark.parametrize("value, status", [("429", 429), ("500", 500), ("503", 503)])
def test_the_header_forces_a_status_on_one_request(client, value, status):
    assert client.get("/accounts", headers={"X-Emulator-Fault": value}).status_code == status
    assert client.get("/accounts").status_code == 200


def test_the_header_forces_latency_malformed_and_drop(client):
    delayed = client.post(
        "/accounts", json={"contact": contact()}, headers={"X-Emulator-Fault": "latency=20ms"}
    )
    assert delayed.status_code == 200
    entry = client.get("/_emulator/requests").json()["requests"][-1]
    assert entry["fault"]["source"] == "header" and entry["fault"]["latencyMs"] == 20
    broken = client.get("/accounts", headers={"X-Emulator-Fault": "malformed"})
    assert broken.status_code == 200
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(broken.content)
    with pytest.raises(ConnectionDropped):
        client.get("/accounts", headers={"X-Emulator-Fault": "drop"})
    mixed = client.get("/accounts", headers={"X-Emulator-Fault": "latency=1ms, 502"})
    assert mixed.status_code == 502


def test_a_faulted_header_request_does_not_run(client):
    response = client.post(
        "/accounts", json={"contact": contact()}, headers={"X-Emulator-Fault": "500"}
    )
    assert response.status_code == 500
    assert client.get("/accounts").json()["total"] == 0


@pytest.mark.parametrize("value", ["boom", "latency=fast", "99", "latency=999s"])
def test_a_bad_header_is_a_400(client, value):
    response = client.get("/accounts", headers={"X-Emulator-Fault": value})
    assert response.status_code == 400 and "X-Emulator-Fault" in response.json()["error"]


def test_no_fault_header_ignores_it():
    client = client_for(create_app(Settings(fault_header=False)))
    assert client.get("/accounts", headers={"X-Emulator-Fault": "500"}).status_code == 200
    create_account(client)


def test_faulted_responses_name_their_source_in_a_header(client):
    created = rule(client, path="/accounts", status=503, times=1)
    assert client.get("/accounts").headers["x-emulator-fault"] == f"rule {created['id']}"
    assert "x-emulator-fault" not in client.get("/accounts").headers
    assert (
        client.get("/accounts", headers={"X-Emulator-Fault": "500"}).headers["x-emulator-fault"]
        == "header"
    )
