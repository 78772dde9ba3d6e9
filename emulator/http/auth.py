"""HTTP Basic auth: which namespace a request belongs to, if any."""

from __future__ import annotations

import base64
import binascii

from emulator.registry import Namespace, Registry

_CACHE_LIMIT = 4096


class Authenticator:
    """Checks credentials once per distinct header value, then serves from a cache."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._usernames: dict[bytes, str] = {}

    def namespace(self, header: bytes | None) -> Namespace | None:
        if not header:
            return None
        username = self._usernames.get(header)
        if username is None:
            username = self._check(header)
            if username is None:
                return None
            if len(self._usernames) >= _CACHE_LIMIT:
                self._usernames.clear()
            self._usernames[header] = username
        return self.registry.namespace(username)

    def _check(self, header: bytes) -> str | None:
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, colon, password = decoded.partition(":")
        if not colon or not self.registry.admits(username, password):
            return None
        return username
