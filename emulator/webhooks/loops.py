"""Asyncio objects that follow the running event loop.

Under uvicorn there is one loop for the life of the process. In-process tests
(Starlette's TestClient without a `with` block) run each request on a new loop,
and an asyncio lock, event or HTTP client from an earlier loop cannot be used
on the next one; these holders make a fresh one when the loop changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

import httpx2 as httpx

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._loop: asyncio.AbstractEventLoop | None = None
        self._value: T | None = None

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._value is None:
            self._loop, self._value = loop, self._factory()
        return self._value

    def current(self) -> T | None:
        """The object of the running loop, if one was made (no loop: None)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self._value if loop is self._loop else None


class WebhookClient:
    """One store's HTTP client for webhook deliveries: pooled connections, one per loop.

    The pool is small and per store: a store whose receivers hang fills its own
    pool, and its attempts then fail with a pool timeout, not other stores'.
    """

    def __init__(self, max_connections: int = 20) -> None:
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=10)
        self._client: PerLoop[httpx.AsyncClient] = PerLoop(
            lambda: httpx.AsyncClient(follow_redirects=False, trust_env=False, limits=limits)
        )

    def __call__(self) -> httpx.AsyncClient:
        return self._client.get()

    async def close(self) -> None:
        client = self._client.current()
        if client is not None and not client.is_closed:
            await client.aclose()
