"""FastSpring's retry schedules for events a receiver did not acknowledge
(docs/webhooks-and-events.md)."""

from __future__ import annotations

HOUR_MS = 3_600_000
CURRENT_DELAYS_H = (1, 2, 4, 6, 6, 6)  # then 24 h each
CURRENT_WINDOW_MS = 7 * 24 * HOUR_MS
CURRENT_MAX_RETRIES = 12
LEGACY_DELAY_MS = 10 * 60_000
LEGACY_WINDOW_MS = 24 * HOUR_MS


def next_retry(
    schedule: str, attempts: int, first_attempt_ms: int, last_attempt_ms: int
) -> int | None:
    """When to retry after `attempts` failed attempts, or None: permanently failed.

    Current: 1 h, 2 h, 4 h, 6 h, 6 h, 6 h, then every 24 h, at most 12 retries and
    never past 7 days from the first attempt. Fast: the same in seconds. Legacy:
    every 10 minutes for 24 hours.
    """
    if schedule == "legacy":
        due = last_attempt_ms + LEGACY_DELAY_MS
        return due if due <= first_attempt_ms + LEGACY_WINDOW_MS else None
    # `fast` is the current schedule with seconds for hours, for local development: a
    # receiver that starts late gets its events seconds later, not an hour.
    unit = 1000 if schedule == "fast" else HOUR_MS
    retries_done = attempts - 1
    if retries_done >= CURRENT_MAX_RETRIES:
        return None
    steps = CURRENT_DELAYS_H[retries_done] if retries_done < len(CURRENT_DELAYS_H) else 24
    due = last_attempt_ms + steps * unit
    return due if due <= first_attempt_ms + 7 * 24 * unit else None
