"""Handlers for orders (`docs/api.md`, "Orders, returns and sessions")."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.calendar import parse_day
from emulator.domain.errors import Invalid
from emulator.domain.formats import DAY_MS, display_date
from emulator.domain.paging import parse_paging
from emulator.http.batch import batch_items, batch_response, element, run_each
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import JSON, success
from emulator.http.views import order_record


@endpoint("order.get")
async def get_orders(request: Request, ctx: RequestContext) -> Response:
    """One id: the bare order. Several: `{"orders": [...]}`. Not found is always wrapped."""
    store = ctx.store
    ids = request.path_params["ids"].split(",")
    records = run_each(
        "order.get",
        "order",
        ids,
        lambda order_id: {
            **order_record(store, store.orders.get(order_id)),
            "action": "order.get",
            "result": "success",
        },
    )
    if len(records) == 1 and records[0]["result"] == "success":
        return success("order.get", records[0])
    for record in records:
        if record["result"] == "error":
            record["error"] = {"order": "Not found"}
    every_failed = all(r["result"] == "error" for r in records)
    return JSON({"orders": records}, status_code=400 if every_failed else 200)


def _order_date(raw: str | None, field: str) -> int | None:
    """`yyyy-mm-dd`, or the `MM/DD/YY` that some FastSpring descriptions use."""
    if raw is None:
        return None
    day = parse_day(raw)
    if day is None:
        try:
            day = int(datetime.strptime(raw, "%m/%d/%y").replace(tzinfo=UTC).timestamp() * 1000)
        except ValueError:
            raise Invalid({field: f"Invalid {field} date"}) from None
    return day


def _flag(params: dict[str, str], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise Invalid({name: "Supported value: true, false"})
    return raw == "true"


@endpoint("order.lookup")
async def search_orders(request: Request, ctx: RequestContext) -> Response:
    """`GET /orders` by date range, products, status, scope, rebill and returns."""
    params = query_params(request)
    store = ctx.store
    page, limit = parse_paging(params.get("page"), params.get("limit"))
    begin, end = _order_date(params.get("begin"), "begin"), _order_date(params.get("end"), "end")
    if "days" in params:
        days = params["days"]
        if not days.isdecimal() or not 0 < int(days) <= 36500:
            raise Invalid({"days": "Invalid days"})
        begin = store.clock.now_ms() - int(days) * DAY_MS
    if begin is not None and end is not None and end <= begin:
        raise Invalid({"end": "End date must be after begin date"})
    status = params.get("status")
    if status is not None and status not in ("completed", "canceled", "failed"):
        raise Invalid({"status": "Supported value: completed, canceled, failed"})
    scope = params.get("scope", "all")
    if scope not in ("all", "live", "test"):
        raise Invalid({"scope": "Supported value: all, live, test"})
    rebill, with_returns = _flag(params, "rebill"), _flag(params, "returns")
    ids = store.order_index.between(begin, None if end is None else end + DAY_MS)
    if "products" in params:
        wanted = set(store.order_index.for_products(params["products"].split(",")))
        ids = [i for i in ids if i in wanted]
    if status is not None or scope != "all" or rebill is not None or with_returns is not None:
        orders = store.orders

        def keep(order_id: str) -> bool:
            order = orders.get(order_id)
            return (
                (status is None or order.status == status)
                and (scope == "all" or order.live == (scope == "live"))
                and (rebill is None or order.rebill == rebill)
                and (with_returns is None or bool(order.returns) == with_returns)
            )

        ids = [i for i in ids if keep(i)]
    found = store.orders.page_of(ids, page, limit)
    return success(
        "order.lookup",
        {
            "begin": None if begin is None else display_date(begin),
            "end": None if end is None else display_date(end),
            "page": found.page,
            "limit": found.limit,
            "nextPage": found.next_page,
            "total": found.total,
            "orders": [order_record(store, o) for o in found.items],
        },
    )


@endpoint("order.update")
async def post_orders(request: Request, ctx: RequestContext) -> Response:
    """`{"orders": [...]}` updates tags and attributes; `{"account": ...}` creates and
    charges an order to the account's stored payment method."""
    body = await read_json_object(request, ctx.max_body_bytes)
    commerce = ctx.store.commerce
    if "orders" not in body:
        order = commerce.charge_order(body)
        return success("order.create", order_record(ctx.store, order))
    items = batch_items(body, "orders")
    records = run_each(
        "order.update",
        "order",
        items,
        lambda item: element("order.update", "order", commerce.update_order(item).id),
    )
    for record, item in zip(records, items, strict=False):
        if record["result"] == "error":
            order_id = item.get("order") if isinstance(item, dict) else None
            record["order"] = order_id if isinstance(order_id, str) else None
    return batch_response("orders", records)
