"""Handlers for product prices and offers (docs/api.md, "Products: prices and offers")."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import DomainError, Invalid
from emulator.domain.prices import parse_place, product_pricing
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import JSON

MAX_LIMIT = 50


def _place(request: Request) -> tuple[list[str], str | None]:
    params = query_params(request)
    return parse_place(params.get("country") or None, params.get("currency") or None)


def _positive(raw: str | None, name: str, default: int, most: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdecimal() or len(raw) > 9 or int(raw) < 1:
        raise Invalid({name: f"{name} must be a positive integer"})
    return min(int(raw), most)


@endpoint("product.price.getall")
async def all_prices(request: Request, ctx: RequestContext) -> Response:
    """`GET /products/price`: every product's prices, a page at a time."""
    countries, currency = _place(request)
    params = query_params(request)
    page = _positive(params.get("page"), "page", 1, 10**8)
    limit = _positive(params.get("limit"), "limit", MAX_LIMIT, MAX_LIMIT)
    store = ctx.store
    products, more = store.catalog.page(page, limit)
    records = [
        {
            "action": "product.price.getall",
            "result": "success",
            "product": product.path,
            "pricing": product_pricing(product, countries, currency, store.rates),
        }
        for product in products
    ]
    return JSON(
        {"page": page, "limit": limit, "nextPage": page + 1 if more else None, "products": records}
    )


@endpoint("product.price.get")
async def product_prices(request: Request, ctx: RequestContext) -> Response:
    """`GET /products/price/{path}` (comma-separated paths give one record each)."""
    countries, currency = _place(request)
    store = ctx.store
    records: list[dict[str, Any]] = []
    for path in request.path_params["id"].split(","):
        try:
            pricing = product_pricing(store.catalog.get(path), countries, currency, store.rates)
        except DomainError as exc:
            records.append(
                {
                    "action": "product.price.get",
                    "result": "error",
                    "product": path,
                    "error": exc.errors,
                }
            )
            continue
        records.append(
            {
                "action": "product.price.get",
                "result": "success",
                "product": path,
                "pricing": pricing,
            }
        )
    if all(r["result"] == "error" for r in records):
        return JSON({"products": records}, status_code=400)
    return JSON({"page": 1, "limit": MAX_LIMIT, "nextPage": None, "products": records})


def _offers_error(path: str, action: str, errors: dict[str, str]) -> JSON:
    return JSON(
        {"products": [{"action": action, "product": path, "result": "error", "error": errors}]},
        status_code=400,
    )


@endpoint("products.offers.get")
async def get_offers(request: Request, ctx: RequestContext) -> Response:
    """`GET /products/offers/{path}[?type=]`."""
    path = request.path_params["path"]
    product = ctx.store.catalog.find(path)
    if product is None:
        return _offers_error(path, "products.offers.get", {"product": "Not found"})
    wanted = query_params(request).get("type")
    offers = [
        o for o in product.document.get("offers") or [] if wanted is None or o["type"] == wanted
    ]
    return JSON(
        {
            "products": [
                {
                    "action": "product.offers.get",
                    "result": "success",
                    "product": path,
                    "offers": offers,
                }
            ]
        }
    )


@endpoint("products.offers.update")
async def set_offers(request: Request, ctx: RequestContext) -> Response:
    """`POST /products/offers/{path}`: the body's `products` is one object (the
    older reference) or an array of one (the newer); the answer has the same form."""
    path = request.path_params["path"]
    body = await read_json_object(request, ctx.max_body_bytes)
    catalog = ctx.store.catalog
    action = (
        "products.offers.update"
        if catalog.find(path) and catalog.get(path).document.get("offers")
        else "products.offers.create"
    )
    given = body.get("products")
    as_list = isinstance(given, list)
    entry = given[0] if isinstance(given, list) and len(given) == 1 else given
    if not isinstance(entry, dict):
        return _offers_error(
            path, action, {"products": "products must be an object with product and offers"}
        )
    named = entry.get("product")
    if catalog.find(path) is None:
        return _offers_error(path, action, {"product": "Not found"})
    if named != path:
        return JSON(
            {
                "product": path,
                "action": action,
                "result": "error",
                "error": {
                    "product": f"Product in URL '{path}' does not match product in request body "
                    f"'{named}'"
                },
            },
            status_code=400,
        )
    try:
        created = catalog.set_offers(path, entry.get("offers"))
    except DomainError as exc:
        return _offers_error(path, action, exc.errors)
    record = {
        "product": path,
        "action": "product.offers.create" if created else "product.offers.update",
        "result": "success",
    }
    return JSON({"products": [record] if as_list else record})
