"""In-process clients over HTTP (Starlette's TestClient) and small request helpers."""

from __future__ import annotations

import base64
import itertools
import os
from typing import Any

from starlette.testclient import TestClient

from tests.support.contract_check import check_response

_emails = itertools.count(1)

# HYPOTHESIS_PROFILE=nightly runs every property test with 40 times the examples.
NIGHTLY = os.environ.get("HYPOTHESIS_PROFILE") == "nightly"


def examples(count: int) -> int:
    return count * 40 if NIGHTLY else count


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def client_for(
    app: Any,
    username: str = "store",
    password: str = "secret",
    user_agent: str | None = "contract-tests/1.0",
    check_contract: bool = True,
) -> TestClient:
    """A client for one store; every response it receives is checked against the
    served OpenAPI contract (tests/contract_check.py)."""
    headers = {"Authorization": basic(username, password)}
    if user_agent is not None:
        headers["User-Agent"] = user_agent
    client = TestClient(app, headers=headers)
    if user_agent is None:
        client.headers.pop("user-agent", None)
    if check_contract:
        client.event_hooks["response"] = [_conforms]
    return client


def _conforms(response: Any) -> None:
    response.read()
    check_response(
        response.request.method,
        response.request.url.path,
        response.status_code,
        response.headers,
        response.content,
    )


def contact(**overrides: Any) -> dict[str, Any]:
    n = next(_emails)
    return {"first": "Jane", "last": "Doe", "email": f"jane{n}@example.com", **overrides}


def create_account(client: TestClient, **body: Any) -> str:
    payload = {"contact": contact()} | body
    response = client.post("/accounts", json=payload)
    assert response.status_code == 200, response.text
    return response.json()["account"]


def snapshot_of_accounts(client: TestClient) -> list[dict[str, Any]]:
    """Every account object in the store, for checking that errors change nothing."""
    ids: list[str] = []
    page: int | None = 1
    while page:
        body = client.get("/accounts", params={"page": page}).json()
        ids.extend(body["accounts"])
        page = body["nextPage"]
    return [client.get(f"/accounts/{i}").json() for i in ids]
