"""Every state change of orders and subscriptions, on the store's clock.

This is the lifecycle table of `docs/api.md` ("The lifecycle") in code. Each
subscription has at most one pending transition (a rebill, a reminder, a dunning
step, a deactivation, a pause or a resume) on the store's timeline; advancing the
clock runs them in order, each on its own date, and each writes its events to the
store's event log in the documented order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.domain.accounts import AccountCapture
from emulator.domain.calendar import add_interval, one_day_before
from emulator.domain.catalog import Product
from emulator.domain.errors import Invalid
from emulator.domain.event_renders import render_charge, render_charge_failed, render_subscription
from emulator.domain.formats import start_of_day
from emulator.domain.orders import Order
from emulator.domain.purchases import card_event_view, decline_reason_of, parse_card
from emulator.domain.subscriptions import Subscription, subscription_filter_value
from emulator.domain.timeline import SubscriptionTransition
from emulator.domain.views import webhook_account_view

if TYPE_CHECKING:
    from emulator.domain.store import Store

TIMER = "subscription"


class Lifecycle:
    def __init__(self, store: Store) -> None:
        self.store = store
        # Each subscription's pending transition (when, which), as `schedule` set it.
        self._due: dict[str, tuple[int, str]] = {}
        store.timeline.register(TIMER, self._on_due)

    # --- events -------------------------------------------------------------------------
    # The events of subscriptions are rendered when first read, from copies taken
    # now (see events.py and event_renders.py): the clock's rebills and reminders
    # cost no rendering until someone reads them.

    def account_data(self, account_id: str) -> dict[str, Any]:
        store = self.store
        return webhook_account_view(store.accounts.get(account_id), store.portal_host)

    def subscription_data(self, sub: Subscription) -> dict[str, Any]:
        """A subscription as events carry it: account and product embedded."""
        return render_subscription(*self._captures(sub))

    def _captures(
        self, sub: Subscription
    ) -> tuple[Subscription, AccountCapture, Product | None, str]:
        """What a subscription's event shows, copied as it is now."""
        store = self.store
        return (
            sub.captured(),
            store.accounts.get(sub.account_id).captured(),
            store.catalog.find(sub.product),
            store.portal_host,
        )

    def emit_subscription(self, type_: str, sub: Subscription) -> str:
        capture = (render_subscription, *self._captures(sub))
        self.store.events.emit_lazy(type_, capture, (sub.id,), sub.live)
        return type_

    def emit_charge(self, sub: Subscription, order: Order) -> str:
        store = self.store
        captures = self._captures(sub)
        order_copy = order.captured()
        store.events.emit_lazy(
            "subscription.charge.completed",
            (render_charge, *captures, order_copy),
            (sub.id, order.id),
            sub.live,
        )
        store.outcomes.payout(order, [sub.id], captured=(order_copy, captures[1]))
        return "subscription.charge.completed"

    def _emit_charge_failed(self, sub: Subscription, reason: str) -> str:
        capture = (render_charge_failed, *self._captures(sub), reason)
        self.store.events.emit_lazy("subscription.charge.failed", capture, (sub.id,), sub.live)
        return "subscription.charge.failed"

    # --- state bookkeeping --------------------------------------------------------------

    def _set_state(self, sub: Subscription, state: str) -> None:
        if state != sub.state:
            self.store.accounts.track_subscription(
                sub.account_id,
                subscription_filter_value(sub.state),
                subscription_filter_value(state),
            )
            self.store.subscription_index.move(sub.id, sub.state, state)
            sub.state = state
        sub.changed = self.store.clock.change_stamp()

    # --- the schedule -------------------------------------------------------------------

    def next_due(self, sub: Subscription) -> tuple[int, str] | None:
        """When the subscription's next transition falls due, and which one (charge,
        remind, pause, resume, dunning, deactivate); None if nothing is scheduled."""
        state = sub.state
        if state == "deactivated":
            return None
        if state == "canceled":
            return (sub.deactivation_date, "deactivate") if sub.deactivation_date else None
        if sub.adhoc:
            return None
        if state == "paused":
            assert sub.resume_date is not None
            return sub.resume_date, "resume"
        if state == "overdue":
            assert sub.overdue_since is not None
            if sub.overdue.enabled and sub.overdue_sent < sub.overdue.amount:
                return add_interval(
                    sub.overdue_since, sub.overdue.unit, sub.overdue.length * (sub.overdue_sent + 1)
                ), "dunning"
            last_notice = add_interval(
                sub.overdue_since, sub.overdue.unit, sub.overdue.length * sub.overdue_sent
            )
            return add_interval(
                last_notice, sub.cancellation.unit, sub.cancellation.length
            ), "deactivate"
        assert sub.next is not None
        if sub.end is not None and sub.next > sub.end:
            return one_day_before(sub.next), "deactivate"
        charge = (sub.next, "pause" if sub.pause_date == sub.next else "charge")
        notification = sub.notification()
        if notification is not None and notification[1] < charge[0]:
            return notification[1], "remind"
        return charge

    def schedule(self, sub: Subscription) -> None:
        """(Re)compute the subscription's pending transition; older entries go stale."""
        due = self.next_due(sub)
        if due is None:
            self._due.pop(sub.id, None)
        else:
            self._due[sub.id] = due
        self.store.timeline.set(TIMER, sub.id, None if due is None else due[0])

    def _on_due(self, sub_id: str) -> SubscriptionTransition:
        sub = self.store.subscriptions.get(sub_id)
        # Every change that moves a transition reschedules, so what was scheduled
        # last is what `next_due` would say now (worked out again if it is missing).
        due = self._due.pop(sub_id, None) or self.next_due(sub)
        assert due is not None
        events = self._run(sub, due[1])
        self.schedule(sub)
        return SubscriptionTransition(due[0], sub.id, due[1], sub.state, tuple(events))

    # --- transitions --------------------------------------------------------------------

    def _run(self, sub: Subscription, kind: str) -> list[str]:
        if kind == "remind":
            sub.reminded_for = sub.next
            kind_of = (
                "subscription.trial.reminder"
                if sub.state == "trial"
                else "subscription.payment.reminder"
            )
            return [self.emit_subscription(kind_of, sub)]
        if kind == "charge":
            return self._charge(sub)
        if kind == "pause":
            self._set_state(sub, "paused")
            sub.next = sub.resume_date
            return []
        if kind == "resume":
            return self._resume(sub)
        if kind == "dunning":
            return self._dunning_step(sub)
        if kind == "deactivate":
            return self._deactivate(sub)
        raise AssertionError(kind)

    def decline_reason(self, sub: Subscription) -> str | None:
        account = self.store.accounts.get(sub.account_id)
        if account.payment_methods == 0:
            return "NO_PAYMENT_METHOD"
        return account.decline

    def _charge(self, sub: Subscription) -> list[str]:
        """A rebill on the charge date: success moves the period on, failure starts
        dunning (state overdue, `next` stays on the unpaid date)."""
        reason = self.decline_reason(sub)
        if reason is not None:
            sub.decline_reason = reason
            sub.overdue_since = sub.next
            sub.overdue_sent = 0
            self._set_state(sub, "overdue")
            return [self._emit_charge_failed(sub, reason)]
        return self._record_charge(sub)

    def _record_charge(self, sub: Subscription) -> list[str]:
        order = self.store.purchases.rebill_order(sub)
        sub.sequence += 1
        period_begin = sub.next if sub.next is not None else start_of_day(order.created)
        if sub.next is not None:
            sub.next = sub.period_after(sub.next)
        sub.add_entry(
            order.id, period_begin, None if sub.next is None else one_day_before(sub.next)
        )
        sub.decline_reason = None
        sub.overdue_since = None
        sub.overdue_sent = 0
        if sub.state in ("trial", "overdue"):
            self._set_state(sub, "active")
        sub.changed = self.store.clock.change_stamp()
        self.store.subscription_index.note("charged", sub.id, self.store.clock.now_ms())
        return [self.emit_charge(sub, order)]

    def _dunning_step(self, sub: Subscription) -> list[str]:
        if self.decline_reason(sub) is None:
            return self._record_charge(sub)
        sub.overdue_sent += 1
        sub.changed = self.store.clock.change_stamp()
        return [self.emit_subscription("subscription.payment.overdue", sub)]

    def _resume(self, sub: Subscription) -> list[str]:
        sub.pause_date = sub.resume_date = sub.pause_periods = None
        self._set_state(sub, "active")
        events = [self.emit_subscription("subscription.resumed", sub)]
        return events + self._charge(sub)

    def _deactivate(self, sub: Subscription) -> list[str]:
        self._set_state(sub, "deactivated")
        self.store.subscription_index.note("deactivated", sub.id, self.store.clock.now_ms())
        return [self.emit_subscription("subscription.deactivated", sub)]

    # --- operations from the API --------------------------------------------------------

    def cancel(self, sub_id: str, immediately: bool) -> list[str]:
        """`DELETE /subscriptions/{id}`: at period end, or now with billingPeriod=0."""
        sub = self.store.subscriptions.get(sub_id)
        if sub.state in ("canceled", "deactivated"):
            raise Invalid({"subscription": "the subscription is already canceled"})
        today = start_of_day(self.store.clock.now_ms())
        sub.canceled_date = today
        if immediately or sub.adhoc:
            sub.end = today
            sub.deactivation_date = None
            sub.periods = 0
            events = self._deactivate(sub)
        else:
            sub.state_before_cancel = sub.state
            sub.deactivation_date = max(sub.last_service_day() or today, today)
            self._set_state(sub, "canceled")
            self.store.subscription_index.note("canceled", sub.id, self.store.clock.now_ms())
            events = [self.emit_subscription("subscription.canceled", sub)]
        self.schedule(sub)
        return events

    def uncancel(self, sub_id: str) -> list[str]:
        """`"deactivation": null`: undo a period-end cancellation before it happens."""
        sub = self.store.subscriptions.get(sub_id)
        if sub.state == "deactivated":
            raise Invalid({"uncancel": "Subscription is not active."})
        if sub.state != "canceled":
            return []
        sub.canceled_date = sub.deactivation_date = None
        self._set_state(sub, sub.state_before_cancel or "active")
        sub.state_before_cancel = None
        self.schedule(sub)
        return [self.emit_subscription("subscription.uncanceled", sub)]

    def pause(self, sub_id: str, periods: object) -> list[str]:
        sub = self.store.subscriptions.get(sub_id)
        if (
            isinstance(periods, bool)
            or not isinstance(periods, int)
            or not 1 <= periods <= 12
            or sub.adhoc
            or sub.state not in ("active", "trial")
            or sub.next is None
        ):
            raise Invalid({"subscription.pause": "Invalid number of Periods."})
        sub.pause_periods = periods
        sub.pause_date = sub.next
        sub.resume_date = add_interval(
            sub.next, sub.interval_unit or "month", sub.interval_length * periods
        )
        sub.changed = self.store.clock.change_stamp()
        self.schedule(sub)
        return [
            self.emit_subscription("subscription.paused", sub),
            self.emit_subscription("subscription.updated", sub),
        ]

    def resume(self, sub_id: str) -> list[str]:
        """Remove a scheduled pause, or end a pause now with a charge today."""
        sub = self.store.subscriptions.find(sub_id)
        if sub is None or sub.pause_date is None:
            raise Invalid({"subscription.resume": "Unable to find subscription."})
        if sub.state != "paused":
            sub.pause_date = sub.resume_date = sub.pause_periods = None
            sub.changed = self.store.clock.change_stamp()
            self.schedule(sub)
            return [self.emit_subscription("subscription.resumed", sub)]
        sub.next = start_of_day(self.store.clock.now_ms())
        events = self._resume(sub)
        self.schedule(sub)
        return events

    def charge_managed(self, sub_id: str) -> list[str]:
        """`POST /subscriptions/charge`: bill a managed subscription now. A decline is
        an error for the caller, after its `subscription.charge.failed` event."""
        sub = self.store.subscriptions.get(sub_id)
        if not sub.adhoc:
            raise Invalid({"subscription": "Subscription is not a managed subscription"})
        if sub.state == "deactivated":
            raise Invalid({"subscription": "Subscription is not active."})
        reason = self.decline_reason(sub)
        if reason is not None:
            sub.decline_reason = reason
            sub.changed = self.store.clock.change_stamp()
            self._emit_charge_failed(sub, reason)
            raise Invalid({"subscription": reason})
        return self._record_charge(sub)

    def set_card(self, account_id: str, raw: object) -> None:
        """The buyer stores a new card: the account's subscriptions show it, and each
        sends `subscription.updated` with `paymentMethodAction: "updated"`."""
        card = parse_card(raw)
        account = self.store.accounts.get(account_id)
        account.card = card
        account.payment_methods = max(account.payment_methods, 1)
        for sub_id in account.subscriptions:
            sub = self.store.subscriptions.get(sub_id)
            sub.card = card
            if sub.state != "deactivated":
                # In this event `paymentMethod` is the card object, not the API's string.
                self.store.events.emit(
                    "subscription.updated",
                    {
                        **self.subscription_data(sub),
                        "paymentMethodAction": "updated",
                        "paymentMethod": card_event_view(card),
                    },
                    sub.live,
                )

    def set_payment(self, account_id: str, decline: object) -> list[SubscriptionTransition]:
        """Set the account's stored payment method to succeed or to decline.

        Clearing a decline is the buyer updating their card: overdue subscriptions
        of the account are charged again right away, ending their dunning.
        """
        reason = decline_reason_of({"decline": decline})
        account = self.store.accounts.get(account_id)
        account.decline = reason or None
        done = []
        if account.decline is None:
            for sub_id in account.subscriptions:
                sub = self.store.subscriptions.get(sub_id)
                if sub.state == "overdue":
                    events = self._record_charge(sub)
                    self.schedule(sub)
                    done.append(
                        SubscriptionTransition(
                            self.store.clock.now_ms(), sub.id, "charge", sub.state, tuple(events)
                        )
                    )
        return done
