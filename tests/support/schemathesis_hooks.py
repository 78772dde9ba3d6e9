"""Schemathesis hooks for the contract fuzzing (`.ci/schemathesis`).

Generated names and ids almost never exist, so without help every valid-looking
checkout, quote or session would be refused as "not found", and the operations behind
those refusals never reached. These hooks point generated values at the records of
the fuzz store (`tests/support/data/fuzz-store.yaml`), read once, when the hooks load,
from the emulator that `FUZZ_EMULATOR_URL` names; they also make a few records there
that only deletions use up:

- path ids and names: two in three fuzzed ones, and every valid one of the coverage
  phase (whose placeholder id no store holds), each from the records the operation
  can act on (a pending order for `complete`, a disposable product for `DELETE`);
- body values that name a record (`product`, `account`, `subscription`, `order`,
  `coupon`), a currency the products are priced in, a fresh email where an account is
  written (emails are unique), a webhook URL on a closed loopback port (the fuzzing
  sends nothing off the machine), and an address on the mailing list;
- bodies that would make a case slow or spoil the store for the next ones: a `wait`
  waits 0 seconds for order.completed events, which a receiver in this process
  acknowledges, a clock advance goes at most ten minutes (sessions and quotes expire).

The stateful phase follows the contract's links from what it creates, and keeps the
ids they carry. Each choice depends only on the generated value (and emails on a
counter), so a run replays from its seed.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import urllib.request
import zlib
from typing import Any

import schemathesis
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

from emulator.receiver import Receiver

FUZZ_STORE_PRODUCTS = ("pro-monthly", "ebook")
LOOPBACK_HOOK = "http://127.0.0.1:9/webhooks"  # nothing listens there
MAILING_LIST = tuple(f"reader{n}@example.com" for n in range(1, 6))
SESSION_STORE, SESSION_CHECKOUT = "fuzz", "popup"
YEAR = {"startDate": "2026-01-01", "endDate": "2026-12-31"}
_fresh_emails = itertools.count(1)


class FuzzStore:
    """The fuzz store over its API, as the `schemathesis` user."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.auth = "Basic " + base64.b64encode(b"schemathesis:fuzz").decode()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": self.auth, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def checkout(self, product: str, account: str, outcome: str = "completed") -> dict[str, Any]:
        body = {"account": account, "items": [{"product": product}], "outcome": outcome}
        return self.call("POST", "/_emulator/orders", body)

    def quote(self) -> str:
        body = {
            "name": "Disposable quote",
            "items": [{"product": "ebook"}],
            "recipient": {"first": "Ada", "last": "Lovelace", "email": "ada@example.com"},
            "recipientAddress": {"country": "GB", "postalCode": "CB1 1AA"},
        }
        return str(self.call("POST", "/quotes", body)["id"])


