"""The request journal: the last requests a store received, for debugging tests.

Recording happens on every request, so an entry is a plain tuple and is only
turned into JSON-ready dicts when someone reads the journal.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from typing import Any

from emulator.domain.formats import iso_instant
from emulator.faults.rules import Fault
from emulator.http.pitfalls import Pitfall

DEFAULT_CAPACITY = 1000

_Entry = tuple[int, int, str, str, bytes, int | None, list[Pitfall], Fault | None]


class Journal:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[_Entry] = deque(maxlen=capacity)
        self._seq = 0

    def clear(self) -> None:
        self._entries.clear()

    def record(
        self,
        time_ms: int,
        method: str,
        path: str,
        query: bytes,
        status: int | None,
        warnings: list[Pitfall],
        fault: Fault | None = None,
    ) -> None:
        self._seq += 1
        self._entries.append((self._seq, time_ms, method, path, query, status, warnings, fault))

    def entries(self, limit: int, since: int = 0) -> list[dict[str, Any]]:
        """The newest `limit` entries after sequence number `since`, oldest first."""
        picked: list[_Entry] = []
        for entry in reversed(self._entries):
            if entry[0] <= since or len(picked) == limit:
                break
            picked.append(entry)
        return [
            {
                "seq": seq,
                "time": iso_instant(ms),
                "method": method,
                "path": path,
                "query": query.decode("latin-1"),
                "status": status,
                "warnings": [w.as_dict() for w in warnings],
                "fault": None if fault is None else fault.as_dict(),
            }
            for seq, ms, method, path, query, status, warnings, fault in reversed(picked)
        ]

    def export(self) -> dict[str, Any]:
        """The journal as JSON-ready data, for a snapshot."""
        return {
            "seq": self._seq,
            "entries": [
                [
                    seq,
                    ms,
                    method,
                    path,
                    query.decode("latin-1"),
                    status,
                    [dataclasses.asdict(w) for w in warnings],
                    None if fault is None else dataclasses.asdict(fault),
                ]
                for seq, ms, method, path, query, status, warnings, fault in self._entries
            ],
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.clear()
        self._seq = data["seq"]
        for seq, ms, method, path, query, status, warnings, fault in data["entries"]:
            self._entries.append(
                (
                    seq,
                    ms,
                    method,
                    path,
                    query.encode("latin-1"),
                    status,
                    [Pitfall(**w) for w in warnings],
                    None if fault is None else Fault(**fault),
                )
            )
