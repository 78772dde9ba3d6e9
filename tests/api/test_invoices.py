"""Payment invoices: create, read, the served links, and paying as the buyer."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.support.shop import add_product, events, shop


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 20.0, "EUR": 18.0})
    add_product(client, "ebook", interval=None, price={"USD": 10.0})
    return client


def contact(kind, email="bill@example.com"):
    return {
        "contactType": kind,
        "contact": {"email": email, "firstName": "Bill", "lastName": "Payer"},
        "address": {"country": "US", "postalCode": "93101"},
    }


def body(**overrides):
    return {
        "currencyCode": "USD",
        "contacts": [contact("billTo"), contact("deliverTo")],
        "invoiceItems": [
            {"productPath": "pro", "quantity": 2, "useCatalogPricing": True},
            {"productPath": "ebook"},
        ],
        "paymentMethod": "WIRE",
        "mode": "TEST",
    } | overrides


def create(client, **overrides):
    response = client.post("/invoices/paymentInvoice", json=body(**overrides))
    assert response.status_code == 200, response.text
    return response.json()


def test_create_read_and_links(client):
    invoice = create(client)
    assert re.fullmatch(r"IN[A-Z2-7]{26}", invoice["id"])
    assert (invoice["status"], invoice["total"], invoice["totalDisplay"]) == (
        "OPEN",
        50.0,
        "$50.00",
    )
    base = f"http://testserver/_emulator/invoices/{invoice['id']}"
    assert invoice["paymentInvoiceWebPayLink"] == base + "/pay"
    assert invoice["paymentInvoiceWebLink"] == base + "/web"
    assert invoice["paymentInvoicePdfLink"] == base + "/pdf"
    assert client.get(f"/invoices/{invoice['id']}").json() == invoice
    web = client.get(invoice["paymentInvoiceWebLink"])
    assert web.headers["content-type"].startswith("text/html")
    assert invoice["id"] in web.text and "$50.00" in web.text
    pdf = client.get(invoice["paymentInvoicePdfLink"])
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert invoice["id"] in text and "Total: $50.00" in text


def test_paying_files_the_order(client):
    invoice = create(client, currencyCode="EUR")
    assert invoice["total"] == 45.0
    pay_page = client.get(invoice["paymentInvoiceWebPayLink"])
    assert 'data-testid="pay"' in pay_page.text
    paid = client.post(f"/_emulator/invoices/{invoice['id']}/pay")
    assert paid.status_code == 200, paid.text
    answer = paid.json()
    assert answer["invoice"]["status"] == "PAID"
    assert answer["invoice"]["order"] == answer["order"]["id"]
    assert answer["order"]["total"] == 45.0 and answer["order"]["currency"] == "EUR"
    assert [e["type"] for e in events(client)][-4:] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    assert client.post(f"/_emulator/invoices/{invoice['id']}/pay").status_code == 400
    assert "disabled" in client.get(invoice["paymentInvoiceWebPayLink"]).text


def test_html_is_escaped(client):
    invoice = create(
        client,
        contacts=[
            {
                **contact("billTo"),
                "contact": {"email": "x@example.com", "firstName": "<script>alert(1)</script>"},
            },
            contact("deliverTo"),
        ],
    )
    page = client.get(invoice["paymentInvoiceWebLink"]).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "change, field",
    [
        ({"contacts": [contact("billTo")]}, "contacts"),
        ({"contacts": [contact("billTo"), contact("shipTo")]}, "contacts[1].contactType"),
        (
            {"contacts": [contact("billTo", "nope"), contact("deliverTo")]},
            "contacts[0].contact.email",
        ),
        ({"contacts": "me"}, "contacts"),
        ({"invoiceItems": []}, "invoiceItems"),
        ({"invoiceItems": [{"productPath": "ghost"}]}, "invoiceItems[0].productPath"),
        ({"invoiceItems": [{"productPath": "pro", "quantity": 0}]}, "invoiceItems[0].quantity"),
        ({"invoiceItems": [7]}, "invoiceItems[0].productPath"),
        ({"currencyCode": "dollars"}, "currencyCode"),
        ({"currencyCode": "XTS"}, "invoiceItems[0].productPath"),
        ({"paymentMethod": "CASH"}, "paymentMethod"),
        ({"mode": "DEMO"}, "mode"),
    ],
)
def test_bad_invoices_are_400s_and_change_nothing(client, change, field):
    response = client.post("/invoices/paymentInvoice", json=body(**change))
    assert response.status_code == 400, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert len(client.get("/_emulator/snapshot").json()["data"]["invoices"]) == 0


def test_unknown_invoices_and_unreadable_bodies(client):
    assert client.post("/invoices/paymentInvoice", content=b"{").status_code == 400
    for method, path in (
        ("GET", "/invoices/INNOPE"),
        ("GET", "/_emulator/invoices/X/web"),
        ("GET", "/_emulator/invoices/X/pdf"),
        ("GET", "/_emulator/invoices/X/pay"),
        ("POST", "/_emulator/invoices/X/pay"),
    ):
        assert client.request(method, path).status_code == 404, path


def test_invoices_survive_a_snapshot(client):
    invoice = create(client)
    snapshot = client.get("/_emulator/snapshot").json()
    client.post("/_emulator/reset")
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert client.get(f"/invoices/{invoice['id']}").json() == invoice
