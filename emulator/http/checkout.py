"""Control-plane purchases: what a buyer does on FastSpring's checkout, which the
real API cannot do, plus the stored payment method's behaviour."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import Invalid
from emulator.domain.purchases import CHECKOUT_KEYS
from emulator.domain.strict import refuse_unknown
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.responses import JSON, success
from emulator.http.views import order_record


@endpoint("order.create")
async def complete_checkout(request: Request, ctx: RequestContext) -> Response:
    """`POST /_emulator/orders`: a completed purchase; answers like `GET /orders/{id}`."""
    body = await read_json_object(request, ctx.max_body_bytes)
    refuse_unknown(body, CHECKOUT_KEYS)
    items = body.get("items")
    for n, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            refuse_unknown(item, ("product", "quantity", "pricing", "attributes"), f"items[{n}].")
    order = ctx.store.purchases.checkout(body)
    return success("order.get", order_record(ctx.store, order))


@endpoint("emulator.payment", echo=("account", "id"))
async def set_payment(request: Request, ctx: RequestContext) -> Response:
    """`{"decline": "EXPIRED_CARD"}` makes charges fail; `{"decline": null}` recovers;
    `{"card": {"cardType": "MASTERCARD", "cardEnding": "5454", "expiry": "01/29"}}`
    replaces the stored card (the buyer updated it)."""
    body = await read_json_object(request, ctx.max_body_bytes)
    refuse_unknown(body, ("decline", "card"))
    if "decline" not in body and "card" not in body:
        raise Invalid({"decline": "decline must be null or a reason such as EXPIRED_CARD"})
    account_id = request.path_params["id"]
    lifecycle = ctx.store.lifecycle
    if "card" in body:
        lifecycle.set_card(account_id, body["card"])
    transitions = lifecycle.set_payment(account_id, body["decline"]) if "decline" in body else []
    account = ctx.store.accounts.get(account_id)
    return JSON(
        {
            "account": account_id,
            "decline": account.decline,
            "card": account.card,
            "transitions": transitions,
        }
    )
