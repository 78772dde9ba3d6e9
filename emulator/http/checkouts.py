"""Handlers for checkout sessions v2 (docs/api.md, "Checkout sessions v2").

Every path sits under `/v2/checkouts/{store}/{checkout}/sessions`; a session is
found only under the store and checkout ids it was made with. Errors are Spring
bodies with `"status": "400 BAD_REQUEST"`; a new session is a 201 and removing a
cart item a 204.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.checkout_views import line_item_view, payment_methods_view, session_view
from emulator.domain.checkouts import CheckoutSession
from emulator.http.body import read_json, read_json_object
from emulator.http.context import RequestContext
from emulator.http.responses import JSON, raw
from emulator.http.spring import spring_endpoint

Handler = Callable[[Request, RequestContext], Awaitable[Response]]


checkout_endpoint = spring_endpoint(numbered=True)


def _where(request: Request) -> tuple[str, str]:
    return request.path_params["store"], request.path_params["checkout"]


def _view(ctx: RequestContext, session: CheckoutSession) -> dict:
    store = ctx.store
    return session_view(
        store.checkouts, session, store.catalog, store.portal_host, store.clock.now_ms()
    )


@checkout_endpoint
async def create_session(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    session = ctx.store.checkouts.create(body, *_where(request))
    return JSON(_view(ctx, session), status_code=201)


@checkout_endpoint
async def get_session(request: Request, ctx: RequestContext) -> Response:
    session = ctx.store.checkouts.get(request.path_params["id"], *_where(request))
    return JSON(_view(ctx, session))


@checkout_endpoint
async def overwrite_session(request: Request, ctx: RequestContext) -> Response:
    checkouts = ctx.store.checkouts
    checkouts.get(request.path_params["id"], *_where(request))  # 404 before the body
    body = await read_json_object(request, ctx.max_body_bytes)
    return JSON(_view(ctx, checkouts.overwrite(request.path_params["id"], body, *_where(request))))


@checkout_endpoint
async def payment_methods(request: Request, ctx: RequestContext) -> Response:
    session = ctx.store.checkouts.get(request.path_params["id"], *_where(request))
    return JSON(payment_methods_view(session))


@checkout_endpoint
async def add_item(request: Request, ctx: RequestContext) -> Response:
    checkouts = ctx.store.checkouts
    checkouts.get(request.path_params["id"], *_where(request))
    body = await read_json(request, ctx.max_body_bytes)
    line = checkouts.add_item(request.path_params["id"], body, *_where(request))
    session = checkouts.get(request.path_params["id"])
    return JSON(line_item_view(checkouts, session, line, ctx.store.catalog))


@checkout_endpoint
async def update_items(request: Request, ctx: RequestContext) -> Response:
    """`PUT …/cart/items/{paths}`: `paths` may be a comma-separated list."""
    checkouts = ctx.store.checkouts
    checkouts.get(request.path_params["id"], *_where(request))
    body = await read_json(request, ctx.max_body_bytes)
    checkouts.update_items(
        request.path_params["id"], request.path_params["path"].split(","), body, *_where(request)
    )
    return JSON(_view(ctx, checkouts.get(request.path_params["id"])))


@checkout_endpoint
async def remove_item(request: Request, ctx: RequestContext) -> Response:
    ctx.store.checkouts.remove_item(
        request.path_params["id"], request.path_params["path"], *_where(request)
    )
    return raw(b"", status_code=204)


@checkout_endpoint
async def set_customer(request: Request, ctx: RequestContext) -> Response:
    checkouts = ctx.store.checkouts
    checkouts.get(request.path_params["id"], *_where(request))
    body = await read_json(request, ctx.max_body_bytes)
    return JSON(
        _view(ctx, checkouts.set_customer(request.path_params["id"], body, *_where(request)))
    )
