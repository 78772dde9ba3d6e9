"""The contract suite's target: the emulator by default, or a real FastSpring store.

Set FASTSPRING_BASE_URL, FASTSPRING_USERNAME and FASTSPRING_PASSWORD to run against a
real store (use a test store). Tests marked `emulator_only` (clock, checkout, faults)
are then skipped, and tests marked `writes` are skipped unless
FASTSPRING_ALLOW_WRITES=1 says the store may be changed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2 as httpx
import pytest

from emulator.pytest_plugin import InProcessEmulator

AGENT = {"User-Agent": "fastspring-contract-tests/1.0"}


@dataclass
class Target:
    base_url: str
    auth: tuple[str, str]
    emulator: bool
    writable: bool


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    base_url = os.environ.get("FASTSPRING_BASE_URL")
    if base_url:
        auth = (
            os.environ.get("FASTSPRING_USERNAME", ""),
            os.environ.get("FASTSPRING_PASSWORD", ""),
        )
        yield Target(
            base_url.rstrip("/"),
            auth,
            emulator=False,
            writable=os.environ.get("FASTSPRING_ALLOW_WRITES") == "1",
        )
        return
    server = InProcessEmulator().start()
    try:
        yield Target(
            server.url, (f"contract-{uuid.uuid4().hex[:12]}", "pw"), emulator=True, writable=True
        )
    finally:
        server.stop()


@pytest.fixture
def api(target: Target) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=target.base_url, auth=target.auth, headers=AGENT, timeout=30
    ) as client:
        yield client


@pytest.fixture(autouse=True)
def _respect_the_target(request: pytest.FixtureRequest, target: Target) -> None:
    if request.node.get_closest_marker("emulator_only") and not target.emulator:
        pytest.skip("needs the emulator's control plane")
    if request.node.get_closest_marker("writes") and not target.writable:
        pytest.skip("changes the store: set FASTSPRING_ALLOW_WRITES=1 to allow it")
