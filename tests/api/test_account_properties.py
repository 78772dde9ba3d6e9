"""Properties of the Accounts API under arbitrary sequences of operations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from emulator.app import create_app
from emulator.config import Settings
from tests.support.clients import client_for, examples

LOCAL_PARTS = ["ann", "bob", "cy", "dee"]
CUSTOM_KEYS = [None, "key-a", "key-b", "key-c"]


@st.composite
def emails(draw) -> str:
    """A small pool with case variations, so collisions are frequent."""
    local = draw(st.sampled_from(LOCAL_PARTS))
    upper = draw(st.lists(st.booleans(), min_size=len(local), max_size=len(local)))
    local = "".join(c.upper() if u else c for c, u in zip(local, upper, strict=False))
    return f"{local}@{draw(st.sampled_from(['example.com', 'EXAMPLE.com']))}"


class AccountModel(RuleBasedStateMachine):
    """Creates, updates and lookups keep email uniqueness and lookup consistency."""

    accounts = Bundle("accounts")

    def __init__(self) -> None:
        super().__init__()
        self.client = client_for(create_app(Settings(seed=3)))
        self.email_of: dict[str, str] = {}
        self.custom_of: dict[str, str | None] = {}
        self.order: list[str] = []

    def owner_of(self, email: str) -> str | None:
        return next((i for i, e in self.email_of.items() if e.casefold() == email.casefold()), None)

    @rule(target=accounts, email=emails(), custom=st.sampled_from(CUSTOM_KEYS))
    def create(self, email: str, custom: str | None):
        body = {"contact": {"first": "F", "last": "L", "email": email}}
        if custom:
            body["lookup"] = {"custom": custom}
        response = self.client.post("/accounts", json=body)
        owner = self.owner_of(email)
        if owner is not None:
            assert response.status_code == 400
            assert response.json()["error"] == {"email": f"email already exists, /accounts/{owner}"}
            return owner
        assert response.status_code == 200, response.text
        account_id = response.json()["account"]
        self.email_of[account_id], self.custom_of[account_id] = email, custom
        self.order.append(account_id)
        return account_id

    @rule(account=accounts, email=emails(), custom=st.sampled_from([*CUSTOM_KEYS, "keep"]))
    def update(self, account: str, email: str, custom: str):
        body: dict = {"contact": {"email": email}}
        if custom != "keep":
            body["lookup"] = {"custom": custom}
        response = self.client.post(f"/accounts/{account}", json=body)
        owner = self.owner_of(email)
        if owner not in (None, account):
            assert response.status_code == 400
            return
        assert response.status_code == 200, response.text
        self.email_of[account] = email
        if custom != "keep":
            self.custom_of[account] = custom

    @rule(email=emails())
    def lookup_email(self, email: str):
        response = self.client.get("/accounts", params={"email": email})
        owner = self.owner_of(email)
        if owner is None:
            assert response.status_code == 400
        else:
            (found,) = response.json()["accounts"]
            assert found["id"] == owner and found["contact"]["email"] == self.email_of[owner]

    @rule(custom=st.sampled_from(CUSTOM_KEYS[1:]))
    def lookup_custom(self, custom: str):
        response = self.client.get("/accounts", params={"custom": custom})
        expected = [i for i in self.order if self.custom_of[i] == custom]
        if not expected:
            assert response.status_code == 400
        else:
            assert sorted(a["id"] for a in response.json()["accounts"]) == sorted(expected)

    @invariant()
    def emails_are_unique_and_the_list_is_complete(self):
        folded = [e.casefold() for e in self.email_of.values()]
        assert len(folded) == len(set(folded))
        body = self.client.get("/accounts").json()
        assert body["accounts"] == self.order and body["total"] == len(self.order)


TestAccountModel = AccountModel.TestCase
TestAccountModel.settings = settings(
    max_examples=examples(40), stateful_step_count=25, deadline=None
)


@settings(max_examples=examples(40), deadline=None)
@given(
    existing=st.integers(0, 70),
    limit=st.integers(1, 60),
    adds=st.lists(st.integers(0, 4), max_size=30),
)
def test_paging_never_skips_or_repeats(existing: int, limit: int, adds: list[int]):
    client = client_for(create_app(Settings(seed=1)))
    counter = iter(range(10_000))

    def add() -> str:
        body = {"contact": {"first": "F", "last": "L", "email": f"u{next(counter)}@example.com"}}
        return client.post("/accounts", json=body).json()["account"]

    originals = [add() for _ in range(existing)]
    seen: list[str] = []
    page, step = 1, 0
    while page is not None:
        body = client.get("/accounts", params={"page": page, "limit": limit}).json()
        seen.extend(body["accounts"])
        for _ in range(adds[step] if step < len(adds) else 0):
            add()
        step += 1
        page = body["nextPage"]
    assert len(seen) == len(set(seen)), "an account was returned twice"
    assert seen[:existing] == originals, "an existing account was skipped"
    assert seen == _all_ids(client)[: len(seen)], "pages are not contiguous in creation order"


def _all_ids(client) -> list[str]:
    ids, page = [], 1
    while page is not None:
        body = client.get("/accounts", params={"page": page}).json()
        ids.extend(body["accounts"])
        page = body["nextPage"]
    return ids
