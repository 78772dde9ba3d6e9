"""The control plane under /_emulator: test-only operations the real API lacks."""

from __future__ import annotations

import functools
import logging
from collections import Counter
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from emulator import __version__, logs
from emulator.contract import openapi as build_openapi
from emulator.domain.calendar import parse_instant
from emulator.domain.cooperative import (
    Steps,
    dump_json_and_let_go,
    each,
    finish_async,
    quiet_collector,
)
from emulator.domain.coupons import coupon_view
from emulator.domain.errors import Invalid
from emulator.domain.formats import DAY_MS, iso_instant
from emulator.domain.strict import refuse_unknown
from emulator.domain.timeline import Target
from emulator.fixtures import FixtureError, load_async, parse_document
from emulator.http.body import MAX_DEPTH, read_body, read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import JSON, raw, streamed_json
from emulator.journal import DEFAULT_CAPACITY
from emulator.snapshots import SnapshotError, export_json, import_async

MAX_ADVANCE_DAYS = 36_500


async def health(request: Request) -> Response:
    """Unauthenticated, for Docker and compose health checks. With --state-file it
    also says how the last save went; a failed save makes the status "degraded"."""
    saving = request.scope.get("emulator.save_status")
    if saving is None:
        return JSON({"status": "ok", "version": __version__})
    return JSON(
        {
            "status": "degraded" if saving.error else "ok",
            "version": __version__,
            "state": saving.as_dict(),
        }
    )


@endpoint("emulator.reset")
async def reset(request: Request, ctx: RequestContext) -> Response:
    await ctx.namespace.reset()
    return JSON({"result": "success", "store": ctx.namespace.name})


def _non_negative(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdecimal() or len(raw) > 12:
        raise Invalid({name: f"{name} must be a non-negative integer"})
    return int(raw)


@endpoint("emulator.requests")
async def requests(request: Request, ctx: RequestContext) -> Response:
    """The newest requests of this store: `?limit=` (default 100) and `?since=<seq>`."""
    params = query_params(request)
    limit = min(_non_negative(params.get("limit"), "limit", 100), DEFAULT_CAPACITY)
    since = _non_negative(params.get("since"), "since", 0)
    return JSON({"requests": ctx.namespace.journal.entries(limit, since)})


def _clock_view(ctx: RequestContext) -> dict[str, object]:
    clock = ctx.store.clock
    now = clock.now_ms()
    return {"now": now, "iso": iso_instant(now), "frozen": clock.frozen}


@endpoint("emulator.clock")
async def clock(request: Request, ctx: RequestContext) -> Response:
    return JSON(_clock_view(ctx))


@endpoint("emulator.clock")
async def freeze_clock(request: Request, ctx: RequestContext) -> Response:
    ctx.store.clock.freeze()
    return JSON(_clock_view(ctx))


@endpoint("emulator.clock")
async def unfreeze_clock(request: Request, ctx: RequestContext) -> Response:
    """Let the clock run again from where it stands."""
    ctx.store.clock.unfreeze()
    return JSON(_clock_view(ctx))


def _advance_target(body: dict) -> Target:
    """Where `{"days": n}`, `{"seconds": n}` or `{"to": "<ISO-8601>"}` points, from the
    clock's reading once the advance holds the store (so parallel advances add up)."""
    refuse_unknown(body, ("days", "seconds", "to"))
    given = [k for k in ("days", "seconds", "to") if k in body]
    if len(given) != 1:
        raise Invalid({"clock": "Give exactly one of days, seconds or to"})
    key = given[0]
    value = body[key]
    if key == "to":
        target = parse_instant(value) if isinstance(value, str) else None
        if target is None:
            raise Invalid({"to": "to must be an ISO-8601 instant such as 2027-01-01T00:00:00Z"})
        return lambda now: target
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (0 <= value <= MAX_ADVANCE_DAYS * (86400 if key == "seconds" else 1))
    ):
        raise Invalid({key: f"{key} must be a number from 0 to {MAX_ADVANCE_DAYS} days"})
    step = int(value * (DAY_MS if key == "days" else 1000))
    return lambda now: now + step


@endpoint("emulator.clock")
async def advance_clock(request: Request, ctx: RequestContext) -> Response:
    """Move the store's clock forward, running every transition that falls due."""
    body = await read_json_object(request, ctx.max_body_bytes)
    store = ctx.store
    target = _advance_target(body)
    first_event = len(store.events)
    began = store.clock.now_ms()
    transitions = await store.timeline.advance(target)
    emitted = store.events.since_position(first_event)
    if logs.log.isEnabledFor(logging.INFO):
        logs.advance(
            store.name,
            iso_instant(began),
            iso_instant(store.clock.now_ms()),
            dict(Counter(t.transition for t in transitions)),
            len(store.events) - first_event,
        )
    # A long advance makes a long answer: it is built and sent in steps too, with the
    # collector kept off the rest of the process meanwhile (as during the advance).
    handed: list[Any] = [transitions, emitted]
    del transitions, emitted
    with quiet_collector():
        answer = await finish_async(_advance_answer(_clock_view(ctx), handed))
    return streamed_json(answer)


