"""Proration: what a plan change costs or credits for the rest of the current period.

FastSpring prorates by the share of the period that is left: a change on day 10 of
a 30-day period charges (or credits) two thirds of the price difference.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.domain.formats import DAY_MS, round_money, start_of_day
from emulator.domain.subscriptions import Subscription


@dataclass(frozen=True, slots=True)
class Proration:
    period_start: int
    period_end: int
    share_left: float
    current_amount: float
    proposed_amount: float

    @property
    def difference(self) -> float:
        return round_money((self.proposed_amount - self.current_amount) * self.share_left)

    @property
    def charge(self) -> float:
        return max(self.difference, 0.0)

    @property
    def credit(self) -> float:
        return max(-self.difference, 0.0)


def prorate(sub: Subscription, proposed_amount: float, now_ms: int) -> Proration:
    """The proration of moving `sub` to `proposed_amount` per period, as of today."""
    assert sub.next is not None
    start, end = sub.period_start, sub.next
    total_days = max((end - start) // DAY_MS, 1)
    days_left = min(max((end - start_of_day(now_ms)) // DAY_MS, 0), total_days)
    paid = 0.0 if sub.state == "trial" else sub.net_amount
    proposed = 0.0 if sub.state == "trial" else proposed_amount
    return Proration(start, end, days_left / total_days, paid, proposed)
