"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against
the emulator started through its CLI. A failing test saves a screenshot under
`test-artifacts/` (or `$FASTSPRING_EMULATOR_ARTIFACTS`).

Without Chromium or Playwright these tests skip, unless
`FASTSPRING_EMULATOR_BROWSER_TESTS=required` (CI sets it) makes that a failure.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.support.clients import basic
from tests.support.server import RunningEmulator, emulator
from tests.ui.conftest import CALL_FAILED

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
# As root, with no network beyond loopback: no sandbox, and none of the background
# connections Chromium would otherwise try at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LIVE_MS = 5_000  # the page shows changes within a second; this leaves room on a busy machine


def _playwright() -> Any:
    required = os.environ.get("FASTSPRING_EMULATOR_BROWSER_TESTS") == "required"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed")
    if not shutil.which(CHROMIUM):
        if required:
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with _playwright()() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[RunningEmulator]:
    with emulator("--seed", "5") as running:
        yield running


def _open(browser: Any, request: pytest.FixtureRequest, username: str, password: str) -> Any:
    context = browser.new_context(http_credentials={"username": username, "password": password})
    page = context.new_page()
    page.set_default_timeout(LIVE_MS)
    request.addfinalizer(lambda: _finish(request, page, context))
    return page


def _finish(request: pytest.FixtureRequest, page: Any, context: Any) -> None:
    if request.node.stash.get(CALL_FAILED, False):
        folder = Path(os.environ.get("FASTSPRING_EMULATOR_ARTIFACTS", "test-artifacts"))
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failing page: {shot}")
    context.close()


class Store:
    """One store of the running emulator, driven through its API as a client would."""

    def __init__(self, server: RunningEmulator, name: str) -> None:
        self.name = name
        self.http = httpx.Client(
            base_url=server.url,
            headers={"Authorization": basic(name, "pw"), "User-Agent": "browser-tests"},
            timeout=30,
        )
        self.ok("POST", "/_emulator/clock/freeze")
        self.ok("POST", "/_emulator/clock/advance", json={"to": "2027-01-15T10:00:00Z"})

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def product(self, path: str = "pro") -> None:
        pricing = {"interval": "month", "intervalLength": 1, "price": {"USD": 10.0}}
        product = {"product": path, "display": {"en": "Pro"}, "pricing": pricing}
        self.ok("POST", "/products", json={"products": [product]})

    def checkout(self, email: str = "jane@example.com") -> dict[str, Any]:
        return self.ok(
            "POST",
            "/_emulator/orders",
            json={
                "contact": {"first": "Jane", "last": "Doe", "email": email},
                "items": [{"product": "pro", "quantity": 1}],
            },
        )


@pytest.fixture
def store(server: RunningEmulator, request: pytest.FixtureRequest) -> Store:
    return Store(server, "ui-" + request.node.name.removeprefix("test_")[:40])


def test_a_store_opens_its_dashboard(browser, server, store, request):
    page = _open(browser, request, store.name, "pw")
    page.goto(server.url + "/_emulator/ui")
    assert page.get_by_test_id("store-name").inner_text() == store.name
    assert page.get_by_test_id("clock-now").inner_text() == "2027-01-15T10:00:00.000Z"
    assert page.get_by_test_id("clock-frozen").is_visible()
    page.get_by_test_id("nav-subscriptions").click()
    page.wait_for_url("**/_emulator/ui/subscriptions")
    assert "No subscriptions" in page.get_by_test_id("subscriptions").inner_text()


def test_a_checkout_appears_without_reloading(browser, server, store, request):
    store.product()
    page = _open(browser, request, store.name, "pw")
    page.goto(server.url + "/_emulator/ui/subscriptions")
    page.evaluate("window.notReloaded = true")
    page.wait_for_timeout(300)  # the live stream is open before the change comes
    order = store.checkout()
    sub_id = next(i["subscription"] for i in order["items"] if i["subscription"])
    row = page.locator(f'[data-testid="subscription-row"][data-id="{sub_id}"]')
    row.wait_for()
    assert row.get_by_test_id("subscription-state").inner_text() == "active"
    assert page.evaluate("window.notReloaded") is True