def _advance_answer(clock: dict[str, object], handed: list[Any]) -> Steps[list[bytes]]:
    """The answer's JSON, from the advance's transitions and events, which `handed`
    gives over (the caller keeps no reference): written, they are let go of in steps,
    since freeing a year of a big store's transitions at once holds the loop."""
    transitions, emitted = handed
    handed[:] = [
        {
            **clock,
            "transitions": transitions,
            "events": (
                yield from each(
                    emitted, lambda e: {"id": e.id, "type": e.type, "created": e.created}
                )
            ),
        }
    ]
    del transitions, emitted
    return (yield from dump_json_and_let_go(handed))


@endpoint("emulator.events")
async def events(request: Request, ctx: RequestContext) -> Response:
    """The store's event log, oldest first: `?type=`, `?page=` and `?limit=` (max 1000)."""
    params = query_params(request)
    page = _non_negative(params.get("page"), "page", 1) or 1
    limit = min(_non_negative(params.get("limit"), "limit", 100) or 100, 1000)
    start = (page - 1) * limit
    window, total = ctx.store.events.window(start, limit, params.get("type"))
    more = start + limit < total
    return JSON(
        {
            "page": page,
            "limit": limit,
            "nextPage": page + 1 if more else None,
            "total": total,
            "events": [e.as_dict() for e in window],
        }
    )


@endpoint("emulator.coupons")
async def define_coupon(request: Request, ctx: RequestContext) -> Response:
    """A shortcut for tests: the body of `POST /coupons`, answered with the whole
    coupon. A new coupon sent without `codes` gets its own id as its one code, so
    `{"coupon": "SAVE10", "discount": {"type": "percent", "percent": 10}}` is usable
    at checkout as `SAVE10` at once. Refusals are 400s naming the problem."""
    body = await read_json_object(request, ctx.max_body_bytes)
    coupons = ctx.store.coupons
    if (
        "codes" not in body
        and isinstance(body.get("coupon"), str)
        and coupons.find(body["coupon"]) is None
    ):
        body["codes"] = [body["coupon"]]
    coupon, _ = coupons.upsert(body)
    return JSON(coupon_view(coupon))


@endpoint("emulator.coupons")
async def list_coupons(request: Request, ctx: RequestContext) -> Response:
    coupons = ctx.store.coupons
    return JSON(
        {
            "coupons": [
                {**coupon_view(c), "uses": c.uses} for c in (coupons.get(i) for i in coupons.ids())
            ]
        }
    )


@endpoint("emulator.exchange-rates")
async def exchange_rates(request: Request, ctx: RequestContext) -> Response:
    """Units of each currency per US dollar, used where a product has no explicit
    price in a currency (docs/control-plane.md)."""
    return JSON({"rates": ctx.store.rates.rates})


@endpoint("emulator.exchange-rates")
async def set_exchange_rates(request: Request, ctx: RequestContext) -> Response:
    """`{"rates": {"EUR": 0.9}}` replaces those currencies' rates; others keep theirs."""
    body = await read_json_object(request, ctx.max_body_bytes)
    if set(body) != {"rates"}:
        raise Invalid({"rates": 'the body is {"rates": {"EUR": 0.9, ...}}'})
    ctx.store.rates.set(body["rates"])
    return JSON({"rates": ctx.store.rates.rates})


@endpoint("emulator.fixtures")
async def load_fixture(request: Request, ctx: RequestContext) -> Response:
    """A fixture document (JSON, or YAML with a YAML content type) into the caller's store."""
    raw = await read_body(request, ctx.max_body_bytes)
    content_type = request.headers.get("content-type", "")
    name = "request.yaml" if "yaml" in content_type or "text" in content_type else "request.json"
    try:
        document = parse_document(name, raw)
        named = document.store
        if named is not None and named[0] != ctx.namespace.name:
            raise FixtureError(
                name,
                "store",
                "store",
                f"this document is for store "
                f"{named[0]}, not the caller's store {ctx.namespace.name}",
            )
        await load_async(document, ctx.namespace)
    except FixtureError as exc:
        return JSON({"result": "error", "error": exc.as_dict()}, status_code=400)
    store = ctx.store
    return JSON(
        {
            "result": "success",
            "store": ctx.namespace.name,
            "products": len(store.catalog),
            "accounts": len(store.accounts),
            "orders": len(store.orders),
            "subscriptions": len(store.subscriptions),
        }
    )


@endpoint("emulator.snapshot")
async def export_snapshot(request: Request, ctx: RequestContext) -> Response:
    """The caller's whole store as JSON (made in short steps: other stores are
    served meanwhile)."""
    return streamed_json(await export_json(ctx.namespace))


@endpoint("emulator.snapshot")
async def import_snapshot(request: Request, ctx: RequestContext) -> Response:
    """Replace the caller's store with a snapshot (a later export is identical)."""
    # A snapshot wraps accepted bodies (each at most MAX_DEPTH deep) in its own levels.
    snapshot = await read_json_object(request, ctx.max_body_bytes * 64, max_depth=MAX_DEPTH * 4)
    try:
        await import_async(ctx.namespace, snapshot)
    except SnapshotError as exc:
        return JSON({"result": "error", "error": {"snapshot": str(exc)}}, status_code=400)
    return JSON({"result": "success", "store": ctx.namespace.name})


@functools.lru_cache(maxsize=1)
def _openapi_document() -> bytes:
    return orjson.dumps(build_openapi())


async def openapi(request: Request) -> Response:
    """The contract of the emulated API and the control plane (no auth, like health)."""
    return raw(_openapi_document())
