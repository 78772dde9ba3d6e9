"""Snapshots and state files made in steps: the same bytes as in one go, and exact
round trips, after a store reset as well."""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from typing import Any

import httpx2 as httpx
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import persistence
from emulator.app import create_app
from emulator.config import Settings
from emulator.domain.cooperative import dump_json_pieces, each, finish, let_go
from emulator.receiver import Receiver
from emulator.registry import Registry
from tests.control.test_snapshots import export, rich_store, running_client
from tests.support.clients import basic
from tests.support.hooks import flush
from tests.support.shop import add_product, buy

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=1200) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=3000,
)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_json_in_steps_is_byte_for_byte_orjson(value):
    assert b"".join(finish(dump_json_pieces(value))) == orjson.dumps(value)


def containers(value, found):
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            containers(item, found)
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            containers(item, found)
    return found


@settings(max_examples=60, deadline=None)
@given(json_values, st.data())
def test_letting_go_in_steps_leaves_what_others_still_hold_intact(value, data):
    """The parts still referred to elsewhere (a store's own records) keep every item;
    the rest is taken apart, a chunk at a time."""
    inner = containers(value, [])
    kept = data.draw(st.lists(st.sampled_from(inner), max_size=5)) if inner else []
    expected = [copy.deepcopy(part) for part in kept]
    held = [value]
    del value, inner
    steps = sum(1 for _ in let_go(held))
    assert held == []
    assert kept == expected
    assert steps >= 0


def test_letting_go_of_a_big_document_takes_many_small_steps():
    document: dict[str, Any] = {"sections": {"index": {str(n): {"n": n} for n in range(5000)}}}
    document["records"] = [{"id": n, "tags": [n]} for n in range(5000)]
    shared = document["records"][7]
    held = [document]
    del document
    steps = sum(1 for _ in let_go(held))
    assert steps >= 100  # 10,000 records, at most a hundred at a time
    assert shared == {"id": 7, "tags": [7]}


def test_an_export_and_an_advance_hand_their_whole_document_over_to_be_freed(monkeypatch):
    """What they built is referred to by nothing else once written, so `let_go` can take
    it apart in steps instead of it being freed in one call at the end."""
    from emulator.domain import cooperative

    handed_over = []
    real_let_go = cooperative.let_go

    def watching(held):
        # getrefcount sees its own argument too: 2 means the list alone holds it.
        handed_over.append(sys.getrefcount(held[0]))
        return real_let_go(held)

    monkeypatch.setattr(cooperative, "let_go", watching)
    with running_client(create_app(Settings(seed=3))) as client:
        rich_store(client)
        handed_over.clear()
        assert client.get("/_emulator/snapshot").status_code == 200
        assert client.post("/_emulator/clock/advance", json={"days": 40}).status_code == 200
    assert handed_over == [2, 2]


def test_each_converts_everything_in_order():
    assert finish(each(range(1000), lambda n: n * 2)) == [n * 2 for n in range(1000)]


def test_a_store_reset_then_rebuilt_round_trips_exactly():
    with (
        running_client(create_app(Settings(seed=3))) as source,
        running_client(create_app(Settings(seed=99)), "copy") as copy,
    ):
        rich_store(source)
        assert source.post("/_emulator/reset").status_code == 200
        rich_store(source)
        snapshot = source.get("/_emulator/snapshot").content
        assert copy.post("/_emulator/reset").status_code == 200
        assert copy.post("/_emulator/snapshot", content=snapshot).status_code == 200
        assert export(copy) == export(source)


def test_the_periodic_save_writes_what_a_save_in_one_go_writes(tmp_path):
    app = create_app(Settings(seed=3))
    with running_client(app) as client:
        rich_store(client)
        registry: Registry = app.registry
        persistence.save(tmp_path / "sync.json", registry)
        client.portal.call(persistence.save_async, tmp_path / "async.json", registry)
    sync = json.loads((tmp_path / "sync.json").read_bytes())
    stepped = json.loads((tmp_path / "async.json").read_bytes())
    assert stepped == sync


def test_webhooks_deliver_after_a_snapshot_import():
    with Receiver() as receiver:
        app = create_app(Settings(seed=5, webhook_url=receiver.url))
        with TestClient(app, headers={"Authorization": basic("imp", "pw")}) as client:
            add_product(client, "pro")
            snapshot = client.get("/_emulator/snapshot").content
            assert client.post("/_emulator/snapshot", content=snapshot).status_code == 200
            buy(client, "pro")
            flush(client)
            assert "order.completed" in receiver.event_types()
            client.post("/_emulator/reset")
            add_product(client, "pro")
            buy(client, "pro", email="again@example.com")
            flush(client)
            assert receiver.event_types().count("order.completed") == 2


def test_requests_to_a_store_wait_while_it_is_exported():
    """A request arriving during exclusive work on its store is admitted after it;
    another store's namespace is not held."""
    app = create_app(Settings(seed=3))
    with running_client(app) as client:
        add_product(client, "pro")
        namespace = app.registry.namespace("snap")
        other = app.registry.namespace("other")

        async def race() -> list[str]:
            order: list[str] = []
            entered, release = asyncio.Event(), asyncio.Event()

            async def exporting() -> None:
                async with namespace.exclusive():
                    entered.set()
                    await release.wait()
                    order.append("export done")

            async def requesting() -> None:
                await namespace.admitted()
                order.append("request admitted")

            worker = asyncio.create_task(exporting())
            await entered.wait()
            waiting = asyncio.create_task(requesting())
            for _ in range(10):
                await asyncio.sleep(0)
            assert not waiting.done() and not other.held
            await other.admitted()
            release.set()
            await asyncio.gather(worker, waiting)
            return order

        assert client.portal.call(race) == ["export done", "request admitted"]


def test_an_export_during_an_advance_sees_the_store_before_or_after_it():
    app = create_app(Settings(seed=3))
    with running_client(app) as client:
        client.post("/_emulator/clock/freeze")
        add_product(client, "pro", interval="day")
        for n in range(30):
            buy(client, "pro", email=f"c{n}@example.com")
        before = client.get("/_emulator/clock").json()["now"]

        async def race():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://e", headers=dict(client.headers)
            ) as c:
                advanced, exported = await asyncio.gather(
                    c.post("/_emulator/clock/advance", json={"days": 60}),
                    c.get("/_emulator/snapshot"),
                )
            return advanced, exported

        assert client.portal is not None
        advanced, exported = client.portal.call(race)
    assert advanced.status_code == 200 and exported.status_code == 200
    clock = orjson.loads(exported.content)["data"]["clock"]["frozen_at"]
    assert clock in (before, advanced.json()["now"])
