"""FastSpring's field families for dates and money.

FastSpring never sends a bare timestamp or amount: each one is a family of
sibling keys (`next`, `nextValue`, `nextInSeconds`, `nextDisplay`, ...). Every
resource builds them here so the spellings and formats stay identical.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

DAY_MS = 86_400_000

_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "BRL": "R$",
    "AUD": "A$",
    "CAD": "C$",
    "CHF": "CHF ",
    "CNY": "CN¥",
    "KRW": "₩",
}
_NO_DECIMALS = {"JPY", "KRW"}


def utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def start_of_day(ms: int) -> int:
    """Calendar-date fields are 00:00:00 UTC of their day."""
    return ms - ms % DAY_MS


def display_date(ms: int) -> str:
    """The en locale short date FastSpring shows, e.g. 8/1/17."""
    return _day_texts(ms // DAY_MS)[0]


def iso_date(ms: int) -> str:
    return _day_texts(ms // DAY_MS)[1]


@lru_cache(maxsize=8192)
def _day_texts(day: int) -> tuple[str, str]:
    """Both renderings of a day; cached because lifecycles revisit the same dates."""
    d = utc(day * DAY_MS)
    return f"{d.month}/{d.day}/{d.year % 100:02d}", d.strftime("%Y-%m-%d")


def iso_instant(ms: int) -> str:
    """An ISO-8601 UTC instant with milliseconds, e.g. 2027-01-01T00:00:00.000Z."""
    d = utc(ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def date_family(name: str, ms: int | None, iso: bool = True) -> dict[str, object]:
    """`name`, `nameValue`, `nameInSeconds`, `nameDisplay` and `nameDisplayISO8601`.

    A missing date makes the whole family null together, as FastSpring does.
    """
    if ms is None:
        family: dict[str, object] = {
            name: None,
            f"{name}Value": None,
            f"{name}InSeconds": None,
            f"{name}Display": None,
        }
        if iso:
            family[f"{name}DisplayISO8601"] = None
        return family
    family = {
        name: ms,
        f"{name}Value": ms,
        f"{name}InSeconds": ms // 1000,
        f"{name}Display": display_date(ms),
    }
    if iso:
        family[f"{name}DisplayISO8601"] = iso_date(ms)
    return family


def round_money(amount: float | Decimal, currency: str = "USD") -> float:
    """Half-up to the currency's minor unit, as a float."""
    decimals = 0 if currency in _NO_DECIMALS else 2
    quick = round(float(amount), decimals)
    if abs(quick - float(amount)) < 1e-9:  # already exact: the common case
        return quick
    places = Decimal("1") if decimals == 0 else Decimal("0.01")
    return float(Decimal(str(amount)).quantize(places, rounding=ROUND_HALF_UP))


@lru_cache(maxsize=8192)
def display_money(amount: float, currency: str, iso_prefix: bool = False) -> str:
    """`$14.95` in the buyer's currency; `USD 203.90` where FastSpring prefixes the code."""
    decimals = 0 if currency in _NO_DECIMALS else 2
    number = f"{round_money(amount, currency):,.{decimals}f}"
    if iso_prefix or currency not in _SYMBOLS:
        return f"{currency} {number}"
    return f"{_SYMBOLS[currency]}{number}"


def money_family(
    name: str, amount: float, currency: str, payout_currency: str = "USD", payout_rate: float = 1.0
) -> dict[str, object]:
    """`name`, `nameDisplay`, `nameInPayoutCurrency` and `nameInPayoutCurrencyDisplay`."""
    value, shown, payout, payout_shown = _money_parts(
        amount, currency, payout_currency, payout_rate
    )
    return {
        name: value,
        f"{name}Display": shown,
        f"{name}InPayoutCurrency": payout,
        f"{name}InPayoutCurrencyDisplay": payout_shown,
    }


@lru_cache(maxsize=8192)
def _money_parts(
    amount: float, currency: str, payout_currency: str, payout_rate: float
) -> tuple[float, str, float, str]:
    payout = round_money(amount * payout_rate, payout_currency)
    return (
        round_money(amount, currency),
        display_money(amount, currency),
        payout,
        display_money(payout, payout_currency, iso_prefix=payout_currency != currency),
    )
