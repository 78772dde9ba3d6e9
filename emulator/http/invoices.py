"""Handlers for payment invoices (docs/api.md, "Payment invoices").

The pay, web and PDF links in an invoice point at this emulator. They need the
store's own Basic auth, like every store-scoped path, so an invoice is only ever
shown to its store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.formats import display_money
from emulator.domain.invoices import Invoice
from emulator.domain.quote_views import iso
from emulator.domain.views import order_view
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.pdf import one_page_pdf
from emulator.http.responses import JSON, raw
from emulator.http.spring import spring_endpoint

Handler = Callable[[Request, RequestContext], Awaitable[Response]]
_TEMPLATES = Environment(loader=PackageLoader("emulator"), autoescape=select_autoescape())


invoice_endpoint = spring_endpoint()


def _links(request: Request, invoice_id: str) -> dict[str, str]:
    base = str(request.base_url).rstrip("/") + f"/_emulator/invoices/{invoice_id}"
    return {
        "paymentInvoiceWebPayLink": f"{base}/pay",
        "paymentInvoiceWebLink": f"{base}/web",
        "paymentInvoicePdfLink": f"{base}/pdf",
    }


def invoice_view(request: Request, invoice: Invoice) -> dict[str, Any]:
    c = invoice.currency
    return {
        "id": invoice.id,
        "status": invoice.status,
        "currencyCode": c,
        "created": iso(invoice.created),
        "mode": invoice.mode,
        "paymentMethod": invoice.payment_method,
        "contacts": [dict(contact) for contact in invoice.contacts],
        "invoiceItems": [
            {
                "productPath": i.product,
                "quantity": i.quantity,
                "unitPrice": i.unit_price,
                "unitPriceDisplay": display_money(i.unit_price, c),
                "total": round(i.unit_price * i.quantity, 2),
                "totalDisplay": display_money(i.unit_price * i.quantity, c),
            }
            for i in invoice.items
        ],
        "total": invoice.total,
        "totalDisplay": display_money(invoice.total, c),
        "order": invoice.order_id,
        "orderReference": invoice.order_reference,
        **_links(request, invoice.id),
    }


@invoice_endpoint
async def create_invoice(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    return JSON(invoice_view(request, ctx.store.invoices.create(body)))


@invoice_endpoint
async def get_invoice(request: Request, ctx: RequestContext) -> Response:
    return JSON(invoice_view(request, ctx.store.invoices.get(request.path_params["id"])))


def _page(request: Request, invoice: Invoice, paying: bool) -> Response:
    c = invoice.currency
    html = _TEMPLATES.get_template("invoice.html").render(
        invoice=invoice,
        bill_to=invoice.contact("billTo"),
        paying=paying,
        lines=[
            {"product": i.product, "quantity": i.quantity, "price": display_money(i.unit_price, c)}
            for i in invoice.items
        ],
        total=display_money(invoice.total, c),
        pay_url=_links(request, invoice.id)["paymentInvoiceWebPayLink"],
    )
    return raw(html.encode(), content_type=b"text/html; charset=utf-8")


@invoice_endpoint
async def invoice_web(request: Request, ctx: RequestContext) -> Response:
    return _page(request, ctx.store.invoices.get(request.path_params["id"]), paying=False)


@invoice_endpoint
async def invoice_pay_page(request: Request, ctx: RequestContext) -> Response:
    return _page(request, ctx.store.invoices.get(request.path_params["id"]), paying=True)


@invoice_endpoint
async def invoice_pdf(request: Request, ctx: RequestContext) -> Response:
    invoice = ctx.store.invoices.get(request.path_params["id"])
    c = invoice.currency
    lines = [f"Invoice {invoice.id}", f"Status: {invoice.status}", ""]
    lines += [
        f"{i.quantity} x {i.product}  {display_money(i.unit_price, c)}" for i in invoice.items
    ]
    lines += ["", f"Total: {display_money(invoice.total, c)}"]
    return raw(one_page_pdf(lines), content_type=b"application/pdf")


@invoice_endpoint
async def pay_invoice(request: Request, ctx: RequestContext) -> Response:
    """The buyer pays the invoice: the order is filed; answers the invoice and order."""
    store = ctx.store
    invoice = store.invoices.pay(request.path_params["id"])
    assert invoice.order_id is not None
    order = store.orders.get(invoice.order_id)
    return JSON(
        {"invoice": invoice_view(request, invoice), "order": order_view(order, store.portal_host)}
    )
