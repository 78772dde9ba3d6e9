"""Small helpers of the contract suite, which stands on its own (no tests/ imports)."""

from __future__ import annotations

import base64
import os

# HYPOTHESIS_PROFILE=nightly runs every property test with 40 times the examples.
NIGHTLY = os.environ.get("HYPOTHESIS_PROFILE") == "nightly"


def examples(count: int) -> int:
    return count * 40 if NIGHTLY else count


def basic(username: str, password: str) -> str:
    """An HTTP Basic `Authorization` value."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
