"""Handlers for returns (`docs/api.md`, "Orders, returns and sessions")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import DomainError, Invalid
from emulator.domain.views import return_view
from emulator.http.batch import batch_items, batch_response, error_element, run_each
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint


@endpoint("return.create")
async def create_returns(request: Request, ctx: RequestContext) -> Response:
    """Refund whole orders, or some of their items; one record per requested return."""
    items = batch_items(await read_json_object(request, ctx.max_body_bytes), "returns")
    store = ctx.store
    records = []
    for item in items:
        order_id = item.get("order") if isinstance(item, dict) else None
        order_id = order_id if isinstance(order_id, str) else None
        try:
            if not isinstance(item, dict):
                raise Invalid({"return": "each return must be an object"})
            record = store.commerce.create_return(item)
        except DomainError as exc:
            records.append(error_element("return.create", "order", order_id, exc.errors))
            continue
        records.append(
            {
                **return_view(record, store.portal_host),
                "action": "return.create",
                "result": "success",
            }
        )
    return batch_response("returns", records)


@endpoint("return.get")
async def get_returns(request: Request, ctx: RequestContext) -> Response:
    store = ctx.store
    records = run_each(
        "return.get",
        "return",
        request.path_params["id"].split(","),
        lambda return_id: {
            **return_view(store.commerce.returns.get(return_id), store.portal_host),
            "action": "return.get",
            "result": "success",
        },
    )
    return batch_response("returns", records)
