"""The subscription journeys of the seed documents, end to end through HTTP.

Each test asserts the exact fields and event sequence of the lifecycle table in docs/api.md.
The clock is frozen at 2027-01-15T10:00:00Z, so dates are exact.
"""

from __future__ import annotations

import re

import pytest

from emulator.config import Settings
from tests.support.shop import (
    add_product,
    advance,
    buy,
    day,
    decline,
    event_types,
    events,
    shop,
    sub,
    subscription_of,
)

REFERENCE = re.compile(r"STORE\d{6}-\d{4}-\d{5}")


@pytest.fixture
def client():
    client = shop()
    add_product(
        client,
        "pro",
        price={"USD": 14.95},
        reminderNotification={"enabled": True, "interval": "week", "intervalLength": 1},
        overdueNotification={"enabled": True, "interval": "week", "intervalLength": 1, "amount": 2},
        cancellation={"interval": "week", "intervalLength": 1},
    )
    return client


# --- buy ------------------------------------------------------------------------------


def test_buy_creates_account_order_and_active_subscription(client):
    order = buy(client, "pro")
    assert order["action"] == "order.get" and order["result"] == "success"
    assert REFERENCE.fullmatch(order["reference"]) and order["reference"][5:11] == "270115"
    assert order["completed"] is True and order["currency"] == "USD"
    assert order["total"] == 14.95 and order["totalDisplay"] == "$14.95"
    assert order["subtotal"] == 14.95 and order["tax"] == 0.0
    assert order["totalInPayoutCurrency"] == 14.95
    assert order["invoiceUrl"].endswith(f"/account/order/{order['reference']}/invoice")
    (item,) = order["items"]
    assert item["product"] == "pro" and item["quantity"] == 1 and item["sku"] == "PRO"
    assert item["subtotalDisplay"] == "$14.95"
    s = sub(client, item["subscription"])
    assert s["action"] == "subscription.get" and s["result"] == "success"
    assert (s["state"], s["active"], s["adhoc"], s["sequence"]) == ("active", True, False, 1)
    assert s["account"] == order["account"] and s["product"] == "pro"
    assert s["begin"] == day("2027-01-15") and s["beginDisplay"] == "1/15/27"
    assert s["next"] == day("2027-02-15") and s["nextChargeDate"] == day("2027-02-15")
    assert s["nextChargeTotal"] == 14.95 and s["nextChargeCurrency"] == "USD"
    assert s["nextNotificationType"] == "PAYMENT_REMINDER"
    assert s["nextNotificationDate"] == day("2027-02-08")
    assert s["end"] is None and s["periods"] is None and s["remainingPeriods"] is None
    assert s["initialOrderId"] == order["id"]
    assert s["initialOrderReference"] == order["reference"]
    assert event_types(client) == [
        "account.created",
        "order.completed",
        "subscription.activated",
        "payoutEntry.created",
    ]
    account = client.get(f"/accounts/{order['account']}").json()
    assert account["orders"] == [order["id"]]
    assert account["subscriptions"] == [item["subscription"]]
    assert account["payment"] == {"methods": 1, "active": 1}
    (charge,) = account["charges"]
    assert charge == {
        "currency": "USD",
        "total": 14.95,
        "payoutCurrency": "USD",
        "totalInPayoutCurrency": 14.95,
        "status": "successful",
        "order": order["id"],
        "orderReference": order["reference"],
        "subscription": item["subscription"],
        "timestamp": order["changed"],
        "timestampValue": order["changed"],
        "timestampInSeconds": order["changed"] // 1000,
        "timestampDisplay": "1/15/27",
    }


def test_a_second_purchase_reuses_the_account_by_email(client):
    first = buy(client, "pro", email="Jane@Example.com")
    second = buy(client, "pro", email="jane@example.com")
    assert first["account"] == second["account"]
    assert event_types(client).count("account.created") == 1
    assert len(client.get(f"/accounts/{first['account']}").json()["subscriptions"]) == 2


