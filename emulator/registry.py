"""Namespaces: everything that belongs to one Basic-auth username.

Each username gets its own store, journal and (later) webhooks and faults, so
parallel tests sharing one emulator never see each other.
"""

from __future__ import annotations

import hmac

from emulator.domain.store import Store
from emulator.journal import Journal


class Namespace:
    def __init__(self, name: str, seed: int | None) -> None:
        self.name = name
        self.store = Store(name, seed)
        self.journal = Journal()

    def reset(self) -> None:
        self.store.reset()
        self.journal.clear()


class Registry:
    """Finds or creates the namespace for a credential pair."""

    def __init__(self, credentials: dict[str, str] | None, seed: int | None) -> None:
        self._credentials = credentials
        self._seed = seed
        self._namespaces: dict[str, Namespace] = {}

    def admits(self, username: str, password: str) -> bool:
        if not username or not password:
            return False
        if self._credentials is None:
            return True
        expected = self._credentials.get(username)
        return expected is not None and hmac.compare_digest(expected, password)

    def namespace(self, username: str) -> Namespace:
        found = self._namespaces.get(username)
        if found is None:
            found = self._namespaces[username] = Namespace(username, self._seed)
        return found

    def __len__(self) -> int:
        return len(self._namespaces)
