"""`GET /subscriptions` filters, answered from the store's ordered indexes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from emulator.domain.calendar import parse_day
from emulator.domain.errors import Invalid
from emulator.domain.indexes import SUBSCRIPTION_EVENTS, status_filters
from emulator.domain.subscriptions import STATES, Subscription

if TYPE_CHECKING:
    from emulator.domain.store import Store


def _day_param(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    day = parse_day(raw)
    if day is None:
        raise Invalid({name: f"Invalid {name} date"})
    return day


def search_subscriptions(store: Store, params: Mapping[str, str]) -> Sequence[str]:
    """Ids matching every filter, in creation order.

    Each filter gives an ordered index and a test on one record. The smallest index
    is walked and the other filters' tests are applied to its records, so the cost
    is what the smallest match costs; a lone filter (or `status` with one product)
    pages its index lazily, at a cost that does not grow with the store.
    """
    subs, index = store.subscriptions, store.subscription_index
    filters: list[tuple[Sequence[str], Callable[[Subscription], bool]]] = []
    status = params.get("status")
    if status is not None and status not in STATES:
        raise Invalid({"status": "Supported value: " + ", ".join(STATES)})
    if "accountId" in params:
        account = store.accounts.find(params["accountId"])
        owner = params["accountId"]
        filters.append((account.subscriptions if account else (), lambda s: s.account_id == owner))
    paths = list(dict.fromkeys(params["products"].split(","))) if "products" in params else []
    if status is not None and len(paths) == 1:
        filters.append(
            (
                index.for_product_in_status(paths[0], status),
                lambda s: s.product == paths[0] and status in status_filters(s.state),
            )
        )
    else:
        if paths:
            chosen = (
                index.for_product(paths[0])
                if len(paths) == 1
                else index.in_creation_order(i for p in paths for i in index.for_product(p))
            )
            filters.append((chosen, lambda s: s.product in paths))
        if status is not None:
            filters.append((index.in_status(status), lambda s: status in status_filters(s.state)))
    scope = params.get("scope", "all")
    if scope not in ("all", "live", "test"):
        raise Invalid({"scope": "Supported value: all, live, test"})
    if scope == "live":
        filters.append(([], lambda s: False))
    event = params.get("event")
    if event is not None:
        if event not in SUBSCRIPTION_EVENTS:
            raise Invalid({"event": "Supported value: " + ", ".join(SUBSCRIPTION_EVENTS)})
        begin, end = _day_param(params, "begin"), _day_param(params, "end")
        if begin is None and end is None:
            filters.append((index.ever_had(event), lambda s: index.had(event, s.id)))
        else:
            noted = index.in_creation_order(
                index.with_event(event, begin, None if end is None else end + 86_400_000)
            )
            noted_ids = set(noted)
            filters.append((noted, lambda s: s.id in noted_ids))
    if not filters:
        return subs.all_ids()
    filters.sort(key=lambda f: len(f[0]))
    (smallest, _), rest = filters[0], [test for _, test in filters[1:]]
    if not rest:
        return smallest
    return [i for i in smallest if all(test(subs.get(i)) for test in rest)]
