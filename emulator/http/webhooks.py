"""Webhook control paths (`/_emulator/webhooks...`) and the real `POST /webhooks/keys`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import Invalid
from emulator.domain.strict import refuse_unknown
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import JSON
from emulator.webhooks.hooks import MAX_WAIT_S
from emulator.webhooks.payload import event_payload


@endpoint("emulator.webhooks")
async def add_webhook(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    return JSON(ctx.namespace.hooks.add(body).as_dict())


@endpoint("emulator.webhooks")
async def list_webhooks(request: Request, ctx: RequestContext) -> Response:
    return JSON({"webhooks": [w.as_dict() for w in ctx.namespace.hooks.webhooks()]})


@endpoint("emulator.webhooks", echo=("webhook", "id"))
async def remove_webhook(request: Request, ctx: RequestContext) -> Response:
    await ctx.namespace.hooks.remove(request.path_params["id"])
    return JSON({"webhook": request.path_params["id"], "result": "success"})


@endpoint("emulator.deliveries")
async def deliveries(request: Request, ctx: RequestContext) -> Response:
    """Every delivery attempt, oldest first: `?webhook=`, `?event=`, `?limit=` (last N)."""
    params = query_params(request)
    hooks = ctx.namespace.hooks
    raw_limit = params.get("limit", "1000")
    if not raw_limit.isdecimal() or not 0 < int(raw_limit) <= 10_000:
        raise Invalid({"limit": "limit must be from 1 to 10000"})
    chosen = [
        a
        for a in hooks.attempts
        if params.get("webhook") in (None, a.webhook)
        and (params.get("event") is None or params["event"] in a.events)
    ]
    return JSON(
        {
            "deliveries": [
                {**a.as_dict(), "finalState": hooks.final_state(a)}
                for a in chosen[-int(raw_limit) :]
            ]
        }
    )


@endpoint("emulator.redeliver", echo=("delivery", "id"))
async def redeliver(request: Request, ctx: RequestContext) -> Response:
    """Send a delivery's events again under new event ids (a manual resend)."""
    new_ids = ctx.namespace.hooks.redeliver(request.path_params["id"])
    return JSON({"delivery": request.path_params["id"], "events": new_ids})


@endpoint("emulator.wait")
async def wait(request: Request, ctx: RequestContext) -> Response:
    """Block until `count` events (of `type`) are acknowledged: 200 with them, or 408
    with what was acknowledged when `timeout` seconds ran out."""
    body = await read_json_object(request, ctx.max_body_bytes, optional=True)
    refuse_unknown(body, ("type", "count", "timeout"))
    type_ = body.get("type")
    count = body.get("count", 1)
    timeout = body.get("timeout", 5)
    if type_ is not None and not isinstance(type_, str):
        raise Invalid({"type": "type must be an event type such as order.completed"})
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100_000:
        raise Invalid({"count": "count must be a positive integer"})
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not (0 <= timeout <= MAX_WAIT_S)
    ):
        raise Invalid({"timeout": f"timeout must be from 0 to {MAX_WAIT_S} seconds"})
    done, seen = await ctx.namespace.hooks.wait_for(type_, count, float(timeout))
    events = [event_payload(e, expand=True) for e in seen]
    if done:
        return JSON({"result": "success", "acknowledged": len(seen), "events": events})
    return JSON(
        {
            "result": "timeout",
            "acknowledged": len(seen),
            "wanted": count,
            "type": type_,
            "events": events,
            # Why nothing (more) was acknowledged: the receiver's latest refusals.
            "failedAttempts": ctx.namespace.hooks.latest_failures(5),
        },
        status_code=408,
    )


@endpoint("webhooks.update")
async def rotate_key(request: Request, ctx: RequestContext) -> Response:
    """The real `POST /webhooks/keys`: a new HMAC secret for the webhooks at `url`."""
    body = await read_json_object(request, ctx.max_body_bytes)
    ctx.namespace.hooks.rotate_secret(body.get("url"), body.get("hmacSecret"))
    return JSON({"url": body["url"], "action": "webhooks.update", "result": "success"})
