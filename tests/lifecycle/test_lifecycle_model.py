"""A hypothesis state machine over the subscription lifecycle, checked after every step.

Invariants: `active` is false only when deactivated; every state change is a
transition of the lifecycle table in docs/api.md; every subscription event matches a change it
documents; entries (and `sequence`) grow by one per successful charge.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from tests.support.clients import examples
from tests.support.shop import add_product, shop

LEGAL = {
    ("trial", "active"),
    ("trial", "overdue"),
    ("active", "overdue"),
    ("overdue", "active"),
    ("overdue", "deactivated"),
    ("active", "deactivated"),
    ("trial", "deactivated"),
    ("trial", "canceled"),
    ("active", "canceled"),
    ("overdue", "canceled"),
    ("canceled", "trial"),
    ("canceled", "active"),
    ("canceled", "overdue"),
    ("canceled", "deactivated"),
    ("active", "paused"),
    ("trial", "paused"),
    ("paused", "active"),
    ("paused", "overdue"),
    ("paused", "deactivated"),
    ("paused", "canceled"),
    ("canceled", "paused"),  # uncancel restores the prior state
}
# What each lifecycle event says happened to its subscription.
EVENT_STATES = {
    "subscription.activated": {"trial", "active"},
    "subscription.canceled": {"canceled"},
    "subscription.uncanceled": {"trial", "active", "overdue", "paused"},
    "subscription.deactivated": {"deactivated"},
    "subscription.charge.completed": {"active"},
    "subscription.charge.failed": {"overdue", "active"},
    "subscription.payment.overdue": {"overdue"},
    "subscription.payment.reminder": {"active"},
    "subscription.trial.reminder": {"trial"},
    "subscription.updated": {"trial", "active", "overdue", "canceled", "paused"},
    "subscription.paused": {"trial", "active"},
    "subscription.resumed": {"active"},
}


def subscription_in(event: dict) -> dict:
    """Charge events nest the subscription; the other events are the subscription."""
    data = event["data"]
    return data["subscription"] if isinstance(data.get("subscription"), dict) else data


class LifecycleModel(RuleBasedStateMachine):
    subscriptions = Bundle("subscriptions")

    def __init__(self) -> None:
        super().__init__()
        self.client = shop()
        add_product(
            self.client,
            "pro",
            overdueNotification={
                "enabled": True,
                "interval": "week",
                "intervalLength": 1,
                "amount": 2,
            },
        )
        add_product(self.client, "trial", trial=10)
        add_product(self.client, "usage", interval="adhoc")
        self.accounts: dict[str, str] = {}
        self.seen: dict[str, dict] = {}
        self.events_seen = 0
        self.buyers = 0

    @rule(target=subscriptions, product=st.sampled_from(["pro", "trial", "usage"]))
    def purchase(self, product):
        self.buyers += 1
        order = self.client.post(
            "/_emulator/orders",
            json={
                "contact": {"first": "M", "last": "B", "email": f"m{self.buyers}@example.com"},
                "items": [{"product": product}],
            },
        ).json()
        sub_id = order["items"][0]["subscription"]
        self.accounts[sub_id] = order["account"]
        return sub_id

    @rule(sub_id=subscriptions, now=st.booleans())
    def cancel(self, sub_id, now):
        response = self.client.delete(
            f"/subscriptions/{sub_id}" + ("?billingPeriod=0" if now else "")
        )
        assert response.status_code in (200, 400)

    @rule(sub_id=subscriptions)
    def uncancel(self, sub_id):
        response = self.client.post(
            "/subscriptions",
            json={"subscriptions": [{"subscription": sub_id, "deactivation": None}]},
        )
        assert response.status_code in (200, 400)

    @rule(sub_id=subscriptions)
    def charge(self, sub_id):
        response = self.client.post(
            "/subscriptions/charge", json={"subscriptions": [{"subscription": sub_id}]}
        )
        assert response.status_code in (200, 400)

    @rule(sub_id=subscriptions, periods=st.integers(1, 2))
    def pause(self, sub_id, periods):
        self.client.post(f"/subscriptions/{sub_id}/pause", json={"pausePeriodCount": periods})

    @rule(sub_id=subscriptions, reason=st.sampled_from([None, "EXPIRED_CARD"]))
    def decline(self, sub_id, reason):
        response = self.client.post(
            f"/_emulator/accounts/{self.accounts[sub_id]}/payment", json={"decline": reason}
        )
        assert response.status_code == 200

    @rule(days=st.integers(0, 40))
    def advance(self, days):
        assert self.client.post("/_emulator/clock/advance", json={"days": days}).status_code == 200

    @invariant()
    def lifecycle_is_consistent(self):
        if not self.accounts:
            return
        ids = ",".join(self.accounts)
        body = self.client.get(f"/subscriptions/{ids}").json()
        current = {s["id"]: s for s in (body.get("subscriptions", [body]))}
        log = self.client.get("/_emulator/events", params={"limit": 1000}).json()["events"]
        new_events = log[self.events_seen :]
        self.events_seen = len(log)
        charges = Counter(
            subscription_in(e)["id"] for e in log if e["type"] == "subscription.charge.completed"
        )
        for sub_id, s in current.items():
            assert s["active"] == (s["state"] != "deactivated"), s["state"]
            before = self.seen.get(sub_id)
            if before is not None and before["state"] != s["state"]:
                assert (before["state"], s["state"]) in LEGAL, (before["state"], s["state"])
            entries = self.client.get(f"/subscriptions/{sub_id}/entries").json()
            assert len(entries) == 1 + charges[sub_id] == s["sequence"]
            self.seen[sub_id] = s
        for event in new_events:
            if event["type"] in EVENT_STATES:
                data = subscription_in(event)
                assert data["state"] in EVENT_STATES[event["type"]], (event["type"], data["state"])


TestLifecycleModel = LifecycleModel.TestCase
TestLifecycleModel.settings = settings(
    max_examples=examples(25), stateful_step_count=20, deadline=None
)
