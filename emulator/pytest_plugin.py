"""The pytest plugin: one emulator per test session, a fresh store for every test.

Installing the package registers it (entry point `pytest11`). The `fastspring`
fixture gives each test its own credentials, hence its own empty store, on an
emulator started in-process on a free port, or on the one at
`FASTSPRING_EMULATOR_URL` when that is set (a container, or a shared server for
pytest-xdist workers). `fastspring_webhooks` adds a signature-checking receiver.
Options: `--fastspring-strict`, `--fastspring-seed N`, and
`--fastspring-fail-on-warnings` (or the `fastspring_no_warnings` marker). See
`docs/pytest-plugin.md`.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2 as httpx
import pytest
import uvicorn

from emulator.app import create_app
from emulator.config import Settings
from emulator.http.protocol import FastSpringHttpProtocol
from emulator.receiver import Receiver
from emulator.webhooks.payload import signature

URL_VARIABLE = "FASTSPRING_EMULATOR_URL"
USER_AGENT = "fastspring-emulator-pytest"
NO_WARNINGS_MARKER = "fastspring_no_warnings"


class FastSpringEmulatorError(AssertionError):
    """The emulator refused a control call, or a check of the plugin failed; the
    message says which call and what the emulator answered."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fastspring", "FastSpring emulator")
    group.addoption(
        "--fastspring-strict",
        action="store_true",
        help="run the in-process emulator in strict mode (pitfalls are 400s)",
    )
    group.addoption(
        "--fastspring-seed",
        type=int,
        default=None,
        help="seed the in-process emulator's ids and fault draws (a failing run replays)",
    )
    group.addoption(
        "--fastspring-fail-on-warnings",
        action="store_true",
        help="fail a test when any response to its store carried an X-Emulator-Warning",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{NO_WARNINGS_MARKER}: fail the test when any response to its FastSpring store "
        "carried a pitfall warning",
    )


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

    @property
    def dashboard_url(self) -> str:
        """This store's page of the dashboard (docs/dashboard.md): open it while a test
        is stopped in a debugger, signed in as any user (the plugin's emulator runs in
        open mode, so `?store=` picks this store)."""
        return f"{self.base_url}/_emulator/ui?{urlencode({'store': self.auth[0]})}"

    def _control(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self.client.request(
            method, f"/_emulator{path}", json=body, params=params or None
        )
        if response.status_code >= 400:
            raise FastSpringEmulatorError(
                f"{method} /_emulator{path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    def _api(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body)
        if response.status_code >= 400:
            raise FastSpringEmulatorError(
                f"{method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    # catalog and records
    def create_product(
        self,
        path: str,
        price: float = 10.0,
        currency: str = "USD",
        interval: str | None = "month",
        **pricing: Any,
    ) -> dict[str, Any]:
        """Create (or replace) a product; `interval=None` makes a one-time product.
        `pricing` adds FastSpring pricing keys (`trial`, `intervalLength`, ...)."""
        body = {"price": {currency: price}, **pricing}
        if interval is not None:
            body["interval"] = interval
        return self._api(
            "POST",
            "/products",
            {"products": [{"product": path, "display": {"en": path}, "pricing": body}]},
        )

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        """`GET /subscriptions/{id}`, as a client sees it."""
        return self._api("GET", f"/subscriptions/{subscription_id}")

    def complete_session(self, session_id: str, **body: Any) -> dict[str, Any]:
        """Complete a checkout session (v1 or v2) as if the buyer paid: the order."""
        return self._control("POST", f"/sessions/{session_id}/complete", body)

    # clock
    def clock(self) -> dict[str, Any]:
        return self._control("GET", "/clock")

    def freeze(self) -> dict[str, Any]:
        """Stop the store's clock; only `advance` and `sleep` move it then."""
        return self._control("POST", "/clock/freeze")

    def unfreeze(self) -> dict[str, Any]:
        """Let the store's clock run with wall time again, from where it stands."""
        return self._control("POST", "/clock/unfreeze")

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass on the store's clock without waiting: give it to your
        client's retry or backoff code as its sleep function (see the docs' rate-limit
        recipe). Everything due meanwhile runs, webhooks included."""
        self.advance(seconds=seconds)

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
            answer = response.json()
            refusals = "; ".join(
                f"{a['url']} answered {a['status'] or a['error']}"
                + (f" ({a['response']})" if a.get("response") else "")
                for a in answer.get("failedAttempts", [])
            )
            raise FastSpringEmulatorError(
                f"waited {timeout} s for {count} {type_ or 'events'}: "
                f"{answer.get('acknowledged')} acknowledged"
                + (f"; latest refusals: {refusals}" if refusals else "")
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
            raise FastSpringEmulatorError(f"fixture {path.name} refused: {response.text}")
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
def fastspring_emulator(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of the session's emulator."""
    external = os.environ.get(URL_VARIABLE)
    if external:
        yield external.rstrip("/")
        return
    options = request.config.option
    settings = Settings(strict=options.fastspring_strict, seed=options.fastspring_seed)
    server = InProcessEmulator(settings).start()
    try:
        yield server.url
    finally:
        server.stop()


def _store_name(request: pytest.FixtureRequest) -> str:
    """A fresh store's username. Under `--fastspring-seed` it is the test's own, so the
    store's ids (seeded from the seed and the store name) replay run after run."""
    if request.config.option.fastspring_seed is None:
        return f"pytest-{uuid.uuid4().hex}"
    return "pytest-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:32]


@pytest.fixture
def fastspring(
    fastspring_emulator: str, request: pytest.FixtureRequest
) -> Iterator[FastSpringStore]:
    """A fresh, empty store for this test (unique credentials on the shared emulator)."""
    store = FastSpringStore(fastspring_emulator, _store_name(request), "pytest")
    try:
        yield store
        strict_warnings = request.config.option.fastspring_fail_on_warnings or (
            request.node.get_closest_marker(NO_WARNINGS_MARKER) is not None
        )
        if strict_warnings:
            warned = [
                f"{r['method']} {r['path']}: {w['code']}: {w['message']}"
                for r in store.requests()
                for w in r["warnings"]
            ]
            if warned:
                pytest.fail("responses carried pitfall warnings:\n" + "\n".join(warned))
    finally:
        store.close()


class WebhookInbox:
    """A receiver on a free loopback port, registered as the store's webhook with a
    secret. Every POST's signature is checked; a bad one fails the test."""

    def __init__(self, store: FastSpringStore) -> None:
        self.secret = f"whsec-{uuid.uuid4().hex}"
        self.bad_signatures: list[str] = []
        self._receiver = Receiver(respond=self._check)
        self.url = self._receiver.url
        self.webhook = store.webhook(self.url, secret=self.secret)

    def _check(self, record: dict[str, Any]) -> tuple[int, bytes]:
        expected = signature(self.secret, record["body"])
        if record["headers"].get("x-fs-signature") != expected:
            self.bad_signatures.append(record["headers"].get("x-fs-signature", "(none)"))
            return 401, b"bad signature"
        return 200, b""

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event received with a good signature, in arrival order."""
        return [
            e
            for r in list(self._receiver.requests)
            if r["headers"].get("x-fs-signature") == signature(self.secret, r["body"])
            for e in r["json"]["events"]
        ]

    def wait_for(
        self, type_: str | None = None, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until `count` events of `type_` (any type if None) have arrived; the
        matching events. A timeout raises with what did arrive."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events if type_ is None or e["type"] == type_]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = sorted({e["type"] for e in self.events})
                raise FastSpringEmulatorError(
                    f"waited {timeout} s for {count} {type_ or 'events'}; received "
                    f"{len(found)} (types seen: {', '.join(seen) or 'none'})"
                )
            time.sleep(0.01)

    def close(self) -> None:
        self._receiver.close()


@pytest.fixture
def fastspring_webhooks(fastspring: FastSpringStore) -> Iterator[WebhookInbox]:
    """Receive the test store's webhooks in-process, signatures checked. With
    `FASTSPRING_EMULATOR_URL` the emulator must reach this machine's 127.0.0.1."""
    inbox = WebhookInbox(fastspring)
    try:
        yield inbox
        if inbox.bad_signatures:
            pytest.fail(f"webhooks arrived with bad signatures: {inbox.bad_signatures}")
    finally:
        inbox.close()
