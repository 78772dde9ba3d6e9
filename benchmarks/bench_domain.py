"""Lookups cost the same at 100 and at 1,000,000 accounts (domain core, no HTTP).

python benchmarks/bench_domain.py --sizes 100 10000 1000000
"""

from __future__ import annotations

import argparse
import random
import time

from emulator.domain.paging import parse_paging
from emulator.domain.store import Store


def per_call_us(fn, calls: int) -> float:
    start = time.perf_counter()
    for n in range(calls):
        fn(n)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 1_000_000])
    parser.add_argument("--calls", type=int, default=20_000)
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


if __name__ == "__main__":
    main()
