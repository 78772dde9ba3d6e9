"""The Events API (`docs/webhooks-and-events.md`): polling the event log.

It serves the store's whole event log, whether or not a webhook is configured
(FastSpring's covers only the first webhook configuration's events).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import Invalid, NotFound
from emulator.domain.formats import DAY_MS, iso_instant
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import success
from emulator.webhooks.payload import event_payload

PAGE = 25
KEPT_DAYS = 30


def _number(params: dict[str, str], name: str, message: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid({name: message}) from None


def _window(params: dict[str, str], now: int) -> tuple[int, int]:
    """`begin`/`end` (ms) or `days`, with FastSpring's errors and its 30-day limit."""
    errors: dict[str, str] = {}
    values = {}
    for name, message in (
        ("begin", "Can not parse begin"),
        ("end", "Can not parse end."),
        ("days", "Can not parse days."),
    ):
        try:
            values[name] = _number(params, name, message)
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    begin, end, days = values["begin"], values["end"], values["days"]
    oldest = now - KEPT_DAYS * DAY_MS
    if days is not None:
        if not 0 < days <= KEPT_DAYS:
            raise Invalid({"days": f"Days must be from 1 to {KEPT_DAYS}."})
        begin = now - days * DAY_MS
    if begin is None:
        raise Invalid({"begin": "Begin required."})
    if begin < oldest:
        raise Invalid({"begin": f"Begin must be after '{oldest}' ({iso_instant(oldest)})."})
    end = now if end is None else end
    if begin >= end:
        raise Invalid({"begin": "Begin must be less than end."})
    return begin, end


def _events(request: Request, ctx: RequestContext, processed: bool) -> Response:
    store = ctx.store
    begin, end = _window(query_params(request), store.clock.now_ms())
    hooks = ctx.namespace.hooks.webhooks()
    expand = hooks[0].expand if hooks else False
    found: list[dict[str, Any]] = []
    more = False
    for event in store.events.since_position(store.events.since(begin)):
        if event.created > end:
            break
        if event.processed != processed:
            continue
        if len(found) == PAGE:
            more = True
            break
        found.append(
            {**event_payload(event, expand), "processed": event.processed, "event": event.id}
        )
    return success(
        "events.get",
        {"page": None, "limit": None, "nextPage": None, "total": 0, "events": found, "more": more},
    )


@endpoint("events.get")
async def unprocessed_events(request: Request, ctx: RequestContext) -> Response:
    return _events(request, ctx, processed=False)


@endpoint("events.get")
async def processed_events(request: Request, ctx: RequestContext) -> Response:
    return _events(request, ctx, processed=True)


@endpoint("events.update", echo=("event", "id"))
async def mark_event(request: Request, ctx: RequestContext) -> Response:
    """`{"processed": true}` marks an event processed (false marks it unprocessed)."""
    body = await read_json_object(request, ctx.max_body_bytes)
    processed = body.get("processed")
    if not isinstance(processed, bool):
        raise Invalid({"processed": "processed must be true or false"})
    event = ctx.store.events.find(request.path_params["id"])
    if event is None:
        raise NotFound({"event": "Not found"})
    event.processed = processed
    return success("events.update", {"event": event.id, "processed": processed})
