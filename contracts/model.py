"""A compact reference model of FastSpring's subscription lifecycle (the lifecycle table in
`docs/api.md`).

Written apart from the emulator (its own calendar arithmetic and rules), so the state
machine in `test_reference_model.py` can compare the two after every step. The model
covers one monthly product with a reminder a week before each charge, two weekly
overdue notices and deactivation a week after the last, and one managed product.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime

DAY = 86_400_000
WEEK = 7 * DAY


def day_of(ms: int) -> int:
    return ms - ms % DAY


def plus_months(day_ms: int, months: int) -> int:
    moment = datetime.fromtimestamp(day_ms / 1000, tz=UTC)
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return int(datetime(year, month, min(moment.day, last), tzinfo=UTC).timestamp() * 1000)


@dataclass
class Sub:
    id: str
    account: str
    managed: bool
    begin: int
    state: str = "active"
    sequence: int = 1
    next: int | None = None
    canceled_date: int | None = None
    deactivation_date: int | None = None
    prior: str | None = None
    reminded_for: int | None = None
    overdue_since: int | None = None
    sent: int = 0
    pause_date: int | None = None
    resume_date: int | None = None
    events: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.state != "deactivated"

    def due(self) -> tuple[int, str] | None:
        """The next thing that happens to this subscription by itself."""
        if self.state == "deactivated" or (self.managed and self.state != "canceled"):
            return None
        if self.state == "canceled":
            return (self.deactivation_date, "deactivate") if self.deactivation_date else None
        if self.state == "paused":
            assert self.resume_date is not None
            return self.resume_date, "resume"
        assert self.next is not None
        if self.state == "overdue":
            assert self.overdue_since is not None
            if self.sent < 2:
                return self.overdue_since + (self.sent + 1) * WEEK, "notice"
            return self.overdue_since + 3 * WEEK, "deactivate"
        reminder = self.next - WEEK
        if self.pause_date is None and self.reminded_for != self.next and reminder >= self.begin:
            return reminder, "remind"
        return self.next, "pause" if self.pause_date == self.next else "charge"


class Model:
    def __init__(self, now: int) -> None:
        self.now = now
        self.emails: dict[str, str] = {}  # casefolded email -> account id
        self.declined: dict[str, bool] = {}  # account id -> charges fail
        self.subs: dict[str, Sub] = {}

    # --- accounts -----------------------------------------------------------------------

    def email_owner(self, email: str) -> str | None:
        return self.emails.get(email.casefold())

    def add_account(self, account_id: str, email: str) -> None:
        self.emails[email.casefold()] = account_id
        self.declined.setdefault(account_id, False)

    def change_email(self, account_id: str, email: str) -> None:
        self.emails = {k: v for k, v in self.emails.items() if v != account_id}
        self.emails[email.casefold()] = account_id

    # --- purchases and operations -------------------------------------------------------

    def buy(self, sub_id: str, account_id: str, managed: bool) -> None:
        begin = day_of(self.now)
        sub = Sub(
            sub_id, account_id, managed, begin, next=None if managed else plus_months(begin, 1)
        )
        sub.events.append("subscription.activated")
        self.subs[sub_id] = sub
        self.declined.setdefault(account_id, False)

    def _charge(self, sub: Sub) -> None:
        if self.declined[sub.account]:
            sub.state, sub.overdue_since, sub.sent = "overdue", sub.next, 0
            sub.events.append("subscription.charge.failed")
            return
        self._paid(sub)

    def _paid(self, sub: Sub) -> None:
        sub.sequence += 1
        if sub.next is not None:
            sub.next = plus_months(sub.next, 1)
        sub.state, sub.overdue_since, sub.sent = "active", None, 0
        sub.events.append("subscription.charge.completed")

    def cancel(self, sub_id: str, now: bool) -> bool:
        """False when FastSpring refuses (already canceled or deactivated)."""
        sub = self.subs[sub_id]
        if sub.state in ("canceled", "deactivated"):
            return False
        today = day_of(self.now)
        sub.canceled_date = today
        if now or sub.managed:
            sub.state, sub.deactivation_date = "deactivated", None
            sub.events.append("subscription.deactivated")
        else:
            sub.prior, sub.state = sub.state, "canceled"
            assert sub.next is not None
            sub.deactivation_date = max(sub.next - DAY, today)
            sub.events.append("subscription.canceled")
        return True

    def uncancel(self, sub_id: str) -> bool:
        sub = self.subs[sub_id]
        if sub.state == "deactivated":
            return False
        if sub.state == "canceled":
            sub.state, sub.prior = sub.prior or "active", None
            sub.canceled_date = sub.deactivation_date = None
            sub.events.append("subscription.uncanceled")
        return True

    def update(self, sub_id: str, next_day: int | None) -> bool:
        """`POST /subscriptions` with a quantity, or a new next charge date (future)."""
        sub = self.subs[sub_id]
        if sub.state == "deactivated" or (next_day is not None and sub.managed):
            return False
        if next_day is not None:
            sub.next, sub.reminded_for = next_day, None
        sub.events.append("subscription.updated")
        return True

    def pause(self, sub_id: str, periods: int) -> bool:
        sub = self.subs[sub_id]
        if sub.managed or sub.state != "active" or sub.next is None:
            return False
        sub.pause_date, sub.resume_date = sub.next, plus_months(sub.next, periods)
        sub.events += ["subscription.paused", "subscription.updated"]
        return True

    def resume(self, sub_id: str) -> bool:
        sub = self.subs[sub_id]
        if sub.pause_date is None:
            return False
        if sub.state != "paused":
            sub.pause_date = sub.resume_date = None
            sub.events.append("subscription.resumed")
            return True
        sub.next = day_of(self.now)
        self._resume(sub)
        return True

    def _resume(self, sub: Sub) -> None:
        sub.pause_date = sub.resume_date = None
        sub.state = "active"
        sub.events.append("subscription.resumed")
        self._charge(sub)

    def charge_managed(self, sub_id: str) -> bool:
        sub = self.subs[sub_id]
        if not sub.managed or sub.state == "deactivated":
            return False
        if self.declined[sub.account]:
            sub.events.append("subscription.charge.failed")
            return False
        self._paid(sub)
        return True

    def set_decline(self, account_id: str, declined: bool) -> None:
        self.declined[account_id] = declined
        if not declined:
            for sub in self.subs.values():
                if sub.account == account_id and sub.state == "overdue":
                    self._paid(sub)

    # --- time ---------------------------------------------------------------------------

    def advance(self, to: int) -> None:
        """Run every due transition up to `to`, each subscription in date order."""
        while True:
            dues = [
                (d[0], sub.id, d[1])
                for sub in self.subs.values()
                if (d := sub.due()) is not None and d[0] <= to
            ]
            if not dues:
                break
            at, sub_id, kind = min(dues)
            self.now = max(self.now, at)
            self._run(self.subs[sub_id], kind)
        self.now = to

    def catch_up(self) -> None:
        """What is already due runs before the next request (the emulator's documented
        behaviour), e.g. a reminder whose date a change of `next` put in the past."""
        self.advance(self.now)

    def _run(self, sub: Sub, kind: str) -> None:
        if kind == "remind":
            sub.reminded_for = sub.next
            sub.events.append("subscription.payment.reminder")
        elif kind == "charge":
            self._charge(sub)
        elif kind == "pause":
            sub.state, sub.next = "paused", sub.resume_date
        elif kind == "resume":
            self._resume(sub)
        elif kind == "notice":
            if not self.declined[sub.account]:
                self._paid(sub)
            else:
                sub.sent += 1
                sub.events.append("subscription.payment.overdue")
        else:
            sub.state = "deactivated"
            sub.events.append("subscription.deactivated")
