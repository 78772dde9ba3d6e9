"""Records as the API returns them, with the store context the views need."""

from __future__ import annotations

from typing import Any

from emulator.domain.orders import Order
from emulator.domain.store import Store
from emulator.domain.subscriptions import Subscription
from emulator.domain.views import order_view, subscription_view


def order_record(store: Store, order: Order) -> dict[str, Any]:
    return order_view(order, store.portal_host)


def subscription_record(store: Store, sub: Subscription) -> dict[str, Any]:
    return subscription_view(sub)
