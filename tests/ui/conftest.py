"""Browser-test plumbing: each test's outcome, so a failing one can save a screenshot."""

from __future__ import annotations

from typing import Any

import pytest

CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report
