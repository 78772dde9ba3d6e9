"""The pytest plugin: one emulator per test session, a fresh store for every test.

Installing the package registers it (entry point `pytest11`). The `fastspring`
fixture gives each test its own credentials, hence its own empty store, on an
emulator started in-process on a free port, or on the one at
`FASTSPRING_EMULATOR_URL` when that is set (a container, or a shared server for
pytest-xdist workers).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn

from emulator.app import create_app
from emulator.config import Settings
from emulator.http.protocol import FastSpringHttpProtocol

URL_VARIABLE = "FASTSPRING_EMULATOR_URL"
USER_AGENT = "fastspring-emulator-pytest"


class InProcessEmulator:
    """The emulator served by uvicorn on a background thread, on 127.0.0.1."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(
            create_app(settings or Settings()), log_level="warning", http=FastSpringHttpProtocol
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> InProcessEmulator:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the in-process FastSpring emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


class FastSpringStore:
    """One test's store: `client` speaks the FastSpring API, the methods drive the
    control plane (clock, checkout, payment, faults, rate limit, webhooks)."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url
        self.auth = (username, password)
        self.client = httpx.Client(
            base_url=base_url, auth=self.auth, timeout=30, headers={"User-Agent": USER_AGENT}
        )

    def _control(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self.client.request(
            method, f"/_emulator{path}", json=body, params=params or None
        )
        if response.status_code >= 400:
            raise AssertionError(
                f"{method} /_emulator{path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    # clock
    def clock(self) -> dict[str, Any]:
        return self._control("GET", "/clock")

    def freeze(self) -> dict[str, Any]:
        return self._control("POST", "/clock/freeze")

    def advance(
        self, *, days: float | None = None, seconds: float | None = None, to: str | None = None
    ) -> dict[str, Any]:
        """Move the store's clock; everything due runs before this returns."""
        body = {
            k: v for k, v in (("days", days), ("seconds", seconds), ("to", to)) if v is not None
        }
        return self._control("POST", "/clock/advance", body)

    # purchases and payments
    def checkout(self, *products: str, email: str | None = None, **extra: Any) -> dict[str, Any]:
        """Complete a purchase of `products` (paths, one each) as if the buyer paid.
        `extra` is merged into the body: `contact`, `account`, `items`, `coupon`, ..."""
        body: dict[str, Any] = {"items": [{"product": p, "quantity": 1} for p in products]}
        if "account" not in extra:
            body["contact"] = {
                "first": "Test",
                "last": "Buyer",
                "email": email or f"buyer-{uuid.uuid4().hex[:10]}@example.com",
            }
        body.update(extra)
        return self._control("POST", "/orders", body)

    def decline(self, account_id: str, reason: str | None = "EXPIRED_CARD") -> dict[str, Any]:
        """Make the account's charges fail with `reason`; `None` makes them succeed."""
        return self._control("POST", f"/accounts/{account_id}/payment", {"decline": reason})

    def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        params = {"limit": 1000} | ({"type": type_} if type_ else {})
        return self._control("GET", "/events", **params)["events"]

    # chaos
    def fault(self, **rule: Any) -> dict[str, Any]:
        return self._control("POST", "/faults", rule)

    def clear_faults(self) -> None:
        self._control("DELETE", "/faults")

    def rate_limit(
        self, requests: int, window_seconds: float = 60, **options: Any
    ) -> dict[str, Any]:
        return self._control(
            "PUT",
            "/rate-limit",
            {"requests": requests, "window_seconds": window_seconds, **options},
        )

    def clear_rate_limit(self) -> None:
        self._control("DELETE", "/rate-limit")

    # webhooks
    def webhook(self, url: str, **config: Any) -> dict[str, Any]:
        return self._control("POST", "/webhooks", {"url": url, **config})

    def deliveries(self) -> list[dict[str, Any]]:
        return self._control("GET", "/webhooks/deliveries")["deliveries"]

    def wait(
        self, type_: str | None = None, count: int = 1, timeout: float = 10
    ) -> list[dict[str, Any]]:
        """Wait until `count` events (of `type_`) were acknowledged by a receiver."""
        response = self.client.post(
            "/_emulator/webhooks/wait", json={"type": type_, "count": count, "timeout": timeout}
        )
        if response.status_code != 200:
            raise AssertionError(
                f"waited {timeout} s for {count} {type_ or 'events'}: "
                f"{response.json().get('acknowledged')} acknowledged"
            )
        return response.json()["events"]

    # fixtures and snapshots
    def load_fixture(self, document: str | Path | dict[str, Any]) -> dict[str, Any]:
        """Load a fixture document (a path to YAML/JSON, or the document as a dict)."""
        if isinstance(document, dict):
            return self._control("POST", "/fixtures", document)
        path = Path(document)
        response = self.client.post(
            "/_emulator/fixtures",
            content=path.read_bytes(),
            headers={"Content-Type": "application/yaml"},
        )
        if response.status_code >= 400:
            raise AssertionError(f"fixture {path.name} refused: {response.text}")
        return response.json()

    def snapshot(self) -> dict[str, Any]:
        return self._control("GET", "/snapshot")

    def restore(self, snapshot: dict[str, Any]) -> None:
        self._control("POST", "/snapshot", snapshot)

    def requests(self) -> list[dict[str, Any]]:
        """The store's request journal."""
        return self._control("GET", "/requests", limit=1000)["requests"]

    def reset(self) -> None:
        self._control("POST", "/reset")

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="session")
def fastspring_emulator() -> Iterator[str]:
    """The base URL of the session's emulator."""
    external = os.environ.get(URL_VARIABLE)
    if external:
        yield external.rstrip("/")
        return
    server = InProcessEmulator().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def fastspring(fastspring_emulator: str) -> Iterator[FastSpringStore]:
    """A fresh, empty store for this test (unique credentials on the shared emulator)."""
    store = FastSpringStore(fastspring_emulator, f"pytest-{uuid.uuid4().hex}", "pytest")
    try:
        yield store
    finally:
        store.close()
