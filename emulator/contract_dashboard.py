"""The dashboard's pages in the served contract: HTML documents, whose refusals
(a bad query value, an unknown record, another store) are HTML pages too.

The live stream (`/_emulator/ui/live`) is left out: it is a server-sent event
stream that stays open, not an operation a contract test can call and check.
"""

from __future__ import annotations

from typing import Any

DASHBOARD = "dashboard"
Schema = dict[str, Any]

_HTML = {"text/html": {"schema": {"type": "string"}}}
_STORE: Schema = {
    "name": "store",
    "in": "query",
    "description": "Open mode only: another existing store to show.",
    "schema": {"type": "string"},
}
_PAGE: Schema = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}
_ID: Schema = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, **schema: Any) -> Schema:
    return {"name": name, "in": "query", "schema": {"type": "string", **schema}}


def _page(summary: str, *params: Schema) -> Schema:
    responses = {
        status: {"description": description, "content": _HTML}
        for status, description in (
            ("200", "the page"),
            ("400", "a query value the page does not accept"),
            ("403", "with --credentials, another store than the caller's"),
            ("404", "no such record or store"),
        )
    }
    # a request the HTTP parser cannot read is refused before the dashboard sees it
    responses["400"]["content"] = {
        **_HTML,
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
    }
    responses["401"] = {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "summary": summary,
        "tags": [DASHBOARD],
        "parameters": [_STORE, *params],
        "responses": responses,
    }


def dashboard_paths() -> dict[str, Any]:
    base = "/_emulator/ui"
    return {
        base: {"get": _page("Overview: the clock and counts")},
        f"{base}/accounts": {
            "get": _page("Accounts, or a search by email, custom key or id", _query("q"), _PAGE)
        },
        f"{base}/accounts/{{id}}": {"get": _page("One account", _ID)},
        f"{base}/subscriptions": {"get": _page("Subscriptions, by state", _query("status"), _PAGE)},
        f"{base}/subscriptions/{{id}}": {
            "get": _page("One subscription, with its events and next transition", _ID)
        },
        f"{base}/orders": {"get": _page("Orders", _PAGE)},
        f"{base}/returns": {"get": _page("Returns", _PAGE)},
        f"{base}/quotes": {"get": _page("Quotes", _PAGE)},
        f"{base}/coupons": {"get": _page("Coupons", _PAGE)},
        f"{base}/events": {"get": _page("Events, by type", _query("type"), _PAGE)},
        f"{base}/webhooks": {"get": _page("Webhooks and delivery attempts", _PAGE)},
        f"{base}/webhooks/deliveries/{{id}}": {
            "get": _page("One delivery attempt, with a Redeliver button", _ID)
        },
        f"{base}/faults": {"get": _page("Fault rules with their hit counts, and the rate limit")},
        f"{base}/requests": {"get": _page("The request journal")},
    }
