"""Snapshots: a whole namespace as plain JSON, and back.

Everything a store holds is written out, including its clock, event log, webhook
deliveries still waiting for a retry, fault counters and the state of every
seeded generator, so that importing a snapshot and exporting it again gives the
same document. Derived state (the timeline's queue, search indexes that are pure
functions of the records) is rebuilt on import instead of being stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import orjson

from emulator.domain.accounts import Account, ChargeRecord, Holders, holders
from emulator.domain.catalog import Notice, Pricing, Product
from emulator.domain.commerce import Session
from emulator.domain.cooperative import (
    STEP,
    Steps,
    dump_json_and_let_go,
    each,
    finish,
    finish_async,
    quiet_collector,
)
from emulator.domain.coupons import export_coupon, restore_coupon
from emulator.domain.events import Event
from emulator.domain.ids import IdGenerator
from emulator.domain.orders import Order, OrderItem
from emulator.domain.returns import Return, ReturnLine
from emulator.domain.subscriptions import Addon, Subscription
from emulator.faults.bucket import TokenBucket
from emulator.faults.rules import parse_rule
from emulator.webhooks.channel import Attempt, Channel, Delivery
from emulator.webhooks.config import Webhook

VERSION = 2


class SnapshotError(Exception):
    """A snapshot document the emulator cannot restore."""


# --- small pieces ----------------------------------------------------------------------


def _ids(generator: IdGenerator) -> dict[str, Any]:
    return generator.export_state()


def _set_ids(generator: IdGenerator, data: dict[str, Any]) -> None:
    generator.restore_state(data)


def _plain(record: Any) -> Any:
    """A dataclass (and what it holds) as JSON-ready data; tuples become lists."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return dataclasses.asdict(record)
    return record


def _account(raw: dict[str, Any]) -> Account:
    """An account as a snapshot holds it. Its charges are arrays (see `ChargeRecord`);
    older snapshots hold the objects `GET /accounts/{id}` shows, and still load."""
    return Account(
        **{
            **raw,
            "orders": list(raw["orders"]),
            "subscriptions": list(raw["subscriptions"]),
            "charges": [_charge(c) for c in raw["charges"]],
        }
    )


def _charge(raw: Any) -> ChargeRecord:
    if isinstance(raw, dict):
        keys = ("order", "orderReference", "currency", "total", "subscription", "timestamp")
        raw = [raw[k] for k in keys]
    order_id, reference, currency, total, subscription, timestamp = raw
    return (order_id, reference, currency, total, subscription, timestamp)


def _notice(data: dict[str, Any]) -> Notice:
    return Notice(**data)


# --- the store -------------------------------------------------------------------------


def _json(value: Any) -> orjson.Fragment:
    """A record written to JSON at once (orjson writes dataclasses as `_plain` would):
    a big export then holds bytes, not millions of objects for the garbage collector
    to walk."""
    return orjson.Fragment(orjson.dumps(value))


def _subscription_record(sub: Any) -> dict[str, Any]:
    # A subscription keeps its coupon's terms even after the coupon is deleted.
    return {**_plain(sub), "coupon": export_coupon(sub.coupon) if sub.coupon else None}


def _return_record(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "reference": r.reference,
        "order": r.order.id,
        "lines": [[r.order.items.index(line.item), line.quantity, line.credit] for line in r.lines],
        "reason": r.reason,
        "note": r.note,
        "created": r.created,
        "notification": r.notification,
        "live": r.live,
        "tags": r.tags,
    }


def _event_record(e: Event) -> dict[str, Any]:
    # The data is already JSON: it goes into the document as it is, without being
    # parsed and written again (and without millions of objects for the collector).
    return {
        "id": e.id,
        "type": e.type,
        "created": e.created,
        "data": orjson.Fragment(e.raw),
        "live": e.live,
        "processed": e.processed,
    }


def _relations(relations: dict[str, dict[str, Holders]]) -> Steps[dict[str, Any]]:
    """Each relation's key -> account ids, copied a few keys at a time (a relation
    has a key per order: building its copy in one call held the loop)."""
    copied: dict[str, Any] = {}
    for name, keys in relations.items():
        copy = copied[name] = {}
        for n, (key, held) in enumerate(keys.items(), 1):
            copy[key] = list(holders(held))
            if n % STEP == 0:
                yield
    return copied


