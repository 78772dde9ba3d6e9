"""Schemathesis hooks for the contract fuzzing (`.ci/schemathesis`).

Generated product names and ids almost never exist, so without help every
valid-looking quote, invoice or checkout session is refused, every operation on an
account, subscription, order or quote answers "not found", and the operations behind
them are never reached. These hooks point two in three generated product names at
the products of the fuzz store (`tests/support/data/fuzz-store.yaml`), and two in
three generated ids (but not DELETE's) at the ids that store holds, read once from
the emulator that `FUZZ_EMULATOR_URL` names. The stateful phase then follows the contract's links
from what they create. Each choice depends only on the generated value, so a run
replays from its seed.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from functools import cache
from typing import Any

import schemathesis

FUZZ_STORE_PRODUCTS = ("pro-monthly", "ebook")
PRODUCT_KEYS = frozenset({"product", "productPath"})


# Where the ids of each kind of resource are listed, and how to read them.
ID_SOURCES = {
    "/accounts/": ("/accounts", lambda answer: answer["accounts"]),
    "/subscriptions/": ("/subscriptions", lambda answer: answer["subscriptions"]),
    "/orders/": ("/orders", lambda answer: [order["id"] for order in answer["orders"]]),
    "/quotes/": ("/quotes", lambda answer: [q["id"] for q in answer["_embedded"]["quotes"]]),
}


@cache
def store_ids(path_prefix: str) -> tuple[str, ...]:
    """The ids the fuzz store holds for one kind of resource, read once."""
    base = os.environ.get("FUZZ_EMULATOR_URL")
    if not base:
        return ()
    path, read = ID_SOURCES[path_prefix]
    credentials = base64.b64encode(b"schemathesis:fuzz").decode()
    request = urllib.request.Request(base + path, headers={"Authorization": "Basic " + credentials})
    with urllib.request.urlopen(request, timeout=5) as response:
        return tuple(read(json.load(response)))


def known_id(path: str, value: Any) -> Any:
    """An id the store holds for the operation's resource, or the generated value one
    time in three (and always when the store holds none)."""
    prefix = next((p for p in ID_SOURCES if path.replace("/_emulator", "", 1).startswith(p)), None)
    ids = store_ids(prefix) if prefix else ()
    text = str(value)
    if not ids or len(text) % 3 == 2:
        return value
    return ids[len(text) % len(ids)]


def known_product(value: str) -> str:
    """A product of the fuzz store, or the generated name itself one time in three."""
    choice = len(value) % 3
    return value if choice == 2 else FUZZ_STORE_PRODUCTS[choice]


def with_known_products(body: Any) -> Any:
    if isinstance(body, list):
        return [with_known_products(item) for item in body]
    if isinstance(body, dict):
        return {
            key: known_product(value)
            if key in PRODUCT_KEYS and isinstance(value, str)
            else with_known_products(value)
            for key, value in body.items()
        }
    return body


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    return with_known_products(body)


@schemathesis.hook
def map_path_parameters(
    context: Any, path_parameters: dict[str, Any] | None
) -> dict[str, Any] | None:
    operation = context.operation
    # Operations without path parameters get None. DELETE keeps its generated ids, so
    # that it does not remove what every later operation reads (the stateful phase
    # deletes what it created itself).
    if not path_parameters or operation is None or operation.method.upper() == "DELETE":
        return path_parameters
    path = operation.path
    return {
        name: known_id(path, value) if name in ("id", "ids") else value
        for name, value in path_parameters.items()
    }
