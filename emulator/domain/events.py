"""The store's event log: every state change, in order, in FastSpring's event shape.

It is the single source of truth for webhook delivery and the Events API. Each
event keeps a snapshot of its data as it was when the change happened.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.domain.clock import Clock
from emulator.domain.ids import IdGenerator


@dataclass(slots=True)
class Event:
    id: str
    type: str
    created: int
    data: dict[str, Any]
    live: bool = False
    processed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "live": self.live,
            "processed": self.processed,
            "type": self.type,
            "created": self.created,
            "data": self.data,
        }


class EventLog:
    def __init__(self, ids: IdGenerator, clock: Clock) -> None:
        self._ids = ids
        self._clock = clock
        # Told about every new event (webhook delivery listens here).
        self.listeners: list[Callable[[Event], None]] = []
        self.clear()

    def clear(self) -> None:
        """Forget every event; listeners stay."""
        self.events: list[Event] = []
        self._by_id: dict[str, Event] = {}
        self._created: list[int] = []

    def __len__(self) -> int:
        return len(self.events)

    def emit(self, type_: str, data: dict[str, Any], live: bool = False) -> Event:
        event = Event(self._ids.new_id(), type_, self._clock.now_ms(), data, live)
        self.events.append(event)
        self._created.append(event.created)
        self._by_id[event.id] = event
        for listener in self.listeners:
            listener(event)
        return event

    def since(self, created_ms: int) -> int:
        """The position of the first event created at or after `created_ms` (the log is
        in creation order, because the store's clock only moves forward)."""
        return bisect.bisect_left(self._created, created_ms)

    def find(self, event_id: str) -> Event | None:
        return self._by_id.get(event_id)