def test_buy_for_an_existing_account(client):
    account_id = client.post(
        "/accounts", json={"contact": {"first": "A", "last": "B", "email": "api@example.com"}}
    ).json()["account"]
    order = client.post(
        "/_emulator/orders", json={"account": account_id, "items": [{"product": "pro"}]}
    ).json()
    assert order["account"] == account_id
    assert "account.created" not in event_types(client)


def test_order_completed_event_embeds_account_and_subscriptions(client):
    order = buy(client, "pro")
    (completed,) = events(client, "order.completed")
    assert completed["live"] is False and completed["processed"] is False
    data = completed["data"]
    assert data["id"] == order["id"]
    assert data["account"]["contact"]["email"] == "jane@example.com"
    assert "address line 1" in data["account"]["address"]
    item_sub = data["items"][0]["subscription"]
    assert item_sub["id"] == subscription_of(order) and item_sub["account"] == order["account"]
    (activated,) = events(client, "subscription.activated")
    assert activated["data"]["account"]["id"] == order["account"]
    assert activated["data"]["product"]["product"] == "pro"


# --- rebill ---------------------------------------------------------------------------


def test_rebill_on_the_charge_date(client):
    order = buy(client, "pro")
    sub_id = subscription_of(order)
    result = advance(client, to="2027-02-15T00:00:00Z")
    assert [(t["transition"], t["events"]) for t in result["transitions"]] == [
        ("remind", ["subscription.payment.reminder"]),
        ("charge", ["subscription.charge.completed"]),
    ]
    assert result["transitions"][0]["at"] == day("2027-02-08")
    s = sub(client, sub_id)
    assert (s["state"], s["sequence"], s["next"]) == ("active", 2, day("2027-03-15"))
    entries = client.get(f"/subscriptions/{sub_id}/entries").json()
    assert [e["order"]["reference"].endswith("B") for e in entries] == [True, False]
    assert entries[0]["beginPeriodDate"] == "2027-02-15"
    assert entries[0]["endPeriodDate"] == "2027-03-14"
    assert entries[1]["order"]["id"] == order["id"]
    (charge,) = events(client, "subscription.charge.completed")
    assert charge["created"] == day("2027-02-15")
    data = charge["data"]
    assert data["status"] == "successful" and data["total"] == 14.95 and data["sequence"] == 2
    assert data["order"]["reference"].endswith("B") and data["order"]["account"] == order["account"]
    assert data["subscription"]["id"] == sub_id and data["account"]["id"] == order["account"]
    assert data["timestampDisplay"] == "2/15/27"


def test_a_year_of_monthly_rebills(client):
    sub_id = subscription_of(buy(client, "pro"))
    advance(client, days=365)
    s = sub(client, sub_id)
    assert s["sequence"] == 13 and s["next"] == day("2028-02-15")
    assert len(client.get(f"/subscriptions/{sub_id}/entries").json()) == 13
    assert event_types(client).count("subscription.charge.completed") == 12


def test_month_end_dates_clamp_to_short_months():
    client = shop()
    add_product(client, "pro")
    advance(client, to="2027-01-31T09:00:00Z")
    sub_id = subscription_of(buy(client, "pro"))
    assert sub(client, sub_id)["next"] == day("2027-02-28")


# --- trial ----------------------------------------------------------------------------


def test_trial_then_first_charge(client):
    add_product(
        client,
        "trial-pro",
        trial=14,
        reminderNotification={"enabled": True, "interval": "day", "intervalLength": 3},
    )
    order = buy(client, "trial-pro")
    assert order["total"] == 0.0 and order["items"][0]["discount"] == 10.0
    sub_id = subscription_of(order)
    s = sub(client, sub_id)
    assert (s["state"], s["next"]) == ("trial", day("2027-01-29"))
    assert s["nextNotificationType"] == "TRIAL_REMINDER"
    assert s["instructions"][0]["type"] == "trial"
    assert s["instructions"][0]["discountDurationLength"] == 14
    result = advance(client, to="2027-01-29T00:00:00Z")
    assert [t["events"] for t in result["transitions"]] == [
        ["subscription.trial.reminder"],
        ["subscription.charge.completed"],
    ]
    s = sub(client, sub_id)
    assert (s["state"], s["sequence"], s["next"]) == ("active", 2, day("2027-02-28"))


