"""Product offers: the upsell, cross-sell and other lists kept on a product.

`POST /products/offers/{path}` sets them and `GET /products/{path}` shows them in
`offers`. Posting lists replaces the lists of those types and keeps the others
(docs/fidelity.md, "Offers").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.domain.errors import Invalid

OFFER_TYPES = (
    "addon",
    "cross-sell",
    "upsell",
    "downsell",
    "downgrade",
    "crossgrade",
    "upgrade",
    "alternatives",
)


def parse_offers(raw: object, known: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Validated offer lists: `[{"type", "display": {lang: text}, "items": [paths]}]`;
    every item must be a product of the store."""
    if not isinstance(raw, list):
        raise Invalid({"offers": "offers must be an array"})
    offers = []
    for offer in raw:
        if not isinstance(offer, Mapping):
            raise Invalid({"offers": "each offer must be an object"})
        kind = offer.get("type")
        if kind not in OFFER_TYPES:
            raise Invalid({"type": "type must be one of " + ", ".join(OFFER_TYPES)})
        display = offer.get("display", {})
        if isinstance(display, str):
            display = {"en": display}
        if not isinstance(display, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in display.items()
        ):
            raise Invalid({"display": "display must map languages to text"})
        items = offer.get("items", [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise Invalid({"items": "items must be an array of product paths"})
        for item in items:
            if item not in known:
                raise Invalid({"items": f"Not found: {item}"})
        offers.append({"type": kind, "display": dict(display), "items": list(dict.fromkeys(items))})
    return offers


def merge_offers(
    current: list[dict[str, Any]], posted: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The posted lists replace the product's lists of the same types; other types
    stay as they were."""
    posted_types = {o["type"] for o in posted}
    return [o for o in current if o["type"] not in posted_types] + posted
