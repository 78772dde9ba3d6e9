"""Ordered id lists that page lazily, for indexes whose lists grow with the store."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar, overload

T = TypeVar("T")


class IdsInOrder(Sequence[str]):
    """Ids read lazily from a sorted list of creation positions: a page of it costs
    what the page holds, however long the list is."""

    def __init__(self, positions: list[int], ids: list[str]) -> None:
        self._positions = positions
        self._ids = ids

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._ids[p] for p in self._positions[index]]
        return self._ids[self._positions[index]]


def insert_sorted(positions: list[int], position: int) -> None:
    bisect.insort(positions, position)


def contains_sorted(positions: list[int], position: int) -> bool:
    at = bisect.bisect_left(positions, position)
    return at < len(positions) and positions[at] == position


def remove_sorted(positions: list[int], position: int) -> None:
    at = bisect.bisect_left(positions, position)
    if at < len(positions) and positions[at] == position:
        del positions[at]


class RecordsOf(Sequence[T], Generic[T]):
    """Records looked up lazily from a sequence of ids."""

    def __init__(self, ids: Sequence[str], records: Mapping[str, T]) -> None:
        self._ids = ids
        self._records = records

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._records[i] for i in self._ids[index]]
        return self._records[self._ids[index]]