def _prepare(store: FuzzStore) -> dict[str, tuple[str, ...]]:
    """Every list the hooks pick from: the store's records, and disposable ones made
    now for the operations that use a record up (deletions, returns, pending orders,
    open quotes) or spoil it (a decline stored on an account)."""
    disposable = [f"fuzz-disposable-{n}" for n in range(1, 5)]
    store.call(
        "POST",
        "/products",
        {"products": [{"product": p, "pricing": {"price": {"USD": 1.0}}} for p in disposable]},
    )
    silent = {"url": LOOPBACK_HOOK, "events": ["none"]}  # receives nothing
    # A receiver in this process acknowledges order.completed, so `wait` can succeed.
    store.call("POST", "/_emulator/webhooks", {"url": RECEIVER.url, "events": ["order.completed"]})
    hooks = [store.call("POST", "/_emulator/webhooks", silent)["id"] for _ in range(3)]
    payers = [
        store.call(
            "POST",
            "/accounts",
            {"contact": {"first": "Pay", "last": "Er", "email": f"payer{n}@example.com"}},
        )["account"]
        for n in range(1, 3)
    ]
    buyer = payers[0]
    subscriptions = [
        store.checkout("pro-monthly", buyer)["items"][0]["subscription"] for _ in range(3)
    ]
    returned = [store.checkout("ebook", buyer)["id"] for _ in range(2)]
    answer = store.call(
        "POST",
        "/returns",
        {"returns": [{"order": o, "reason": "DUPLICATE_ORDER"} for o in returned]},
    )
    waiting = {
        outcome: [store.checkout("ebook", buyer, outcome)["id"] for _ in range(8)]
        for outcome in ("payment-pending", "approval-pending")
    }
    quotes = [store.quote() for _ in range(8)]
    jobs = [
        store.call("POST", f"/data/v1/{kind}", {"filter": YEAR, "async": True})["id"]
        for kind in ("subscription", "revenue")
    ]
    # Free trials that end without a payment method: what `convert` acts on.
    trial = {"interval": "month", "trial": 1, "paymentCollected": False, "price": {"USD": 5.0}}
    store.call("POST", "/products", {"products": [{"product": "fuzz-trial", "pricing": trial}]})
    trials = [
        store.call(
            "POST",
            "/_emulator/orders",
            {
                "contact": {"first": "Tri", "last": "Al", "email": f"trial{n}@example.com"},
                "items": [{"product": "fuzz-trial"}],
            },
        )["items"][0]["subscription"]
        for n in range(1, 4)
    ]
    store.call("POST", "/_emulator/clock/advance", {"days": 2})  # the trials end unpaid
    # Checkout sessions expire within a day, so they are made after that advance.
    cart = {
        "customer": {"billToContact": {"email": "ada@example.com", "firstName": "Ada"}},
        "cart": {"lineItems": [{"productPath": "ebook"}]},
    }
    sessions = [
        store.call("POST", f"/v2/checkouts/{SESSION_STORE}/{SESSION_CHECKOUT}/sessions", cart)["id"]
        for _ in range(12)
    ]
    subscription_ids = store.call("GET", "/subscriptions")["subscriptions"]
    listed_quotes = store.call("GET", "/quotes")["_embedded"]["quotes"]
    return {
        "accounts": tuple(a for a in store.call("GET", "/accounts")["accounts"] if a not in payers),
        "subscriptions": tuple(
            s for s in subscription_ids if s not in subscriptions and s not in trials
        ),
        "orders": tuple(o["id"] for o in store.call("GET", "/orders")["orders"]),
        "quotes": tuple(q["id"] for q in listed_quotes if q["id"] not in quotes),
        "coupons": tuple(store.call("GET", "/coupons")["coupons"]),
        "events": tuple(e["id"] for e in store.call("GET", "/_emulator/events")["events"]),
        "products": FUZZ_STORE_PRODUCTS,
        "returns": tuple(r["return"] for r in answer["returns"]),
        "pending orders": tuple(waiting["payment-pending"] + waiting["approval-pending"]),
        "orders awaiting approval": tuple(waiting["approval-pending"]),
        "paused subscriptions": tuple(
            s["id"] for s in store.call("GET", "/subscriptions?status=paused")["subscriptions"]
        ),
        "managed subscriptions": tuple(
            s for s in subscription_ids if store.call("GET", f"/subscriptions/{s}").get("adhoc")
        ),
        "sessions": tuple(sessions[:6]),
        "sessions to finish": tuple(sessions[6:]),  # completed or abandoned: cart ops use the rest
        "deliveries": tuple(
            d["id"] for d in store.call("GET", "/_emulator/webhooks/deliveries")["deliveries"]
        ),
        "disposable products": tuple(disposable),
        "disposable webhooks": tuple(hooks),
        "disposable accounts": tuple(payers),
        "disposable subscriptions": tuple(subscriptions),
        "disposable quotes": tuple(quotes),
        "report jobs": tuple(jobs),
        "expired trials": tuple(trials),
        "session stores": (SESSION_STORE,),
        "session checkouts": (SESSION_CHECKOUT,),
    }


def _prepare_chaos(store: FuzzStore) -> dict[str, tuple[str, ...]]:
    """The pass over the store-wide controls runs in an empty store: its one need is
    fault rules to delete, on a path no case requests."""
    never = {"path": "/never-requested*", "status": 503}
    return {
        "disposable fault rules": tuple(
            store.call("POST", "/_emulator/faults", never)["id"] for _ in range(3)
        )
    }


RECEIVER = Receiver()  # on 127.0.0.1, in a thread of this process
_base = os.environ.get("FUZZ_EMULATOR_URL")
STORE = FuzzStore(_base) if _base else None
if STORE is None:
    CHOICES: dict[str, tuple[str, ...]] = {}
elif "pro-monthly" in STORE.call("GET", "/products")["products"]:
    CHOICES = _prepare(STORE)
else:
    CHOICES = _prepare_chaos(STORE)

