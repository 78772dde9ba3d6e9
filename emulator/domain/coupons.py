"""Coupons: named discounts that buyers apply by typing one of their codes.

One book serves the Coupons API (`POST /coupons` and friends), checkout, sessions,
quotes and subscription updates, so a coupon made through the API is usable at
once. A coupon's id is the merchant's name for it; codes are what buyers type,
stored upper-case and unique in the store. Rules and texts: FastSpring's Coupons
API reference; our choices where it is silent are in docs/fidelity.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeGuard

from emulator.domain.calendar import parse_instant
from emulator.domain.errors import DomainError
from emulator.domain.formats import DAY_MS, round_money
from emulator.domain.paging import newest_first

_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_CURRENCY = re.compile(r"[A-Z]{3}")
MAX_TIERS = 25
MAX_CODES_SHOWN = 1000
MAX_CODES = 100_000
MAX_PERIODS = 365

COUPON_FIELDS = frozenset(
    {
        "coupon",
        "discount",
        "hasMultiDiscount",
        "discounts",
        "discountPeriodCount",
        "applyDiscountImmediately",
        "combine",
        "autoSelectDiscount",
        "orderLevelDiscount",
        "reason",
        "limit",
        "available",
        "codes",
        "products",
    }
)
DISCOUNT_FIELDS = frozenset({"type", "percent", "amount", "hasMultipleDiscounts", "discounts"})
TIER_FIELDS = frozenset(
    {"type", "percent", "amount", "products", "discountPeriodCount", "applyDiscountImmediately"}
)


class CouponRefused(DomainError):
    """A coupon rule refused the request; FastSpring answers these with HTTP 200,
    `result: "error"` and a plain-text `error`."""

    def __init__(self, message: str) -> None:
        super().__init__({"coupon": message})
        self.message = message


class Unreadable(DomainError):
    """A body the coupon service cannot deserialize (an unknown field, a wrong
    structure): HTTP 400 `{"message": "unreadable", "params": []}`."""

    def __init__(self, detail: str = "unreadable") -> None:
        super().__init__({"coupon": detail})


@dataclass(slots=True)
class Tier:
    """One discount: a percentage or an amount per currency, for some products."""

    percent: float | None
    amounts: dict[str, float] | None
    products: list[str] | None  # None: every product not named by another tier
    periods: int | None  # billing periods a subscription keeps it; None: all
    immediately: bool = False

    def amount_off(self, unit_price: float, quantity: int, currency: str) -> float:
        """Per unit, on every unit, never more than the line itself."""
        line = unit_price * quantity
        if self.percent is not None:
            return round_money(line * self.percent / 100, currency)
        per_unit = (self.amounts or {}).get(currency, 0.0)
        return round_money(min(per_unit * quantity, line), currency)

    def view(self) -> dict[str, Any]:
        shown: dict[str, Any] = (
            {"type": "percent", "percent": self.percent}
            if self.percent is not None
            else {"type": "flat", "amount": dict(self.amounts or {})}
        )
        return shown


@dataclass(slots=True)
class Coupon:
    id: str
    tiers: list[Tier]
    multiple: bool = False
    codes: list[str] = field(default_factory=list)
    combine: bool = False
    reason: dict[str, str] = field(default_factory=dict)
    limit: int | None = None  # uses across all codes; None: unlimited
    available: dict[str, str] = field(default_factory=dict)  # as sent, for echoing
    valid_from: int | None = None
    valid_until: int | None = None
    uses: int = 0

    def tier_for(self, path: str) -> Tier | None:
        """The tier naming `path`, else the catch-all tier, else None."""
        catch_all = None
        for tier in self.tiers:
            if tier.products is None:
                catch_all = tier
            elif path in tier.products:
                return tier
        return catch_all

    def applies_to(self, path: str) -> bool:
        return self.tier_for(path) is not None

    def discount(self, path: str, unit_price: float, quantity: int, currency: str) -> float:
        tier = self.tier_for(path)
        return 0.0 if tier is None else tier.amount_off(unit_price, quantity, currency)

    def periods_for(self, path: str) -> int | None:
        tier = self.tier_for(path)
        return None if tier is None else tier.periods

    def percent_for(self, path: str) -> float | None:
        tier = self.tier_for(path)
        return None if tier is None else tier.percent

    def problem(self, now_ms: int) -> str | None:
        """Why the coupon cannot be used now, in FastSpring's words, or None."""
        if self.limit is not None and self.uses >= self.limit:
            return "USE_LIMIT_REACHED"
        if (self.valid_from is not None and now_ms < self.valid_from) or (
            self.valid_until is not None and now_ms > self.valid_until
        ):
            return "NOT_VALID_TODAY"
        return None


def not_valid(reason: str) -> str:
    return f"coupon_code is not a valid coupon: {reason}"


