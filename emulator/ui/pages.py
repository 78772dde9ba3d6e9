"""The dashboard's page handlers: each reads one view from `queries` and renders it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import Invalid
from emulator.domain.subscriptions import STATES
from emulator.registry import Namespace
from emulator.ui import queries
from emulator.ui.access import Viewer, dashboard_page
from emulator.ui.render import page

MAX_SEARCH = 200
Endpoint = Callable[[Request], Awaitable[Response]]


def _render(template: str, viewer: Viewer, view: str, **context: Any) -> Response:
    store = viewer.namespace.store
    return page(
        template,
        v=viewer,
        link=viewer.links,
        view=view,
        store_name=viewer.namespace.name,
        now=store.clock.now_ms(),
        frozen=store.clock.frozen,
        **context,
    )


def _page(viewer: Viewer) -> int:
    return queries.page_number(viewer.params.get("page"))


@dashboard_page
async def overview(request: Request, viewer: Viewer) -> Response:
    return _render("overview.html", viewer, "", counts=queries.overview(viewer.namespace))


@dashboard_page
async def accounts(request: Request, viewer: Viewer) -> Response:
    text = viewer.params.get("q", "").strip()
    if len(text) > MAX_SEARCH:
        raise Invalid({"q": f"search for at most {MAX_SEARCH} characters"})
    listing = queries.accounts(viewer.namespace, text, _page(viewer))
    return _render("accounts.html", viewer, "accounts", listing=listing, q=text)


@dashboard_page
async def account(request: Request, viewer: Viewer) -> Response:
    found = queries.account(viewer.namespace, request.path_params["id"])
    return _render("account.html", viewer, "accounts", **found)


@dashboard_page
async def subscriptions(request: Request, viewer: Viewer) -> Response:
    status = viewer.params.get("status", "")
    if status and status not in STATES:
        raise Invalid({"status": "status must be one of " + ", ".join(STATES)})
    listing = queries.subscriptions(viewer.namespace, status, _page(viewer))
    return _render(
        "subscriptions.html", viewer, "subscriptions", listing=listing, status=status, states=STATES
    )


@dashboard_page
async def subscription(request: Request, viewer: Viewer) -> Response:
    found = queries.subscription(viewer.namespace, request.path_params["id"])
    return _render("subscription.html", viewer, "subscriptions", **found)


def _records(view: str, read: Callable[[Namespace, int], queries.Listing[Any]]) -> Endpoint:
    """The page of one kind of API record (orders, returns, quotes, coupons)."""

    @dashboard_page
    async def records(request: Request, viewer: Viewer) -> Response:
        listing = read(viewer.namespace, _page(viewer))
        return _render(f"{view}.html", viewer, view, listing=listing)

    return records


orders = _records("orders", queries.orders)
returns = _records("returns", queries.returns)
quotes = _records("quotes", queries.quotes)
coupons = _records("coupons", queries.coupons)


@dashboard_page
async def events(request: Request, viewer: Viewer) -> Response:
    type_ = viewer.params.get("type", "")
    types = viewer.namespace.store.events.types()
    if type_ and type_ not in types:
        raise Invalid({"type": f"no {type_} event has been written in this store"})
    listing = queries.events(viewer.namespace, type_, _page(viewer))
    return _render("events.html", viewer, "events", listing=listing, type=type_, types=types)


@dashboard_page
async def webhooks(request: Request, viewer: Viewer) -> Response:
    hooks = viewer.namespace.hooks
    listing = queries.deliveries(viewer.namespace, _page(viewer))
    return _render(
        "webhooks.html",
        viewer,
        "webhooks",
        hooks=[w.as_dict() for w in hooks.webhooks()],
        listing=listing,
    )


@dashboard_page
async def delivery(request: Request, viewer: Viewer) -> Response:
    hooks = viewer.namespace.hooks
    attempt = hooks.attempt(request.path_params["id"])
    return _render(
        "delivery.html",
        viewer,
        "webhooks",
        attempt=attempt.as_dict(),
        final_state=hooks.final_state(attempt),
        newest=queries.newest_attempts_to(viewer.namespace, attempt.webhook, 5),
    )


@dashboard_page
async def faults(request: Request, viewer: Viewer) -> Response:
    engine = viewer.namespace.faults
    return _render(
        "faults.html",
        viewer,
        "faults",
        rules=[r.as_dict() for r in engine.rules],
        rate_limit=None if engine.bucket is None else engine.bucket.as_dict(),
    )


@dashboard_page
async def requests(request: Request, viewer: Viewer) -> Response:
    entries = viewer.namespace.journal.entries(100)
    return _render("requests.html", viewer, "requests", entries=list(reversed(entries)))
