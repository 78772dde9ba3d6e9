"""Coupons: discount codes for checkouts and subscriptions.

FastSpring's coupon management API is not part of the emulated contract, so
coupons are defined through the control plane; using them at checkout and in
`POST /subscriptions` follows FastSpring's documented rules and errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.domain.calendar import parse_instant
from emulator.domain.errors import Invalid
from emulator.domain.formats import round_money

_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(slots=True)
class Coupon:
    code: str
    percent: float | None
    amounts: dict[str, float] | None
    products: list[str] | None       # None: every product
    periods: int | None              # billing periods a subscription keeps it; None: forever
    max_uses: int | None
    valid_from: int | None
    valid_until: int | None
    uses: int = 0

    def applies_to(self, path: str) -> bool:
        return self.products is None or path in self.products

    def discount(self, unit_price: float, quantity: int, currency: str) -> float:
        """The discount on one line: a percentage, or an amount per unit, never more
        than the line itself."""
        line = unit_price * quantity
        if self.percent is not None:
            return round_money(line * self.percent / 100, currency)
        per_unit = (self.amounts or {}).get(currency, 0.0)
        return round_money(min(per_unit * quantity, line), currency)

    def problem(self, now_ms: int) -> str | None:
        """Why the coupon cannot be used now, in FastSpring's words, or None."""
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "USE_LIMIT_REACHED"
        if (self.valid_from is not None and now_ms < self.valid_from) or (
                self.valid_until is not None and now_ms > self.valid_until):
            return "NOT_VALID_TODAY"
        return None


def not_valid(reason: str) -> str:
    return f"coupon_code is not a valid coupon: {reason}"


def _optional_count(raw: Mapping[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid({name: f"{name} must be a positive integer or null"})
    return value


def _optional_instant(raw: Mapping[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    instant = parse_instant(value) if isinstance(value, str) else None
    if instant is None:
        raise Invalid({name: f"{name} must be an ISO-8601 instant"})
    return instant


class CouponBook:
    def __init__(self) -> None:
        self._coupons: dict[str, Coupon] = {}

    def all(self) -> list[Coupon]:
        return list(self._coupons.values())

    def define(self, raw: Mapping[str, Any]) -> Coupon:
        """Create or replace a coupon definition (its use count is kept)."""
        code = raw.get("coupon")
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise Invalid({"coupon": "coupon must be a code of letters, digits, - and _"})
        discount = raw.get("discount")
        if not isinstance(discount, Mapping) or ("percent" in discount) == (
                "amount" in discount):
            raise Invalid({"discount": 'discount must be {"percent": n} or '
                                       '{"amount": {"USD": n}}'})
        percent, amounts = discount.get("percent"), discount.get("amount")
        if percent is not None and (isinstance(percent, bool) or not isinstance(
                percent, (int, float)) or not 0 < percent <= 100):
            raise Invalid({"discount": "percent must be more than 0 and at most 100"})
        if amounts is not None and (not isinstance(amounts, Mapping) or not amounts or any(
                not isinstance(k, str) or isinstance(v, bool)
                or not isinstance(v, (int, float)) or v <= 0 for k, v in amounts.items())):
            raise Invalid({"discount": "amount must map currencies to positive numbers"})
        products = raw.get("products")
        if products is not None and (not isinstance(products, list) or not all(
                isinstance(p, str) for p in products)):
            raise Invalid({"products": "products must be a list of product paths"})
        previous = self._coupons.get(code)
        coupon = Coupon(code, None if percent is None else float(percent),
                        None if amounts is None else {k: float(v) for k, v in amounts.items()},
                        products, _optional_count(raw, "periods"),
                        _optional_count(raw, "maxUses"), _optional_instant(raw, "validFrom"),
                        _optional_instant(raw, "validUntil"),
                        previous.uses if previous else 0)
        self._coupons[code] = coupon
        return coupon

    def usable(self, code: object, now_ms: int) -> Coupon | str:
        """The coupon for `code` if it can be used now, else the reason it cannot."""
        coupon = self._coupons.get(code) if isinstance(code, str) else None
        if coupon is None:
            return "DOES_NOT_EXIST"
        return coupon.problem(now_ms) or coupon


def coupon_view(coupon: Coupon) -> dict[str, Any]:
    discount: dict[str, Any] = ({"percent": coupon.percent} if coupon.percent is not None
                                else {"amount": dict(coupon.amounts or {})})
    return {"coupon": coupon.code, "discount": discount, "products": coupon.products,
            "periods": coupon.periods, "maxUses": coupon.max_uses, "uses": coupon.uses,
            "validFrom": coupon.valid_from, "validUntil": coupon.valid_until}
