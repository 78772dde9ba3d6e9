"""Each dashboard page costs the same at any store size: render time per page at
1k and 100k subscriptions (each with its account, order and events).

python benchmarks/bench_dashboard.py --sizes 1000 100000

The store is filled through the domain, then every page is requested in-process
(Starlette's TestClient), so the figures are rendering plus the lookups behind it,
with the HTTP stack's fixed cost included. The last column is the page's time at
the largest size divided by its time at the smallest.
"""

from __future__ import annotations

import argparse
import time

from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings

PAGES = [
    "/_emulator/ui",
    "/_emulator/ui/accounts",
    "/_emulator/ui/accounts?page=40",
    "/_emulator/ui/accounts?q=s7@example.com",
    "/_emulator/ui/subscriptions",
    "/_emulator/ui/subscriptions?status=canceled",
    "/_emulator/ui/subscriptions/{sub}",
    "/_emulator/ui/orders",
    "/_emulator/ui/events",
    "/_emulator/ui/events?type=subscription.canceled",
    "/_emulator/ui/requests",
]


def filled(size: int) -> tuple[TestClient, str]:
    app = create_app(Settings(seed=1))
    store = app.registry.namespace("bench").store
    store.clock.freeze()
    store.catalog.upsert(
        {"product": "monthly", "pricing": {"interval": "month", "price": {"USD": 9.99}}}
    )
    sub_id = ""
    for n in range(size):
        order = store.purchases.checkout(
            {
                "contact": {"first": "B", "last": "U", "email": f"s{n}@example.com"},
                "items": [{"product": "monthly"}],
            }
        )
        sub_id = order.items[0].subscription or sub_id
        if n % 10 == 0:
            store.lifecycle.cancel(sub_id, immediately=False)
    client = TestClient(app, headers={"Authorization": "Basic YmVuY2g6cHc=", "User-Agent": "bench"})
    return client, sub_id


def ms_per_page(client: TestClient, path: str, calls: int) -> float:
    assert client.get(path).status_code == 200, path
    start = time.perf_counter()
    for _ in range(calls):
        client.get(path)
    return (time.perf_counter() - start) / calls * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    table: dict[str, list[float]] = {}
    for size in args.sizes:
        client, sub_id = filled(size)
        for page in PAGES:
            path = page.format(sub=sub_id)
            table.setdefault(page, []).append(ms_per_page(client, path, args.calls))
    sizes = " ".join(f"{s:>10}" for s in args.sizes)
    print(f"{'page':<48} {sizes}   largest/smallest   (ms per page)")
    for page, times in table.items():
        cells = " ".join(f"{t:>10.2f}" for t in times)
        print(f"{page:<48} {cells}   {times[-1] / times[0]:>8.2f}")


if __name__ == "__main__":
    main()
