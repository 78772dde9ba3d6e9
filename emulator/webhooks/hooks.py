"""A store's webhooks: their configuration, deliveries, acknowledgements and waiters.

Webhook delivery subscribes to the store: the event log tells it about every
new event, and background workers send them without holding up the request that
caused them. Each webhook's next retry is an entry on the store's timeline, and
the timeline awaits `pump_all` after each date a clock advance visits, so the
advance returns with everything due already delivered. Within one advance, a
receiver that has timed out is not waited for again: later attempts to it are
recorded as failed, with the reason, at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx2 as httpx

from emulator.domain.errors import Invalid, NotFound
from emulator.domain.events import Event
from emulator.domain.ids import IdGenerator
from emulator.retention import Retention
from emulator.webhooks.channel import Attempt, Channel
from emulator.webhooks.config import Webhook, parse_webhook, valid_secret
from emulator.webhooks.loops import WebhookClient

if TYPE_CHECKING:
    from emulator.domain.store import Store

MAX_WAIT_S = 300
TIMER = "webhook"


class Hooks:
    def __init__(
        self,
        store: Store,
        boot_webhooks: Iterable[Mapping[str, Any]],
        seed: int | None,
        retention: Retention = Retention(),
    ) -> None:
        self.retention = retention
        # Each store has its own connection pool, so receivers that hang in one
        # store cannot use up the connections another store's webhooks need.
        self._client = WebhookClient()
        self._boot = [dict(raw) for raw in boot_webhooks]
        self.ids = IdGenerator(seed, f"{store.name}:webhooks")
        self._waiters: set[asyncio.Event] = set()
        self.attempts: deque[Attempt] = deque(maxlen=retention.attempts)
        self._attempts_by_id: dict[str, Attempt] = {}
        # Request bodies, each kept once however many attempts sent it: body -> [body, uses]
        self._bodies: dict[str, list[Any]] = {}
        self.acked: dict[str, Event] = {}
        self.channels: dict[str, Channel] = {}
        # Webhooks whose receiver timed out during the running clock advance.
        self._stalled: dict[str, str] = {}
        self._stalled_in: int | None = None
        self.store = store
        store.events.listeners.append(self._on_event)
        store.timeline.register(TIMER, self._retry_due)
        store.timeline.subscribe(self.pump_all)
        for raw in self._boot:
            self.add(raw)

    async def reset(self) -> None:
        """Forget deliveries and run-time webhooks; keep the boot-time ones."""
        await self.stop()
        self.clear()
        self.ids.reset()
        for raw in self._boot:
            self.add(raw)

    def clear(self) -> None:
        """Forget every webhook, delivery, attempt and acknowledgement."""
        for webhook_id in self.channels:
            self.store.timeline.set(TIMER, webhook_id, None)
        self.channels.clear()
        self.attempts.clear()
        self._attempts_by_id.clear()
        self._bodies.clear()
        self.acked.clear()

    async def close(self) -> None:
        await self.stop()
        await self._client.close()

    # --- configuration ------------------------------------------------------------------

    def add(self, raw: Mapping[str, Any]) -> Webhook:
        parse_webhook("check", raw)  # a refused webhook must not use up a seeded id
        webhook = parse_webhook(self.ids.new_id(), raw)
        self.channels[webhook.id] = Channel(self, webhook)
        return webhook

    def webhooks(self) -> list[Webhook]:
        return [c.webhook for c in self.channels.values()]

    async def remove(self, webhook_id: str) -> None:
        channel = self.channels.pop(webhook_id, None)
        if channel is None:
            raise NotFound({"webhook": "Not found"})
        self.store.timeline.set(TIMER, webhook_id, None)
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
        return self.ids.new_id()

    def record(self, attempt: Attempt) -> None:
        if len(self.attempts) == self.attempts.maxlen:
            oldest = self.attempts[0]
            self._attempts_by_id.pop(oldest.id, None)
            self._release_body(oldest.request_body)
        held = self._bodies.get(attempt.request_body)
        if held is None:
            self._bodies[attempt.request_body] = [attempt.request_body, 1]
        else:
            attempt.request_body = held[0]
            held[1] += 1
        self.attempts.append(attempt)
        self._attempts_by_id[attempt.id] = attempt

    def _release_body(self, body: str) -> None:
        held = self._bodies.get(body)
        if held is not None:
            held[1] -= 1
            if held[1] <= 0:
                del self._bodies[body]

    def acknowledged(self, event: Event) -> None:
        event.processed = True
        if event.id not in self.acked:
            self.acked[event.id] = event
            if len(self.acked) > self.retention.acknowledged:
                del self.acked[next(iter(self.acked))]
        for waiter in self._waiters:
            waiter.set()

    def _on_event(self, event: Event) -> None:
        for channel in self.channels.values():
            if channel.webhook.wants(event.type, event.live):
                channel.enqueue(event)
                channel.wake()

    # --- driving deliveries -------------------------------------------------------------

    def retry_changed(self, channel: Channel) -> None:
        """Put the channel's next retry on the store's timeline."""
        if self.channels.get(channel.webhook.id) is channel:
            self.store.timeline.set(TIMER, channel.webhook.id, channel.next_retry_at())

    def _retry_due(self, webhook_id: str) -> None:
        """A retry fell due: the settle that follows on this date sends it."""
        channel = self.channels.get(webhook_id)
        if channel is not None:
            channel.wake()

    def stalled(self, webhook_id: str) -> str | None:
        """Why a send to this webhook is skipped in the running advance, if it is."""
        timeline = self.store.timeline
        if not timeline.advancing or self._stalled_in != timeline.advances:
            return None
        return self._stalled.get(webhook_id)

    def timed_out(self, webhook_id: str, reason: str) -> None:
        """Remember, for the rest of the running advance, that a receiver timed out."""
        timeline = self.store.timeline
        if not timeline.advancing:
            return
        if self._stalled_in != timeline.advances:
            self._stalled_in, self._stalled = timeline.advances, {}
        self._stalled[webhook_id] = reason

    async def pump_all(self) -> None:
        """Send what is due on every webhook, concurrently (one slow receiver does not
        hold up another), and wait for sends already in flight: afterwards nothing that
        was due is still on its way."""
        now = self.now_ms()
        due = [c.pump() for c in self.channels.values() if c.has_due(now) or c.busy()]
        if due:
            await asyncio.gather(*due)

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
        attempt = self.attempt(attempt_id)
        channel = self.channels.get(attempt.webhook)
        if channel is None:
            raise Invalid({"delivery": "Its webhook has been removed"})
        kept = [channel.deliveries.get(wire_id) for wire_id in attempt.events]
        if any(d is None for d in kept):
            raise Invalid({"delivery": "Its events are no longer kept (see --retain)"})
        new_ids = []
        for delivery in kept:
            assert delivery is not None
            new_id = self.ids.new_id()
            channel.enqueue(delivery.event, wire_id=new_id)
            new_ids.append(new_id)
        channel.wake()
        return new_ids

    def attempt(self, attempt_id: str) -> Attempt:
        found = self._attempts_by_id.get(attempt_id)
        if found is None:
            raise NotFound({"delivery": "Not found"})
        return found

    def latest_failures(self, count: int) -> list[dict[str, Any]]:
        """The newest attempts that were not fully acknowledged, newest first: their
        status or error and the first bytes of the receiver's answer."""
        found: list[dict[str, Any]] = []
        for attempt in reversed(self.attempts):
            if attempt.state != "acknowledged":
                found.append(
                    {
                        "id": attempt.id,
                        "webhook": attempt.webhook,
                        "url": attempt.url,
                        "at": attempt.at,
                        "status": attempt.status,
                        "error": attempt.error,
                        "response": (attempt.response_body or "")[:200],
                        "state": attempt.state,
                    }
                )
                if len(found) == count:
                    break
        return found

    def final_state(self, attempt: Attempt) -> str:
        """Where an attempt's events stand now."""
        channel = self.channels.get(attempt.webhook)
        if channel is None:
            return "webhook removed"
        states = {channel.deliveries[i].state for i in attempt.events if i in channel.deliveries}
        if not states:
            return "finished, no longer kept"
        if states == {"acknowledged"}:
            return "acknowledged"
        if "retrying" in states or "pending" in states:
            return "retrying"
        return "permanently failed"

    def start(self) -> None:
        """Start workers for whatever is waiting (after boot-time fixtures, say)."""
        for channel in self.channels.values():
            self.retry_changed(channel)
            if channel.has_due(self.now_ms()) or channel.next_retry_at() is not None:
                channel.wake()

    async def stop(self) -> None:
        for channel in self.channels.values():
            await channel.stop()