def test_advance_shows_the_rebill_and_its_events(browser, server, store, request):
    store.product()
    order = store.checkout()
    sub_id = next(i["subscription"] for i in order["items"] if i["subscription"])
    page = _open(browser, request, store.name, "pw")
    page.goto(f"{server.url}/_emulator/ui/subscriptions/{sub_id}")
    assert page.get_by_test_id("subscription-sequence").inner_text() == "1"
    page.get_by_test_id("advance-amount").fill("31")
    page.get_by_test_id("advance").click()
    rebill = page.locator('[data-testid="record-event"][data-type="subscription.charge.completed"]')
    rebill.wait_for()
    assert page.get_by_test_id("subscription-sequence").inner_text() == "2"
    assert page.locator('[data-testid="entry"]').count() == 2
    assert page.get_by_test_id("clock-now").inner_text() == "2027-02-15T10:00:00.000Z"
    page.get_by_test_id("nav-events").click()
    page.locator('[data-testid="event-row"][data-type="subscription.charge.completed"]').wait_for()


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver on a free loopback port that answers `status`."""

    status = 500

    def __init__(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


def test_redeliver_sends_a_failed_delivery_again(browser, server, store, request):
    receiver = Receiver()
    request.addfinalizer(receiver.shutdown)
    store.product()
    store.ok("POST", "/_emulator/webhooks", json={"url": receiver.url, "secret": "s3cret"})
    store.checkout()
    store.ok("POST", "/_emulator/clock/advance", json={"seconds": 0})  # deliver what is due
    page = _open(browser, request, store.name, "pw")
    page.goto(server.url + "/_emulator/ui/webhooks")
    failed = page.locator('[data-testid="delivery-row"][data-state="failed, will retry"]')
    failed.first.get_by_test_id("delivery-link").click()
    assert page.get_by_test_id("delivery-status").inner_text() == "500"
    assert page.get_by_test_id("delivery-signature").inner_text() != "unsigned"
    receiver.status = 200
    page.get_by_test_id("redeliver").click()
    page.locator('[data-testid="newest-attempt"][data-state="acknowledged"]').wait_for()
    assert "Sent again" in page.get_by_test_id("flash").inner_text()


def test_a_new_fault_rule_counts_its_hits(browser, server, store, request):
    page = _open(browser, request, store.name, "pw")
    page.goto(server.url + "/_emulator/ui/faults")
    page.get_by_test_id("fault-method").select_option("GET")
    page.get_by_test_id("fault-path").fill("/accounts*")
    page.get_by_test_id("fault-status").fill("503")
    page.get_by_test_id("add-fault").click()
    hits = page.get_by_test_id("fault-hits")
    hits.wait_for()
    assert hits.inner_text() == "0"
    for _ in range(3):
        assert store.http.get("/accounts").status_code == 503
    page.wait_for_function(
        "document.querySelector('[data-testid=fault-hits]').textContent.trim() === '3'"
    )
    page.get_by_test_id("remove-fault").click()
    page.get_by_text("No fault rules.").wait_for()
    assert store.http.get("/accounts").status_code == 200


def test_with_credentials_one_store_cannot_see_another(browser, request):
    with emulator("--credentials", "alice:a-pw,bob:b-pw") as running:
        bob = httpx.Client(
            base_url=running.url,
            headers={"Authorization": basic("bob", "b-pw"), "User-Agent": "browser-tests"},
        )
        contact = {"first": "Bob", "last": "B", "email": "bob-secret@example.com"}
        assert bob.post("/accounts", json={"contact": contact}).status_code == 200
        page = _open(browser, request, "alice", "a-pw")
        page.goto(running.url + "/_emulator/ui/accounts")
        assert page.get_by_test_id("store-name").inner_text() == "alice"
        assert page.get_by_test_id("store-picker").count() == 0
        assert "bob-secret@example.com" not in page.content()
        answer = page.goto(running.url + "/_emulator/ui/accounts?store=bob")
        assert answer is not None and answer.status == 403
        assert "bob-secret@example.com" not in page.content()
        assert "only the store your credentials open" in page.get_by_test_id("error").inner_text()
        stranger = _open(browser, request, "bob", "wrong")
        answer = stranger.goto(running.url + "/_emulator/ui")
        assert answer is not None and answer.status == 401
