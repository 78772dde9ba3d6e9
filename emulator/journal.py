"""The request journal: the last requests a store received, for debugging tests.

Recording happens on every request, so an entry is a plain tuple and is only
turned into JSON-ready dicts when someone reads the journal. Its parts are tuples
too, never lists: an entry outlives a thousand requests, and a tuple of plain
values drops out of the garbage collector's sight at its first collection, so
the journal costs the collector nothing however long it is kept.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Sequence
from typing import Any

from emulator.domain.formats import iso_instant
from emulator.faults.rules import Fault
from emulator.http.pitfalls import Pitfall

DEFAULT_CAPACITY = 1000

BODY_KEPT = 4096  # bytes of each body a journal entry keeps
_REDACTED = {b"authorization", b"proxy-authorization", b"cookie"}

# seq, time, method, path, query, status, warnings, fault, and the exchange: request
# headers (the ASGI list, as received), request body, response body, duration in ms.
_Entry = tuple[
    int,
    int,
    str,
    str,
    bytes,
    int | None,
    tuple[Pitfall, ...],
    Fault | None,
    tuple[tuple[bytes, bytes], ...],
    bytes,
    bytes,
    float,
]


def _cut(body: bytes) -> bytes:
    """The first `BODY_KEPT` bytes of a longer body, with a marker saying so."""
    return body[:BODY_KEPT] + f"…[truncated: {len(body)} bytes]".encode()


def shown_headers(headers: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    return {
        name.decode("latin-1"): "[redacted]"
        if name.lower() in _REDACTED
        else value.decode("latin-1")
        for name, value in headers
    }


class Journal:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[_Entry] = deque(maxlen=capacity)
        self._seq = 0

    def clear(self) -> None:
        self._entries.clear()

    @property
    def seq(self) -> int:
        """The sequence number of the newest entry (0 before the first)."""
        return self._seq

    def record(
        self,
        time_ms: int,
        method: str,
        path: str,
        query: bytes,
        status: int | None,
        warnings: list[Pitfall],
        fault: Fault | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
        request_body: bytes = b"",
        response_body: bytes = b"",
        duration_ms: float = 0.0,
    ) -> None:
        self._seq += 1
        self._entries.append(
            (
                self._seq,
                time_ms,
                method,
                path,
                query,
                status,
                tuple(warnings) if warnings else (),
                fault,
                tuple(headers) if headers else (),
                request_body if len(request_body) <= BODY_KEPT else _cut(request_body),
                response_body if len(response_body) <= BODY_KEPT else _cut(response_body),
                duration_ms,
            )
        )

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
                "durationMs": round(duration, 3),
                "request": {
                    "headers": shown_headers(headers),
                    "body": request_body.decode("utf-8", "replace"),
                },
                "response": {"body": response_body.decode("utf-8", "replace")},
            }
            for (
                seq,
                ms,
                method,
                path,
                query,
                status,
                warnings,
                fault,
                headers,
                request_body,
                response_body,
                duration,
            ) in reversed(picked)
        ]

    def export(self) -> dict[str, Any]:
        """The journal as JSON-ready data, for a snapshot."""
        return {"seq": self._seq, "entries": [_entry_record(e) for e in self._entries]}

    def restore(self, data: dict[str, Any]) -> None:
        self.clear()
        self._seq = data["seq"]
        for raw in data["entries"]:
            seq, ms, method, path, query, status, warnings, fault = raw[:8]
            # Entries from before the journal kept exchanges have eight fields.
            headers, request_body, response_body, duration = (
                raw[8:] if len(raw) == 12 else ((), "", "", 0.0)
            )
            self._entries.append(
                (
                    seq,
                    ms,
                    method,
                    path,
                    query.encode("latin-1"),
                    status,
                    tuple(Pitfall(**w) for w in warnings),
                    None if fault is None else Fault(**fault),
                    tuple((n.encode("latin-1"), v.encode("latin-1")) for n, v in headers),
                    request_body.encode("latin-1"),
                    response_body.encode("latin-1"),
                    duration,
                )
            )


def _entry_record(entry: _Entry) -> list[Any]:
    (seq, ms, method, path, query, status, warnings, fault, headers, asked, answered, took) = entry
    return [
        seq,
        ms,
        method,
        path,
        query.decode("latin-1"),
        status,
        [dataclasses.asdict(w) for w in warnings],
        None if fault is None else dataclasses.asdict(fault),
        [[n.decode("latin-1"), v.decode("latin-1")] for n, v in headers],
        asked.decode("latin-1"),
        answered.decode("latin-1"),
        took,
    ]
