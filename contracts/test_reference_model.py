"""The emulator against the reference model, after every step of any sequence of
account and subscription operations (clock, checkout and payment need the emulator).

Invariants checked after each step: email uniqueness and lookup consistency; pages
concatenate to the full list; each subscription's state, `active`, sequence, next
charge, cancel and deactivation dates, and its events in order, as the model says;
entries equal the sequence; every event the store logged reached the webhook and was
acknowledged exactly once.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from starlette.testclient import TestClient

from contracts.model import Model, day_of
from contracts.support import basic, examples
from emulator.app import create_app
from emulator.config import Settings
from emulator.receiver import Receiver

START = "2027-01-15T10:00:00Z"
START_MS = 1_800_007_200_000
SUBSCRIPTION_EVENTS = ("subscription.",)

pytestmark = pytest.mark.emulator_only

_receiver = None


def receiver() -> Receiver:
    global _receiver
    if _receiver is None:
        _receiver = Receiver()
    return _receiver


class EmulatorMatchesModel(RuleBasedStateMachine):
    accounts = Bundle("accounts")
    subscriptions = Bundle("subscriptions")

    def __init__(self) -> None:
        super().__init__()
        self.model = Model(START_MS)
        self.app = create_app(Settings(seed=1))
        self.client = TestClient(
            self.app, headers={"Authorization": basic("model", "pw"), "User-Agent": "model"}
        )
        self.client.__enter__()
        self.client.post("/_emulator/clock/freeze")
        self.client.post("/_emulator/clock/advance", json={"to": START})
        self.client.post(
            "/products",
            json={
                "products": [
                    {
                        "product": "pro",
                        "pricing": {
                            "interval": "month",
                            "price": {"USD": 10},
                            "reminderNotification": {
                                "enabled": True,
                                "interval": "week",
                                "intervalLength": 1,
                            },
                            "overdueNotification": {
                                "enabled": True,
                                "interval": "week",
                                "intervalLength": 1,
                                "amount": 2,
                            },
                            "cancellation": {"interval": "week", "intervalLength": 1},
                        },
                    },
                    {"product": "usage", "pricing": {"interval": "adhoc", "price": {"USD": 1}}},
                ]
            },
        )
        self.hook_url = receiver().url
        self.client.post("/_emulator/webhooks", json={"url": self.hook_url})
        self.seen_requests = len(receiver().requests)
        self.emails = 0

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)

    # --- accounts -----------------------------------------------------------------------

    @rule(target=accounts, variant=st.integers(0, 3))
    def create_account(self, variant):
        email = f"Buyer{variant}@Example.com" if variant < 3 else f"new{self.emails}@x.com"
        self.emails += 1
        response = self.client.post(
            "/accounts", json={"contact": {"first": "M", "last": "B", "email": email}}
        )
        owner = self.model.email_owner(email)
        if owner is not None:
            assert response.status_code == 400
            return owner
        assert response.status_code == 200
        self.model.add_account(response.json()["account"], email)
        return response.json()["account"]

    @rule(account=accounts, variant=st.integers(0, 3))
    def change_email(self, account, variant):
        email = f"buyer{variant}@example.COM"
        response = self.client.post(f"/accounts/{account}", json={"contact": {"email": email}})
        owner = self.model.email_owner(email)
        if owner not in (None, account):
            assert response.status_code == 400
        else:
            assert response.status_code == 200
            self.model.change_email(account, email)

    # --- purchases and operations -------------------------------------------------------

    @rule(target=subscriptions, account=accounts, managed=st.booleans())
    def checkout(self, account, managed):
        order = self.client.post(
            "/_emulator/orders",
            json={"account": account, "items": [{"product": "usage" if managed else "pro"}]},
        )
        assert order.status_code == 200, order.text
        sub_id = order.json()["items"][0]["subscription"]
        self.model.buy(sub_id, account, managed)
        return sub_id

    @rule(sub=subscriptions, now=st.booleans())
    def cancel(self, sub, now):
        response = self.client.delete(f"/subscriptions/{sub}" + ("?billingPeriod=0" if now else ""))
        assert (response.status_code == 200) == self.model.cancel(sub, now)

    @rule(sub=subscriptions)
    def uncancel(self, sub):
        response = self.client.post(
            "/subscriptions", json={"subscriptions": [{"subscription": sub, "deactivation": None}]}
        )
        assert (response.status_code == 200) == self.model.uncancel(sub)

    @rule(sub=subscriptions, quantity=st.integers(1, 5))
    def change_quantity(self, sub, quantity):
        response = self.client.post(
            "/subscriptions", json={"subscriptions": [{"subscription": sub, "quantity": quantity}]}
        )
        assert (response.status_code == 200) == self.model.update(sub, None)

    @rule(sub=subscriptions, days_ahead=st.integers(1, 40))
    def change_next_charge(self, sub, days_ahead):
        next_day = day_of(self.model.now) + days_ahead * 86_400_000
        response = self.client.post(f"/subscriptions/{sub}", json={"next": next_day})
        assert (response.status_code == 200) == self.model.update(sub, next_day)

    @rule(sub=subscriptions, periods=st.integers(1, 2))
    def pause(self, sub, periods):
        response = self.client.post(
            f"/subscriptions/{sub}/pause", json={"pausePeriodCount": periods}
        )
        assert (response.status_code == 200) == self.model.pause(sub, periods)

    @rule(sub=subscriptions)
    def resume(self, sub):
        response = self.client.post(f"/subscriptions/{sub}/resume")
        assert (response.status_code == 200) == self.model.resume(sub)

    @rule(sub=subscriptions)
    def charge(self, sub):
        response = self.client.post(
            "/subscriptions/charge", json={"subscriptions": [{"subscription": sub}]}
        )
        assert (response.status_code == 200) == self.model.charge_managed(sub)

    @rule(account=accounts, declined=st.booleans())
    def decline(self, account, declined):
        response = self.client.post(
            f"/_emulator/accounts/{account}/payment",
            json={"decline": "EXPIRED_CARD" if declined else None},
        )
        assert response.status_code == 200
        self.model.set_decline(account, declined)

    @rule(days=st.integers(0, 45))
    def advance(self, days):
        response = self.client.post("/_emulator/clock/advance", json={"days": days})
        assert response.status_code == 200
        self.model.advance(self.model.now + days * 86_400_000)
        assert response.json()["now"] == self.model.now

    # --- after every step ---------------------------------------------------------------

    @invariant()
    def accounts_agree(self):
        self.model.catch_up()
        ids, page = [], 1
        while page:
            body = self.client.get("/accounts", params={"page": page, "limit": 3}).json()
            ids.extend(body["accounts"])
            page = body["nextPage"]
        assert sorted(ids) == sorted(set(self.model.emails.values()) | set(self.model.declined))
        assert len(ids) == len(set(ids))
        for email, owner in self.model.emails.items():
            found = self.client.get("/accounts", params={"email": email.upper()}).json()
            assert [a["id"] for a in found["accounts"]] == [owner]

    @invariant()
    def subscriptions_agree(self):
        self.model.catch_up()
        if not self.model.subs:
            return
        log = self.client.get("/_emulator/events", params={"limit": 1000}).json()["events"]
        per_sub: dict[str, list[str]] = {}
        for event in log:
            data = event["data"]
            sub = data.get("subscription") if isinstance(data.get("subscription"), dict) else data
            if event["type"].startswith(SUBSCRIPTION_EVENTS) and isinstance(sub, dict):
                per_sub.setdefault(sub["id"], []).append(event["type"])
        for sub_id, expected in self.model.subs.items():
            got = self.client.get(f"/subscriptions/{sub_id}").json()
            assert got["state"] == expected.state, (sub_id, got["state"], expected.state)
            assert got["active"] == expected.active
            assert got["sequence"] == expected.sequence
            assert got["next"] == expected.next
            assert got["canceledDate"] == expected.canceled_date
            assert got["deactivationDate"] == (
                expected.deactivation_date
                if expected.state == "canceled"
                else got["deactivationDate"]
            )
            assert per_sub.get(sub_id, []) == expected.events
            entries = self.client.get(f"/subscriptions/{sub_id}/entries").json()
            assert len(entries) == expected.sequence
            assert got["begin"] == day_of(expected.begin)

    @invariant()
    def every_event_was_acknowledged_once(self):
        self.client.post("/_emulator/clock/advance", json={"seconds": 0})
        log = self.client.get("/_emulator/events", params={"limit": 1000}).json()["events"]
        mine = [
            e["id"] for r in receiver().requests[self.seen_requests :] for e in r["json"]["events"]
        ]
        counts = Counter(mine)
        assert set(counts) == {e["id"] for e in log}
        assert all(n == 1 for n in counts.values())


TestEmulatorMatchesModel = EmulatorMatchesModel.TestCase
TestEmulatorMatchesModel.settings = settings(
    max_examples=examples(20), stateful_step_count=25, deadline=None
)