# --- decline, dunning, recovery, deactivation -----------------------------------------


def test_decline_overdue_notices_then_deactivation(client):
    order = buy(client, "pro")
    sub_id = subscription_of(order)
    decline(client, order["account"])
    first = len(event_types(client))
    advance(client, to="2027-02-15T00:00:00Z")
    s = sub(client, sub_id)
    assert (s["state"], s["active"], s["declineReason"]) == ("overdue", True, "EXPIRED_CARD")
    assert s["next"] == day("2027-02-15") and s["sequence"] == 1
    (failed,) = events(client, "subscription.charge.failed")
    assert failed["data"]["reason"] == "EXPIRED_CARD"
    assert failed["data"]["subscription"]["state"] == "overdue"
    advance(client, to="2027-02-22T00:00:00Z")
    assert sub(client, sub_id)["paymentOverdue"]["sent"] == 1
    advance(client, to="2027-03-08T00:00:00Z")
    s = sub(client, sub_id)
    assert (s["state"], s["active"]) == ("deactivated", False)
    assert "nextChargeDate" not in s
    assert event_types(client, first) == [
        "subscription.payment.reminder",
        "subscription.charge.failed",
        "subscription.payment.overdue",
        "subscription.payment.overdue",
        "subscription.deactivated",
    ]
    deactivated = events(client, "subscription.deactivated")[0]
    assert deactivated["created"] == day("2027-03-08")


def test_recovery_when_the_buyer_fixes_the_card(client):
    order = buy(client, "pro")
    sub_id = subscription_of(order)
    decline(client, order["account"])
    advance(client, to="2027-02-16T00:00:00Z")
    assert sub(client, sub_id)["state"] == "overdue"
    answer = decline(client, order["account"], None)
    assert answer["decline"] is None
    assert [t["events"] for t in answer["transitions"]] == [["subscription.charge.completed"]]
    s = sub(client, sub_id)
    assert (s["state"], s["sequence"], s["next"]) == ("active", 2, day("2027-03-15"))
    assert s["paymentOverdue"]["sent"] == 0 and s["declineReason"] is None


def test_recovery_at_a_dunning_step(client):
    order = buy(client, "pro")
    sub_id = subscription_of(order)
    decline(client, order["account"])
    advance(client, to="2027-02-15T00:00:00Z")
    client.post(
        f"/_emulator/accounts/{order['account']}/payment", json={"decline": "INSUFFICIENT_FUNDS"}
    )
    advance(client, to="2027-02-22T00:00:00Z")
    assert sub(client, sub_id)["paymentOverdue"]["sent"] == 1
    client.post("/_emulator/accounts/" + order["account"] + "/payment", json={"decline": None})
    assert sub(client, sub_id)["state"] == "active"


# --- cancel, uncancel -----------------------------------------------------------------


def test_cancel_at_period_end_then_deactivation(client):
    sub_id = subscription_of(buy(client, "pro"))
    advance(client, to="2027-01-20T15:00:00Z")
    response = client.delete(f"/subscriptions/{sub_id}")
    assert response.status_code == 200
    assert response.json() == {
        "subscriptions": [
            {"subscription": sub_id, "action": "subscription.cancel", "result": "success"}
        ]
    }
    s = sub(client, sub_id)
    assert (s["state"], s["active"]) == ("canceled", True)
    assert s["canceledDate"] == day("2027-01-20")
    assert s["deactivationDate"] == day("2027-02-14")
    assert s["next"] == day("2027-02-15") and s["end"] is None
    assert "nextNotificationType" not in s and "nextNotificationDate" not in s
    assert event_types(client)[-1] == "subscription.canceled"
    result = advance(client, to="2027-03-01T00:00:00Z")
    assert [(t["transition"], t["events"], t["at"]) for t in result["transitions"]] == [
        ("deactivate", ["subscription.deactivated"], day("2027-02-14"))
    ]
    assert sub(client, sub_id)["state"] == "deactivated"


