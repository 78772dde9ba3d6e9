"""Handlers for orders (`fastspring-api.md` section 4.1)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.http.batch import run_each
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.responses import JSON, success
from emulator.http.views import order_record


@endpoint("order.get")
async def get_orders(request: Request, ctx: RequestContext) -> Response:
    """One id: the bare order. Several: `{"orders": [...]}`. Not found is always wrapped."""
    store = ctx.store
    ids = request.path_params["ids"].split(",")
    records = run_each("order.get", "order", ids, lambda order_id: {
        **order_record(store, store.orders.get(order_id)), "action": "order.get",
        "result": "success"})
    if len(records) == 1 and records[0]["result"] == "success":
        return success("order.get", records[0])
    for record in records:
        if record["result"] == "error":
            record["error"] = {"order": "Not found"}
    every_failed = all(r["result"] == "error" for r in records)
    return JSON({"orders": records}, status_code=400 if every_failed else 200)