# Which list a path parameter picks from: first by operation, then by the kind of
# record the path names.
BY_OPERATION: dict[tuple[str, str], dict[str, str]] = {
    ("DELETE", "/products/{paths}"): {"paths": "disposable products"},
    ("DELETE", "/_emulator/webhooks/{id}"): {"id": "disposable webhooks"},
    ("DELETE", "/subscriptions/{id}"): {"id": "disposable subscriptions"},
    # a decline set here would fail every later charge to the account
    ("POST", "/_emulator/accounts/{id}/payment"): {"id": "disposable accounts"},
    ("DELETE", "/_emulator/faults/{id}"): {"id": "disposable fault rules"},
    ("POST", "/_emulator/orders/{id}/complete"): {"id": "pending orders"},
    ("POST", "/_emulator/orders/{id}/cancel"): {"id": "pending orders"},
    ("POST", "/_emulator/orders/{id}/approve"): {"id": "orders awaiting approval"},
    ("POST", "/subscriptions/{id}/resume"): {"id": "paused subscriptions"},
    ("POST", "/subscriptions/{id}/convert"): {"id": "expired trials"},
    # the controls that move a quote on, and DELETE, use quotes made for them
    ("POST", "/_emulator/quotes/{id}/invoice"): {"id": "disposable quotes"},
    ("POST", "/_emulator/quotes/{id}/pay"): {"id": "disposable quotes"},
    ("POST", "/quotes/{id}/cancel"): {"id": "disposable quotes"},
    ("DELETE", "/quotes/{id}"): {"id": "disposable quotes"},
    **{
        ("POST", f"/_emulator/sessions/{{id}}/{step}"): {"id": "sessions to finish"}
        for step in ("complete", "abandon")
    },
}
BY_RESOURCE = {
    "/accounts/": "accounts",
    "/subscriptions/": "subscriptions",
    "/orders/": "orders",
    "/quotes/": "quotes",
    "/coupons/": "coupons",
    "/events/": "events",
    "/products/": "products",
    "/returns/": "returns",
    "/webhooks/deliveries/": "deliveries",
    "/data/v1/jobs/": "report jobs",
    "/data/v1/downloads/": "report jobs",
    "/data/jobs/": "report jobs",
}
ID_PARAMETERS = frozenset({"id", "ids", "path", "paths"})


def list_for(method: str, path: str, name: str) -> str | None:
    chosen = BY_OPERATION.get((method.upper(), path), {}).get(name)
    if chosen is not None:
        return chosen
    if path.startswith("/v2/checkouts/"):
        return {
            "store": "session stores",
            "checkout": "session checkouts",
            "id": "sessions",
            "path": "products",  # the fuzz store's sessions hold an ebook
        }.get(name)
    if name not in ID_PARAMETERS:
        return None
    bare = path.removeprefix("/_emulator/ui").removeprefix("/_emulator")
    return next((kind for prefix, kind in BY_RESOURCE.items() if bare.startswith(prefix)), None)


def pick(choices: tuple[str, ...], value: Any, always: bool) -> Any:
    """One of `choices`, chosen by the generated value, or (unless `always`) the value
    itself one time in three; the value when there is no choice."""
    digest = zlib.crc32(str(value).encode())
    if not choices or (digest % 3 == 2 and not always):
        return value
    return choices[digest % len(choices)]


def with_known_ids(method: str, path: str, params: dict[str, Any], always: bool) -> dict[str, Any]:
    known = {}
    for name, value in params.items():
        kind = list_for(method, path, name)
        # A link the stateful phase inferred may hand over a whole embedded record
        # (an order item's subscription): no id at all, so always a known one.
        garbled = not isinstance(value, str) or "/" in value
        known[name] = pick(CHOICES.get(kind, ()), value, always or garbled) if kind else value
    return known


# Body keys that name a record or a value the store knows, and the list to pick from.
BODY_KEYS = {
    "product": "products",
    "productPath": "products",
    "account": "accounts",
    "subscription": "subscriptions",
    "order": "orders",
}
FIXED_BODY_VALUES = {"coupon": ("WELCOME10",), "currency": ("USD", "EUR")}


# Where an operation writes a record that others read, it writes a disposable one.
# A checkout may store a decline on its account, which would fail every later charge
# to it: checkouts buy as disposable accounts.
BODY_KEYS_BY_OPERATION = {
    ("POST", "/products"): {**BODY_KEYS, "product": "disposable products"},
    **{
        ("POST", path): {**BODY_KEYS, "account": "disposable accounts"}
        for path in ("/_emulator/orders", "/orders", "/sessions")
    },
}