def _export_store(store: Any) -> Steps[dict[str, Any]]:
    accounts_state = store.accounts.export()
    subs = store.subscriptions
    commerce = store.commerce
    return {
        "ids": _ids(store.ids),
        "clock": {
            "offset_ms": store.clock.offset_ms,
            "frozen_at": store.clock.frozen_at,
            "last_change": store.clock.last_change,
        },
        "accounts": (yield from each(accounts_state["accounts"], _json)),
        "account_relations": (yield from _relations(accounts_state["relations"])),
        "account_subscription_counts": accounts_state["subscription_counts"],
        "products": [
            _plain(p) for p in (store.catalog.get(path) for path in store.catalog.paths())
        ],
        "coupons": store.coupons.export(),
        "exchange_rates": dict(store.rates.rates),
        "quotes": store.quotes.export(),
        "checkout_sessions": store.checkouts.export(),
        "invoices": store.invoices.export(),
        "report_jobs": store.reports.export(),
        "outcomes": store.outcomes.export(),
        "orders": (yield from each(store.orders.all_ids(), lambda i: _json(store.orders.get(i)))),
        "subscriptions": (
            yield from each(subs.all_ids(), lambda i: _json(_subscription_record(subs.get(i))))
        ),
        "subscription_index": store.subscription_index.export(),
        "returns": (yield from each(commerce.returns.all(), lambda r: _json(_return_record(r)))),
        "sessions": (yield from each(commerce.sessions(), _json)),
        "events": (yield from each(store.events.all(), lambda e: _json(_event_record(e)))),
    }


def _import_store(store: Any, data: dict[str, Any]) -> None:
    store.reset()
    _set_ids(store.ids, data["ids"])
    store.clock.offset_ms = data["clock"]["offset_ms"]
    store.clock.frozen_at = data["clock"]["frozen_at"]
    store.clock.last_change = data["clock"].get("last_change", 0)
    store.accounts.restore(
        (_account(raw) for raw in data["accounts"]),
        data["account_relations"],
        data["account_subscription_counts"],
    )
    for raw in data["products"]:
        pricing = dict(raw["pricing"])
        for name in ("reminder", "overdue", "cancellation"):
            pricing[name] = _notice(pricing[name])
        store.catalog.restore(
            Product(raw["path"], raw["display"], raw["sku"], Pricing(**pricing), raw["document"])
        )
    store.coupons.restore(data["coupons"])
    store.rates.rates = dict(data.get("exchange_rates") or store.rates.rates)
    for raw in data["orders"]:
        order = Order(
            **{
                **raw,
                "items": [OrderItem(**i) for i in raw["items"]],
                "coupons": tuple(raw["coupons"]),
                "returns": tuple(raw["returns"]),
            }
        )
        store.orders.add(order)
        store.order_index.add(order)
    index = store.subscription_index
    for raw in data["subscriptions"]:
        fields = dict(raw)
        for name in ("reminder", "overdue", "cancellation"):
            fields[name] = _notice(fields[name])
        fields["addons"] = tuple(Addon(**a) for a in fields["addons"])
        fields["entries"] = tuple(tuple(e) for e in fields["entries"])
        fields["history"] = tuple(fields["history"])
        fields["coupons"] = tuple(fields["coupons"])
        held = raw["coupon"]
        fields["coupon"] = (
            None if held is None else (store.coupons.find(held["id"]) or restore_coupon(held))
        )
        store.subscriptions.add(Subscription(**fields))
    index.restore(
        (store.subscriptions.get(i) for i in store.subscriptions.all_ids()),
        data["subscription_index"],
    )
    for raw in data["returns"]:
        order = store.orders.get(raw["order"])
        lines = [
            ReturnLine(order.items[position], quantity, credit)
            for position, quantity, credit in raw["lines"]
        ]
        store.commerce.returns.add(
            Return(
                raw["id"],
                raw["reference"],
                order,
                lines,
                raw["reason"],
                raw["note"],
                raw["created"],
                raw["notification"],
                raw["live"],
                raw["tags"],
            )
        )
    for raw in data["sessions"]:
        session = Session(**raw)
        store.commerce.restore_session(session)
    store.events.restore([Event.of(**raw) for raw in data["events"]])
    for sub_id in store.subscriptions.all_ids():
        store.lifecycle.schedule(store.subscriptions.get(sub_id))
    store.quotes.restore(data.get("quotes", []))
    store.checkouts.restore(data.get("checkout_sessions", []))
    store.invoices.restore(data.get("invoices", []))
    store.reports.restore(data.get("report_jobs", []))
    store.outcomes.restore(data.get("outcomes", {}))