def test_cancel_twice_is_an_error(client):
    sub_id = subscription_of(buy(client, "pro"))
    client.delete(f"/subscriptions/{sub_id}")
    response = client.delete(f"/subscriptions/{sub_id}")
    assert response.status_code == 400
    assert response.json() == {
        "subscriptions": [
            {
                "subscription": sub_id,
                "action": "subscription.cancel",
                "result": "error",
                "error": {"subscription": "the subscription is already canceled"},
            }
        ]
    }


@pytest.mark.parametrize("path", ["/subscriptions", "/subscriptions/{id}"])
def test_uncancel_restores_the_subscription(client, path):
    sub_id = subscription_of(buy(client, "pro"))
    client.delete(f"/subscriptions/{sub_id}")
    response = client.post(
        path.format(id=sub_id),
        json={"subscriptions": [{"subscription": sub_id, "deactivation": None}]},
    )
    assert response.json() == {
        "subscriptions": [
            {"subscription": sub_id, "action": "subscription.update", "result": "success"}
        ]
    }
    s = sub(client, sub_id)
    assert (s["state"], s["canceledDate"], s["deactivationDate"]) == ("active", None, None)
    assert event_types(client)[-2:] == ["subscription.canceled", "subscription.uncanceled"]
    advance(client, to="2027-02-16T00:00:00Z")
    assert sub(client, sub_id)["sequence"] == 2


def test_uncancel_of_a_deactivated_subscription_is_refused(client):
    sub_id = subscription_of(buy(client, "pro"))
    client.delete(f"/subscriptions/{sub_id}?billingPeriod=0")
    response = client.post(
        "/subscriptions", json={"subscriptions": [{"subscription": sub_id, "deactivation": None}]}
    )
    assert response.status_code == 400
    assert response.json()["subscriptions"][0] == {
        "subscription": sub_id,
        "action": "subscription.update",
        "result": "error",
        "error": {"uncancel": "Subscription is not active."},
    }


def test_uncancel_of_an_active_subscription_changes_nothing(client):
    sub_id = subscription_of(buy(client, "pro"))
    before = len(event_types(client))
    response = client.post(
        "/subscriptions", json={"subscriptions": [{"subscription": sub_id, "deactivation": None}]}
    )
    assert response.status_code == 200 and len(event_types(client)) == before


def test_immediate_cancel_with_billing_period_zero(client):
    sub_id = subscription_of(buy(client, "pro"))
    advance(client, to="2027-01-20T15:00:00Z")
    before = len(event_types(client))
    assert client.delete(f"/subscriptions/{sub_id}?billingPeriod=0").status_code == 200
    s = sub(client, sub_id)
    assert (s["state"], s["active"]) == ("deactivated", False)
    assert s["end"] == s["canceledDate"] == day("2027-01-20")
    assert s["deactivationDate"] is None
    assert (s["periods"], s["remainingPeriods"]) == (0, 0)
    assert s["next"] == day("2027-02-15")
    assert not any(k.startswith("nextCharge") or k.startswith("nextNotification") for k in s)
    assert event_types(client)[before:] == ["subscription.deactivated"]


# --- pitfalls on cancel and uncancel --------------------------------------------------


@pytest.mark.parametrize(
    "query, code",
    [("billingPeriodEndDate=now", "cancel-now-param"), ("billing_period=0", "cancel-snake-case")],
)
def test_guide_cancel_parameters_cancel_at_period_end_with_a_warning(client, query, code):
    sub_id = subscription_of(buy(client, "pro"))
    response = client.delete(f"/subscriptions/{sub_id}?{query}")
    assert response.status_code == 200
    assert response.headers["x-emulator-warning"].startswith(code + ": ")
    assert "billingPeriod=0" in response.headers["x-emulator-warning"]
    assert sub(client, sub_id)["state"] == "canceled"


@pytest.mark.parametrize("query", ["billingPeriodEndDate=now", "billing_period=0"])
def test_guide_cancel_parameters_are_refused_under_strict(query):
    client = shop(Settings(seed=1, strict=True))
    add_product(client, "pro")
    sub_id = subscription_of(buy(client, "pro"))
    response = client.delete(f"/subscriptions/{sub_id}?{query}")
    assert response.status_code == 400
    assert response.json()["result"] == "error"
    assert sub(client, sub_id)["state"] == "active"


