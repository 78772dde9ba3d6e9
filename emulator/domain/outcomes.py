"""What happens to orders besides completing: pending and failed payments,
chargebacks, payout entries, mailing-list entries and failed fulfillments.

Each writes the event FastSpring sends at that moment (`order.failed`,
`order.payment.pending`, `order.approval.pending`, `order.canceled`,
`chargeback.created`, `payoutEntry.created`, `mailingListEntry.*`,
`fulfillment.failed`) with its documented `data`. The buyer's and the payment
processor's side have no public API, so the control plane triggers them;
docs/api.md lists how, and docs/fidelity.md what is guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.domain.accounts import AccountCapture
from emulator.domain.errors import Invalid, NotFound
from emulator.domain.event_renders import render_payout
from emulator.domain.events import subject_ids
from emulator.domain.formats import date_family
from emulator.domain.orders import Order
from emulator.domain.views import order_view

if TYPE_CHECKING:
    from emulator.domain.returns import Return
    from emulator.domain.store import Store

OUTCOMES = {
    "completed": None,
    "failed": "order.failed",
    "payment-pending": "order.payment.pending",
    "approval-pending": "order.approval.pending",
}
PENDING = {"payment-pending": "pending", "approval-pending": "approval"}


@dataclass
class OrderOutcomes:
    """Pending checkouts (to complete later), chargebacks and mailing-list state."""

    store: Store
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    chargebacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscribed: set[str] = field(default_factory=set)
    abandoned: set[str] = field(default_factory=set)

    # --- events ------------------------------------------------------------------------

    def account_created(self, account_id: str) -> None:
        self.store.events.emit("account.created", self.store.lifecycle.account_data(account_id))

    def account_updated(self, account_id: str) -> None:
        """`account.updated`: the account as webhooks show it, with its `changed` family."""
        store = self.store
        store.events.emit(
            "account.updated",
            {
                **self.store.lifecycle.account_data(account_id),
                **date_family("changed", store.clock.change_stamp()),
            },
        )

    def order_event(self, type_: str, order: Order) -> None:
        store = self.store
        store.events.emit(
            type_,
            order_view(order, store.portal_host, store.lifecycle.account_data(order.account_id)),
            order.live,
        )

    # --- pending and failed checkouts ----------------------------------------------------

    def hold(self, order: Order, outcome: str, request: Mapping[str, Any]) -> None:
        """A checkout that did not complete: failed, or waiting for payment or approval."""
        order.completed = False
        order.status = PENDING.get(outcome, "failed")
        if outcome in PENDING:
            self.pending[order.id] = {
                **request,
                "account": order.account_id,
                "outcome": "completed",
            }
            self.pending[order.id].pop("contact", None)
        event = OUTCOMES[outcome]
        assert event is not None
        self.order_event(event, order)

    def _pending(self, order_id: str) -> Order:
        order = self.store.orders.get(order_id)
        if order_id not in self.pending:
            raise Invalid({"order": f"Order is {order.status}, not pending"})
        return order

    def approve(self, order_id: str) -> Order:
        """The seller approves an order waiting for approval: it now waits for payment."""
        order = self._pending(order_id)
        if order.status != "approval":
            raise Invalid({"order": "Order is not waiting for approval"})
        order.status = "pending"
        order.changed = self.store.clock.change_stamp()
        self.order_event("order.payment.pending", order)
        return order

    def complete(self, order_id: str) -> Order:
        """The payment arrives: the order completes with its subscriptions and events."""
        order = self._pending(order_id)
        request = self.pending[order_id]
        completed = self.store.purchases.checkout(request, quote=order.quote, existing=order)
        del self.pending[order_id]
        return completed

    def cancel(self, order_id: str) -> Order:
        order = self._pending(order_id)
        del self.pending[order_id]
        order.status = "canceled"
        order.changed = self.store.clock.change_stamp()
        self.order_event("order.canceled", order)
        return order

    # --- after an order or a return ------------------------------------------------------

    def payout(
        self,
        order: Order,
        subscription_ids: list[str],
        record: Return | None = None,
        captured: tuple[Order, AccountCapture] | None = None,
    ) -> None:
        """`payoutEntry.created`: what the seller is paid for an order, or gives back for
        a return. It renders when read, from copies (`captured`: the order's and the
        account's, when the caller has just taken them)."""
        store = self.store
        order_copy, account = captured or (
            order.captured(),
            store.accounts.get(order.account_id).captured(),
        )
        returned = None if record is None else (record.id, record.total)
        store.events.emit_lazy(
            "payoutEntry.created",
            (
                render_payout,
                order_copy,
                account,
                store.portal_host,
                store.slug,
                tuple(subscription_ids),
                returned,
            ),
            subject_ids(order.id, order.quote),
            order.live,
        )

    # --- chargebacks -----------------------------------------------------------------------

    def chargeback(self, order_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`chargeback.created` for a completed order, as the processor reports it."""
        store = self.store
        order = store.orders.get(order_id)
        if not order.completed:
            raise Invalid({"order": "Only a completed order can be charged back"})
        if order_id in self.chargebacks:
            raise Invalid({"order": "The order already has a chargeback"})
        amount = raw.get("amount", order.total)
        if (
            isinstance(amount, bool)
            or not isinstance(amount, (int, float))
            or not (0 < amount <= order.total)
        ):
            raise Invalid({"amount": "amount must be more than 0 and at most the order total"})
        texts = {}
        for name, default in (
            ("reasonCode", "4837"),
            ("reasonDescription", "FRAUDULENT"),
            ("processorCaseId", f"CB-{order.reference}"),
        ):
            value = raw.get(name, default)
            if not isinstance(value, str) or not value or len(value) > 100:
                raise Invalid({name: f"{name} must be text"})
            texts[name] = value
        moment = datetime.fromtimestamp(store.clock.now_ms() / 1000, tz=UTC)
        data = {
            "id": order.id,
            **{k: texts[k] for k in ("reasonCode", "reasonDescription")},
            "fraudType": "true" if texts["reasonDescription"] == "FRAUDULENT" else "false",
            "creationDate": moment.strftime("%a %b %d %H:%M:%S UTC %Y"),
            "chargebackAmount": float(amount),
            "currency": order.currency,
            "order": order_view(order, store.portal_host),
            "processorCaseId": texts["processorCaseId"],
            "status": "NEW",
            "paymentMethod": "CREDIT_CARD",
            "paymentMethodVariant": "Mastercard",
        }
        self.chargebacks[order.id] = {k: v for k, v in data.items() if k != "order"}
        store.events.emit("chargeback.created", data, order.live)
        return data

    # --- mailing lists -------------------------------------------------------------------

    def mailing_entry(
        self,
        type_: str,
        email: str,
        list_: str,
        reason: str,
        order: Order | None = None,
        session: str | None = None,
        items: list[dict[str, Any]] | None = None,
    ) -> None:
        store = self.store
        account = store.accounts.find_by_email(email)
        storefront = f"{store.slug}.test.onfastspring.com/popup-{store.slug}"
        data = {
            "id": hashlib.sha256(f"{email.lower()}:{list_}".encode()).hexdigest(),
            "list": list_,
            "updated": store.clock.now_ms(),
            "reason": reason,
            "order": {
                "reference": order.reference if order else None,
                "id": order.id if order else None,
                "order": order.id if order else None,
                "referrer": None,
                "session": session,
                "storefront": storefront,
                "items": items or [],
            },
            "email": email,
            "firstName": account.first if account else None,
            "lastName": account.last if account else None,
            "country": account.country if account else None,
            "currency": order.currency if order else "USD",
            "language": account.language if account else "en",
            "storefront": storefront,
        }
        store.events.emit(type_, data)

    def opted_in(self, order: Order, email: str) -> None:
        """The buyer opted in to the mailing list at checkout."""
        self.subscribed.add(email.lower())
        self.mailing_entry(
            "mailingListEntry.updated",
            email,
            "subscribed",
            "subscribed",
            order,
            items=_mailing_items(order),
        )

    def purchased(self, order: Order, email: str) -> None:
        """A buyer whose cart was abandoned bought: the abandoned entry is closed."""
        if email.lower() in self.abandoned:
            self.abandoned.discard(email.lower())
            self.mailing_entry(
                "mailingListEntry.removed",
                email,
                "abandoned",
                "subscribed",
                order,
                items=_mailing_items(order),
            )

    def abandon(self, email: str, session: str, items: list[dict[str, Any]]) -> None:
        self.abandoned.add(email.lower())
        self.mailing_entry(
            "mailingListEntry.abandoned",
            email,
            "abandoned",
            "abandoned",
            session=session,
            items=items,
        )

    def unsubscribe(self, email: object) -> None:
        if not isinstance(email, str) or email.lower() not in self.subscribed:
            raise NotFound({"email": "This email is not on the mailing list"})
        self.subscribed.discard(email.lower())
        self.mailing_entry("mailingListEntry.removed", email, "unsubscribed", "unsubscribed")

    # --- fulfillment -----------------------------------------------------------------------

    def fulfillment_failed(self, order_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`fulfillment.failed`: a paid order's product could not be delivered (for
        example, its license list ran out); the order stays completed."""
        store = self.store
        order = store.orders.get(order_id)
        path = raw.get("product", order.items[0].product if order.items else None)
        item = next((i for i in order.items if i.product == path), None)
        if item is None:
            raise Invalid({"product": "The order has no such product"})
        reason = raw.get("reason", f"Does not have available licenses for product '{path}'")
        kind = raw.get("type", "License")
        if not isinstance(reason, str) or not isinstance(kind, str):
            raise Invalid({"reason": "reason and type must be text"})
        data = {
            "product": path,
            "quote": order.quote,
            "fulfillment": f"{path}_license_0",
            "type": kind,
            "order": order.id,
            "reference": order.reference,
            "account": order.account_id,
            "subscription": item.subscription,
            "reason": reason,
        }
        store.events.emit("fulfillment.failed", data, order.live)
        return data

    # --- snapshots ---------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "chargebacks": self.chargebacks,
            "subscribed": sorted(self.subscribed),
            "abandoned": sorted(self.abandoned),
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        self.pending = dict(data.get("pending", {}))
        self.chargebacks = dict(data.get("chargebacks", {}))
        self.subscribed = set(data.get("subscribed", []))
        self.abandoned = set(data.get("abandoned", []))


def _mailing_items(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "product": i.product,
            "path": i.product,
            "quantity": i.quantity,
            "display": i.display,
            "summary": None,
            "imageUrl": None,
            "isVirtual": False,
            "isSubscription": i.subscription is not None,
            "price": i.unit_price,
            "variation": None,
            "description": None,
            "sku": i.sku,
            "pricing": {"values": {order.currency: i.unit_price}},
        }
        for i in order.items
    ]
