"""An event says what was true when it happened, however late it is first read.

Rebills, reminders and payouts render their data only when read (docs/architecture.md,
"Events render when read"). A Hypothesis state machine changes every record that
such an event shows (accounts, products and their offers, orders' tags and item
attributes, returns, subscriptions, cards and declines) between advances of the
clock. Whenever an event is written, a listener renders it at once; however much
changes afterwards, rendering it again, and reading it through the Events API, must
give exactly that data.
"""

from __future__ import annotations

import orjson
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from emulator.app import create_app
from emulator.config import Settings
from emulator.domain.events import Event
from emulator.webhooks.payload import collapse
from tests.support.clients import client_for, examples
from tests.support.shop import START, add_product, buy, subscription_of

texts = st.text("abcdefgh XYZ", min_size=1, max_size=8).map(str.strip).filter(bool)


class EventsKeepTheirPast(RuleBasedStateMachine):
    subscriptions = Bundle("subscriptions")
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        app = create_app(Settings(seed=3))
        self.client = client_for(app, username="past")
        self.client.post("/_emulator/clock/freeze")
        self.client.post("/_emulator/clock/advance", json={"to": START})
        add_product(self.client, "pro")
        add_product(self.client, "trial", trial=5)
        add_product(self.client, "weekly", interval="week")
        namespace = app.registry.find("past")
        assert namespace is not None
        self.events = namespace.store.events
        self.at_emit: dict[str, bytes] = {}
        self.lazy = 0
        self.events.listeners.append(self.remember)
        self.buyers = 0

    def remember(self, event: Event) -> None:
        self.lazy += not event.rendered
        self.at_emit[event.id] = orjson.dumps(event.render())

    @rule(target=subscriptions, product=st.sampled_from(["pro", "trial", "weekly"]))
    def buy(self, product: str) -> str:
        self.buyers += 1
        order = buy(self.client, product, email=f"p{self.buyers}@example.com", tags={"b": "1"})
        return subscription_of(order)

    @rule(target=orders, sub=subscriptions)
    def an_order_of(self, sub: str) -> str:
        return self.client.get(f"/subscriptions/{sub}").json()["initialOrderId"]

    @rule(sub=subscriptions, first=texts, city=texts, country=st.sampled_from(["US", "DE"]))
    def update_account(self, sub: str, first: str, city: str, country: str) -> None:
        account = self.client.get(f"/subscriptions/{sub}").json()["account"]
        answer = self.client.post(
            f"/accounts/{account}",
            json={
                "contact": {"first": first},
                "address": {"city": city},
                "country": country,
                "language": "de" if country == "DE" else "en",
                "lookup": {"custom": f"custom-{first.replace(' ', '-')}-key"},
            },
        )
        assert answer.json()["result"] == "success"

    @rule(product=st.sampled_from(["pro", "weekly"]), name=texts, price=st.integers(1, 99))
    def update_product(self, product: str, name: str, price: int) -> None:
        answer = self.client.post(
            "/products",
            json={
                "products": [
                    {
                        "product": product,
                        "display": {"en": name},
                        "pricing": {"price": {"USD": price}},
                    }
                ]
            },
        )
        assert answer.json()["products"][0]["result"] == "success"

    @rule(product=st.sampled_from(["pro", "weekly"]), name=texts)
    def set_offers(self, product: str, name: str) -> None:
        answer = self.client.post(
            f"/products/offers/{product}",
            json={
                "products": {
                    "product": product,
                    "offers": [{"type": "cross-sell", "display": {"en": name}, "items": ["trial"]}],
                }
            },
        )
        assert answer.json()["products"]["result"] == "success"

    @rule(order=orders, tag=texts, value=texts)
    def update_order(self, order: str, tag: str, value: str) -> None:
        items = self.client.get(f"/orders/{order}").json()["items"]
        answer = self.client.post(
            "/orders",
            json={
                "orders": [
                    {
                        "order": order,
                        "tags": {tag: value},
                        "items": [{"product": items[0]["product"], "attributes": {tag: value}}],
                    }
                ]
            },
        )
        assert answer.json()["orders"][0]["result"] == "success"

    @rule(order=orders)
    def give_back(self, order: str) -> None:
        self.client.post(
            "/returns", json={"returns": [{"order": order, "reason": "DUPLICATE_ORDER"}]}
        )

    @rule(sub=subscriptions, quantity=st.integers(1, 5), tag=texts)
    def update_subscription(self, sub: str, quantity: int, tag: str) -> None:
        self.client.post(
            "/subscriptions",
            json={"subscriptions": [{"subscription": sub, "quantity": quantity, "tags": {tag: 1}}]},
        )

    @rule(sub=subscriptions, periods=st.integers(1, 2))
    def pause(self, sub: str, periods: int) -> None:
        self.client.post(f"/subscriptions/{sub}/pause", json={"pausePeriodCount": periods})

    @rule(sub=subscriptions, now=st.booleans())
    def cancel(self, sub: str, now: bool) -> None:
        self.client.delete(f"/subscriptions/{sub}", params={"billingPeriod": 0} if now else {})

    @rule(
        sub=subscriptions,
        decline=st.sampled_from([None, "DECLINED"]),
        ending=st.integers(1000, 9999),
    )
    def payment(self, sub: str, decline: str | None, ending: int) -> None:
        account = self.client.get(f"/subscriptions/{sub}").json()["account"]
        path = f"/_emulator/accounts/{account}/payment"
        card = {"cardType": "VISA", "cardEnding": str(ending), "expiry": "01/30"}
        for body in ({"decline": decline}, {"card": card}):
            assert self.client.post(path, json=body).status_code == 200

    @rule(days=st.integers(0, 70))
    def advance(self, days: int) -> None:
        self.client.post("/_emulator/clock/advance", json={"days": days})

    @invariant()
    def every_event_still_renders_as_it_did(self) -> None:
        for event in self.events.all():
            assert orjson.dumps(event.render()) == self.at_emit[event.id], event.type

    @precondition(lambda self: self.lazy > 0)
    @rule()
    def read_through_the_events_api(self) -> None:
        """Reading renders and keeps the data: the API shows what the listener saw
        (collapsed, as no webhook asks for expanded events)."""
        shown = self.client.get("/events/unprocessed", params={"days": 30}).json()["events"]
        for event in shown:
            seen = collapse(orjson.loads(self.at_emit[event["id"]]))
            assert event["data"] == seen, event["type"]


def test_the_clock_s_events_are_rendered_when_read() -> None:
    """The busy events (a rebill's, a reminder's, a payout's) wait to be read."""
    machine = EventsKeepTheirPast()
    try:
        machine.buy("pro")
        machine.advance(40)
        lazy = [e for e in machine.events.all() if not e.rendered]
        assert {e.type for e in lazy} >= {
            "subscription.payment.reminder",
            "subscription.charge.completed",
            "payoutEntry.created",
        }
        machine.every_event_still_renders_as_it_did()
        assert [e for e in machine.events.all() if not e.rendered] == lazy
        machine.read_through_the_events_api()
        assert {e.type for e in lazy if e.rendered} >= {
            "subscription.payment.reminder",
            "subscription.charge.completed",
            "payoutEntry.created",
        }
    finally:
        machine.teardown()


TestEventsKeepTheirPast = EventsKeepTheirPast.TestCase
TestEventsKeepTheirPast.settings = settings(
    max_examples=examples(15), stateful_step_count=25, deadline=None
)
