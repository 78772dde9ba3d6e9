"""Helpers for lifecycle tests: a store on a frozen clock, products, purchases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings
from tests.support.clients import basic, client_for

START = "2027-01-15T10:00:00Z"
DAY = 86_400_000


def day(iso_date: str) -> int:
    """Epoch ms of 00:00 UTC on a yyyy-mm-dd date."""
    from datetime import datetime

    return int(datetime.strptime(iso_date, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)


def shop(settings: Settings | None = None) -> TestClient:
    """A fresh store whose clock is frozen at 2027-01-15T10:00:00Z."""
    client = client_for(create_app(settings or Settings(seed=11)))
    client.post("/_emulator/clock/freeze")
    assert client.post("/_emulator/clock/advance", json={"to": START}).status_code == 200
    return client


@contextmanager
def running_shop(username: str = "hooks") -> Iterator[TestClient]:
    """A store on a frozen clock with the app running (so webhook workers live), and
    a monthly product `pro`."""
    with TestClient(
        create_app(Settings(seed=5)),
        headers={"Authorization": basic(username, "pw"), "User-Agent": "tests"},
    ) as client:
        client.post("/_emulator/clock/freeze")
        client.post("/_emulator/clock/advance", json={"to": START})
        add_product(client, "pro")
        yield client


def add_product(client: TestClient, path: str, **pricing: Any) -> None:
    pricing = {"interval": "month", "intervalLength": 1, "price": {"USD": 10.0}} | pricing
    response = client.post(
        "/products",
        json={
            "products": [
                {
                    "product": path,
                    "display": {"en": path.title()},
                    "sku": path.upper(),
                    "pricing": pricing,
                }
            ]
        },
    )
    assert response.status_code == 200, response.text


def buy(
    client: TestClient,
    *products: str,
    email: str = "jane@example.com",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A paid order; `headers` (another store's Authorization) buys in that store."""
    body = {
        "contact": {"first": "Jane", "last": "Doe", "email": email},
        "items": [{"product": p, "quantity": 1} for p in products],
    } | extra
    response = client.post("/_emulator/orders", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def subscription_of(order: dict[str, Any], index: int = 0) -> str:
    return [i["subscription"] for i in order["items"] if i["subscription"]][index]


def sub(client: TestClient, sub_id: str) -> dict[str, Any]:
    response = client.get(f"/subscriptions/{sub_id}")
    assert response.status_code == 200, response.text
    return response.json()


def advance(client: TestClient, **by: Any) -> dict[str, Any]:
    response = client.post("/_emulator/clock/advance", json=by)
    assert response.status_code == 200, response.text
    return response.json()


def event_types(client: TestClient, since: int = 0) -> list[str]:
    body = client.get("/_emulator/events", params={"limit": 1000}).json()
    return [e["type"] for e in body["events"]][since:]


def events(client: TestClient, type_: str | None = None) -> list[dict[str, Any]]:
    params = {"limit": 1000} | ({"type": type_} if type_ else {})
    return client.get("/_emulator/events", params=params).json()["events"]


def decline(client: TestClient, account_id: str, reason: str | None = "EXPIRED_CARD"):
    response = client.post(f"/_emulator/accounts/{account_id}/payment", json={"decline": reason})
    assert response.status_code == 200, response.text
    return response.json()
