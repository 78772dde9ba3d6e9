"""The OpenAPI contract: the checked-in file, the served document and the route table
must agree, so that nothing is served undocumented or documented unserved."""

from __future__ import annotations

import json
import re
from pathlib import Path

from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.contract import openapi
from emulator.routes import ROUTES

ROOT = Path(__file__).resolve().parents[2]


def test_the_checked_in_contract_is_the_built_one():
    checked_in = json.loads((ROOT / "contracts" / "openapi.json").read_text())
    assert checked_in == json.loads(json.dumps(openapi())), (
        "regenerate with: python -m emulator.contract > contracts/openapi.json"
    )


def test_the_contract_is_served_without_authentication():
    response = TestClient(create_app()).get("/_emulator/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(json.dumps(openapi()))
    assert response.json()["openapi"] == "3.1.0"


def _shape(path: str) -> str:
    return re.sub(r"\{[^/]+\}", "{}", path)


def test_every_route_is_documented_and_every_documented_operation_is_served():
    # PUT and PATCH routes are refusals (pitfalls), except where FastSpring uses PUT.
    real_puts = ("/_emulator", "/quotes", "/v2/")
    served = {
        (r.method.lower(), _shape(r.template))
        for r in ROUTES
        if r.method not in ("PUT", "PATCH") or r.template.startswith(real_puts)
    }
    served.discard(("get", "/_emulator/health"))
    served.discard(("get", "/_emulator/openapi.json"))
    served.discard(("get", "/_emulator/ui/live"))  # an event stream that stays open
    documented = {
        (method, _shape(path)) for path, item in openapi()["paths"].items() for method in item
    }
    assert served == documented


def test_links_connect_creates_to_reads():
    paths = openapi()["paths"]
    links = paths["/accounts"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "getAccount",
        "updateAccount",
        "authenticateAccounts",
    }
    order_links = paths["/_emulator/orders"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in order_links.values()} == {
        "getOrders",
        "getSubscriptions",
    }