# --- journal, webhooks and faults ------------------------------------------------------


def _export_hooks(hooks: Any) -> dict[str, Any]:
    channels = []
    for channel in hooks.channels.values():
        webhook = channel.webhook
        channels.append(
            {
                "webhook": {
                    **_plain(webhook),
                    "events": None if webhook.events is None else sorted(webhook.events),
                },
                "deliveries": [_delivery_record(hooks, d) for d in channel.deliveries.values()],
                "queue": channel.queued(),
            }
        )
    return {
        "ids": _ids(hooks.ids),
        "channels": channels,
        "attempts": [_plain(a) for a in hooks.attempts],
        "acknowledged": list(hooks.acked),
    }


def _delivery_record(hooks: Any, d: Delivery) -> dict[str, Any]:
    record = {
        "wire_id": d.wire_id,
        "event": d.event.id,
        "attempts": d.attempts,
        "first_at": d.first_at,
        "next_at": d.next_at,
        "state": d.state,
    }
    if hooks.store.events.find(d.event.id) is None:
        # The log no longer keeps it (see --retain): the delivery carries its own copy.
        record["event_record"] = _json(_event_record(d.event))
    return record


def _import_hooks(hooks: Any, data: dict[str, Any]) -> None:
    store = hooks.store
    hooks.clear()
    _set_ids(hooks.ids, data["ids"])
    for raw in data["channels"]:
        config = dict(raw["webhook"])
        config["events"] = None if config["events"] is None else frozenset(config["events"])
        channel = Channel(hooks, Webhook(**config))
        deliveries = []
        for d in raw["deliveries"]:
            kept = d.get("event_record")
            event = Event.of(**kept) if kept is not None else store.events.find(d["event"])
            if event is None:
                raise SnapshotError(f"delivery {d['wire_id']} names an unknown event")
            deliveries.append(
                Delivery(
                    event, d["wire_id"], d["attempts"], d["first_at"], d["next_at"], d["state"]
                )
            )
        channel.restore(deliveries, raw["queue"])
        hooks.channels[channel.webhook.id] = channel
        hooks.retry_changed(channel)
    for raw in data["attempts"]:
        hooks.record(Attempt(**raw))
    for event_id in data["acknowledged"]:
        event = store.events.find(event_id)
        if event is not None:
            hooks.acked[event_id] = event


def _export_faults(faults: Any) -> dict[str, Any]:
    return {
        "ids": _ids(faults.ids),
        "rules": [
            {
                "id": r.id,
                "raw": r.raw,
                "matched": r.matched,
                "fired": r.fired,
                **r.draws(),
            }
            for r in faults.rules
        ],
        "bucket": None if faults.bucket is None else _plain(faults.bucket),
    }


def _import_faults(faults: Any, data: dict[str, Any]) -> None:
    faults.rules.clear()
    _set_ids(faults.ids, data["ids"])
    for raw in data["rules"]:
        rule = parse_rule(raw["id"], raw["raw"])
        rule.matched, rule.fired = raw["matched"], raw["fired"]
        rule.restore_draws(raw)
        faults.rules.append(rule)
    faults.bucket = None if data["bucket"] is None else TokenBucket(**data["bucket"])


# --- whole namespaces ------------------------------------------------------------------


