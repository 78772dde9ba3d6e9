"""The store's clock: wall time plus an offset, or a frozen instant.

Everything time-dependent reads the clock through here, so tests can move time
without sleeping and a failing run replays with the same timestamps.
"""

from __future__ import annotations

import time


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class Clock:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to wall time, running."""
        self.offset_ms = 0
        self.frozen_at: int | None = None
        self.last_change = 0

    def change_stamp(self) -> int:
        """A record's `changed`: now, but always after the last one handed out, so two
        changes at one frozen instant still order (clients sync by `changed`)."""
        self.last_change = max(self.now_ms(), self.last_change + 1)
        return self.last_change

    def now_ms(self) -> int:
        if self.frozen_at is not None:
            return self.frozen_at
        return wall_ms() + self.offset_ms

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    def travel_to(self, ms: int) -> None:
        """Make `now_ms()` read `ms` from this instant on (frozen or not)."""
        if self.frozen_at is not None:
            self.frozen_at = ms
        else:
            self.offset_ms = ms - wall_ms()

    def freeze(self) -> None:
        self.frozen_at = self.now_ms()

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands."""
        if self.frozen_at is not None:
            at, self.frozen_at = self.frozen_at, None
            self.travel_to(at)
