"""How long one clock advance through a year takes with N monthly subscriptions.

    python benchmarks/bench_lifecycle.py --subscriptions 1000

Buys N monthly subscriptions (with payment reminders) in one store, then calls
`POST /_emulator/clock/advance {"days": 365}` once, in-process, and reports the
wall time of that call and what it produced.
"""

from __future__ import annotations

import argparse
import base64
import time

from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    auth = "Basic " + base64.b64encode(b"bench:bench").decode()
    client = TestClient(
        create_app(Settings(seed=1)), headers={"Authorization": auth, "User-Agent": "bench"}
    )
    client.post("/_emulator/clock/freeze")
    client.post(
        "/products",
        json={
            "products": [
                {"product": "monthly", "pricing": {"interval": "month", "price": {"USD": 9.99}}}
            ]
        },
    )
    started = time.perf_counter()
    for n in range(args.subscriptions):
        client.post(
            "/_emulator/orders",
            json={
                "contact": {"first": "B", "last": "U", "email": f"u{n}@example.com"},
                "items": [{"product": "monthly"}],
            },
        )
    bought = time.perf_counter() - started
    started = time.perf_counter()
    response = client.post("/_emulator/clock/advance", json={"days": args.days})
    advanced = time.perf_counter() - started  # the whole answer received; parsing it is ours
    result = response.json()
    kinds: dict[str, int] = {}
    for transition in result["transitions"]:
        kinds[transition["transition"]] = kinds.get(transition["transition"], 0) + 1
    print(f"{args.subscriptions} purchases: {bought:.2f} s")
    print(
        f"advance {args.days} days: {advanced:.2f} s, {len(result['transitions'])} "
        f"transitions {kinds}, {len(result['events'])} events"
    )


if __name__ == "__main__":
    main()