def export_steps(namespace: Any) -> Steps[dict[str, Any]]:
    """The namespace as a snapshot, in steps (see `emulator.domain.cooperative`)."""
    return {
        "version": VERSION,
        "store": namespace.name,
        "data": (yield from _export_store(namespace.store)),
        "journal": namespace.journal.export(),
        "webhooks": _export_hooks(namespace.hooks),
        "faults": _export_faults(namespace.faults),
    }


def export_namespace(namespace: Any) -> dict[str, Any]:
    return finish(export_steps(namespace))


async def export_json(namespace: Any) -> list[bytes]:
    """The snapshot as pieces of JSON (joined, they are the document), made without
    holding the event loop for long; the store's requests and advances wait
    meanwhile (an advance under way finishes first), so the snapshot is consistent."""
    async with namespace.exclusive(), namespace.store.timeline.still():
        with quiet_collector():
            return await finish_async(_export_then_dump(namespace))


def _export_then_dump(namespace: Any) -> Steps[list[bytes]]:
    # No name holds the document: once written, a store's worth of dicts is freed in steps.
    return (yield from dump_json_and_let_go([(yield from export_steps(namespace))]))


def _checked(snapshot: Any) -> dict[str, Any]:
    if isinstance(snapshot, dict) and snapshot.get("version") == 1:
        snapshot = _upgrade_from_1(snapshot)
    if not isinstance(snapshot, dict) or snapshot.get("version") != VERSION:
        raise SnapshotError(f"not a version {VERSION} snapshot of a store")
    return snapshot


def _restore_checked(namespace: Any, snapshot: dict[str, Any]) -> None:
    try:
        _restore(namespace, snapshot)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise SnapshotError(f"the snapshot does not restore: {type(exc).__name__}: {exc}") from None


def import_namespace(namespace: Any, snapshot: Any) -> None:
    """Replace everything in `namespace` with `snapshot` (checked before anything
    changes: a snapshot that does not restore leaves the namespace as it was)."""
    snapshot = _checked(snapshot)
    _restore_checked(namespace.scratch(), snapshot)
    _restore(namespace, snapshot)


async def import_async(namespace: Any, snapshot: Any) -> None:
    """`import_namespace` without holding the event loop: the snapshot is restored
    into a fresh namespace in a worker thread (the interpreter hands the loop back
    every few milliseconds meanwhile), then the namespace adopts it at once."""
    snapshot = _checked(snapshot)
    fresh = namespace.scratch(with_boot=True)
    await asyncio.to_thread(_restore_checked, fresh, snapshot)
    async with namespace.exclusive(), namespace.store.timeline.still():
        await namespace.adopt(fresh)


def _old_coupon(raw: dict[str, Any]) -> dict[str, Any]:
    """A version 1 coupon (its code was its id) in today's form."""
    return {
        "id": raw["code"],
        "multiple": False,
        "codes": [raw["code"].upper()],
        "combine": False,
        "reason": {},
        "limit": raw["max_uses"],
        "available": {},
        "valid_from": raw["valid_from"],
        "valid_until": raw["valid_until"],
        "uses": raw["uses"],
        "tiers": [
            {
                "percent": raw["percent"],
                "amounts": raw["amounts"],
                "products": raw["products"],
                "periods": raw["periods"],
                "immediately": False,
            }
        ],
    }


def _upgrade_from_1(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Version 1 snapshots (and state files) predate the Coupons API, quotes and
    exchange rates; they restore with those empty and their coupons converted."""
    try:
        data = dict(snapshot["data"])
        coupons = {c["code"]: _old_coupon(c) for c in data["coupons"]}
        data["coupons"] = list(coupons.values())
        data["subscriptions"] = [
            {
                **s,
                "coupon": coupons.get(s["coupon"]) if s.get("coupon") else None,
                "coupon_code": s.get("coupon"),
            }
            for s in data["subscriptions"]
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise SnapshotError(f"the version 1 snapshot does not upgrade: {exc}") from None
    return {**snapshot, "version": VERSION, "data": data}


def _restore(namespace: Any, snapshot: dict[str, Any]) -> None:
    _import_store(namespace.store, snapshot["data"])
    namespace.journal.restore(snapshot["journal"])
    _import_hooks(namespace.hooks, snapshot["webhooks"])
    _import_faults(namespace.faults, snapshot["faults"])
