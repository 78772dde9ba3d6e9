"""Fixture loads share the event loop: a big document is applied one entry per step,
other stores are served meanwhile, and the loading store's own requests see it
before or after the load, never half loaded."""

from __future__ import annotations

import asyncio

import httpx2 as httpx

from emulator.app import create_app
from emulator.config import Settings
from emulator.fixtures import load_steps, parse_document
from emulator.registry import Registry
from tests.support.clients import basic

ACCOUNTS = 3000


def big_document() -> dict:
    return {
        "products": [{"product": "pro", "pricing": {"interval": "month", "price": {"USD": 9}}}],
        "accounts": [
            {"name": f"a{n}", "contact": {"first": "A", "last": "B", "email": f"a{n}@ex.com"}}
            for n in range(ACCOUNTS)
        ],
    }


def test_a_load_takes_a_step_per_entry():
    namespace = Registry(None, 1).namespace("steps")
    document = parse_document("big.json", httpx.Response(200, json=big_document()).content)
    steps = sum(1 for _ in load_steps(document, namespace))
    # a dry run into a scratch store, then the real load: two steps per entry
    assert steps >= 2 * (ACCOUNTS + 1)
    assert len(namespace.store.accounts) == ACCOUNTS


def test_other_stores_are_served_during_a_big_load_and_the_store_sees_all_or_nothing():
    app = create_app(Settings(seed=3))

    async def race() -> tuple[list[str], list[int], int]:
        finished: list[str] = []
        seen: list[int] = []
        transport = httpx.ASGITransport(app=app)
        loader = {"Authorization": basic("loading", "pw"), "User-Agent": "t"}
        other = {"Authorization": basic("other", "pw"), "User-Agent": "t"}
        async with httpx.AsyncClient(transport=transport, base_url="http://e") as client:

            async def load() -> int:
                answer = await client.post(
                    "/_emulator/fixtures", json=big_document(), headers=loader
                )
                finished.append("load")
                return answer.status_code

            async def under_way() -> None:
                """Until the load holds its store (it is then applying entries), or
                is over (a load that never gave the loop back)."""
                while "load" not in finished:
                    held = app.registry.find("loading")
                    if held is not None and held.held:
                        return
                    await asyncio.sleep(0)

            async def elsewhere() -> None:
                await under_way()
                answer = await client.get("/accounts", headers=other)
                assert answer.status_code == 200
                finished.append("other store")

            async def same_store() -> None:
                await under_way()
                seen.append((await client.get("/accounts", headers=loader)).json()["total"])

            status, *_ = await asyncio.gather(load(), elsewhere(), same_store())
        return finished, seen, status

    finished, seen, status = asyncio.run(race())
    assert status == 200
    assert finished == ["other store", "load"]
    assert seen == [ACCOUNTS]  # it waited for the load instead of seeing part of it