def test_deactivation_null_as_a_string_is_ignored_with_a_warning(client):
    sub_id = subscription_of(buy(client, "pro"))
    client.delete(f"/subscriptions/{sub_id}")
    response = client.post(
        "/subscriptions", json={"subscriptions": [{"subscription": sub_id, "deactivation": "null"}]}
    )
    assert response.status_code == 200
    assert response.headers["x-emulator-warning"].startswith("deactivation-null-string: ")
    assert sub(client, sub_id)["state"] == "canceled"


def test_deactivation_null_as_a_string_is_refused_under_strict():
    client = shop(Settings(seed=1, strict=True))
    add_product(client, "pro")
    sub_id = subscription_of(buy(client, "pro"))
    client.delete(f"/subscriptions/{sub_id}")
    response = client.post(
        "/subscriptions", json={"subscriptions": [{"subscription": sub_id, "deactivation": "null"}]}
    )
    assert response.status_code == 400


# --- pause and resume -----------------------------------------------------------------


def test_pause_takes_effect_on_the_next_charge_date_and_resumes_automatically(client):
    sub_id = subscription_of(buy(client, "pro"))
    response = client.post(f"/subscriptions/{sub_id}/pause", json={"pausePeriodCount": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "subscriptions.pause.get" and body["result"] == "success"
    assert body["isPauseScheduled"] is True
    assert body["pauseDate"] == day("2027-02-15") and body["resumeDate"] == day("2027-04-15")
    assert event_types(client)[-2:] == ["subscription.paused", "subscription.updated"]
    advance(client, to="2027-02-15T00:00:00Z")
    s = sub(client, sub_id)
    assert (s["state"], s["active"], s["sequence"]) == ("paused", True, 1)
    assert s["isPauseScheduled"] is False
    result = advance(client, to="2027-04-15T00:00:00Z")
    assert [t["events"] for t in result["transitions"]] == [
        ["subscription.resumed", "subscription.charge.completed"]
    ]
    s = sub(client, sub_id)
    assert (s["state"], s["sequence"], s["next"]) == ("active", 2, day("2027-05-15"))


def test_pause_accepts_the_array_body_of_fastspring_example(client):
    sub_id = subscription_of(buy(client, "pro"))
    response = client.post(f"/subscriptions/{sub_id}/pause", json=[{"pausePeriodCount": 1}])
    assert response.status_code == 200 and response.json()["isPauseScheduled"] is True


def test_resume_removes_a_scheduled_pause(client):
    sub_id = subscription_of(buy(client, "pro"))
    client.post(f"/subscriptions/{sub_id}/pause", json={"pausePeriodCount": 1})
    response = client.post(f"/subscriptions/{sub_id}/resume")
    assert response.status_code == 200
    assert response.json()["action"] == "subscriptions.resume"
    assert response.json()["isPauseScheduled"] is False
    advance(client, to="2027-02-15T00:00:00Z")
    assert sub(client, sub_id)["sequence"] == 2


def test_resume_of_a_paused_subscription_charges_today(client):
    sub_id = subscription_of(buy(client, "pro"))
    client.post(f"/subscriptions/{sub_id}/pause", json={"pausePeriodCount": 3})
    advance(client, to="2027-02-20T08:00:00Z")
    assert sub(client, sub_id)["state"] == "paused"
    client.post(f"/subscriptions/{sub_id}/resume")
    s = sub(client, sub_id)
    assert (s["state"], s["sequence"], s["next"]) == ("active", 2, day("2027-03-20"))
    assert event_types(client)[-3:] == [
        "subscription.resumed",
        "subscription.charge.completed",
        "payoutEntry.created",
    ]


@pytest.mark.parametrize(
    "body",
    [{"pausePeriodCount": 0}, {"pausePeriodCount": "2"}, {}, {"pausePeriodCount": 13}, [], "x"],
)
def test_invalid_pause_requests(client, body):
    sub_id = subscription_of(buy(client, "pro"))
    response = client.post(f"/subscriptions/{sub_id}/pause", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "action": "subscriptions.pause",
        "result": "error",
        "error": {"subscription.pause": "Invalid number of Periods."},
    }
    assert sub(client, sub_id)["isPauseScheduled"] is False


def test_resume_without_a_pause_or_of_an_unknown_subscription(client):
    sub_id = subscription_of(buy(client, "pro"))
    for target in (sub_id, "unknown"):
        response = client.post(f"/subscriptions/{target}/resume")
        assert response.status_code == 400
        assert response.json()["error"] == {"subscription.resume": "Unable to find subscription."}


# --- managed subscriptions ------------------------------------------------------------


def test_managed_subscription_charges_only_on_request(client):
    add_product(client, "usage", interval="adhoc", price={"USD": 5.0})
    order = buy(client, "usage")
    sub_id = subscription_of(order)
    s = sub(client, sub_id)
    assert (s["adhoc"], s["state"], s["next"]) == (True, "active", None)
    assert "nextChargeDate" not in s
    advance(client, days=90)
    assert sub(client, sub_id)["sequence"] == 1
    client.post(
        "/subscriptions",
        json={"subscriptions": [{"subscription": sub_id, "pricing": {"price": {"USD": 42.5}}}]},
    )
    response = client.post(
        "/subscriptions/charge", json={"subscriptions": [{"subscription": sub_id}]}
    )
    records = [{"subscription": sub_id, "action": "subscription.charge", "result": "success"}]
    assert response.json() == {"subscriptions": records, "subscription": records}
    assert sub(client, sub_id)["sequence"] == 2
    (charge,) = events(client, "subscription.charge.completed")
    assert charge["data"]["total"] == 42.5
    assert len(client.get(f"/subscriptions/{sub_id}/entries").json()) == 2


def test_managed_charge_declined(client):
    add_product(client, "usage", interval="adhoc")
    order = buy(client, "usage")
    sub_id = subscription_of(order)
    decline(client, order["account"])
    response = client.post(
        "/subscriptions/charge", json={"subscriptions": [{"subscription": sub_id}]}
    )
    assert response.status_code == 400
    records = [
        {
            "subscription": sub_id,
            "action": "subscription.charge",
            "result": "error",
            "error": {"subscription": "EXPIRED_CARD"},
        }
    ]
    assert response.json() == {"subscriptions": records, "subscription": records}
    assert event_types(client)[-1] == "subscription.charge.failed"
    assert sub(client, sub_id)["sequence"] == 1


def test_managed_cancel_deactivates_without_a_canceled_event(client):
    add_product(client, "usage", interval="adhoc")
    sub_id = subscription_of(buy(client, "usage"))
    client.delete(f"/subscriptions/{sub_id}")
    assert sub(client, sub_id)["state"] == "deactivated"
    assert "subscription.canceled" not in event_types(client)


def test_charge_rules(client):
    order = buy(client, "pro")
    regular = subscription_of(order)
    response = client.post(
        "/subscriptions/charge",
        json={
            "subscriptions": [{"subscription": regular}, {"subscription": "unknown"}, {"nope": 1}]
        },
    )
    assert response.status_code == 400
    errors = [r["error"] for r in response.json()["subscriptions"]]
    assert errors == [
        {"subscription": "Subscription is not a managed subscription"},
        {"subscription": "Subscription not found"},
        {"subscription": "Not found"},
    ]
    too_many = client.post(
        "/subscriptions/charge", json={"subscriptions": [{"subscription": regular}] * 51}
    )
    assert too_many.status_code == 400
    assert "At most 50" in too_many.json()["error"]["subscriptions"]


# --- fixed terms ----------------------------------------------------------------------


def test_a_fixed_number_of_periods_ends_the_subscription(client):
    add_product(client, "three-months", intervalCount=3)
    sub_id = subscription_of(buy(client, "three-months"))
    s = sub(client, sub_id)
    assert s["end"] == day("2027-04-14") and (s["periods"], s["remainingPeriods"]) == (3, 2)
    advance(client, to="2027-04-14T00:00:00Z")
    s = sub(client, sub_id)
    assert (s["state"], s["sequence"]) == ("deactivated", 3)
    assert event_types(client).count("subscription.charge.completed") == 2
    assert event_types(client)[-1] == "subscription.deactivated"
