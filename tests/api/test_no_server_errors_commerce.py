"""Fuzzing every write endpoint of the lifecycle: never a 5xx, always JSON.

Bodies mix the field names these endpoints know with arbitrary JSON, so the
fuzzer reaches the validation of every field as well as the parsers.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.clients import examples
from tests.support.shop import add_product, buy, shop, subscription_of

FIELDS = [
    "subscription",
    "subscriptions",
    "product",
    "products",
    "quantity",
    "next",
    "end",
    "coupons",
    "coupon",
    "pricing",
    "price",
    "USD",
    "addons",
    "manualRenew",
    "prorate",
    "preview",
    "deactivation",
    "taxExemptId",
    "tags",
    "attributes",
    "order",
    "orders",
    "items",
    "account",
    "contact",
    "first",
    "last",
    "email",
    "currency",
    "country",
    "payment",
    "decline",
    "returns",
    "reason",
    "note",
    "days",
    "seconds",
    "to",
    "pausePeriodCount",
    "interval",
    "trial",
    "display",
    "sku",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["pro", "usage", "2027-02-01", "EXPIRED_CARD", "USD", "month", "a@b.co"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=15,
)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6) | values
FUZZ = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_CLIENT = None


def store():
    """One store with a subscription of each kind, shared across examples."""
    global _CLIENT
    if _CLIENT is None:
        client = shop()
        add_product(client, "pro")
        add_product(client, "usage", interval="adhoc")
        order = buy(client, "pro")
        managed = buy(client, "usage", email="m@example.com")
        _CLIENT = (client, subscription_of(order), subscription_of(managed), order)
    return _CLIENT


def no_server_error(response):
    assert response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/json"


@FUZZ
@given(
    body=bodies,
    target=st.sampled_from(
        [
            "/subscriptions",
            "/subscriptions/{sub}",
            "/subscriptions/charge",
            "/subscriptions/estimate",
            "/subscriptions/{sub}/pause",
            "/subscriptions/{managed}",
            "/orders",
            "/returns",
            "/sessions",
            "/products",
            "/_emulator/orders",
            "/_emulator/clock/advance",
            "/_emulator/accounts/{account}/payment",
        ]
    ),
)
def test_any_body_on_any_write_endpoint(body, target):
    client, sub_id, managed_id, order = store()
    path = target.format(sub=sub_id, managed=managed_id, account=order["account"])
    no_server_error(client.post(path, json=body))


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "accountId",
                "status",
                "scope",
                "products",
                "event",
                "begin",
                "end",
                "page",
                "limit",
                "days",
                "rebill",
                "returns",
                "order",
                "type",
                "billingPeriod",
                "x",
            ]
        ),
        st.text(max_size=12) | st.sampled_from(["2027-01-01", "01/02/27", "true", "0", "active"]),
        max_size=4,
    ),
    path=st.sampled_from(
        [
            "/subscriptions",
            "/orders",
            "/_emulator/events",
            "/subscriptions/{sub}/history",
            "/accounts",
        ]
    ),
)
def test_any_query_on_any_list(params, path):
    client, sub_id, _, _ = store()
    no_server_error(client.get(path.format(sub=sub_id), params=params))


@FUZZ
@given(
    segment=st.text(min_size=1, max_size=20).filter(lambda s: "/" not in s),
    suffix=st.sampled_from(["", "/entries", "/pause", "/resume", "/convert", "/history"]),
    method=st.sampled_from(["GET", "POST", "DELETE"]),
)
def test_any_subscription_path(segment, suffix, method):
    from urllib.parse import quote

    client = store()[0]
    no_server_error(client.request(method, "/subscriptions/" + quote(segment, safe=",") + suffix))
