"""Control-plane triggers for what buyers, sellers and payment processors do to orders
(docs/control-plane.md): pending payments completed, approved or canceled,
chargebacks, failed fulfillments, abandoned carts and mailing-list unsubscribes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import NotFound
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.responses import JSON, success
from emulator.http.views import order_record


@endpoint("order.update", echo=("order", "id"))
async def complete_order(request: Request, ctx: RequestContext) -> Response:
    """A pending order is paid: it completes, with its subscriptions and events."""
    order = ctx.store.outcomes.complete(request.path_params["id"])
    return success("order.get", order_record(ctx.store, order))


@endpoint("order.update", echo=("order", "id"))
async def approve_order(request: Request, ctx: RequestContext) -> Response:
    """The seller approves an order waiting for approval: it now waits for payment."""
    order = ctx.store.outcomes.approve(request.path_params["id"])
    return success("order.get", order_record(ctx.store, order))


@endpoint("order.update", echo=("order", "id"))
async def cancel_order(request: Request, ctx: RequestContext) -> Response:
    """A pending order is canceled (never paid, or rejected): `order.canceled`."""
    order = ctx.store.outcomes.cancel(request.path_params["id"])
    return success("order.get", order_record(ctx.store, order))


@endpoint("order.chargeback", echo=("order", "id"))
async def chargeback(request: Request, ctx: RequestContext) -> Response:
    """`{"amount", "reasonCode", "reasonDescription", "processorCaseId"}`, all optional."""
    body = await read_json_object(request, ctx.max_body_bytes, optional=True)
    data = ctx.store.outcomes.chargeback(request.path_params["id"], body)
    return JSON({k: v for k, v in data.items() if k != "order"})


@endpoint("order.fulfillment", echo=("order", "id"))
async def fulfillment_failed(request: Request, ctx: RequestContext) -> Response:
    """`{"product", "reason", "type"}`, all optional: `fulfillment.failed`."""
    body = await read_json_object(request, ctx.max_body_bytes, optional=True)
    return JSON(ctx.store.outcomes.fulfillment_failed(request.path_params["id"], body))


@endpoint("session.abandon", echo=("session", "id"))
async def abandon_session(request: Request, ctx: RequestContext) -> Response:
    """The buyer leaves a v1 or v2 session with an email entered and no purchase:
    `mailingListEntry.abandoned`, as FastSpring sends 30 minutes later."""
    store = ctx.store
    session_id = request.path_params["id"]
    email, items = _session_buyer(ctx, session_id)
    store.outcomes.abandon(email, session_id, items)
    return JSON({"session": session_id, "email": email, "list": "abandoned"})


def _session_buyer(ctx: RequestContext, session_id: str) -> tuple[str, list[dict]]:
    store = ctx.store
    v2 = store.checkouts.find(session_id)
    if v2 is not None:
        contact = v2.customer.get("billToContact", {})
        account = store.accounts.find(v2.customer.get("accountId", ""))
        email = contact.get("email") or (account.email if account else None)
        items = [
            {"product": i.product, "path": i.product, "quantity": i.quantity} for i in v2.items
        ]
    else:
        v1 = store.commerce.find_session(session_id)
        if v1 is None:
            raise NotFound({"session": "Not found"})
        email = store.accounts.get(v1.account_id).email
        items = [
            {"product": i["product"], "path": i["product"], "quantity": i["quantity"]}
            for i in v1.items
        ]
    if not email:
        raise NotFound({"session": "The session has no buyer email"})
    return email, items


@endpoint("mailinglist.unsubscribe")
async def unsubscribe(request: Request, ctx: RequestContext) -> Response:
    """`{"email"}`: the buyer leaves the mailing list: `mailingListEntry.removed`."""
    body = await read_json_object(request, ctx.max_body_bytes)
    ctx.store.outcomes.unsubscribe(body.get("email"))
    return JSON({"email": body["email"], "list": "unsubscribed"})
