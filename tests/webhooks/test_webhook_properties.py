"""For any lifecycle run and any flaky receiver, every logged event is acknowledged
exactly once: none lost, none acknowledged twice under automatic retries."""

from __future__ import annotations

import random
import threading
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings
from emulator.receiver import Receiver
from tests.support.clients import basic, examples
from tests.support.shop import START, add_product

operations = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.sampled_from(["pro", "trial"])),
        st.tuples(st.just("cancel"), st.booleans()),
        st.tuples(st.just("uncancel"), st.none()),
        st.tuples(st.just("decline"), st.sampled_from([None, "EXPIRED_CARD"])),
        st.tuples(st.just("advance"), st.integers(0, 20)),
    ),
    max_size=12,
)


class FlakyAcks:
    """Answers 200, a 202 listing a random subset, or 500, from a seed; counts acks."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.healthy = False
        self.acked: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, request) -> tuple[int, bytes]:
        ids = [e["id"] for e in request["json"]["events"]]
        with self.lock:
            roll = 0 if self.healthy else self.random.randrange(3)
            if roll == 0:
                self.acked.update(ids)
                return 200, b""
            if roll == 1:
                chosen = [i for i in ids if self.random.random() < 0.5]
                self.acked.update(chosen)
                return 202, "\n".join(chosen).encode()
            return 500, b"try later"


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations, seed=st.integers(0, 2**16))
def test_every_event_is_acknowledged_exactly_once(ops, seed):
    acks = FlakyAcks(seed)
    with (
        Receiver(acks) as receiver,
        TestClient(
            create_app(Settings(seed=seed)),
            headers={"Authorization": basic("prop", "pw"), "User-Agent": "t"},
        ) as client,
    ):
        client.post("/_emulator/clock/freeze")
        client.post("/_emulator/clock/advance", json={"to": START})
        client.post("/_emulator/webhooks", json={"url": receiver.url, "secret": "k"})
        add_product(client, "pro")
        add_product(client, "trial", trial=5)
        subs: list[tuple[str, str]] = []
        for n, (op, arg) in enumerate(ops):
            if op == "buy":
                order = client.post(
                    "/_emulator/orders",
                    json={
                        "contact": {"first": "P", "last": "Q", "email": f"p{n}@example.com"},
                        "items": [{"product": arg}],
                    },
                ).json()
                subs.append((order["items"][0]["subscription"], order["account"]))
            elif op == "advance":
                client.post("/_emulator/clock/advance", json={"days": arg})
            elif subs:
                sub_id, account = subs[n % len(subs)]
                if op == "cancel":
                    client.delete(f"/subscriptions/{sub_id}" + ("?billingPeriod=0" if arg else ""))
                elif op == "uncancel":
                    client.post(
                        "/subscriptions",
                        json={"subscriptions": [{"subscription": sub_id, "deactivation": None}]},
                    )
                else:
                    client.post(f"/_emulator/accounts/{account}/payment", json={"decline": arg})
        acks.healthy = True
        client.post("/_emulator/clock/advance", json={"seconds": 0})
        client.post("/_emulator/clock/advance", json={"days": 1})
        log = client.get("/_emulator/events", params={"limit": 1000}).json()["events"]
        logged = {e["id"] for e in log}
        delivered = client.get("/_emulator/webhooks/deliveries").json()["deliveries"]
        assert all(d["finalState"] == "acknowledged" for d in delivered)
        assert set(acks.acked) == logged
        assert all(count == 1 for count in acks.acked.values()), acks.acked.most_common(3)
