"""The Events API: unprocessed and processed events, its window rules and errors."""

from __future__ import annotations

import pytest

from tests.support.shop import add_product, buy, day, shop

NOW = day("2027-01-15") + 10 * 3_600_000


@pytest.fixture
def client():
    client = shop()
    add_product(client, "pro")
    return client


def test_unprocessed_events_in_the_documented_shape(client):
    buy(client, "pro")
    response = client.get("/events/unprocessed", params={"days": 1})
    assert response.status_code == 200
    body = response.json()
    assert {
        k: body[k] for k in ("action", "result", "page", "limit", "nextPage", "total", "more")
    } == {
        "action": "events.get",
        "result": "success",
        "page": None,
        "limit": None,
        "nextPage": None,
        "total": 0,
        "more": False,
    }
    assert [e["type"] for e in body["events"]] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    for event in body["events"]:
        assert event["event"] == event["id"] and event["processed"] is False
        assert isinstance(event["data"], dict)
    assert isinstance(body["events"][2]["data"]["account"], str)  # no webhook: no expansion


def test_at_most_25_events_with_more(client):
    for n in range(8):  # four events each
        buy(client, "pro", email=f"p{n}@example.com")
    first = client.get("/events/unprocessed", params={"days": 1}).json()
    assert len(first["events"]) == 25 and first["more"] is True
    for event in first["events"]:
        client.post(f"/events/{event['id']}", json={"processed": True})
    rest = client.get("/events/unprocessed", params={"days": 1}).json()
    assert len(rest["events"]) == 7 and rest["more"] is False
    processed = client.get("/events/processed", params={"days": 1}).json()
    assert [e["id"] for e in processed["events"]] == [e["id"] for e in first["events"]]
    assert processed["more"] is False


def test_begin_and_end_select_a_window(client):
    buy(client, "pro")
    client.post("/_emulator/clock/advance", json={"days": 2})
    buy(client, "pro", email="later@example.com")
    early = client.get(
        "/events/unprocessed", params={"begin": NOW - 1000, "end": NOW + 1000}
    ).json()["events"]
    assert len(early) == 4
    late = client.get("/events/unprocessed", params={"begin": NOW + 1000}).json()["events"]
    assert [e["type"] for e in late] == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]


def test_mark_processed_and_back(client):
    buy(client, "pro")
    event_id = client.get("/events/unprocessed", params={"days": 1}).json()["events"][0]["id"]
    response = client.post(f"/events/{event_id}", json={"processed": True})
    assert response.json() == {
        "event": event_id,
        "processed": True,
        "action": "events.update",
        "result": "success",
    }
    assert client.get("/_emulator/events").json()["events"][0]["processed"] is True
    client.post(f"/events/{event_id}", json={"processed": False})
    assert len(client.get("/events/unprocessed", params={"days": 1}).json()["events"]) == 4


@pytest.mark.parametrize("body", [{}, {"processed": "yes"}])
def test_mark_processed_needs_a_boolean(client, body):
    buy(client, "pro")
    event_id = client.get("/_emulator/events").json()["events"][0]["id"]
    assert client.post(f"/events/{event_id}", json=body).status_code == 400


def test_mark_an_unknown_event(client):
    response = client.post("/events/nope", json={"processed": True})
    assert response.status_code == 400
    assert response.json()["error"] == {"event": "Not found"}


@pytest.mark.parametrize(
    "params, error",
    [
        ({}, {"begin": "Begin required."}),
        ({"end": str(NOW)}, {"begin": "Begin required."}),
        ({"begin": "x"}, {"begin": "Can not parse begin"}),
        (
            {"begin": "x", "end": "y", "days": "z"},
            {
                "begin": "Can not parse begin",
                "end": "Can not parse end.",
                "days": "Can not parse days.",
            },
        ),
        ({"begin": str(NOW), "end": str(NOW - 1)}, {"begin": "Begin must be less than end."}),
        ({"days": "31"}, {"days": "Days must be from 1 to 30."}),
    ],
)
def test_documented_errors(client, params, error):
    for path in ("/events/unprocessed", "/events/processed"):
        response = client.get(path, params=params)
        assert response.status_code == 400
        assert response.json() == {"action": "events.get", "result": "error", "error": error}


def test_nothing_older_than_30_days(client):
    too_old = NOW - 31 * 86_400_000
    response = client.get("/events/unprocessed", params={"begin": too_old})
    assert response.status_code == 400
    oldest = NOW - 30 * 86_400_000
    assert response.json()["error"] == {
        "begin": f"Begin must be after '{oldest}' (2026-12-16T10:00:00.000Z)."
    }
