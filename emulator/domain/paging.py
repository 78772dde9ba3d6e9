"""Page-number paging, as every FastSpring list does it.

Lists are ordered by creation, so appending new records never shifts an earlier
page: a client walking `nextPage` sees every record exactly once.
"""

from __future__ import annotations

import itertools
from collections.abc import Reversible, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from emulator.domain.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 50

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    limit: int
    next_page: int | None
    total: int


def _positive_int(raw: str | None, field: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdecimal() or len(raw) > 9 or int(raw) < 1:
        raise Invalid({field: f"Invalid {field}"})
    return int(raw)


def parse_paging(page: str | None, limit: str | None) -> tuple[int, int]:
    """Validate `page` and `limit` query values; `limit` is capped at 50."""
    return (
        _positive_int(page, "page", 1),
        min(_positive_int(limit, "limit", DEFAULT_LIMIT), MAX_LIMIT),
    )


def paginate(records: Sequence[T], page: int, limit: int) -> Page[T]:
    """Slice one page; cost depends on `limit`, never on the size of `records`."""
    start = (page - 1) * limit
    items = list(records[start : start + limit])
    more = start + limit < len(records)
    return Page(items, page, limit, page + 1 if more else None, len(records))


def newest_first(records: Reversible[T], start: int, count: int) -> list[T]:
    """`count` records from the `start`-th newest on: for views that show the latest
    first. It walks from the newest end, so a first page costs the same at any size."""
    return list(itertools.islice(reversed(records), start, start + count))
