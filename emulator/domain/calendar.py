"""Calendar arithmetic for billing periods, on 00:00 UTC day boundaries.

FastSpring keeps subscription dates as calendar days; a monthly period that
starts on the 31st ends on the last day of shorter months.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from emulator.domain.formats import DAY_MS, start_of_day, utc

UNITS = ("day", "week", "month", "year")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def add_interval(day_ms: int, unit: str, count: int) -> int:
    """`day_ms` moved by `count` units; months and years clamp to the month's end."""
    if unit == "day":
        return day_ms + count * DAY_MS
    if unit == "week":
        return day_ms + count * 7 * DAY_MS
    moment = utc(day_ms)
    months = count * (12 if unit == "year" else 1)
    if unit not in ("month", "year"):
        raise ValueError(f"unknown interval unit {unit!r}")
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return _ms(datetime(year, month, day, tzinfo=UTC))


def days_between(start_ms: int, end_ms: int) -> int:
    return (start_of_day(end_ms) - start_of_day(start_ms)) // DAY_MS


def parse_day(text: str) -> int | None:
    """`yyyy-mm-dd` as 00:00 UTC epoch ms, or None when it is not such a date."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return None
    return _ms(moment.replace(tzinfo=UTC))


def parse_instant(text: str) -> int | None:
    """An ISO-8601 instant (`2027-01-01T00:00:00Z`, or a bare date) as epoch ms."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _ms(moment)


def one_day_before(day_ms: int) -> int:
    return day_ms - DAY_MS
