"""`GET /subscriptions` filters served from indexes agree with a scan of every
subscription, whatever the mix of states, products and filters."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.shop import add_product, buy, shop, subscription_of

STATUSES = ("active", "trial", "canceled", "deactivated", "overdue", "paused")
actions = st.lists(
    st.tuples(
        st.sampled_from(["pro", "team"]), st.sampled_from(["keep", "cancel", "end", "switch"])
    ),
    min_size=1,
    max_size=8,
)


def listed(client, **params) -> list[str]:
    found, page = [], 1
    while page:
        body = client.get("/subscriptions", params={**params, "page": page, "limit": 5}).json()
        found += [s if isinstance(s, str) else s["id"] for s in body["subscriptions"]]
        assert body["total"] >= len(found)
        page = body["nextPage"]
    return found


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions, st.integers(0, 40))
def test_filters_agree_with_a_scan(plan, days):
    client = shop()
    add_product(client, "pro")
    add_product(client, "team", trial=7)
    for n, (product, action) in enumerate(plan):
        sub_id = subscription_of(buy(client, product, email=f"s{n}@example.com"))
        if action == "cancel":
            client.delete(f"/subscriptions/{sub_id}")
        elif action == "end":
            client.delete(f"/subscriptions/{sub_id}", params={"billingPeriod": 0})
        elif action == "switch":
            other = "team" if product == "pro" else "pro"
            changed = client.post(
                "/subscriptions",
                json={"subscriptions": [{"subscription": sub_id, "product": other}]},
            )
            assert changed.status_code == 200, changed.text
    client.post("/_emulator/clock/advance", json={"days": days})
    every = listed(client)
    records = [client.get(f"/subscriptions/{i}").json() for i in every]
    for status in STATUSES:
        wanted = {status, "trial"} if status == "active" else {status}
        assert listed(client, status=status) == [r["id"] for r in records if r["state"] in wanted]
        for product in ("pro", "team"):
            expected = [
                r["id"] for r in records if r["state"] in wanted and r["product"] == product
            ]
            assert listed(client, status=status, products=product) == expected
    for product in ("pro", "team"):
        assert listed(client, products=product) == [
            r["id"] for r in records if r["product"] == product
        ]
    assert listed(client, event="created") == every
    assert listed(client, event="canceled", status="active") == []
