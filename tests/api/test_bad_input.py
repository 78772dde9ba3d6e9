"""Bad input always gets a FastSpring-shaped 4xx and leaves the store unchanged."""

from __future__ import annotations

import pytest

from emulator.config import Settings
from tests.support.clients import create_account, snapshot_of_accounts

BAD_BODIES = [
    b"",
    b"{",
    b"not json",
    b"[1, 2]",
    b'"text"',
    b"null",
    b"42",
    b'{"contact": {"first": "\xff\xfe"}}',
    b"[" * 5000 + b"]" * 5000,
    b'{"a": NaN}',
]


@pytest.mark.parametrize("raw", BAD_BODIES)
def test_unusable_bodies_are_400_and_change_nothing(client, raw):
    account_id = create_account(client)
    before = snapshot_of_accounts(client)
    for path, action in (
        ("/accounts", "account.create"),
        (f"/accounts/{account_id}", "account.update"),
    ):
        response = client.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, raw[:20])
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["action"] == action and body["result"] == "error"
        assert "request" in body["error"]
    assert snapshot_of_accounts(client) == before


def test_json_is_parsed_whatever_the_content_type(client):
    response = client.post(
        "/accounts",
        content=b'{"contact": {"first": "A", "last": "B", "email": "a@b.co"}}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200


def test_bodies_over_the_limit_are_413(make_client):
    client = make_client(Settings(max_body_bytes=1000))
    big = b'{"contact": {"first": "' + b"x" * 2000 + b'"}}'
    response = client.post("/accounts", content=big)
    assert response.status_code == 413
    assert response.json()["error"] == {"request": "Request body exceeds 1000 bytes."}

    def chunks():
        yield big[:600]
        yield big[600:]

    response = client.post("/accounts", content=chunks())
    assert response.status_code == 413
    assert client.get("/accounts").json()["total"] == 0


def test_default_body_limit_is_one_mebibyte(client):
    response = client.post("/accounts", content=b" " * (1_048_577))
    assert response.status_code == 413


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/nope"),
        ("GET", "/accounts/a/b/c"),
        ("POST", "/subscriptionz"),
        ("GET", "/%F0%9F%98%80"),
        ("GET", "/accounts/x/authenticate/more"),
    ],
)
def test_unknown_paths_are_404_in_fastspring_style(client, method, path):
    response = client.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["result"] == "error"
    assert "path" in response.json()["error"]


def test_unsupported_methods_are_405_in_fastspring_style(client):
    response = client.delete("/accounts")
    assert response.status_code == 405
    assert response.json()["result"] == "error"


def test_a_trailing_slash_reaches_the_same_resource(client):
    account_id = create_account(client)
    assert client.get(f"/accounts/{account_id}/").json()["id"] == account_id
    assert client.get("/accounts/").json()["accounts"] == [account_id]


def test_odd_query_strings_do_not_crash(client):
    create_account(client)
    for query in (
        "email=%FF",
        "email=%00",
        "page=%F0%9F%98%80",
        "custom=" + "k" * 5000,
        "email",
        "&&&",
        "limit=&page=",
    ):
        response = client.get("/accounts?" + query)
        assert response.status_code in (200, 400), query
        assert response.json()["result"] in ("success", "error")


def test_lower_case_methods_are_404_at_the_asgi_level(app):
    """Servers other than httptools pass `get` through; the middleware answers it."""
    import asyncio

    from tests.support.clients import basic

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "get",
        "scheme": "http",
        "path": "/accounts",
        "raw_path": b"/accounts",
        "query_string": b"",
        "root_path": "",
        "server": ("t", 80),
        "client": ("c", 1),
        "headers": [(b"authorization", basic("u", "p").encode()), (b"user-agent", b"t")],
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 404
    assert b"methods are upper-case" in sent[1]["body"]


def test_head_works_wherever_get_does(client):
    account = create_account(client)
    head = client.head(f"/accounts/{account}")
    got = client.get(f"/accounts/{account}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert client.head("/_emulator/health").status_code == 200
    assert client.head("/coupons").status_code == 200


def test_allow_lists_only_what_is_served(client):
    account = create_account(client)
    response = client.delete(f"/accounts/{account}")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, HEAD"
    quotes = client.delete("/quotes")
    assert quotes.headers["allow"] == "GET, POST, HEAD"
    v2 = client.post("/v2/checkouts/s/c/sessions/x")
    assert set(v2.headers["allow"].split(", ")) == {"GET", "PUT", "HEAD"}
