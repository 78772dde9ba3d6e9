"""Chaos testing against a real server: drops, determinism across restarts, boot-time
limits, and a client with exponential backoff that must survive a 20% 429 rate."""

from __future__ import annotations

import time

import httpx2 as httpx
import pytest

from emulator.receiver import Receiver
from tests.support.server import emulator

pytestmark = pytest.mark.e2e
AUTH = ("chaos", "pw")
AGENT = {"User-Agent": "chaos-tests"}


def api(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, auth=AUTH, headers=AGENT, timeout=10)


def test_drop_closes_the_connection_without_a_response():
    with emulator() as running, api(running.url) as client:
        client.post("/_emulator/faults", json={"path": "/accounts", "action": "drop", "times": 1})
        with pytest.raises(httpx.TransportError):
            client.get("/accounts")
        assert client.get("/accounts").status_code == 200
        with pytest.raises(httpx.TransportError):
            client.get("/accounts", headers={"X-Emulator-Fault": "drop"})
        (dropped, _, header_drop) = client.get("/_emulator/requests").json()["requests"]
        assert dropped["status"] is None and dropped["fault"]["action"] == "drop"
        assert header_drop["fault"]["source"] == "header"


def test_the_same_seed_gives_the_same_hits_after_a_restart():
    patterns = []
    for _ in range(2):
        with emulator() as running, api(running.url) as client:
            client.post(
                "/_emulator/faults", json={"path": "/accounts*", "probability": 0.3, "seed": 11}
            )
            patterns.append([client.get("/accounts").status_code for _ in range(40)])
    assert patterns[0] == patterns[1] and 429 in patterns[0] and 200 in patterns[0]


@pytest.mark.parametrize("use_env", [False, True])
def test_boot_rate_limit_and_no_fault_header(use_env):
    args, env = (
        (["--rate-limit", "2/60", "--no-fault-header"], None)
        if not use_env
        else (
            [],
            {"FASTSPRING_EMULATOR_RATE_LIMIT": "2/60", "FASTSPRING_EMULATOR_FAULT_HEADER": "false"},
        )
    )
    with emulator(*args, env=env) as running, api(running.url) as client:
        forced = client.get("/accounts", headers={"X-Emulator-Fault": "500"})
        assert forced.status_code == 200
        assert [client.get("/accounts").status_code for _ in range(2)] == [200, 429]
        other = httpx.get(f"{running.url}/accounts", auth=("another", "pw"), headers=AGENT)
        assert other.status_code == 200


def test_webhooks_are_not_rate_limited():
    with Receiver() as receiver, emulator() as running, api(running.url) as client:
        client.post("/_emulator/webhooks", json={"url": receiver.url})
        client.put("/_emulator/rate-limit", json={"requests": 1, "window_seconds": 3600})
        client.post(
            "/products",
            json={
                "products": [
                    {"product": "pro", "pricing": {"interval": "month", "price": {"USD": 5}}}
                ]
            },
        )
        assert client.get("/products").status_code == 429
        for n in range(3):
            client.post(
                "/_emulator/orders",
                json={
                    "contact": {"first": "A", "last": "B", "email": f"w{n}@example.com"},
                    "items": [{"product": "pro"}],
                },
            )
        waited = client.post(
            "/_emulator/webhooks/wait",
            json={"type": "subscription.activated", "count": 3, "timeout": 10},
        )
        assert waited.status_code == 200


def call_with_backoff(client: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response:
    """What a FastSpring client should do: retry 429s and 5xx with exponential backoff."""
    delay = 0.005
    for _ in range(12):
        response = client.request(method, path, **kwargs)
        if response.status_code != 429 and response.status_code < 500:
            return response
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    raise AssertionError(f"{method} {path} kept failing: {response.status_code}")


def test_a_backoff_client_syncs_200_accounts_through_a_20_percent_429_rate():
    with emulator() as running, api(running.url) as client:
        client.post(
            "/_emulator/faults", json={"path": "/accounts*", "probability": 0.2, "seed": 2026}
        )
        created = set()
        for n in range(200):
            email = f"user{n}@example.com"
            response = call_with_backoff(
                client,
                "POST",
                "/accounts",
                json={"contact": {"first": "U", "last": str(n), "email": email}},
            )
            if response.status_code == 400:  # a retried create that had gone through
                assert "already exists" in response.json()["error"]["email"]
                response = call_with_backoff(client, "GET", "/accounts", params={"email": email})
                created.add(response.json()["accounts"][0]["id"])
            else:
                created.add(response.json()["account"])
        synced, page = [], 1
        while page:
            body = call_with_backoff(client, "GET", "/accounts", params={"page": page}).json()
            synced.extend(body["accounts"])
            page = body["nextPage"]
        assert len(created) == 200 and sorted(synced) == sorted(created)
        (rule,) = client.get("/_emulator/faults").json()["faults"]
        assert rule["fired"] > 20 and rule["matched"] > 200
