"""Lookups and filtered pages cost the same at any store size (domain core, no HTTP).

python benchmarks/bench_domain.py --sizes 100 10000 1000000
python benchmarks/bench_domain.py --sizes 1000 --subscriptions 1000 100000

The second part buys N monthly subscriptions (a tenth of them canceled, so every
status has members) and times one page of each `GET /subscriptions` filter and of
`GET /accounts?subscriptions=active`, first page and last page.
"""

from __future__ import annotations

import argparse
import random
import time

from emulator.domain.paging import paginate, parse_paging
from emulator.domain.store import Store
from emulator.domain.subscription_search import search_subscriptions

SUBSCRIPTION_FILTERS = {
    "status=active": {"status": "active"},
    "status=canceled": {"status": "canceled"},
    "product": {"products": "monthly"},
    "event=created": {"event": "created"},
    "status+product": {"status": "active", "products": "monthly"},
}


def per_call_us(fn, calls: int) -> float:
    start = time.perf_counter()
    for n in range(calls):
        fn(n)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 1_000_000])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--subscriptions", type=int, nargs="*", default=[])
    args = parser.parse_args()
    print(
        f"{'accounts':>10} {'get':>8} {'email':>8} {'custom':>8} {'global':>8} "
        f"{'page':>8} {'last page':>10}   (microseconds per call)"
    )
    for size in args.sizes:
        store = Store("bench", seed=1)
        book = store.accounts
        accounts = [
            book.create(
                {
                    "contact": {"first": "B", "last": "U", "email": f"u{n}@example.com"},
                    "lookup": {"custom": f"custom-{n:07d}"},
                }
            )
            for n in range(size)
        ]
        rng = random.Random(1)
        picks = [rng.choice(accounts) for _ in range(1000)]
        last_page = max(1, (size + 49) // 50)
        # Each lambda runs inside this iteration (per_call_us calls it at once), so the
        # loop variables it reads are the ones meant.
        results = [
            per_call_us(lambda n: book.get(picks[n % 1000].id), args.calls),  # noqa: B023
            per_call_us(lambda n: book.lookup({"email": picks[n % 1000].email}), args.calls),  # noqa: B023
            per_call_us(lambda n: book.lookup({"custom": picks[n % 1000].custom}), args.calls),  # noqa: B023
            per_call_us(lambda n: book.lookup({"global": picks[n % 1000].global_key}), args.calls),  # noqa: B023
            per_call_us(
                lambda n: book.page(*parse_paging(str(n % last_page + 1), "50")),  # noqa: B023
                args.calls,
            ),
            per_call_us(lambda n: book.page(last_page, 50), args.calls),  # noqa: B023
        ]
        print(
            f"{size:>10} " + " ".join(f"{r:>8.2f}" for r in results[:-1]) + f" {results[-1]:>10.2f}"
        )

    if args.subscriptions:
        subscription_pages(args.subscriptions)


def filled_store(size: int) -> Store:
    store = Store("bench", seed=1)
    store.catalog.upsert(
        {"product": "monthly", "pricing": {"interval": "month", "price": {"USD": 9.99}}}
    )
    for n in range(size):
        order = store.purchases.checkout(
            {
                "contact": {"first": "B", "last": "U", "email": f"s{n}@example.com"},
                "items": [{"product": "monthly"}],
            }
        )
        if n % 10 == 0:
            store.lifecycle.cancel(order.items[0].subscription or "", immediately=False)
    return store


def subscription_pages(sizes: list[int]) -> None:
    names = [*SUBSCRIPTION_FILTERS, "accounts?subscriptions=active"]
    print()
    print(f"{'subscriptions':>13} " + " ".join(f"{n:>22}" for n in names))
    print(f"{'':>13} " + " ".join(f"{'first / last page':>22}" for _ in names))
    for size in sizes:
        store = filled_store(size)
        cells = []
        for params in SUBSCRIPTION_FILTERS.values():
            total = len(search_subscriptions(store, params))
            last = max(1, (total + 49) // 50)
            first_us = per_call_us(
                lambda n: paginate(search_subscriptions(store, params), 1, 50),  # noqa: B023
                200,
            )
            last_us = per_call_us(
                lambda n: paginate(search_subscriptions(store, params), last, 50),  # noqa: B023
                200,
            )
            cells.append(f"{first_us:>10.1f} / {last_us:>9.1f}")
        active = store.accounts.lookup({"subscriptions": "active"})
        last = max(1, (len(active) + 49) // 50)
        first_us = per_call_us(
            lambda n: paginate(store.accounts.lookup({"subscriptions": "active"}), 1, 50),  # noqa: B023
            200,
        )
        last_us = per_call_us(
            lambda n: paginate(store.accounts.lookup({"subscriptions": "active"}), last, 50),  # noqa: B023
            200,
        )
        cells.append(f"{first_us:>10.1f} / {last_us:>9.1f}")
        print(f"{size:>13} " + " ".join(cells) + "   (microseconds per page)")


if __name__ == "__main__":
    main()
