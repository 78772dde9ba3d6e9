"""Handlers for the Coupons API (docs/api.md, "Coupons").

Coupons answer in their own envelope: a refused request is HTTP 200 with
`result: "error"` and a plain-text `error`, and a body the service cannot read is
HTTP 400 `{"message": "unreadable", "params": []}`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.coupons import CouponRefused, Unreadable, coupon_view
from emulator.domain.errors import DomainError
from emulator.domain.views import product_view
from emulator.http.body import BadRequestBody, read_json_object
from emulator.http.context import RequestContext
from emulator.http.query import query_params
from emulator.http.responses import JSON

CouponHandler = Callable[[Request, RequestContext], Awaitable[Response]]
UNREADABLE = {"message": "unreadable", "params": []}


def refused(coupon: object, action: str, message: str) -> JSON:
    return JSON({"coupon": coupon, "action": action, "result": "error", "error": message})


def coupon_endpoint(
    action: str,
) -> Callable[[CouponHandler], Callable[[Request], Awaitable[Response]]]:
    """Render coupon refusals in the coupon service's envelope."""

    def decorate(handler: CouponHandler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            ctx: RequestContext = request.scope["emulator"]
            try:
                return await handler(request, ctx)
            except CouponRefused as exc:
                return refused(request.path_params.get("id"), action, exc.message)
            except BadRequestBody as exc:
                if exc.status != 400:
                    return JSON(
                        {"message": exc.errors["request"], "params": []}, status_code=exc.status
                    )
                return JSON(UNREADABLE, status_code=400)
            except (Unreadable, DomainError):
                return JSON(UNREADABLE, status_code=400)

        return run

    return decorate


@coupon_endpoint("coupon.create")
async def upsert_coupon(request: Request, ctx: RequestContext) -> Response:
    """`POST /coupons`: create or update, keyed by `coupon`."""
    body = await read_json_object(request, ctx.max_body_bytes)
    coupon_id = body.get("coupon")
    known = isinstance(coupon_id, str) and ctx.store.coupons.find(coupon_id) is not None
    action = "coupon.update" if known else "coupon.create"
    try:
        coupon, _ = ctx.store.coupons.upsert(body)
    except CouponRefused as exc:
        return refused(coupon_id if isinstance(coupon_id, str) else None, action, exc.message)
    return JSON({"coupon": coupon.id, "action": action, "result": "success"})


@coupon_endpoint("coupon.getall")
async def list_coupons(request: Request, ctx: RequestContext) -> Response:
    return JSON({"coupons": ctx.store.coupons.ids()})


def _view(ctx: RequestContext, coupon_id: str, expand: bool) -> dict[str, Any]:
    coupon = ctx.store.coupons.get(coupon_id)
    if not expand:
        return coupon_view(coupon)
    catalog = ctx.store.catalog
    found = (catalog.find(path) for path in coupon_view(coupon)["products"])
    return coupon_view(coupon, [product_view(p) for p in found if p is not None])


@coupon_endpoint("coupon.get")
async def get_coupons(request: Request, ctx: RequestContext) -> Response:
    """One coupon, bare; several (comma-separated) in a `coupons` wrapper."""
    ids = request.path_params["id"].split(",")
    expand = query_params(request).get("expand", "").lower() == "true"
    if len(ids) == 1:
        return JSON(_view(ctx, ids[0], expand))
    records = []
    for coupon_id in ids:
        try:
            records.append(
                {**_view(ctx, coupon_id, expand), "action": "coupon.get", "result": "success"}
            )
        except CouponRefused as exc:
            records.append(
                {
                    "coupon": coupon_id,
                    "action": "coupon.get",
                    "result": "error",
                    "error": exc.message,
                }
            )
    return JSON({"coupons": records})


@coupon_endpoint("coupon.codes.add")
async def add_codes(request: Request, ctx: RequestContext) -> Response:
    """`POST /coupons/{id}`: add codes; the answer echoes the request's list."""
    body = await read_json_object(request, ctx.max_body_bytes)
    if set(body) - {"codes"}:
        raise Unreadable()
    coupon_id = request.path_params["id"]
    ctx.store.coupons.add_codes(coupon_id, body.get("codes"))
    return JSON({"coupon": coupon_id, "codes": body["codes"], "result": "success"})


@coupon_endpoint("coupon.codes.get")
async def list_codes(request: Request, ctx: RequestContext) -> Response:
    coupon = ctx.store.coupons.get(request.path_params["id"])
    return JSON({"coupon": coupon.id, "codes": list(coupon.codes)})


@coupon_endpoint("delete coupon codes")
async def delete_codes(request: Request, ctx: RequestContext) -> Response:
    coupon_id = request.path_params["id"]
    removed = ctx.store.coupons.delete_codes(coupon_id)
    return JSON(
        {
            "coupon": coupon_id,
            "codes deleted": removed,
            "action": "delete coupon codes",
            "result": "success",
        }
    )


@coupon_endpoint("coupon.delete")
async def delete_coupon(request: Request, ctx: RequestContext) -> Response:
    coupon_id = request.path_params["id"]
    ctx.store.coupons.delete(coupon_id)
    return JSON({"coupon": coupon_id, "action": "coupon.delete", "result": "success"})
