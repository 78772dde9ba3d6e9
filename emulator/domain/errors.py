"""Typed domain errors that carry FastSpring's field names and messages.

The HTTP layer turns them into FastSpring's per-resource error envelope, so the
domain never needs to know about status codes or actions.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the operation; `errors` maps a FastSpring field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(DomainError):
    """The record does not exist in this store."""


class Invalid(DomainError):
    """The request is well-formed JSON but breaks a FastSpring rule."""
