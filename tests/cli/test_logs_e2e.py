"""`--log-level info`: a line per request, per webhook attempt and per clock advance,
as text or as JSON lines; the default level stays quiet."""

from __future__ import annotations

import json
import time

import httpx2 as httpx
import pytest

from emulator.receiver import Receiver
from tests.support.clients import basic
from tests.support.server import emulator

pytestmark = pytest.mark.e2e
HEADERS = {"Authorization": basic("logs", "pw"), "User-Agent": "log-tests"}


def drive(url: str, receiver: Receiver) -> None:
    with httpx.Client(base_url=url, headers=HEADERS) as client:
        client.post("/_emulator/clock/freeze")
        client.post("/_emulator/webhooks", json={"url": receiver.url})
        client.post(
            "/products",
            json={"products": [{"product": "pro", "pricing": {"price": {"USD": 5}}}]},
        )
        client.post(
            "/_emulator/orders",
            json={
                "contact": {"first": "L", "last": "G", "email": "l@example.com"},
                "items": [{"product": "pro"}],
            },
        )
        client.post("/_emulator/faults", json={"path": "/accounts", "status": 503, "times": 1})
        assert client.get("/accounts").status_code == 503
        client.post("/_emulator/clock/advance", json={"days": 31})


def lines_until(running, wanted, timeout_s: float = 10.0) -> list[str]:
    """The output lines once `wanted(lines)` holds (waiting on the condition)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        lines = list(running.lines[1:])
        if wanted(lines):
            return lines
        time.sleep(0.02)
    return list(running.lines[1:])


def test_json_lines_for_requests_webhooks_and_advances():
    with Receiver() as receiver, emulator("--log-level", "info", "--log-format", "json") as running:
        drive(running.url, receiver)

        def parsed(lines):
            return [json.loads(line) for line in lines if line.startswith("{")]

        def complete(lines):
            kinds = {r["kind"] for r in parsed(lines)}
            return {"request", "webhook", "advance"} <= kinds

        records = parsed(lines_until(running, complete))
    requests = [r for r in records if r["kind"] == "request"]
    failed = [r for r in requests if r["path"] == "/accounts"]
    assert failed and failed[0]["status"] == 503 and failed[0]["store"] == "logs"
    assert failed[0]["fault"].startswith("rule ")
    assert all(isinstance(r["duration_ms"], float | int) for r in requests)
    hooks = [r for r in records if r["kind"] == "webhook"]
    assert any("order.completed" in r["events"] and r["status"] == 200 for r in hooks)
    assert all(r["url"] == receiver.url and r["attempt"] >= 1 for r in hooks)
    (advance,) = [r for r in records if r["kind"] == "advance"]
    assert advance["store"] == "logs" and advance["from"] < advance["to"]
    assert advance["event_count"] >= 0 and isinstance(advance["transitions"], dict)


def test_text_lines_read_like_a_terminal_log():
    with Receiver() as receiver, emulator("--log-level", "info") as running:
        drive(running.url, receiver)
        lines = lines_until(
            running,
            # the advance's summary line itself (a request line may name the clock too)
            lambda ls: (
                any("-->" in line for line in ls)
                and any("logs clock " in x and " -> " in x for x in ls)
            ),
        )
    assert any("logs GET /accounts 503" in line and "fault=rule" in line for line in lines)
    assert any("--> " in line and "[200] POST " + receiver.url in line for line in lines)
    assert any("logs clock " in line and " -> " in line for line in lines)


def test_the_default_level_prints_no_request_lines():
    with Receiver() as receiver, emulator() as running:
        drive(running.url, receiver)
        running.stop()
        output = running.output_after_start()
    assert "GET /accounts" not in output and "-->" not in output
