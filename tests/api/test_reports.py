"""The reporting API: subscription and revenue reports from the store's own records,
synchronous and as jobs with a CSV download, and its Spring errors."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.support.shop import add_product, advance, buy, shop, subscription_of


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro", price={"USD": 20.0})
    add_product(client, "team", interval="year", price={"USD": 120.0})
    add_product(client, "ebook", interval=None, price={"USD": 10.0})
    buy(client, "pro", email="a@example.com")
    buy(
        client,
        "pro",
        "ebook",
        email="b@example.com",
        country="DE",
        tags={"FS_Segmentation": "enterprise"},
    )
    team = buy(client, "team", email="c@example.com")
    client.delete(f"/subscriptions/{subscription_of(team)}", params={"billingPeriod": 0})
    return client


def report(client, kind, **body):
    response = client.post(f"/data/v1/{kind}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


RANGE = {"startDate": "2027-01-01", "endDate": "2027-01-31"}


def test_revenue_rows_come_from_the_orders(client):
    answer = report(
        client,
        "revenue",
        filter=RANGE,
        reportColumns=[
            "Order_ID",
            "product_path",
            "transaction_amount",
            "country_iso",
            "purchase_type",
        ],
    )
    rows = answer["report"]
    assert [(r["product_path"], r["transaction_amount"], r["country_iso"]) for r in rows] == [
        ("pro", 20.0, "US"),
        ("pro", 20.0, "DE"),
        ("ebook", 10.0, "DE"),
        ("team", 120.0, "US"),
    ]
    assert set(rows[0]) == {
        "order_id",
        "product_path",
        "transaction_amount",
        "country_iso",
        "purchase_type",
    }
    assert answer["request"]["reportColumns"][0] == "Order_ID"


def test_revenue_grouped_and_filtered(client):
    grouped = report(
        client,
        "revenue",
        filter=RANGE,
        groupBy=["country_iso"],
        reportColumns=["country_iso", "transaction_amount", "order_count"],
    )
    assert sorted(
        (r["country_iso"], r["transaction_amount"], r["order_count"]) for r in grouped["report"]
    ) == [("DE", 30.0, 2), ("US", 140.0, 2)]
    segment = report(
        client,
        "revenue",
        filter={**RANGE, "segments": ["ENTERPRISE"]},
        reportColumns=["product_path", "segment"],
    )
    assert [r["product_path"] for r in segment["report"]] == ["pro", "ebook"]
    only = report(
        client,
        "revenue",
        filter={**RANGE, "productPaths": ["ebook"], "countryISO": ["de"]},
        reportColumns=["product_path"],
    )
    assert only["report"] == [{"product_path": "ebook"}]
    later = report(client, "revenue", filter={"startDate": "2027-02-01", "endDate": "2027-02-28"})
    assert later["report"] == []


def test_rebills_are_recurring_revenue(client):
    advance(client, to="2027-02-16T00:00:00Z")
    rows = report(
        client,
        "revenue",
        filter={"startDate": "2027-02-01", "endDate": "2027-02-28"},
        reportColumns=["product_path", "purchase_type", "transaction_amount"],
    )
    assert (
        rows["report"]
        == [{"product_path": "pro", "purchase_type": "recurring", "transaction_amount": 20.0}] * 2
    )


def test_subscription_metrics(client):
    rows = report(
        client,
        "subscription",
        filter=RANGE,
        groupBy=["product_path"],
        reportColumns=[
            "product_path",
            "activations",
            "cancellations",
            "mrr",
            "arr",
            "subscriptions",
            "subscribers",
            "subscriber_loss",
            "average_mrr",
        ],
    )["report"]
    by_path = {r["product_path"]: r for r in rows}
    assert by_path["pro"] == {
        "product_path": "pro",
        "site_id": "store",
        "activations": 2,
        "cancellations": 0,
        "mrr": 40.0,
        "arr": 480.0,
        "subscriptions": 2,
        "subscribers": 2,
        "subscriber_loss": 0,
        "average_mrr": 20.0,
    }
    assert (
        by_path["team"]["activations"],
        by_path["team"]["cancellations"],
        by_path["team"]["mrr"],
        by_path["team"]["subscriber_loss"],
    ) == (1, 1, 0.0, 1)


def test_paging_is_by_page_number(client):
    first = report(
        client, "revenue", filter=RANGE, pageCount=3, pageNumber=1, reportColumns=["order_id"]
    )["report"]
    zero = report(
        client, "revenue", filter=RANGE, pageCount=3, pageNumber=0, reportColumns=["order_id"]
    )["report"]
    second = report(
        client, "revenue", filter=RANGE, pageCount=3, pageNumber=2, reportColumns=["order_id"]
    )["report"]
    assert first == zero and len(first) == 3 and len(second) == 1


def test_a_job_completes_and_downloads_as_csv(client):
    job = report(
        client,
        "subscription",
        filter=RANGE,
        reportColumns=["product_path", "mrr"],
        groupBy=["product_path"],
        notificationEmails=["x@example.com"],
        **{"async": True},
    )
    assert re.fullmatch(r"JOB[A-Z2-7]{26}", job["id"])
    assert (job["name"], job["status"]) == ("SubscriptionReport", "PROCESSING")
    got = client.get(f"/data/v1/jobs/{job['id']}").json()
    assert got["status"] == "COMPLETE" and got["notificationEmails"] == ["x@example.com"]
    assert got["downloadUrl"] == f"http://testserver/data/v1/downloads/{job['id']}"
    download = client.get(got["downloadUrl"])
    assert download.headers["content-type"].startswith("text/plain")
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0] == ["product_path", "site_id", "mrr"]
    assert sorted(table[1:]) == [["pro", "store", "40.0"], ["team", "store", "0.0"]]
    assert [j["id"] for j in client.get("/data/v1/jobs").json()] == [job["id"]]


def test_a_failed_job_has_no_download(client):
    job = report(client, "revenue", filter=RANGE, **{"async": True})
    failed = client.post(f"/_emulator/data/jobs/{job['id']}/fail").json()
    assert failed["status"] == "FAILED" and "downloadUrl" not in failed
    response = client.get(f"/data/v1/downloads/{job['id']}")
    assert response.status_code == 400 and response.json()["message"] == "Invalid JobId"
    assert client.post(f"/_emulator/data/jobs/{job['id']}/fail").status_code == 400


def test_cache_reset(client):
    response = client.get("/data/v1/util/cache")
    assert response.status_code == 200 and response.text == "Cache reset success"


@pytest.mark.parametrize(
    "body, field, code",
    [
        (
            {"filter": RANGE, "reportColumns": ["fixed_fee_in_us"]},
            "fixed_fee_in_us",
            "invalid.field",
        ),
        ({"filter": RANGE, "groupBy": ["mrr_add_on"]}, "mrr_add_on", "invalid.field"),
        (
            {"filter": {"startDate": "soon", "endDate": "2027-01-31"}},
            "filter.startDate",
            "invalid.field",
        ),
        (
            {"filter": {"startDate": "2027-02-01", "endDate": "2027-01-31"}},
            "filter.endDate",
            "invalid.field",
        ),
        ({"filter": {"endDate": "2027-01-31"}}, "filter.startDate", "invalid.field"),
        ({}, "filter", "invalid.field"),
        ({"filter": RANGE, "pageCount": 0}, "pageCount", "invalid.field"),
        ({"filter": RANGE, "async": "yes"}, "async", "invalid.field"),
        ({"filter": RANGE, "colour": 1}, "colour", "invalid.field"),
        ({"filter": {**RANGE, "countryISO": "US"}}, "filter.countryISO", "invalid.field"),
    ],
)
def test_bad_requests_are_spring_400s(client, body, field, code):
    response = client.post("/data/v1/subscription", json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["status"] == "BAD_REQUEST" and re.fullmatch(
        r"\d\d-\d\d-\d{4} \d\d:\d\d:\d\d", error["timestamp"]
    )
    assert (error["errors"][0]["field"], error["errors"][0]["errorCode"]) == (field, code)
    assert client.get("/data/v1/jobs").json() == []


def test_unknown_jobs_and_unreadable_bodies(client):
    for path in ("/data/v1/jobs/JOBNOPE", "/data/v1/downloads/JOBNOPE"):
        response = client.get(path)
        assert response.status_code == 400 and response.json()["message"] == "Invalid JobId"
    assert client.post("/data/v1/revenue", content=b"{").status_code == 400


def test_jobs_survive_a_snapshot(client):
    job = report(client, "revenue", filter=RANGE, **{"async": True})
    client.get(f"/data/v1/jobs/{job['id']}")
    snapshot = client.get("/_emulator/snapshot").json()
    client.post("/_emulator/reset")
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert client.get(f"/data/v1/downloads/{job['id']}").status_code == 200


def test_building_a_report_pauses_every_chunk_of_facts(monkeypatch):
    """The pauses are where the HTTP layer lets other stores' requests run."""
    from emulator.domain import reports
    from emulator.domain.store import Store

    store = Store("pauses", 1)
    store.catalog.upsert({"product": "book", "pricing": {"price": {"USD": 5}}})
    for n in range(7):
        store.purchases.checkout(
            {
                "contact": {"first": "A", "last": "B", "email": f"p{n}@example.com"},
                "items": [{"product": "book"}],
            }
        )
    monkeypatch.setattr(reports, "CHUNK", 2)
    day = store.clock.now_ms()
    request = reports.parse_request(
        "revenue",
        {
            "filter": {
                "startDate": reports.cols.iso_date(day),
                "endDate": reports.cols.iso_date(day),
            }
        },
    )
    work = reports.build_rows(store, request, "pauses")
    pauses = 0
    while True:
        try:
            next(work)
            pauses += 1
        except StopIteration as done:
            rows = done.value
            break
    assert pauses == 3 and len(rows) == 7
