"""The store's timeline: the one place where time moves and due work runs.

Everything that happens on a date sits in one queue ordered by due time, keyed
`(resource, id)`: subscription transitions, quote expiries and reminders,
webhook retries. Each key has at most one pending entry; setting it again
makes older entries stale. Advancing pops entries in date order, visits each
date on the clock, and gives whoever delivers webhooks a chance to send what
that date made due before time moves on (see `docs/architecture.md`).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from emulator.domain.clock import Clock
from emulator.domain.cooperative import Yielder, quiet_collector, set_aside
from emulator.domain.errors import Invalid

DAY_MS = 86_400_000
# How far one advance may go: far enough for any billing plan, short of the
# dates (year 10000) that no ISO-8601 instant can show.
MAX_ADVANCE_MS = 36_525 * DAY_MS


# What the clock made happen, for the answer of a clock advance. The field names are
# the answer's keys, so orjson writes a long list of them directly (no dict per item).


@dataclass(frozen=True, slots=True)
class SubscriptionTransition:
    at: int
    subscription: str
    transition: str  # charge, remind, pause, resume, dunning or deactivate
    state: str
    events: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuoteTransition:
    at: int
    quote: str
    transition: str  # expire or invoice reminder
    state: str
    events: tuple[str, ...]


Transition = SubscriptionTransition | QuoteTransition

# A handler runs the work due for one id and reports it, or None if there was none.
TimerHandler = Callable[[str], "Transition | None"]
# Called after each visited date, and before and after an advance: sends the
# deliveries that are due by now (the webhook layer subscribes here).
Settle = Callable[[], Awaitable[None]]
# Where an advance goes, worked out from the clock's reading inside the lock, so
# that two relative advances started together add up exactly.
Target = Callable[[int], int]


def check_target(now_ms: int, target_ms: int) -> int:
    if target_ms < now_ms:
        raise Invalid({"clock": "The clock cannot go back in time"})
    if target_ms - now_ms > MAX_ADVANCE_MS:
        raise Invalid({"clock": "The clock can move at most 100 years in one advance"})
    return target_ms


class Timeline:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._handlers: dict[str, TimerHandler] = {}
        self._settlers: list[Settle] = []
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self.advances = 0  # how many advances have started: tells one from the next
        self.clear()

    def clear(self) -> None:
        """Forget every pending entry (a store reset); handlers and settlers stay."""
        self._queue: list[tuple[int, int, tuple[str, str], int]] = []
        self._versions: dict[tuple[str, str], int] = {}
        self._tiebreak = itertools.count()
        self.advancing = False

    # --- who runs what ------------------------------------------------------------------

    def register(self, resource: str, handler: TimerHandler) -> None:
        self._handlers[resource] = handler

    def subscribe(self, settle: Settle) -> None:
        """Be awaited after each date an advance visits (webhook delivery does)."""
        self._settlers.append(settle)

    def set(self, resource: str, ident: str, due: int | None) -> None:
        """Run `resource`'s handler for `ident` at `due`; None cancels it."""
        key = (resource, ident)
        version = self._versions.get(key, 0) + 1
        self._versions[key] = version
        if due is not None:
            heapq.heappush(self._queue, (due, next(self._tiebreak), key, version))

    def next_due_at(self) -> int | None:
        queue, versions = self._queue, self._versions
        while queue and queue[0][3] != versions.get(queue[0][2]):
            heapq.heappop(queue)
        return queue[0][0] if queue else None

    # --- running due work ---------------------------------------------------------------

    def _pop_due(self, until_ms: int) -> tuple[int, tuple[str, str]] | None:
        due = self.next_due_at()
        if due is None or due > until_ms:
            return None
        _, _, key, _ = heapq.heappop(self._queue)
        self._versions[key] += 1  # this run retires the entry; the handler may set it again
        return due, key

    def _run(self, key: tuple[str, str]) -> Transition | None:
        return self._handlers[key[0]](key[1])

    def run_due(self, until_ms: int, travel: bool) -> list[Transition]:
        """Run everything due at or before `until_ms` at once, oldest first.

        With `travel`, the clock visits each entry's date, so its events carry that
        date; without it (catching up on wall time) events carry the present.
        """
        done: list[Transition] = []
        while (popped := self._pop_due(until_ms)) is not None:
            due, key = popped
            if travel and due > self.clock.now_ms():
                self.clock.travel_to(due)
            ran = self._run(key)
            if ran is not None:
                done.append(ran)
        return done

    def catch_up(self, now: int) -> None:
        """Run what wall time has made due by `now`; called before every request, so
        the common case (nothing due) costs one comparison."""
        queue = self._queue
        if not queue or queue[0][0] > now or self.advancing:
            return
        due = self.next_due_at()
        if due is not None and due <= now:
            self.run_due(now, travel=False)

    def advance_now(self, to_ms: int) -> list[Transition]:
        """Advance without sending anything (fixture loading, before any webhook)."""
        check_target(self.clock.now_ms(), to_ms)
        done = self.run_due(to_ms, travel=True)
        self.clock.travel_to(max(to_ms, self.clock.now_ms()))
        return done

    def _advance_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    @contextlib.asynccontextmanager
    async def still(self) -> AsyncIterator[None]:
        """Hold off advances while a block runs (a snapshot reads the store meanwhile)."""
        async with self._advance_lock():
            yield

    async def _settle(self) -> None:
        for settle in self._settlers:
            await settle()

    async def advance(self, target: Target) -> list[Transition]:
        """Move the clock to `target(now)`, running due work in date order.

        One advance at a time per store; the target is resolved once the lock is
        held. Each visited date is settled (its webhooks sent) before the next,
        and the loop is given back regularly, also within one busy date. The
        garbage collector meanwhile skips what existed before (`quiet_collector`):
        a year of rebills would otherwise rescan the whole process many times.
        """
        async with self._advance_lock():
            to_ms = check_target(self.clock.now_ms(), target(self.clock.now_ms()))
            self.advancing = True
            self.advances += 1
            try:
                with quiet_collector():
                    return await self._advance_to(to_ms)
            finally:
                self.advancing = False

    async def _advance_to(self, to_ms: int) -> list[Transition]:
        done: list[Transition] = []
        pause = Yielder()
        await self._settle()
        while (at := self.next_due_at()) is not None and at <= to_ms:
            if at > self.clock.now_ms():
                self.clock.travel_to(at)
            while (popped := self._pop_due(at)) is not None:
                ran = self._run(popped[1])
                if ran is not None:
                    done.append(ran)
                set_aside()
                await pause()
            await self._settle()
        if to_ms > self.clock.now_ms():
            self.clock.travel_to(to_ms)
        await self._settle()
        return done
