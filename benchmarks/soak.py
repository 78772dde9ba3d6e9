"""A mixed load on several stores for a while: throughput, latency and memory over time.

    python benchmarks/soak.py --minutes 10

Starts the emulator through its CLI (default retention), then runs a mixed load on
4 stores: account creates, gets, pages and email lookups, checkouts, subscription
gets, `?status=active` pages, the request journal, and an hourly clock advance per
store every 200 of its requests. Prints one line per interval: requests/s, p50
and p99, the server's RSS and the record counts, then the targets:

- throughput in the last interval at least 90% of the first's;
- p99 at or under 50 ms;
- RSS under 1 GiB.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_http import free_port, wait_for_port  # noqa: E402

STORES = 4
WORKERS_PER_STORE = 4


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Store:
    def __init__(self, name: str, base: str) -> None:
        token = base64.b64encode(f"{name}:pw".encode()).decode()
        self.client = httpx.AsyncClient(
            base_url=base,
            headers={"Authorization": f"Basic {token}", "User-Agent": "soak"},
            timeout=120,
        )
        self.accounts: list[str] = []
        self.emails: list[str] = []
        self.subscriptions: list[str] = []
        self.requests = 0
        self.made = 0

    async def setup(self) -> None:
        await self.client.post(
            "/products",
            json={
                "products": [
                    {"product": "monthly", "pricing": {"interval": "month", "price": {"USD": 9}}}
                ]
            },
        )

    async def one(self, rng: random.Random) -> None:
        self.requests += 1
        c = self.client
        if self.requests % 200 == 0:
            await c.post("/_emulator/clock/advance", json={"seconds": 3600})
            return
        roll = rng.random()
        if roll < 0.15 or not self.accounts:
            self.made += 1
            email = f"soak{self.made}@example.com"
            body = {"contact": {"first": "S", "last": "K", "email": email}}
            answer = (await c.post("/accounts", json=body)).json()
            self.accounts.append(answer["account"])
            self.emails.append(email)
        elif roll < 0.40:
            await c.get(f"/accounts/{rng.choice(self.accounts)}")
        elif roll < 0.50:
            await c.get("/accounts", params={"page": rng.randint(1, 20)})
        elif roll < 0.60:
            self.made += 1
            order = {
                "contact": {"first": "B", "last": "Y", "email": f"buyer{self.made}@example.com"},
                "items": [{"product": "monthly"}],
            }
            answer = (await c.post("/_emulator/orders", json=order)).json()
            self.subscriptions.append(answer["items"][0]["subscription"])
        elif roll < 0.75 and self.subscriptions:
            await c.get(f"/subscriptions/{rng.choice(self.subscriptions)}")
        elif roll < 0.80:
            await c.get("/subscriptions", params={"status": "active", "page": rng.randint(1, 20)})
        elif roll < 0.95:
            await c.get("/accounts", params={"email": rng.choice(self.emails)})
        else:
            await c.get("/_emulator/requests", params={"limit": 20})

    async def counts(self) -> tuple[int, int, int]:
        c = self.client
        accounts = (await c.get("/accounts", params={"limit": 1})).json()["total"]
        subs = (await c.get("/subscriptions", params={"limit": 1})).json()["total"]
        events = (await c.get("/_emulator/events", params={"limit": 1})).json()["total"]
        return accounts, subs, events


async def soak(base: str, pid: int, seconds: float, interval: float) -> bool:
    stores = [Store(f"soak{n}", base) for n in range(STORES)]
    for store in stores:
        await store.setup()
    latencies: list[float] = []
    done = 0
    stop = time.monotonic() + seconds

    async def worker(store: Store, seed: int) -> None:
        nonlocal done
        rng = random.Random(seed)
        while time.monotonic() < stop:
            started = time.perf_counter()
            await store.one(rng)
            latencies.append((time.perf_counter() - started) * 1000)
            done += 1

    async def reporter() -> list[tuple[float, float, float]]:
        rows = []
        began = time.monotonic()
        while time.monotonic() < stop:
            await asyncio.sleep(min(interval, max(stop - time.monotonic(), 0.1)))
            window, latencies[:] = sorted(latencies), []
            elapsed = time.monotonic() - began
            began = time.monotonic()
            if not window:
                continue
            rate = len(window) / elapsed
            p99 = window[min(len(window) - 1, int(len(window) * 0.99))]
            counts = [await s.counts() for s in stores]
            totals = [sum(c[i] for c in counts) for i in range(3)]
            rss = rss_mib(pid)
            print(
                f"{rate:8.0f} req/s  p50 {statistics.median(window):6.1f} ms  p99 {p99:6.1f} ms  "
                f"RSS {rss:7.0f} MiB  accounts {totals[0]:>7}  subscriptions {totals[1]:>7}  "
                f"events kept {totals[2]:>6}",
                flush=True,
            )
            rows.append((rate, p99, rss))
        return rows

    tasks = [
        asyncio.create_task(worker(store, n * 100 + w))
        for n, store in enumerate(stores)
        for w in range(WORKERS_PER_STORE)
    ]
    rows = await reporter()
    await asyncio.gather(*tasks)
    for store in stores:
        await store.client.aclose()
    if len(rows) < 2:
        print("too short to compare intervals")
        return False
    kept = rows[-1][0] / rows[0][0]
    worst_p99 = max(r[1] for r in rows)
    peak = max(r[2] for r in rows)
    print(
        f"throughput kept {kept:.0%} (target 90%), worst p99 {worst_p99:.1f} ms (target 50), "
        f"peak RSS {peak:.0f} MiB (target 1024)"
    )
    return kept >= 0.9 and worst_p99 <= 50 and peak < 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--interval", type=float, default=60, help="seconds per report line")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", str(port), "--seed", "1"]
    )
    try:
        wait_for_port(port)
        ok = asyncio.run(
            soak(f"http://127.0.0.1:{port}", server.pid, args.minutes * 60, args.interval)
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
