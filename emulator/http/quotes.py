"""Handlers for the Quotes API and its control-plane helpers (docs/api.md, "Quotes").

The quote service is Spring-based: errors are Spring bodies (`status`, `timestamp`,
`id`, `message`, `errors[]`), an unknown id is a 404, and a new quote is a 201.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.quote_views import quote_view
from emulator.domain.quotes import STATUSES, Quote, QuoteError
from emulator.domain.views import order_view
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.responses import JSON
from emulator.http.spring import spring_endpoint

Handler = Callable[[Request, RequestContext], Awaitable[Response]]
FILTER_DATES = ("createdBegin", "createdEnd", "expiresBegin", "expiresEnd", "expiredBefore")


quote_endpoint = spring_endpoint()


def _view(ctx: RequestContext, quote: Quote) -> dict[str, Any]:
    store = ctx.store
    return quote_view(
        quote, store.quotes.totals(quote), store.catalog, store.portal_host, store.slug
    )


def _day(raw: str, name: str) -> int:
    try:
        moment = datetime.strptime(raw[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise QuoteError(
            "Validation failed", [(name, "The format must be YYYY-MM-DD", raw)]
        ) from None
    return int(moment.timestamp() * 1000)


def _filters(request: Request) -> Callable[[Quote], bool]:
    """The list's filters; `statuses` may repeat or be comma-separated."""
    pairs = parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    statuses = {
        s.strip().upper() for k, v in pairs if k == "statuses" for s in v.split(",") if s.strip()
    }
    unknown = statuses - set(STATUSES)
    if unknown:
        raise QuoteError(
            "Validation failed",
            [("statuses", "must be one of " + ", ".join(STATUSES), sorted(unknown)[0])],
        )
    params = dict(pairs)
    bounds = {name: _day(params[name], name) for name in FILTER_DATES if params.get(name)}
    email = params.get("createdEmail", "").strip().lower()
    search = params.get("searchParam", "").strip().lower()
    day = 86_400_000

    def keep(quote: Quote) -> bool:
        if statuses and quote.status not in statuses:
            return False
        if "createdBegin" in bounds and quote.created < bounds["createdBegin"]:
            return False
        if "createdEnd" in bounds and quote.created >= bounds["createdEnd"] + day:
            return False
        if "expiresBegin" in bounds and quote.expires < bounds["expiresBegin"]:
            return False
        if "expiresEnd" in bounds and quote.expires >= bounds["expiresEnd"] + day:
            return False
        if "expiredBefore" in bounds and not (
            quote.status == "EXPIRED" and quote.expires < bounds["expiredBefore"]
        ):
            return False
        if email and (quote.recipient.get("email") or "").lower() != email:
            return False
        if not search:
            return True
        texts = (
            quote.id,
            quote.name,
            quote.recipient.get("email"),
            quote.recipient.get("company"),
            quote.recipient.get("last"),
        )
        return any(search in (text or "").lower() for text in texts)

    return keep


@quote_endpoint
async def list_quotes(request: Request, ctx: RequestContext) -> Response:
    """`GET /quotes`: every match, newest first, in the HAL `_embedded` envelope."""
    keep = _filters(request)
    only_ids = request.query_params.get("onlyQuoteId", "").lower() == "true"
    chosen = [q for q in reversed(ctx.store.quotes.all()) if keep(q)]
    quotes = [{"id": q.id} for q in chosen] if only_ids else [_view(ctx, q) for q in chosen]
    return JSON({"_embedded": {"quotes": quotes}})


@quote_endpoint
async def create_quote(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    return JSON(_view(ctx, ctx.store.quotes.create(body)), status_code=201)


@quote_endpoint
async def get_quote(request: Request, ctx: RequestContext) -> Response:
    return JSON(_view(ctx, ctx.store.quotes.get(request.path_params["id"])))


@quote_endpoint
async def update_quote(request: Request, ctx: RequestContext) -> Response:
    """`PUT /quotes/{id}`: flat, or wrapped in `updateQuoteRequest` as the reference
    shows it."""
    quotes = ctx.store.quotes
    quotes.get(request.path_params["id"])  # an unknown id is a 404 first
    body = await read_json_object(request, ctx.max_body_bytes)
    return JSON(_view(ctx, quotes.update(request.path_params["id"], body)))


@quote_endpoint
async def delete_quote(request: Request, ctx: RequestContext) -> Response:
    quotes = ctx.store.quotes
    last = _view(ctx, quotes.get(request.path_params["id"]))
    quotes.delete(request.path_params["id"])
    return JSON(last)


@quote_endpoint
async def cancel_quote(request: Request, ctx: RequestContext) -> Response:
    """`POST /quotes/{id}/cancel`: the body, if any, is ignored."""
    return JSON(_view(ctx, ctx.store.quotes.cancel(request.path_params["id"])))


# --- control plane: the buyer's side ----------------------------------------------------


@quote_endpoint
async def invoice_quote(request: Request, ctx: RequestContext) -> Response:
    """The buyer accepts the quote and asks for an invoice: AWAITING_PAYMENT."""
    return JSON({"quote": _view(ctx, ctx.store.quotes.invoice(request.path_params["id"]))})


@quote_endpoint
async def pay_quote(request: Request, ctx: RequestContext) -> Response:
    """The buyer pays the quote (at once, or its invoice): the order is filed and the
    quote completes. Answers the quote and the order."""
    store = ctx.store
    quote = store.quotes.pay(request.path_params["id"])
    assert quote.order_id is not None
    order = store.orders.get(quote.order_id)
    return JSON({"quote": _view(ctx, quote), "order": order_view(order, store.portal_host)})
