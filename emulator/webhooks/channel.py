"""One webhook's deliveries: FIFO first attempts, then retries on the store's clock.

A channel sends at most one POST at a time, so its receiver sees events in log
order. Events a receiver does not acknowledge wait for their retry time without
holding up the events behind them; acknowledged events are never sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2 as httpx

from emulator import __version__, logs
from emulator.domain.events import Event
from emulator.domain.formats import iso_instant
from emulator.webhooks.config import Webhook
from emulator.webhooks.loops import PerLoop
from emulator.webhooks.payload import acknowledged_ids, envelope, event_payload, signature
from emulator.webhooks.schedule import next_retry

if TYPE_CHECKING:
    from emulator.webhooks.hooks import Hooks

MAX_EVENTS_PER_POST = 25
USER_AGENT = f"FastSpring-Emulator-Webhooks/{__version__}"
_BODY_KEPT = 4096


@dataclass(slots=True)
class Delivery:
    """One event's delivery to one webhook."""

    event: Event
    wire_id: str  # the id sent; a manual resend uses a new one
    attempts: int = 0
    first_at: int | None = None
    next_at: int | None = None
    state: str = "pending"  # pending | retrying | acknowledged | failed


@dataclass(slots=True)
class Attempt:
    """One POST, as `GET /_emulator/webhooks/deliveries` shows it."""

    id: str
    webhook: str
    url: str
    at: int
    events: list[str]
    attempt: int
    request_headers: dict[str, str]
    request_body: str
    status: int | None = None
    response_body: str | None = None
    error: str | None = None
    duration_ms: float = 0.0
    acknowledged: list[str] = field(default_factory=list)
    next_retry: int | None = None
    state: str = "pending"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhook": self.webhook,
            "url": self.url,
            "at": self.at,
            "events": self.events,
            "attempt": self.attempt,
            "request": {"headers": self.request_headers, "body": self.request_body},
            "response": {"status": self.status, "body": self.response_body},
            "error": self.error,
            "durationMs": round(self.duration_ms, 3),
            "acknowledged": self.acknowledged,
            "nextRetry": self.next_retry,
            "state": self.state,
        }


