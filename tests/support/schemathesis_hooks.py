"""Schemathesis hooks for the contract fuzzing (`.ci/schemathesis`).

Generated product names almost never exist, so without help every valid-looking
quote, invoice or checkout session is refused and the operations that need one are
never reached. These hooks point two in three generated product names at the
products of the fuzz store (`tests/support/data/fuzz-store.yaml`); the stateful
phase then follows the contract's links from what they create. The choice depends
only on the generated value, so a run replays exactly from its seed.
"""

from __future__ import annotations

from typing import Any

import schemathesis

FUZZ_STORE_PRODUCTS = ("pro-monthly", "ebook")
PRODUCT_KEYS = frozenset({"product", "productPath"})


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
