"""Typed domain errors that carry FastSpring's field names and messages.

The HTTP layer turns them into FastSpring's per-resource error envelope, so the
domain never needs to know about status codes or actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple


class DomainError(Exception):
    """A rule refused the operation; `errors` maps a FastSpring field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(DomainError):
    """The record does not exist in this store."""


class Invalid(DomainError):
    """The request is well-formed JSON but breaks a FastSpring rule."""


class FieldError(NamedTuple):
    """One field a newer service refused: Spring's `errors[]` element."""

    code: str
    field: str
    message: str
    rejected: Any


class ServiceRefusal(Exception):
    """A refusal by one of FastSpring's newer, Spring-based services (quotes, checkout
    sessions v2, payment invoices, reports): a message, field errors and a status.

    Field errors may be given as (field, message), (field, message, rejected value) or
    (code, field, message, rejected value); the code defaults to INVALID_VALUE.
    """

    def __init__(
        self, message: str, errors: Iterable[tuple[Any, ...]] = (), status: int = 400
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = [
            FieldError(*e)
            if len(e) == 4
            else FieldError("INVALID_VALUE", e[0], e[1], e[2] if len(e) > 2 else None)
            for e in errors
        ]

    @property
    def field(self) -> str:
        """The first field the refusal names."""
        return self.errors[0].field if self.errors else "request"