# --- reading request bodies ------------------------------------------------------------


def _flag(raw: Mapping[str, Any], name: str, default: bool) -> bool:
    value = raw.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Unreadable()
    return value


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _periods(value: object) -> int | None:
    """`discountPeriodCount`: 1-365 periods, or 0/null for every period."""
    if value is None:
        return None
    if not _number(value) or value != int(value) or not 0 <= value <= MAX_PERIODS:
        raise CouponRefused("Invalid discount period count")
    return int(value) or None


def _products(value: object) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise Unreadable()
    unique = list(dict.fromkeys(value))
    return unique or None


def _tier(raw: object, products: object, periods: object, immediately: bool) -> Tier:
    if not isinstance(raw, Mapping):
        raise Unreadable()
    kind = raw.get("type")
    if kind == "percent":
        percent = raw.get("percent")
        if not _number(percent) or not 0 < percent <= 100:
            raise CouponRefused("Invalid discount type percent")
        return Tier(
            float(percent),
            None,
            _products(products),
            _periods(periods),
            immediately,
        )
    if kind == "flat":
        amounts = raw.get("amount")
        if (
            not isinstance(amounts, Mapping)
            or not amounts
            or not all(
                isinstance(k, str) and _CURRENCY.fullmatch(k) and _number(v) and 0 < v < 10**9
                for k, v in amounts.items()
            )
        ):
            raise CouponRefused("Invalid discount type amount")
        return Tier(
            None,
            {k: float(v) for k, v in amounts.items()},
            _products(products),
            _periods(periods),
            immediately,
        )
    raise CouponRefused("Invalid discount type")


def _multi_tiers(raw_tiers: object) -> list[Tier]:
    if not isinstance(raw_tiers, list):
        raise Unreadable()
    if not 2 <= len(raw_tiers) <= MAX_TIERS:
        raise CouponRefused(f"A multi-discount coupon needs 2 to {MAX_TIERS} discounts")
    tiers = []
    for raw in raw_tiers:
        if not isinstance(raw, Mapping) or set(raw) - TIER_FIELDS:
            raise Unreadable()
        tiers.append(
            _tier(
                raw,
                raw.get("products"),
                raw.get("discountPeriodCount"),
                _flag(raw, "applyDiscountImmediately", False),
            )
        )
    named = [p for t in tiers for p in (t.products or ())]
    if len(named) != len(set(named)):
        raise CouponRefused("A product can belong to only one discount")
    if sum(t.products is None for t in tiers) > 1:
        raise CouponRefused("Only one discount can apply to all products")
    # Stored longest first; an unlimited discount (None) is the longest.
    tiers.sort(key=lambda t: -(t.periods or MAX_PERIODS + 1))
    return tiers


