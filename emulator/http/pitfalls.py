"""Requests that a guide teaches but the real API treats differently.

The emulator answers each one as FastSpring would and says so in an
`X-Emulator-Warning` header and the request journal; under `--strict` the
request is refused with a 400 instead, so a CI run fails loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Pitfall:
    code: str
    field: str
    message: str

    def header(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class PitfallRefused(Exception):
    """Raised in strict mode so the handler stops before touching the store."""

    def __init__(self, pitfall: Pitfall) -> None:
        super().__init__(pitfall.message)
        self.pitfall = pitfall


MISSING_USER_AGENT = Pitfall(
    "missing-user-agent",
    "User-Agent",
    "FastSpring requires a User-Agent header and may reject a request without one "
    "with 401; send a User-Agent that names your integration.",
)

ACCOUNT_UPDATE_METHOD = Pitfall(
    "update-method",
    "method",
    "FastSpring has no PUT or PATCH on accounts and answers 405; "
    "update an account with POST /accounts/{id}.",
)

LOOKUP_KEY_PARAM = Pitfall(
    "lookup-key-param",
    "lookup.key",
    "FastSpring has no lookup.key parameter and ignores it, so this is the unfiltered "
    "list of ids; look up a custom key with ?custom=<value> (or ?email=, ?global=).",
)

ACCOUNT_TAGS = Pitfall(
    "account-tags",
    "tags",
    "FastSpring accounts have no tags, so the field is ignored; tags exist on orders, "
    "sessions and subscriptions.",
)

# The seed guide's flat account shape, and where FastSpring expects each field.
_FLAT_ACCOUNT_FIELDS = {
    "email": "contact.email",
    "firstName": "contact.first",
    "lastName": "contact.last",
    "first": "contact.first",
    "last": "contact.last",
    "phoneNumber": "contact.phone",
    "phone": "contact.phone",
    "company": "contact.company",
    "username": "lookup.custom",
}


def account_body(body: Mapping[str, Any]) -> list[Pitfall]:
    """Traps in a POST /accounts or POST /accounts/{id} body."""
    found: list[Pitfall] = []
    flat = [name for name in _FLAT_ACCOUNT_FIELDS if name in body]
    if flat:
        moves = ", ".join(f"{name} -> {_FLAT_ACCOUNT_FIELDS[name]}" for name in flat)
        found.append(
            Pitfall(
                "flat-account-fields",
                flat[0],
                f"FastSpring ignores top-level {', '.join(flat)}; account details are nested "
                f"({moves}).",
            )
        )
    if "tags" in body:
        found.append(ACCOUNT_TAGS)
    return found


def account_query(params: Mapping[str, str]) -> list[Pitfall]:
    """Traps in the query string of GET /accounts."""
    if any(name.startswith("lookup.") for name in params):
        return [LOOKUP_KEY_PARAM]
    return []


CANCEL_NOW_PARAM = Pitfall(
    "cancel-now-param",
    "billingPeriodEndDate",
    "FastSpring has no billingPeriodEndDate parameter and ignores it, so this cancels at "
    "the end of the period; cancel immediately with ?billingPeriod=0.",
)

CANCEL_SNAKE_CASE = Pitfall(
    "cancel-snake-case",
    "billing_period",
    "FastSpring ignores billing_period (snake case), so this cancels at the end of the "
    "period; cancel immediately with ?billingPeriod=0.",
)

DEACTIVATION_STRING = Pitfall(
    "deactivation-null-string",
    "deactivation",
    'FastSpring needs JSON null to uncancel ("deactivation": null); the string "null" is '
    "ignored and the subscription stays canceled.",
)


def cancel_query(params: Mapping[str, str]) -> list[Pitfall]:
    """Traps in the query string of DELETE /subscriptions/{id}."""
    found = []
    if "billingPeriodEndDate" in params:
        found.append(CANCEL_NOW_PARAM)
    if "billing_period" in params:
        found.append(CANCEL_SNAKE_CASE)
    return found


def subscription_update(item: Mapping[str, Any]) -> list[Pitfall]:
    """Traps in one item of a POST /subscriptions body."""
    value = item.get("deactivation")
    if isinstance(value, str) and value.strip().lower() == "null":
        return [DEACTIVATION_STRING]
    return []
