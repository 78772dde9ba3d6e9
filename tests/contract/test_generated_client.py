"""FastSpring's generated Node client completes every call of the Products, Coupons,
Quotes and Data groups against a real emulator process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support import official_openapi
from tests.support.server import emulator

SDK_DIR, UNAVAILABLE = official_openapi.sdk_dir()
SCRIPT = Path(__file__).resolve().parents[1] / "support" / "sdk_calls.js"
GROUP_CALLS = 29


@pytest.mark.e2e
@pytest.mark.skipif(SDK_DIR is None, reason=UNAVAILABLE)
def test_every_call_of_the_new_groups_succeeds():
    with emulator("--seed", "3") as running:
        done = subprocess.run(
            ["node", str(SCRIPT), str(SDK_DIR), running.url],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == GROUP_CALLS, done.stdout + done.stderr
    failed = [r for r in results if not 200 <= r["status"] < 300 or r["result"] == "error"]
    assert not failed, failed
