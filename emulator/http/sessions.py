"""Checkout sessions (`POST /sessions`) and completing them, v1 or v2
(control plane).

The sessions endpoint is a different FastSpring service with Spring-style errors:
`{"message": "...", "params": []}`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.checkouts import CheckoutError
from emulator.domain.errors import DomainError, Invalid
from emulator.http.body import BadRequestBody, read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.responses import JSON, success
from emulator.http.views import order_record, session_view


@endpoint("session.create")
async def create_session(request: Request, ctx: RequestContext) -> Response:
    try:
        body = await read_json_object(request, ctx.max_body_bytes)
    except BadRequestBody as exc:
        message = "Can not parse request body." if exc.status == 400 else exc.errors["request"]
        return JSON({"message": message, "params": []}, status_code=exc.status)
    commerce = ctx.store.commerce
    try:
        session = commerce.create_session(body)
    except DomainError as exc:
        field, message = next(iter(exc.errors.items()))
        return JSON({"message": message, "params": [field]}, status_code=400)
    return JSON(session_view(session, commerce.session_subtotal(session)))


@endpoint("order.create", echo=("session", "id"))
async def complete_session(request: Request, ctx: RequestContext) -> Response:
    """`POST /_emulator/sessions/{id}/complete`: the buyer pays a v1 or a v2 session;
    answers with the order."""
    body = await read_json_object(request, ctx.max_body_bytes, optional=True)
    session_id = request.path_params["id"]
    store = ctx.store
    if store.checkouts.find(session_id) is not None:
        try:
            order = store.checkouts.complete(session_id, body.get("payment"))
        except CheckoutError as exc:
            raise Invalid({"session": exc.message}) from None
    else:
        order = store.commerce.complete_session(session_id, body.get("payment"))
    return success("order.get", order_record(ctx.store, order))