class Channel:
    def __init__(self, hooks: Hooks, webhook: Webhook) -> None:
        self.hooks = hooks
        self.webhook = webhook
        self.deliveries: dict[str, Delivery] = {}
        self._queue: deque[str] = deque()
        self._retries: list[tuple[int, int, str]] = []
        self._tiebreak = itertools.count()
        self._lock: PerLoop[asyncio.Lock] = PerLoop(asyncio.Lock)
        self._wakeup: PerLoop[asyncio.Event] = PerLoop(asyncio.Event)
        self._worker: asyncio.Task[None] | None = None

    # --- what is waiting ----------------------------------------------------------------

    def enqueue(self, event: Event, wire_id: str | None = None) -> None:
        delivery = Delivery(event, wire_id or event.id)
        self.deliveries[delivery.wire_id] = delivery
        self._queue.append(delivery.wire_id)

    def queued(self) -> list[str]:
        """Wire ids waiting for a first attempt, in order."""
        return list(self._queue)

    def restore(self, deliveries: list[Delivery], queued: list[str]) -> None:
        """Put back deliveries (and the first-attempt queue) as a snapshot holds them."""
        for delivery in deliveries:
            self.deliveries[delivery.wire_id] = delivery
            if delivery.state == "retrying" and delivery.next_at is not None:
                heapq.heappush(
                    self._retries, (delivery.next_at, next(self._tiebreak), delivery.wire_id)
                )
        self._queue.extend(queued)

    def next_retry_at(self) -> int | None:
        while self._retries and self.deliveries[self._retries[0][2]].next_at != self._retries[0][0]:
            heapq.heappop(self._retries)
        return self._retries[0][0] if self._retries else None

    def busy(self) -> bool:
        """A POST is in flight on this loop."""
        lock = self._lock.current()
        return lock is not None and lock.locked()

    def has_due(self, now_ms: int) -> bool:
        due = self.next_retry_at()
        return bool(self._queue) or (due is not None and due <= now_ms)

    def _due_batch(self, now_ms: int) -> list[Delivery]:
        batch: list[Delivery] = []
        while len(batch) < MAX_EVENTS_PER_POST:
            due = self.next_retry_at()
            if due is None or due > now_ms:
                break
            batch.append(self.deliveries[heapq.heappop(self._retries)[2]])
        while self._queue and len(batch) < MAX_EVENTS_PER_POST:
            batch.append(self.deliveries[self._queue.popleft()])
        return batch

    # --- sending ------------------------------------------------------------------------

    async def pump(self) -> None:
        """Send everything due now, one POST at a time, until nothing is due."""
        async with self._lock.get():
            while batch := self._due_batch(self.hooks.now_ms()):
                await self._send(batch)

    async def _send(self, batch: list[Delivery]) -> None:
        webhook = self.webhook
        now = self.hooks.now_ms()
        try:
            body = envelope([event_payload(d.event, webhook.expand, d.wire_id) for d in batch])
        except Exception as exc:
            # Recorded as a failed attempt, so the batch's events are retried on the
            # schedule like any failure, never dropped.
            failed = Attempt(
                self.hooks.new_id(),
                webhook.id,
                webhook.url,
                now,
                [d.wire_id for d in batch],
                max(d.attempts for d in batch) + 1,
                {},
                "",
            )
            failed.error = f"could not build the request: {type(exc).__name__}: {exc}"
            self._settle(batch, set(), now, failed)
            self.hooks.record(failed)
            self._log(batch, failed)
            return
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if webhook.secret:
            headers["X-FS-Signature"] = signature(webhook.secret, body)
        attempt = Attempt(
            self.hooks.new_id(),
            webhook.id,
            webhook.url,
            now,
            [d.wire_id for d in batch],
            max(d.attempts for d in batch) + 1,
            headers,
            body.decode("utf-8"),
        )
        started = time.perf_counter()
        status, reply = None, b""
        stalled = self.hooks.stalled(webhook.id)
        try:
            if stalled is not None:
                attempt.error = f"not sent: {stalled} earlier in this clock advance"
            else:
                response = await self.hooks.client.post(
                    webhook.url, content=body, headers=headers, timeout=webhook.timeout
                )
                status, reply = response.status_code, response.content
        except httpx.PoolTimeout:
            attempt.error = (
                f"pool timeout: no free connection to the receiver within {webhook.timeout:g} s"
            )
            self.hooks.timed_out(webhook.id, "the connection pool timed out")
        except httpx.TimeoutException:
            attempt.error = f"timed out after {webhook.timeout:g} s"
            self.hooks.timed_out(webhook.id, "the receiver timed out")
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        attempt.duration_ms = (time.perf_counter() - started) * 1000
        attempt.status = status
        attempt.response_body = reply[:_BODY_KEPT].decode("utf-8", "replace") if status else None
        acked = acknowledged_ids(status or 0, reply, attempt.events)
        self._settle(batch, acked, now, attempt)
        self.hooks.record(attempt)
        self._log(batch, attempt)

    def _log(self, batch: list[Delivery], attempt: Attempt) -> None:
        if logs.log.isEnabledFor(logging.INFO):
            logs.webhook_attempt(
                self.hooks.store.name,
                self.webhook.id,
                self.webhook.url,
                list(dict.fromkeys(d.event.type for d in batch)),
                attempt.attempt,
                attempt.status,
                attempt.error,
                None if attempt.next_retry is None else iso_instant(attempt.next_retry),
            )

    def _settle(self, batch: list[Delivery], acked: set[str], now: int, attempt: Attempt) -> None:
        retries = []
        for delivery in batch:
            delivery.attempts += 1
            if delivery.first_at is None:
                delivery.first_at = now
            if delivery.wire_id in acked:
                delivery.state, delivery.next_at = "acknowledged", None
                attempt.acknowledged.append(delivery.wire_id)
                self.hooks.acknowledged(delivery.event)
                continue
            due = next_retry(self.webhook.schedule, delivery.attempts, delivery.first_at, now)
            delivery.next_at = due
            if due is None:
                delivery.state = "failed"
            else:
                delivery.state = "retrying"
                retries.append(due)
                heapq.heappush(self._retries, (due, next(self._tiebreak), delivery.wire_id))
        attempt.next_retry = min(retries) if retries else None
        if len(acked) == len(batch):
            attempt.state = "acknowledged"
        elif retries:
            attempt.state = "partially acknowledged" if acked else "failed, will retry"
        else:
            attempt.state = "partially acknowledged" if acked else "permanently failed"
        self.hooks.retry_changed(self)
        self._forget_finished()

    def _forget_finished(self) -> None:
        """Past the retention cap (and a tenth more, so this runs rarely), drop the
        oldest finished deliveries; pending and retrying ones always stay."""
        limit = self.hooks.retention.deliveries
        if len(self.deliveries) <= limit + limit // 10:
            return
        excess = len(self.deliveries) - limit
        finished = []
        for wire_id, delivery in self.deliveries.items():
            if delivery.state in ("acknowledged", "failed"):
                finished.append(wire_id)
                if len(finished) == excess:
                    break
        for wire_id in finished:
            del self.deliveries[wire_id]

    # --- the background worker ----------------------------------------------------------

    def wake(self) -> None:
        """Make sure a worker will send what is due (needs a running event loop; without
        one, the app's start-up wakes the channel)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._wakeup.get().set()
        worker = self._worker
        if worker is None or worker.done() or worker.get_loop() is not loop:
            self._worker = loop.create_task(self._work())

    async def _work(self) -> None:
        wakeup = self._wakeup.get()
        while True:
            wakeup.clear()
            # During a clock advance the advance sends what each date made due, so
            # batches never depend on when this worker happened to run.
            if not self.hooks.store.timeline.advancing:
                await self.pump()
            await self._sleep(wakeup)

    async def _sleep(self, wakeup: asyncio.Event) -> None:
        """Until woken, or (on a running clock) until the next retry falls due."""
        due = self.next_retry_at()
        timeout = None
        if due is not None and not self.hooks.clock_frozen():
            timeout = max((due - self.hooks.now_ms()) / 1000, 0.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout)

    async def stop(self) -> None:
        worker = self._worker
        if worker is not None and worker.get_loop() is asyncio.get_running_loop():
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._worker = None
