"""Orders after the purchase: returns, tag and attribute updates, orders charged to a
stored payment method, and checkout sessions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.domain.coupons import not_valid
from emulator.domain.errors import Invalid, NotFound
from emulator.domain.formats import DAY_MS
from emulator.domain.orders import Order
from emulator.domain.purchases import price_from
from emulator.domain.returns import Return, ReturnBook, ReturnLine, plan_return
from emulator.domain.subscriptions import Subscription
from emulator.domain.views import order_return_entry, return_view, webhook_account_view

if TYPE_CHECKING:
    from emulator.domain.store import Store

SESSION_LIFETIME_MS = DAY_MS


@dataclass(slots=True)
class Session:
    id: str
    account_id: str
    items: list[dict[str, Any]]
    currency: str
    created: int
    coupon: str | None = None
    order_id: str | None = None

    @property
    def expires(self) -> int:
        return self.created + SESSION_LIFETIME_MS


class Commerce:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.returns = ReturnBook()
        self._sessions: dict[str, Session] = {}

    # --- returns ------------------------------------------------------------------------

    def create_return(self, request: Mapping[str, Any]) -> Return:
        """One item of `POST /returns`: a full refund, or part of the order's items."""
        order_id = request.get("order")
        if not isinstance(order_id, str):
            raise Invalid({"order": "order is required"})
        order = self.store.orders.get(order_id)
        lines, reason, note = plan_return(order, request, self.returns.returned_on(order_id))
        return self._file_return(order, lines, reason, note)

    def credit(self, sub: Subscription, amount: float) -> Return:
        """A proration credit: refunded against the subscription's latest order."""
        order = self.store.orders.get(sub.entries[-1][0])
        item = next(i for i in order.items if i.subscription == sub.id)
        return self._file_return(
            order,
            [ReturnLine(item, 0, credit=amount)],
            "CUSTOMER_SATISFACTION_GUARANTEE",
            "Proration credit",
        )

    def _file_return(
        self, order: Order, lines: list[ReturnLine], reason: str, note: str | None
    ) -> Return:
        store = self.store
        now = store.clock.now_ms()
        record = Return(
            store.orders.new_id(),
            store.orders.reference(now, "X"),
            order,
            lines,
            reason,
            note,
            now,
            live=order.live,
        )
        self.returns.add(record)
        order.returns = (*order.returns, order_return_entry(record))
        store.accounts.link("refunds", "true", order.account_id)
        account = webhook_account_view(store.accounts.get(order.account_id), store.portal_host)
        store.events.emit(
            "return.created", return_view(record, store.portal_host, account), order.live
        )
        store.outcomes.payout(
            order, [i.subscription for i in order.items if i.subscription], record
        )
        return record

    # --- order updates ------------------------------------------------------------------

    def update_order(self, request: Mapping[str, Any]) -> Order:
        """Tags replace the order's tags; item attributes merge into the named items."""
        if not isinstance(request, Mapping):
            raise Invalid({"order": "each order must be an object"})
        order_id = request.get("order")
        if not isinstance(order_id, str):
            raise NotFound({"order": "Not found"})
        order = self.store.orders.get(order_id)
        tags = request.get("tags")
        if tags is not None and not isinstance(tags, Mapping):
            raise Invalid({"tags": "tags must be an object"})
        items = request.get("items", [])
        if not isinstance(items, list):
            raise Invalid({"items": "items must be an array"})
        updates = []
        for n, item in enumerate(items):
            product = item.get("product") if isinstance(item, Mapping) else None
            attributes = item.get("attributes") if isinstance(item, Mapping) else None
            targets = [i for i in order.items if i.product == product]
            if not targets:
                raise Invalid({f"items[{n}].product": "Product is not in the order"})
            if not isinstance(attributes, Mapping):
                raise Invalid({f"items[{n}].attributes": "attributes must be an object"})
            updates.append((targets, attributes))
        order.changed = self.store.clock.change_stamp()
        if tags is not None:
            order.tags = dict(tags)
        for targets, attributes in updates:
            for target in targets:
                target.attributes.update(attributes)
                if target.subscription:
                    sub = self.store.subscriptions.find(target.subscription)
                    if sub is not None and sub.active:
                        sub.attributes.update(attributes)
        return order

    def charge_order(self, request: Mapping[str, Any]) -> Order:
        """`POST /orders` with an account: an order charged to its stored payment method."""
        account_id = request.get("account")
        if not isinstance(account_id, str):
            raise Invalid({"account": "account is required"})
        account = self.store.accounts.get(account_id)
        if account.payment_methods == 0:
            raise Invalid({"account": "No payment method on file for this account"})
        if account.decline is not None:
            raise Invalid({"payment": account.decline})
        return self.store.purchases.checkout(request)

    # --- sessions -----------------------------------------------------------------------

    def create_session(self, request: Mapping[str, Any]) -> Session:
        store = self.store
        account_id = request.get("account")
        if not isinstance(account_id, str):
            raise Invalid({"account": "account is required"})
        store.accounts.get(account_id)
        currency = request.get("currency", "USD")
        if not isinstance(currency, str) or len(currency) != 3:
            raise Invalid({"currency": "currency invalid"})
        lines = store.purchases.checkout_lines(request.get("items"), currency.upper())
        given = request["items"]
        items = [
            {
                "product": line.product.path,
                "quantity": line.quantity,
                **({"pricing": given[n]["pricing"]} if "pricing" in given[n] else {}),
            }
            for n, line in enumerate(lines)
        ]
        coupon = request.get("coupon")
        if coupon not in (None, ""):
            usable = store.coupons.usable(coupon, store.clock.now_ms())
            if isinstance(usable, str):
                raise Invalid({"coupon": not_valid(usable)})
        session = Session(
            store.orders.new_id(),
            account_id,
            items,
            currency.upper(),
            store.clock.now_ms(),
            coupon or None,
        )
        self._sessions[session.id] = session
        return session

    def session_subtotal(self, session: Session) -> float:
        catalog, currency = self.store.catalog, session.currency

        def unit(item: dict[str, Any]) -> float:
            own = price_from(item.get("pricing"), currency)
            return (
                own if own is not None else (catalog.get(item["product"]).price_in(currency) or 0.0)
            )

        return round(sum(unit(i) * i["quantity"] for i in session.items), 2)

    def sessions(self) -> list[Session]:
        return list(self._sessions.values())

    def restore_session(self, session: Session) -> None:
        self._sessions[session.id] = session

    def find_session(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    def complete_session(self, session_id: str, payment: object) -> Order:
        session = self._sessions.get(session_id)
        if session is None:
            raise NotFound({"session": "Not found"})
        if session.order_id is not None:
            raise Invalid({"session": "Session is already completed"})
        if self.store.clock.now_ms() > session.expires:
            raise Invalid({"session": "Session has expired"})
        order = self.store.purchases.checkout(
            {
                "account": session.account_id,
                "items": session.items,
                "currency": session.currency,
                "payment": payment,
                "coupon": session.coupon,
            }
        )
        session.order_id = order.id
        return order
