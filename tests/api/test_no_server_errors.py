"""Fuzzing the Accounts API: any input gets a 2xx or 4xx, and a refusal changes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.app import create_app
from emulator.config import Settings
from tests.support.clients import client_for, examples, snapshot_of_accounts

KEYS = [
    "contact",
    "first",
    "last",
    "email",
    "company",
    "phone",
    "subscribed",
    "lookup",
    "custom",
    "address",
    "addressLine1",
    "city",
    "region",
    "country",
    "language",
    "tags",
    "firstName",
    "lastName",
    "username",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["a@b.co", "US", "en", "user-key-1"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)
FUZZ = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def fresh_client():
    client = client_for(create_app(Settings(seed=2)))
    client.post(
        "/accounts",
        json={
            "contact": {"first": "A", "last": "B", "email": "existing@example.com"},
            "lookup": {"custom": "existing"},
        },
    )
    return client


@FUZZ
@given(body=bodies | json_values)
def test_any_create_or_update_body_is_answered_without_a_server_error(body):
    client = fresh_client()
    account_id = client.get("/accounts").json()["accounts"][0]
    for path in ("/accounts", f"/accounts/{account_id}"):
        before = snapshot_of_accounts(client)
        response = client.post(path, json=body)
        assert response.status_code in (200, 400), (path, body, response.text)
        assert response.headers["content-type"] == "application/json"
        if response.status_code == 400:
            assert response.json()["result"] == "error"
            assert snapshot_of_accounts(client) == before


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "email",
                "custom",
                "global",
                "page",
                "limit",
                "orderID",
                "products",
                "subscriptions",
                "refunds",
                "lookup.key",
                "x",
            ]
        ),
        st.text(max_size=12),
        max_size=4,
    )
)
def test_any_account_query_is_answered_without_a_server_error(params):
    client = fresh_client()
    response = client.get("/accounts", params=params)
    assert response.status_code in (200, 400), (params, response.text)
    assert response.json()["result"] in ("success", "error")


@FUZZ
@given(path=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30))
def test_any_path_is_answered_without_a_server_error(path):
    from urllib.parse import quote

    client = fresh_client()
    response = client.get("/accounts/" + quote(path, safe="/,"))
    assert response.status_code in (200, 400, 404), (path, response.text)


def test_an_unexpected_bug_still_answers_json_500(app, monkeypatch):
    """The safety net for bugs: never expected, but never a bare traceback either."""
    from emulator.domain.accounts import AccountBook

    def explode(self, account_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(AccountBook, "get", explode)
    response = client_for(app, check_contract=False).get("/accounts/anything")
    assert response.status_code == 500
    assert response.json() == {
        "result": "error",
        "error": {"server": "Internal emulator error; see the emulator log."},
    }
