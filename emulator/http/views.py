"""Records as the API returns them, with the store context the views need."""

from __future__ import annotations

from typing import Any

from emulator.domain.commerce import Session
from emulator.domain.orders import Order
from emulator.domain.store import Store
from emulator.domain.views import order_view


def order_record(store: Store, order: Order) -> dict[str, Any]:
    return order_view(order, store.portal_host)


def session_view(session: Session, subtotal: float) -> dict[str, Any]:
    """A checkout session as `POST /sessions` answers it."""
    return {
        "id": session.id,
        "currency": session.currency,
        "expires": session.expires,
        "order": session.order_id,
        "account": session.account_id,
        "subtotal": subtotal,
        "items": [dict(i) for i in session.items],
    }
