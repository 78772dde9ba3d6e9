"""A store's webhooks: their configuration, deliveries, acknowledgements and waiters.

Events reach the channels the moment the event log records them, and background
workers send them without holding up the request that caused them. Advancing the
clock is different: it runs lifecycle transitions and due deliveries in date order
and awaits them, so the call returns with everything due already delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx2 as httpx

from emulator.domain.errors import Invalid, NotFound
from emulator.domain.events import Event
from emulator.domain.ids import IdGenerator
from emulator.domain.lifecycle import Transition
from emulator.webhooks.channel import Attempt, Channel
from emulator.webhooks.config import Webhook, parse_webhook, valid_secret
from emulator.webhooks.loops import PerLoop

if TYPE_CHECKING:
    from emulator.domain.store import Store

ATTEMPTS_KEPT = 10_000
MAX_WAIT_S = 300


class Hooks:
    def __init__(
        self,
        store: Store,
        client: Callable[[], httpx.AsyncClient],
        boot_webhooks: Iterable[Mapping[str, Any]],
        seed: int | None,
    ) -> None:
        self._client = client
        self._boot = [dict(raw) for raw in boot_webhooks]
        self._ids = IdGenerator(seed, f"{store.name}:webhooks")
        self._waiters: set[asyncio.Event] = set()
        self._advance_lock: PerLoop[asyncio.Lock] = PerLoop(asyncio.Lock)
        self.attempts: deque[Attempt] = deque(maxlen=ATTEMPTS_KEPT)
        self._attempts_by_id: dict[str, Attempt] = {}
        self.acked: dict[str, Event] = {}
        self.channels: dict[str, Channel] = {}
        self.attach(store)
        for raw in self._boot:
            self.add(raw)

    def attach(self, store: Store) -> None:
        """Listen to `store`'s event log (again, after a reset made a new one)."""
        self.store = store
        store.events.listeners.append(self._on_event)

    async def reset(self, store: Store) -> None:
        """Forget deliveries and run-time webhooks; keep the boot-time ones."""
        await self.stop()
        self.channels.clear()
        self.attempts.clear()
        self._attempts_by_id.clear()
        self.acked.clear()
        self._ids.reset()
        self.attach(store)
        for raw in self._boot:
            self.add(raw)

    # --- configuration ------------------------------------------------------------------

    def add(self, raw: Mapping[str, Any]) -> Webhook:
        parse_webhook("check", raw)  # a refused webhook must not use up a seeded id
        webhook = parse_webhook(self._ids.new_id(), raw)
        self.channels[webhook.id] = Channel(self, webhook)
        return webhook

    def webhooks(self) -> list[Webhook]:
        return [c.webhook for c in self.channels.values()]

    async def remove(self, webhook_id: str) -> None:
        channel = self.channels.pop(webhook_id, None)
        if channel is None:
            raise NotFound({"webhook": "Not found"})
        await channel.stop()

    def rotate_secret(self, url: object, secret: object) -> list[Webhook]:
        """`POST /webhooks/keys`: a new HMAC secret for every webhook posting to `url`."""
        if not isinstance(url, str) or not url:
            raise Invalid({"url": "A URL is required"})
        if secret is None or secret == "":
            raise Invalid({"hmacSecret": "A HMAC Secret is required"})
        if not valid_secret(secret):
            raise Invalid(
                {
                    "hmacSecret": "Maximum length exceeded. The HMAC Secret must be no "
                    "longer than 100 characters long."
                }
            )
        matching = [c.webhook for c in self.channels.values() if c.webhook.url == url]
        if not matching:
            raise Invalid({"url": "No webhook is configured for this url"})
        for webhook in matching:
            webhook.secret = str(secret)
        return matching

    # --- what channels need -------------------------------------------------------------

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client()

    def now_ms(self) -> int:
        return self.store.clock.now_ms()

    def clock_frozen(self) -> bool:
        return self.store.clock.frozen

    def new_id(self) -> str:
        return self._ids.new_id()

    def record(self, attempt: Attempt) -> None:
        if len(self.attempts) == self.attempts.maxlen:
            self._attempts_by_id.pop(self.attempts[0].id, None)
        self.attempts.append(attempt)
        self._attempts_by_id[attempt.id] = attempt

    def acknowledged(self, event: Event) -> None:
        event.processed = True
        self.acked.setdefault(event.id, event)
        for waiter in self._waiters:
            waiter.set()

    def _on_event(self, event: Event) -> None:
        for channel in self.channels.values():
            if channel.webhook.wants(event.type, event.live):
                channel.enqueue(event)
                channel.wake()

    # --- driving deliveries -------------------------------------------------------------

    def next_retry_at(self) -> int | None:
        dues = [d for d in (c.next_retry_at() for c in self.channels.values()) if d is not None]
        return min(dues) if dues else None

    async def pump_all(self) -> None:
        """Send what is due on every webhook, concurrently (one slow receiver does not
        hold up another), and wait for sends already in flight: afterwards nothing that
        was due is still on its way."""
        now = self.now_ms()
        due = [c.pump() for c in self.channels.values() if c.has_due(now) or c.busy()]
        if due:
            await asyncio.gather(*due)

    async def advance(self, target_ms: int) -> list[Transition]:
        """Move the clock to `target_ms`, running lifecycle transitions and due webhook
        deliveries in date order, each on its own date."""
        lifecycle, clock = self.store.lifecycle, self.store.clock
        if target_ms < clock.now_ms():
            raise Invalid({"clock": "The clock cannot go back in time"})
        done: list[Transition] = []
        async with self._advance_lock.get():
            await self.pump_all()
            while True:
                dues = [
                    t
                    for t in (lifecycle.next_due_at(), self.next_retry_at())
                    if t is not None and t <= target_ms
                ]
                if not dues:
                    break
                at = min(dues)
                if at > clock.now_ms():
                    clock.travel_to(at)
                done += lifecycle.run_due(at, travel=True)
                await self.pump_all()
            if target_ms > clock.now_ms():
                clock.travel_to(target_ms)
            await self.pump_all()
        return done

    async def wait_for(
        self, type_: str | None, count: int, timeout_s: float
    ) -> tuple[bool, list[Event]]:
        """Until `count` events (of `type_`, or any) have been acknowledged."""
        deadline = time.monotonic() + timeout_s
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            while True:
                seen = [e for e in self.acked.values() if type_ is None or e.type == type_]
                remaining = deadline - time.monotonic()
                if len(seen) >= count or remaining <= 0:
                    return len(seen) >= count, seen
                waiter.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), remaining)
        finally:
            self._waiters.discard(waiter)

    def redeliver(self, attempt_id: str) -> list[str]:
        """Send an attempt's events again to the same webhook, under new event ids."""
        attempt = self._attempts_by_id.get(attempt_id)
        if attempt is None:
            raise NotFound({"delivery": "Not found"})
        channel = self.channels.get(attempt.webhook)
        if channel is None:
            raise Invalid({"delivery": "Its webhook has been removed"})
        new_ids = []
        for wire_id in attempt.events:
            new_id = self._ids.new_id()
            channel.enqueue(channel.deliveries[wire_id].event, wire_id=new_id)
            new_ids.append(new_id)
        channel.wake()
        return new_ids

    def final_state(self, attempt: Attempt) -> str:
        """Where an attempt's events stand now."""
        channel = self.channels.get(attempt.webhook)
        if channel is None:
            return "webhook removed"
        states = {channel.deliveries[i].state for i in attempt.events}
        if states == {"acknowledged"}:
            return "acknowledged"
        if "retrying" in states or "pending" in states:
            return "retrying"
        return "permanently failed"

    def start(self) -> None:
        """Start workers for whatever is waiting (after boot-time fixtures, say)."""
        for channel in self.channels.values():
            if channel.has_due(self.now_ms()) or channel.next_retry_at() is not None:
                channel.wake()

    async def stop(self) -> None:
        for channel in self.channels.values():
            await channel.stop()
