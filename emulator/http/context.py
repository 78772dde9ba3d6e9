"""What a handler knows about its request beyond Starlette's Request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from emulator.http.pitfalls import Pitfall, PitfallRefused

if TYPE_CHECKING:
    from emulator.domain.store import Store
    from emulator.registry import Namespace


class RequestContext:
    """The caller's namespace, and the pitfall warnings raised while serving it."""

    __slots__ = (
        "api_account_created",
        "body",
        "content_length",
        "max_body_bytes",
        "namespace",
        "strict",
        "warnings",
    )

    def __init__(
        self,
        namespace: Namespace,
        strict: bool,
        max_body_bytes: int,
        content_length: int | None = None,
        api_account_created: bool = False,
    ) -> None:
        self.namespace = namespace
        self.api_account_created = api_account_created
        self.strict = strict
        self.max_body_bytes = max_body_bytes
        self.content_length = content_length
        self.warnings: list[Pitfall] = []
        self.body = b""  # the request body, once a handler has read it (for the journal)

    @property
    def store(self) -> Store:
        return self.namespace.store

    def warn(self, pitfall: Pitfall) -> None:
        """Record a pitfall; in strict mode refuse the request before any change."""
        self.warnings.append(pitfall)
        if self.strict:
            raise PitfallRefused(pitfall)

    def warn_all(self, pitfalls: Iterable[Pitfall]) -> None:
        for pitfall in pitfalls:
            self.warn(pitfall)
