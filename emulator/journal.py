"""The request journal: the last requests a store received, for debugging tests."""

from __future__ import annotations

from collections import deque
from typing import Any

from emulator.domain.formats import iso_instant

DEFAULT_CAPACITY = 1000


class Journal:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._seq = 0

    def clear(self) -> None:
        self._entries.clear()

    def record(self, time_ms: int, method: str, path: str, query: str, status: int,
               warnings: list[dict[str, str]]) -> None:
        self._seq += 1
        self._entries.append({"seq": self._seq, "time": iso_instant(time_ms),
                              "method": method, "path": path, "query": query,
                              "status": status, "warnings": warnings})

    def entries(self, limit: int, since: int = 0) -> list[dict[str, Any]]:
        """The newest `limit` entries after sequence number `since`, oldest first."""
        picked: list[dict[str, Any]] = []
        for entry in reversed(self._entries):
            if entry["seq"] <= since or len(picked) == limit:
                break
            picked.append(entry)
        picked.reverse()
        return picked
