"""Namespaces: everything that belongs to one Basic-auth username.

Each username gets its own store, journal and webhooks (later faults too), so
parallel tests sharing one emulator never see each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from emulator.domain.store import Store
from emulator.faults.engine import Faults
from emulator.journal import Journal
from emulator.retention import Retention
from emulator.webhooks.hooks import Hooks


class Namespace:
    def __init__(
        self,
        name: str,
        seed: int | None,
        boot_webhooks: Sequence[Mapping[str, Any]] = (),
        boot_rate_limit: Mapping[str, Any] | None = None,
        retention: Retention = Retention(),
    ) -> None:
        self.name = name
        self._seed = seed
        self._retention = retention
        self._boot_webhooks = boot_webhooks
        self._boot_rate_limit = boot_rate_limit
        self.store = Store(name, seed, retention.events)
        self.journal = Journal(retention.journal)
        self.hooks = Hooks(self.store, boot_webhooks, seed, retention)
        self.faults = Faults(name, seed, boot_rate_limit)
        # Counts the changes made through the control plane, so that the dashboard's
        # live view notices those that leave no event or journal entry.
        self.changes = 0
        # Set while work that needs the store to itself (a snapshot) runs; this
        # store's requests wait for it, other stores' requests do not.
        self._exclusive: asyncio.Event | None = None

    @property
    def held(self) -> bool:
        return self._exclusive is not None

    async def admitted(self) -> None:
        """Return once no exclusive work holds the store."""
        while self._exclusive is not None:
            await self._exclusive.wait()

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Have the store to oneself: its requests wait until this block ends."""
        await self.admitted()
        done = self._exclusive = asyncio.Event()
        try:
            yield
        finally:
            self._exclusive = None
            done.set()

    def scratch(self, with_boot: bool = False) -> Namespace:
        """An empty namespace like this one: for trying changes out (without the
        boot-time webhooks and rate limit), or to `adopt` (with them)."""
        if not with_boot:
            return Namespace(self.name, self._seed, retention=self._retention)
        return Namespace(
            self.name, self._seed, self._boot_webhooks, self._boot_rate_limit, self._retention
        )

    async def adopt(self, other: Namespace) -> None:
        """Take over `other`'s contents (a snapshot restored beside this one)."""
        old = self.hooks
        await old.stop()
        self.store, self.journal, self.hooks, self.faults = (
            other.store,
            other.journal,
            other.hooks,
            other.faults,
        )
        self.hooks.start()
        await old.close()

    async def reset(self) -> None:
        self.store.reset()
        self.journal.clear()
        self.faults.reset()
        await self.hooks.reset()


class Registry:
    """Finds or creates the namespace for a credential pair."""

    def __init__(
        self,
        credentials: dict[str, str] | None,
        seed: int | None,
        boot_webhooks: Sequence[Mapping[str, Any]] = (),
        boot_rate_limit: Mapping[str, Any] | None = None,
        retention: Retention = Retention(),
    ) -> None:
        self._credentials = credentials
        self._retention = retention
        self._seed = seed
        self._boot_webhooks = list(boot_webhooks)
        self._boot_rate_limit = boot_rate_limit
        self._namespaces: dict[str, Namespace] = {}

    def admits(self, username: str, password: str) -> bool:
        if not username or not password:
            return False
        if self._credentials is None:
            return True
        expected = self._credentials.get(username)
        # As UTF-8 bytes: compare_digest refuses non-ASCII str.
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    @property
    def open(self) -> bool:
        """Any username opens its own store (no `--credentials`)."""
        return self._credentials is None

    def find(self, username: str) -> Namespace | None:
        """The namespace if it exists; unlike `namespace`, never creates one."""
        return self._namespaces.get(username)

    def names(self) -> list[str]:
        return sorted(self._namespaces)

    def namespace(self, username: str) -> Namespace:
        found = self._namespaces.get(username)
        if found is None:
            found = self._namespaces[username] = Namespace(
                username,
                self._seed,
                self._boot_webhooks,
                self._boot_rate_limit,
                self._retention,
            )
        return found

    def all(self) -> list[Namespace]:
        return list(self._namespaces.values())

    def __len__(self) -> int:
        return len(self._namespaces)