def _limit(value: object) -> int | None:
    """`limit`: an integer, a numeric string, or "" (0 and "" mean unlimited)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if not _number(value) or value != int(value) or not 0 <= value < 10**9:
        raise CouponRefused("Invalid limit")
    return int(value) or None


def parse_moment(value: object, end: bool) -> int | None:
    """A date in any form the Coupons API takes: `2026-06-01`, `2026-06-01 00:00`,
    ISO-8601 with a zone, or epoch milliseconds. A bare date as an end means the
    whole of that day."""
    if _number(value) and not isinstance(value, float):
        return int(value) if 0 <= value < 10**14 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    for pattern in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            moment = datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
        ms = int(moment.timestamp() * 1000)
        return ms + DAY_MS - 1 if end and pattern == "%Y-%m-%d" else ms
    instant = parse_instant(text)
    return instant if instant is not None and instant >= 0 else None


def _available(value: object) -> tuple[dict[str, str], int | None, int | None]:
    if value is None or value == {}:
        return {}, None, None
    if not isinstance(value, Mapping) or set(value) - {"start", "end"}:
        raise Unreadable()
    start = parse_moment(value.get("start"), end=False) if "start" in value else None
    end = parse_moment(value.get("end"), end=True) if "end" in value else None
    if ("start" in value and start is None) or ("end" in value and end is None):
        raise CouponRefused("Invalid available dates")
    if start is not None and end is not None and end < start:
        raise CouponRefused("Available end date must be after the start date")
    shown = {k: (v.strip() if isinstance(v, str) else str(v)) for k, v in value.items()}
    return shown, start, end


def _reason(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise Unreadable()
    return dict(value)


def normal_codes(value: object) -> list[str]:
    """Codes upper-cased, duplicates (in any case) collapsed, order kept."""
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise Unreadable()
    if len(value) > MAX_CODES:
        raise CouponRefused(f"At most {MAX_CODES} codes can be added at once")
    for code in value:
        if not _NAME.fullmatch(code):
            raise CouponRefused(f"Invalid coupon code {code}")
    return list(dict.fromkeys(c.upper() for c in value))


# --- the book ----------------------------------------------------------------------------


class CouponBook:
    """Coupons by id, with an index from each code to its coupon."""

    def __init__(self) -> None:
        self._coupons: dict[str, Coupon] = {}
        self._by_code: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._coupons)

    def ids(self) -> list[str]:
        return list(self._coupons)

    def find(self, coupon_id: str) -> Coupon | None:
        return self._coupons.get(coupon_id)

    def newest(self, start: int, count: int) -> list[Coupon]:
        """A page of records, newest first (for the dashboard)."""
        return newest_first(self._coupons.values(), start, count)

    def get(self, coupon_id: str) -> Coupon:
        coupon = self._coupons.get(coupon_id)
        if coupon is None:
            raise CouponRefused("Not found")
        return coupon

    def upsert(self, raw: Mapping[str, Any]) -> tuple[Coupon, bool]:
        """`POST /coupons`: create, or merge into the coupon of that id (keys sent
        overwrite, keys left out keep their values; `codes` replaces every code).
        Everything is checked before anything changes. Answers (coupon, created)."""
        unknown = sorted(set(raw) - COUPON_FIELDS)
        if unknown:
            raise Unreadable(f"unknown field {unknown[0]}")
        coupon_id = raw.get("coupon")
        if coupon_id is not None and not isinstance(coupon_id, str):
            raise Unreadable("coupon must be a string")
        if not isinstance(coupon_id, str) or not _NAME.fullmatch(coupon_id):
            raise CouponRefused("Invalid coupon id" if coupon_id else "Coupon id is required")
        current = self._coupons.get(coupon_id)
        if raw.get("orderLevelDiscount") is True:
            raise CouponRefused("Order level discounts are not enabled for this store")
        _flag(raw, "orderLevelDiscount", False)
        _flag(raw, "autoSelectDiscount", False)
        tiers, multiple = self._tiers(raw, current)
        coupon = Coupon(
            coupon_id,
            tiers,
            multiple,
            list(current.codes) if current else [],
            _flag(raw, "combine", current.combine if current else False),
            _reason(raw["reason"])
            if "reason" in raw
            else (dict(current.reason) if current else {}),
            _limit(raw["limit"]) if "limit" in raw else (current.limit if current else None),
            uses=current.uses if current else 0,
        )
        if "available" in raw:
            coupon.available, coupon.valid_from, coupon.valid_until = _available(raw["available"])
        elif current:
            coupon.available = dict(current.available)
            coupon.valid_from, coupon.valid_until = current.valid_from, current.valid_until
        if "codes" in raw:
            codes = normal_codes(raw["codes"])
            self._check_free(codes, coupon_id)
            coupon.codes = codes
        self._replace_codes(current, coupon)
        self._coupons[coupon_id] = coupon
        return coupon, current is None

    def _tiers(self, raw: Mapping[str, Any], current: Coupon | None) -> tuple[list[Tier], bool]:
        discount = raw.get("discount")
        if discount is not None and (
            not isinstance(discount, Mapping) or set(discount) - DISCOUNT_FIELDS
        ):
            raise Unreadable()
        nested_multi = (
            isinstance(discount, Mapping) and discount.get("hasMultipleDiscounts") is True
        )
        if _flag(raw, "hasMultiDiscount", False) or nested_multi:
            source = (
                raw.get("discounts") if "discounts" in raw else (discount or {}).get("discounts")
            )
            return _multi_tiers(source), True
        shared = {
            k: raw[k]
            for k in ("products", "discountPeriodCount", "applyDiscountImmediately")
            if k in raw
        }
        if discount is None and current is not None:
            if current.multiple:
                if shared:
                    raise CouponRefused(
                        "Set products and periods on each discount of a multi-discount coupon"
                    )
                return list(current.tiers), True
            base = current.tiers[0]
            tier = Tier(base.percent, base.amounts, base.products, base.periods, base.immediately)
        elif discount is None:
            raise CouponRefused("Invalid discount type")
        else:
            tier = _tier(discount, None, None, False)
            if current is not None and not current.multiple:
                old = current.tiers[0]
                tier.products, tier.periods, tier.immediately = (
                    old.products,
                    old.periods,
                    old.immediately,
                )
        if "products" in shared:
            tier.products = _products(shared["products"])
        if "discountPeriodCount" in shared:
            tier.periods = _periods(shared["discountPeriodCount"])
        if "applyDiscountImmediately" in shared:
            tier.immediately = _flag(shared, "applyDiscountImmediately", False)
        return [tier], False

    def _check_free(self, codes: Iterable[str], coupon_id: str) -> None:
        for code in codes:
            owner = self._by_code.get(code)
            if owner is not None and owner != coupon_id:
                raise CouponRefused(f"Coupon code {code} already belongs to coupon {owner}")

    def _replace_codes(self, current: Coupon | None, coupon: Coupon) -> None:
        for code in current.codes if current else ():
            self._by_code.pop(code, None)
        for code in coupon.codes:
            self._by_code[code] = coupon.id

    def add_codes(self, coupon_id: str, raw_codes: object) -> list[str]:
        """`POST /coupons/{id}`: add codes, keeping the existing ones."""
        coupon = self.get(coupon_id)
        codes = normal_codes(raw_codes)
        self._check_free(codes, coupon_id)
        for code in codes:
            if code not in self._by_code:
                coupon.codes.append(code)
                self._by_code[code] = coupon_id
        return codes

    def delete_codes(self, coupon_id: str) -> list[str]:
        """`DELETE /coupons/{id}/codes`: every code goes; the coupon stays."""
        coupon = self.get(coupon_id)
        removed, coupon.codes = coupon.codes, []
        for code in removed:
            self._by_code.pop(code, None)
        return removed

    def delete(self, coupon_id: str) -> None:
        """`DELETE /coupons/{id}`: refused while the coupon still has codes."""
        coupon = self.get(coupon_id)
        if coupon.codes:
            raise CouponRefused("Coupon has codes; delete its codes first")
        del self._coupons[coupon_id]

    def by_code(self, code: object) -> Coupon | None:
        if not isinstance(code, str):
            return None
        coupon_id = self._by_code.get(code.upper())
        return None if coupon_id is None else self._coupons[coupon_id]

    def usable(self, code: object, now_ms: int) -> Coupon | str:
        """The coupon a buyer's `code` names if it can be used now, else the reason."""
        coupon = self.by_code(code)
        if coupon is None:
            return "DOES_NOT_EXIST"
        return coupon.problem(now_ms) or coupon

    # --- snapshots ---------------------------------------------------------------------

    def export(self) -> list[dict[str, Any]]:
        return [export_coupon(c) for c in self._coupons.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        self._coupons.clear()
        self._by_code.clear()
        for raw in data:
            coupon = restore_coupon(raw)
            self._coupons[coupon.id] = coupon
            for code in coupon.codes:
                self._by_code[code] = coupon.id


def export_coupon(coupon: Coupon) -> dict[str, Any]:
    return {
        "id": coupon.id,
        "multiple": coupon.multiple,
        "codes": list(coupon.codes),
        "combine": coupon.combine,
        "reason": dict(coupon.reason),
        "limit": coupon.limit,
        "available": dict(coupon.available),
        "valid_from": coupon.valid_from,
        "valid_until": coupon.valid_until,
        "uses": coupon.uses,
        "tiers": [
            {
                "percent": t.percent,
                "amounts": t.amounts,
                "products": t.products,
                "periods": t.periods,
                "immediately": t.immediately,
            }
            for t in coupon.tiers
        ],
    }


def restore_coupon(raw: dict[str, Any]) -> Coupon:
    fields = dict(raw)
    fields["tiers"] = [Tier(**t) for t in raw["tiers"]]
    return Coupon(**fields)


# --- views -------------------------------------------------------------------------------


def _tier_view(tier: Tier) -> dict[str, Any]:
    shown = tier.view()
    shown["products"] = list(tier.products or [])
    shown["discountPeriodCount"] = tier.periods
    if tier.immediately:
        shown["applyDiscountImmediately"] = True
    return shown


def coupon_view(coupon: Coupon, products: list[Any] | None = None) -> dict[str, Any]:
    """The coupon as `GET /coupons/{id}` answers it (2026 reference shape);
    `products` replaces the product paths with objects (`?expand=true`)."""
    body: dict[str, Any] = {"coupon": coupon.id}
    if coupon.multiple:
        body["discount"] = {
            "hasMultipleDiscounts": True,
            "discounts": [_tier_view(t) for t in coupon.tiers],
        }
        periods, immediately = None, False
    else:
        tier = coupon.tiers[0]
        body["discount"] = {"hasMultipleDiscounts": False, "discounts": [], **tier.view()}
        periods, immediately = tier.periods, tier.immediately
    body["discountPeriodCount"] = periods
    if immediately:
        body["applyDiscountImmediately"] = True
    body.update(
        {
            "combine": coupon.combine,
            "reason": dict(coupon.reason),
            "limit": "" if coupon.limit is None else str(coupon.limit),
            "available": dict(coupon.available),
            "codes": coupon.codes[:MAX_CODES_SHOWN],
            "products": products if products is not None else product_paths(coupon),
        }
    )
    return body


def product_paths(coupon: Coupon) -> list[str]:
    return list(dict.fromkeys(p for t in coupon.tiers for p in (t.products or ())))
