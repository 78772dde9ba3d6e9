"""Request bodies of the control plane in the served contract.

Each schema says what the handler accepts, built from the same constants the
handler checks against, so a client generated from the contract (or a fuzzer)
sends bodies the emulator takes. Keys are closed, as the control plane refuses
unknown keys (a typo is a 400 that names it).
"""

from __future__ import annotations

from typing import Any

from emulator.contract_groups import closed
from emulator.domain.outcomes import OUTCOMES
from emulator.domain.purchases import DECLINE_REASON
from emulator.domain.timeline import MAX_ADVANCE_MS
from emulator.webhooks.config import MAX_SECRET, SCHEDULES, SCOPES
from emulator.webhooks.hooks import MAX_WAIT_S

Schema = dict[str, Any]

MAX_DAYS = MAX_ADVANCE_MS // 86_400_000
DECLINE: Schema = {"type": ["string", "null"], "pattern": f"^{DECLINE_REASON}$"}
CONTACT = {"$ref": "#/components/schemas/AccountBody/properties/contact"}


def _one_of_keys(**choices: Schema) -> Schema:
    """Exactly one of several keys, each with its own value schema."""
    return {"oneOf": [closed({key: schema}, [key]) for key, schema in choices.items()]}


CARD = closed(
    {
        "paymentMethod": {"type": "string"},
        "cardType": {"type": "string", "minLength": 1},
        "cardEnding": {"type": "string", "pattern": "^[0-9]{4}$"},
        "expiry": {"type": "string", "pattern": "^(0[1-9]|1[0-2])/[0-9]{2}$"},
    },
)  # each key defaults to the test card's (TEST_CARD)

SCHEMAS: dict[str, Schema] = {
    "ClockAdvanceBody": _one_of_keys(
        days={"type": "number", "minimum": 0, "maximum": MAX_DAYS},
        seconds={"type": "number", "minimum": 0, "maximum": MAX_DAYS * 86_400},
        to={"type": "string", "format": "date-time"},
    ),
    "CheckoutBody": {
        **closed(
            {
                "contact": CONTACT,
                "account": {"type": "string"},
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 5,
                    "items": closed(
                        {
                            "product": {"type": "string", "minLength": 1},
                            "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                            "attributes": {"type": "object"},
                        },
                        ["product"],
                    ),
                },
                "coupon": {"type": "string"},
                "currency": {"enum": ["USD", "EUR"]},
                "country": {"enum": ["US", "GB", "DE", "FR", "JP"]},
                "language": {"enum": ["en", "de", "fr", "es", "ja"]},
                "tags": {"type": "object"},
                "payment": closed({"decline": DECLINE}),
                "outcome": {"enum": sorted(OUTCOMES)},
                "mailingList": {"type": "boolean"},
            },
            ["items"],
        ),
        "oneOf": [{"required": ["contact"]}, {"required": ["account"]}],
    },
    "PaymentBody": {
        **closed({"decline": DECLINE, "card": CARD}),
        "minProperties": 1,
    },
    "WebhookBody": closed(
        {
            "url": {"type": "string", "maxLength": 2000, "pattern": "^https?://[A-Za-z0-9.-]+"},
            "secret": {"type": ["string", "null"], "minLength": 1, "maxLength": MAX_SECRET},
            "expand": {"type": "boolean"},
            "events": {
                "type": ["array", "null"],
                "items": {"type": "string", "minLength": 1},
            },
            "scope": {"enum": list(SCOPES)},
            "schedule": {"enum": list(SCHEDULES)},
            "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
        },
        ["url"],
    ),
    "WaitBody": closed(
        {
            "type": {"type": "string"},
            "count": {"type": "integer", "minimum": 1, "maximum": 100_000},
            "timeout": {"type": "number", "minimum": 0, "maximum": MAX_WAIT_S},
        }
    ),
}
