"""Handlers for products (`docs/api.md`, "Products")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import Invalid
from emulator.domain.views import product_view
from emulator.http.batch import batch_items, batch_response, element, error_element, run_each
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.responses import success


@endpoint("products.getall")
async def list_products(request: Request, ctx: RequestContext) -> Response:
    paths = ctx.store.catalog.paths()
    return success(
        "products.getall",
        {"page": None, "limit": None, "nextPage": None, "total": len(paths), "products": paths},
    )


@endpoint("products.get")
async def get_products(request: Request, ctx: RequestContext) -> Response:
    catalog = ctx.store.catalog
    records = run_each(
        "products.get",
        "product",
        request.path_params["paths"].split(","),
        lambda path: {
            **product_view(catalog.get(path)),
            "action": "products.get",
            "result": "success",
        },
    )
    return batch_response("products", records)


@endpoint("product.create")
async def upsert_products(request: Request, ctx: RequestContext) -> Response:
    """Create or update each product by path; each item succeeds or fails alone."""
    items = batch_items(await read_json_object(request, ctx.max_body_bytes), "products")
    catalog = ctx.store.catalog
    records = []
    for item in items:
        if not isinstance(item, dict):
            records.append(
                error_element(
                    "product.create", "product", None, {"product": "Each product must be an object"}
                )
            )
            continue
        path = item.get("product") if isinstance(item.get("product"), str) else None
        action = "product.updated" if path and catalog.find(path) else "product.create"
        try:
            catalog.upsert(item)
        except Invalid as exc:
            records.append(error_element(action, "product", path, exc.errors))
            continue
        records.append(element(action, "product", path))
    return batch_response("products", records)


@endpoint("products.delete")
async def delete_products(request: Request, ctx: RequestContext) -> Response:
    catalog = ctx.store.catalog

    def delete(path: str) -> dict:
        catalog.delete(path)
        return {"action": "products.delete", "result": "success", "product": path}

    return batch_response(
        "products",
        run_each("products.delete", "product", request.path_params["paths"].split(","), delete),
    )
