"""Advancing by `a` and then by `b` leaves a store exactly as one advance by `a + b`:
the same records, the same events in the same order and the same delivery attempts,
with a webhook configured whose receiver refuses some deliveries (so retries fall
due on the timeline between the API's own changes)."""

from __future__ import annotations

import zlib

import orjson
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from emulator.app import create_app
from emulator.config import Settings
from emulator.receiver import Receiver
from tests.support.clients import client_for, examples
from tests.support.shop import START, add_product


def refuse_some(record: dict) -> tuple[int, bytes]:
    """Refuse a delivery when its first event id hashes odd: the same on both stores,
    since both hand out the same ids."""
    first = record["json"]["events"][0]["id"]
    return (500, b"") if zlib.crc32(first.encode()) % 3 == 0 else (200, b"")


def comparable(client) -> dict:
    document = orjson.loads(client.get("/_emulator/snapshot").content)
    for attempt in document["webhooks"]["attempts"]:
        attempt.pop("duration_ms")
        attempt["request_headers"].pop("X-FS-Signature", None)
        attempt["url"] = "receiver"
    for channel in document["webhooks"]["channels"]:
        channel["webhook"]["url"] = "receiver"
    document.pop("journal")
    return document


class Additivity(RuleBasedStateMachine):
    subscriptions = Bundle("subscriptions")

    def __init__(self) -> None:
        super().__init__()
        self.receivers = [Receiver(respond=refuse_some), Receiver(respond=refuse_some)]
        # Running apps (the `with` form), so webhook workers live between requests;
        # every step ends with a flush, so what was sent never depends on timing.
        self.split, self.joined = (
            client_for(create_app(Settings(seed=7)), username="additive").__enter__()
            for _ in range(2)
        )
        for client, receiver in zip(self.both, self.receivers, strict=True):
            client.post("/_emulator/clock/freeze")
            client.post("/_emulator/clock/advance", json={"to": START})
            add_product(client, "pro")
            add_product(client, "trial", trial=5)
            add_product(client, "weekly", interval="week")
            client.post("/_emulator/webhooks", json={"url": receiver.url, "secret": "s"})
            client.post("/_emulator/clock/advance", json={"seconds": 0})
        self.buyers = 0

    @property
    def both(self):
        return (self.split, self.joined)

    def teardown(self) -> None:
        for client in self.both:
            client.__exit__(None, None, None)
        for receiver in self.receivers:
            receiver.close()

    def same(self, method: str, path: str, **kwargs) -> dict:
        answers = [c.request(method, path, **kwargs) for c in self.both]
        assert answers[0].status_code == answers[1].status_code
        assert answers[0].json() == answers[1].json()
        for client in self.both:
            client.post("/_emulator/clock/advance", json={"seconds": 0})
        return answers[0].json()

    @rule(target=subscriptions, product=st.sampled_from(["pro", "trial", "weekly"]))
    def buy(self, product):
        self.buyers += 1
        order = self.same(
            "POST",
            "/_emulator/orders",
            json={
                "contact": {"first": "A", "last": "B", "email": f"a{self.buyers}@example.com"},
                "items": [{"product": product}],
            },
        )
        return order["items"][0]["subscription"]

    @rule(sub=subscriptions, now=st.booleans())
    def cancel(self, sub, now):
        self.same("DELETE", f"/subscriptions/{sub}", params={"billingPeriod": 0} if now else {})

    @rule(
        a=st.integers(0, 40 * 86_400),
        b=st.integers(0, 40 * 86_400),
    )
    def advance(self, a, b):
        self.split.post("/_emulator/clock/advance", json={"seconds": a})
        self.split.post("/_emulator/clock/advance", json={"seconds": b})
        self.joined.post("/_emulator/clock/advance", json={"seconds": a + b})

    @invariant()
    def stores_are_the_same(self):
        split, joined = comparable(self.split), comparable(self.joined)
        for section in split:
            assert split[section] == joined[section], first_difference(
                split[section], joined[section], section
            )


def first_difference(a, b, path: str) -> str:
    """Where two documents first differ, for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list):
        for n, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return first_difference(x, y, f"{path}[{n}]")
        return f"{path}: {len(a)} items against {len(b)}"
    return f"{path}: {a!r} against {b!r}"


TestAdditivity = Additivity.TestCase
TestAdditivity.settings = settings(max_examples=examples(10), stateful_step_count=10, deadline=None)
