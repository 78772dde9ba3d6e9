"""The dashboard's pages over HTTP: what each view shows, whose store it shows, and
how it refuses bad input (an HTML page with a 4xx, and the store unchanged)."""

from __future__ import annotations

import re
from typing import Any

import httpx2 as httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.app import create_app
from emulator.config import Settings
from tests.support import shop
from tests.support.clients import basic, client_for, examples
from tests.support.hooks import flush, hook
from tests.support.server import emulator

PAGES = [
    "",
    "/accounts",
    "/subscriptions",
    "/orders",
    "/returns",
    "/quotes",
    "/coupons",
    "/events",
    "/webhooks",
    "/faults",
    "/requests",
]


def ui(client: Any, path: str = "", **params: Any) -> Any:
    return client.get("/_emulator/ui" + path, params=params)


def texts_of(html: str, name: str) -> list[str]:
    """The text of every element whose data-testid is `name` (simple, flat markup)."""
    return re.findall(rf'data-testid="{name}"[^>]*>([^<]*)<', html)


@pytest.fixture
def bought() -> tuple[Any, dict[str, Any]]:
    client = shop.shop()
    shop.add_product(client, "pro")
    return client, shop.buy(client, "pro")


@pytest.mark.parametrize("path", PAGES)
def test_every_view_is_an_html_page_that_is_never_cached(bought, path):
    client, _ = bought
    response = ui(client, path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert 'data-testid="store-name">store<' in response.text
    assert 'data-live-url="/_emulator/ui/live"' in response.text


def test_the_overview_counts_what_the_store_holds(bought):
    client, _ = bought
    html = ui(client).text
    assert re.search(r'data-testid="count-subscriptions"><strong>1<', html)
    assert re.search(r'data-testid="count-accounts"><strong>1<', html)
    assert texts_of(html, "state-active") == ["1"]
    assert texts_of(html, "clock-frozen") == ["frozen"]
    assert texts_of(html, "clock-now") == ["2027-01-15T10:00:00.000Z"]


def test_a_subscription_page_shows_its_events_and_next_transition(bought):
    client, order = bought
    sub_id = shop.subscription_of(order)
    html = ui(client, f"/subscriptions/{sub_id}").text
    assert texts_of(html, "subscription-state") == ["active"]
    assert "<strong>remind</strong> at <time>2027-02-08T00:00:00.000Z" in html
    assert re.findall(r'data-testid="record-event" data-type="([^"]+)"', html) == [
        "subscription.activated"
    ]
    shop.advance(client, days=35)
    html = ui(client, f"/subscriptions/{sub_id}").text
    kinds = re.findall(r'data-testid="record-event" data-type="([^"]+)"', html)
    assert kinds[0] == "subscription.charge.completed"  # newest first
    assert "subscription.payment.reminder" in kinds
    assert html.count('data-testid="entry"') == 2  # the purchase and the rebill
    assert texts_of(html, "subscription-sequence") == ["2"]


def test_subscriptions_filter_by_state(bought):
    client, order = bought
    sub_id = shop.subscription_of(order)
    assert sub_id in ui(client, "/subscriptions", status="active").text
    assert sub_id not in ui(client, "/subscriptions", status="canceled").text
    client.delete(f"/subscriptions/{sub_id}")
    assert sub_id in ui(client, "/subscriptions", status="canceled").text


def test_accounts_are_found_by_email_custom_key_or_id():
    client = shop.shop()
    first = client.post(
        "/accounts",
        json={
            "contact": {"first": "Ann", "last": "Lee", "email": "ann@example.com"},
            "lookup": {"custom": "crm-1"},
        },
    ).json()["account"]
    client.post(
        "/accounts",
        json={"contact": {"first": "Bo", "last": "Kim", "email": "bo@example.com"}},
    )
    for text in ("ann@example.com", "crm-1", first):
        html = ui(client, "/accounts", q=text).text
        assert html.count('data-testid="account-row"') == 1, text
        assert "ann@example.com" in html and "bo@example.com" not in html
    html = ui(client, "/accounts", q="nobody@example.com").text
    assert html.count('data-testid="account-row"') == 0
    assert "No account has that email" in html


def test_lists_are_newest_first_and_paged():
    client = shop.shop()
    for n in range(30):
        client.post(
            "/accounts",
            json={"contact": {"first": "A", "last": "B", "email": f"user{n}@example.com"}},
        )
    first = ui(client, "/accounts").text
    assert first.count('data-testid="account-row"') == 25
    assert first.index("user29@example.com") < first.index("user28@example.com")
    assert "page 1 of 2" in first
    second = ui(client, "/accounts", page=2).text
    assert second.count('data-testid="account-row"') == 5
    assert "user4@example.com" in second and "user5@example.com" not in second
    assert ui(client, "/accounts", page=9).text.count('data-testid="account-row"') == 0


def test_events_filter_by_type_and_show_their_json(bought):
    client, _ = bought
    html = ui(client, "/events", type="subscription.activated").text
    assert re.findall(r'data-testid="event-row" data-type="([^"]+)"', html) == [
        "subscription.activated"
    ]
    assert "&#34;subscription&#34;" in html  # the JSON view, escaped


def test_records_pages_list_orders_quotes_and_coupons(bought):
    client, order = bought
    client.post("/_emulator/coupons", json={"coupon": "SAVE", "discount": {"percent": 10}})
    assert order["reference"] in ui(client, "/orders").text
    html = ui(client, "/coupons").text
    assert html.count('data-testid="coupons-row"') == len(client.get("/coupons").json()["coupons"])


def test_webhooks_page_lists_hooks_and_failed_attempts():
    with shop.running_shop("ui-hooks") as client:
        hook(client, "http://127.0.0.1:9/refused", secret="s3cret")
        shop.buy(client, "pro")
        flush(client)
        html = ui(client, "/webhooks").text
        assert html.count('data-testid="webhook-row"') == 1
        rows = re.findall(r'data-testid="delivery-row" data-state="([^"]+)"', html)
        assert rows and set(rows) == {"failed, will retry"}
        attempt = client.get("/_emulator/webhooks/deliveries").json()["deliveries"][0]
        page = ui(client, f"/webhooks/deliveries/{attempt['id']}").text
        assert texts_of(page, "delivery-state") == ["failed, will retry"]
        assert texts_of(page, "delivery-final-state") == ["retrying"]
        assert texts_of(page, "delivery-signature")[0] != "unsigned"
        assert 'data-testid="redeliver"' in page
        assert 'data-api="/_emulator/webhooks/deliveries/' + attempt["id"] + '/redeliver"' in page


def test_faults_page_shows_rules_with_hit_counts(bought):
    client, _ = bought
    rule = client.post("/_emulator/faults", json={"path": "/accounts*", "status": 503}).json()
    for _ in range(3):
        assert client.get("/accounts").status_code == 503
    html = ui(client, "/faults").text
    assert texts_of(html, "fault-hits") == ["3"]
    assert f'data-id="{rule["id"]}"' in html


def test_the_journal_page_shows_requests_with_their_bodies(bought):
    client, _ = bought
    client.post("/accounts", json={"contact": {"first": "Z"}})
    html = ui(client, "/requests").text
    assert "POST /accounts" in html
    assert "&#34;first&#34;: &#34;Z&#34;" in html  # the request body, pretty-printed
    assert 'data-testid="request-row"' in html


# --- whose store ---------------------------------------------------------------------


def test_open_mode_has_a_store_picker_and_shows_a_picked_store():
    app = create_app(Settings(seed=3))
    alice, bob = client_for(app, "alice", "x"), client_for(app, "bob", "y")
    bob.post("/accounts", json={"contact": {"first": "B", "last": "B", "email": "b@ex.com"}})
    html = ui(alice).text
    picker = html[html.index('data-testid="store-picker"') : html.index("</select>")]
    assert re.findall(r'<option value="([^"]+)"', picker) == ["alice", "bob"]
    picked = ui(alice, "/accounts", store="bob").text
    assert "b@ex.com" in picked
    assert 'data-store="bob"' in picked  # the page's buttons then act on bob's store
    assert "/_emulator/ui/accounts?store=bob" in picked
    missing = ui(alice, store="carol")
    assert missing.status_code == 404 and "carol" in missing.text
    assert len(app.registry) == 2  # a picked name never creates a store


def test_with_credentials_a_store_sees_only_itself():
    app = create_app(Settings(seed=3, credentials={"alice": "a-pw", "bob": "b-pw"}))
    alice, bob = client_for(app, "alice", "a-pw"), client_for(app, "bob", "b-pw")
    bob.post("/accounts", json={"contact": {"first": "B", "last": "B", "email": "b@ex.com"}})
    html = ui(alice, "/accounts").text
    assert "b@ex.com" not in html
    assert 'data-testid="store-picker"' not in html
    refused = ui(alice, "/accounts", store="bob")
    assert refused.status_code == 403
    assert "b@ex.com" not in refused.text
    wrong = alice.get("/_emulator/ui", headers={"Authorization": basic("alice", "b-pw")})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Basic")


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/accounts", {"page": "0"}, 400),
        ("/accounts", {"page": "x"}, 400),
        ("/accounts", {"page": "9999999"}, 400),
        ("/accounts", {"q": "x" * 201}, 400),
        ("/subscriptions", {"status": "zz"}, 400),
        ("/events", {"type": "no.such"}, 400),
        ("/subscriptions/nope", {}, 404),
        ("/accounts/nope", {}, 404),
        ("/webhooks/deliveries/nope", {}, 404),
        ("", {"store": "nobody"}, 404),
    ],
)
def test_bad_input_is_an_html_4xx_and_changes_nothing(bought, path, params, status):
    client, _ = bought
    before = client.get("/_emulator/snapshot").content
    response = ui(client, path, **params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-testid="error"' in response.text
    assert client.get("/_emulator/snapshot").content == before


@settings(max_examples=examples(60), deadline=None)
@given(
    path=st.sampled_from(PAGES),
    params=st.dictionaries(
        st.sampled_from(["page", "q", "status", "type", "store"]),
        st.text(max_size=20),
        max_size=3,
    ),
)
def test_no_query_makes_a_page_fail(path, params):
    client = client_for(create_app(Settings(seed=1)))
    response = ui(client, path, **params)
    assert response.status_code in (200, 400, 404)
    assert response.headers["content-type"].startswith("text/html")


def test_the_live_stream_answers_head_at_once(bought):
    client, _ = bought
    response = client.head("/_emulator/ui/live")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.content == b""


@pytest.mark.e2e
def test_the_live_stream_says_changed_when_the_store_changes():
    """A change shows as `data: changed` (the read times out after 10 s otherwise)."""
    headers = {"Authorization": basic("live", "pw"), "User-Agent": "t"}
    with (
        emulator("--seed", "1") as running,
        httpx.Client(base_url=running.url, headers=headers, timeout=10) as client,
    ):
        with client.stream("GET", "/_emulator/ui/live") as stream:
            lines = stream.iter_lines()
            assert next(lines) == "retry: 1000"
            client.post(
                "/accounts", json={"contact": {"first": "L", "last": "V", "email": "l@v.io"}}
            )
            for line in lines:
                if line.startswith("data:"):
                    assert line == "data: changed"
                    break
