"""The store's event log: every state change, in order, in FastSpring's event shape.

It is the single source of truth for webhook delivery and the Events API. Each
event keeps its data as it was when the change happened, stored compactly as
JSON bytes (a few KiB instead of a tree of dicts) and parsed when read.

Events of the clock's busiest work (rebills, reminders, payouts) are rendered
only when first read: they keep copies of the records they are about, which no
later change can reach, and turn them into FastSpring's shape once someone asks
(the Events API, a webhook delivery, a snapshot). A year of rebills that nobody
reads then costs no rendering at all (see `docs/architecture.md`).

The log keeps the newest `retain` events; older ones go first, in whole chunks,
and deliveries still pending keep their own reference to the events they send.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from emulator.domain.clock import Clock
from emulator.domain.ids import IdGenerator

DEFAULT_RETAIN = 10_000

# How to make an event's data: `(render, *values)`, where the values are copies
# taken when the event happened. One plain tuple, not a closure, so that a kept
# event costs the garbage collector few objects.
Capture = tuple[Any, ...]


def compact_json(data: Any) -> bytes:
    # orjson's result keeps its working buffer (often ten times the JSON): an
    # exact-size copy is what the log holds.
    return bytes(memoryview(orjson.dumps(data)))


@dataclass(slots=True)
class Event:
    id: str
    type: str
    created: int
    # The data as JSON, or (until first read) how to render it from its captures.
    body: bytes | Capture
    live: bool = False
    processed: bool = False

    @classmethod
    def of(
        cls,
        id: str,
        type: str,
        created: int,
        data: Any,
        live: bool = False,
        processed: bool = False,
    ) -> Event:
        return cls(id, type, created, compact_json(data), live, processed)

    @property
    def raw(self) -> bytes:
        """The data as JSON. A lazy event renders once, here, and lets its captures go."""
        body = self.body
        if isinstance(body, bytes):
            return body
        self.body = raw = compact_json(body[0](*body[1:]))
        return raw

    @property
    def data(self) -> Any:
        return orjson.loads(self.raw)

    def render(self) -> Any:
        """The data, made afresh from the captures (or parsed), without keeping it:
        what a reader would get now, for comparing."""
        body = self.body
        return orjson.loads(body) if isinstance(body, bytes) else body[0](*body[1:])

    @property
    def rendered(self) -> bool:
        return isinstance(self.body, bytes)

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
    def __init__(self, ids: IdGenerator, clock: Clock, retain: int = DEFAULT_RETAIN) -> None:
        self._ids = ids
        self._clock = clock
        self.retain = retain
        # Told about every new event (webhook delivery listens here).
        self.listeners: list[Callable[[Event], None]] = []
        self.clear()

    def clear(self) -> None:
        """Forget every event; listeners stay."""
        self._events: list[Event] = []
        self._first = 0  # the log position of `_events[0]`; dropped events lower it
        self._by_id: dict[str, Event] = {}
        self._created: list[int] = []
        self._by_type: dict[str, list[int]] = {}
        # The records each kept event is about (a subscription, an order...), and
        # each record's event positions: a subscription's page lists its events.
        self._subjects: list[tuple[str, ...]] = []
        self._by_subject: dict[str, list[int]] = {}

    def __len__(self) -> int:
        """How many events were ever written (positions stay valid after trimming)."""
        return self._first + len(self._events)

    def emit(self, type_: str, data: dict[str, Any], live: bool = False) -> Event:
        event = Event.of(self._ids.new_id(), type_, self._clock.now_ms(), data, live)
        self._keep(event, subjects_of(data))
        for listener in self.listeners:
            listener(event)
        return event

    def emit_lazy(
        self, type_: str, capture: Capture, subjects: tuple[str, ...], live: bool = False
    ) -> Event:
        """Write an event whose data `capture` renders when first read. Its captures
        must be copies that later changes cannot reach; `subjects` are the ids that
        `subjects_of` would find in its data."""
        event = Event(self._ids.new_id(), type_, self._clock.now_ms(), capture, live)
        self._keep(event, subjects)
        for listener in self.listeners:
            listener(event)
        return event

    def restore(self, events: list[Event]) -> None:
        for event in events:
            self._keep(event, subjects_of(event.data))

    def _keep(self, event: Event, subjects: tuple[str, ...]) -> None:
        position = self._first + len(self._events)
        of_type = self._by_type.get(event.type)
        if of_type is None:
            of_type = self._by_type[event.type] = []
        of_type.append(position)
        self._subjects.append(subjects)
        by_subject = self._by_subject
        for subject in subjects:
            about = by_subject.get(subject)
            if about is None:
                about = by_subject[subject] = []
            about.append(position)
        self._events.append(event)
        self._created.append(event.created)
        self._by_id[event.id] = event
        if len(self._events) > self.retain:
            self._trim()

    def _trim(self) -> None:
        """Drop the oldest tenth (at least one), so trimming is rare and cheap."""
        drop = max(len(self._events) - self.retain, self.retain // 10, 1)
        for event in self._events[:drop]:
            del self._by_id[event.id]
        for subjects in self._subjects[:drop]:
            for subject in subjects:
                positions = self._by_subject.get(subject)
                if positions is not None:
                    del positions[0]  # the subject's oldest is the one dropped
                    if not positions:
                        del self._by_subject[subject]
        del self._events[:drop]
        del self._created[:drop]
        del self._subjects[:drop]
        self._first += drop
        for positions in self._by_type.values():
            del positions[: bisect.bisect_left(positions, self._first)]

    # --- reading ------------------------------------------------------------------------

    def since_position(self, position: int) -> list[Event]:
        """The kept events from log position `position` on."""
        return self._events[max(position - self._first, 0) :]

    def window(self, start: int, count: int, type_: str | None = None) -> tuple[list[Event], int]:
        """`count` kept events from the `start`-th on (of `type_`, if given), and how
        many kept events there are (of that type)."""
        if type_ is None:
            return self._events[start : start + count], len(self._events)
        positions = self._by_type.get(type_, [])
        chosen = positions[start : start + count]
        return [self._events[p - self._first] for p in chosen], len(positions)

    def types(self) -> list[str]:
        """The event types written so far, sorted."""
        return sorted(self._by_type)

    def about(self, subject: str, count: int) -> tuple[list[Event], int]:
        """The newest `count` kept events about a record (newest first), and how many
        kept events there are about it."""
        positions = self._by_subject.get(subject, [])
        chosen = positions[-count:] if count else []
        return [self._events[p - self._first] for p in reversed(chosen)], len(positions)

    def all(self) -> list[Event]:
        return list(self._events)

    def since(self, created_ms: int) -> int:
        """The position of the first event created at or after `created_ms` (the log is
        in creation order, because the store's clock only moves forward)."""
        return self._first + bisect.bisect_left(self._created, created_ms)

    def find(self, event_id: str) -> Event | None:
        return self._by_id.get(event_id)


def subject_ids(*ids: str | None) -> tuple[str, ...]:
    """The given ids, without None or repeats: the subjects of a lazy event."""
    return tuple(dict.fromkeys(i for i in ids if i is not None))


def subjects_of(data: Any) -> tuple[str, ...]:
    """The ids of the records an event is about: the record itself (`id`) and the
    subscription, order or quote it names, bare or embedded."""
    if not isinstance(data, dict):
        return ()
    found: list[str] = []
    for key in ("id", "subscription", "order", "quote"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, str) and value not in found:
            found.append(value)
    return tuple(found)