def with_known_values(body: Any, always: bool, keys: dict[str, str] = BODY_KEYS) -> Any:
    if isinstance(body, list):
        return [with_known_values(item, always, keys) for item in body]
    if not isinstance(body, dict):
        return body
    known = {}
    for key, value in body.items():
        if isinstance(value, str) and (key in keys or key in FIXED_BODY_VALUES):
            choices = FIXED_BODY_VALUES.get(key) or CHOICES.get(keys[key], ())
            known[key] = pick(choices, value, always)
        else:
            known[key] = with_known_values(value, always, keys)
    return known


def for_operation(method: str, path: str, body: Any, path_parameters: dict[str, Any]) -> Any:
    """What one operation needs beyond known values: fast, loopback-only cases that
    leave the store usable for the next ones."""
    if not isinstance(body, dict):
        return body
    if path in ("/_emulator/webhooks", "/webhooks/keys") and "url" in body:
        return {**body, "url": LOOPBACK_HOOK}
    if path == "/_emulator/webhooks/wait":
        # what the receiver acknowledges, already there: no waiting
        acknowledged = {"type": "order.completed", "count": 1}
        return {**body, "timeout": 0, **{k: v for k, v in acknowledged.items() if k in body}}
    if path == "/_emulator/mailing-list/unsubscribe" and "email" in body:
        return {**body, "email": pick(MAILING_LIST, body["email"], True)}
    if path == "/_emulator/clock/advance":
        return _at_most_ten_minutes(body)
    if path == "/subscriptions/charge":
        return with_known_values(body, True, {"subscription": "managed subscriptions"})
    contact = body.get("contact")
    if path.startswith("/accounts") and isinstance(contact, dict) and "email" in contact:
        fresh = f"fuzz{next(_fresh_emails)}@example.com"
        return {**body, "contact": {**contact, "email": fresh}}
    if path.endswith("/cart/items/{path}") and "productPath" in body:
        # the body may name only the item the path names
        return {**body, "productPath": path_parameters.get("path")}
    if path == "/products/offers/{path}" and isinstance(body.get("products"), dict):
        named = path_parameters.get("path")
        return {**body, "products": {**body["products"], "product": named}}
    return body


def _at_most_ten_minutes(body: dict[str, Any]) -> dict[str, Any]:
    if "to" in body:
        return {"seconds": 60}
    limits = {"days": 600 / 86_400, "seconds": 600}
    return {
        key: min(value, limits[key])
        if key in limits and isinstance(value, int | float) and not isinstance(value, bool)
        else value
        for key, value in body.items()
    }


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Point each case at the store's records just before it is sent, in every phase:
    the examples' and the coverage phase's valid cases always, fuzzed cases two times
    in three; the stateful phase keeps the ids its links carry, unless a link handed
    over something that is no id at all."""
    meta = case.meta
    phase = meta.phase.name if meta is not None else None
    valid = meta is None or meta.generation.mode == GenerationMode.POSITIVE
    always = phase == TestPhase.EXAMPLES or (phase == TestPhase.COVERAGE and valid)
    method, path = case.operation.method, case.operation.path
    if path == "/_emulator/data/jobs/{id}/fail" and STORE is not None and case.path_parameters:
        # A job is running only until someone reads it (any job list finishes them all),
        # so the one to fail is started now.
        fresh = STORE.call("POST", "/data/v1/revenue", {"filter": YEAR, "async": True})["id"]
        case.path_parameters = {"id": pick((fresh,), case.path_parameters["id"], always)}
        return
    if case.path_parameters:
        params = case.path_parameters
        if phase == TestPhase.STATEFUL:
            params = {k: v for k, v in params.items() if not isinstance(v, str) or "/" in v}
        case.path_parameters = {
            **case.path_parameters,
            **with_known_ids(method, path, params, always),
        }
    if path.startswith("/_emulator/ui") and "store" in (case.query or {}):
        # the dashboard's store picker: this store, rather than one that does not exist
        case.query = {**case.query, "store": pick(("schemathesis",), case.query["store"], always)}
    if isinstance(case.body, dict | list):
        keys = BODY_KEYS_BY_OPERATION.get((method.upper(), path), BODY_KEYS)
        known = with_known_values(case.body, always, keys)
        case.body = for_operation(method, path, known, case.path_parameters or {})
