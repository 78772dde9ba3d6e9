"""One store's long work does not stall another store.

    python benchmarks/bench_fairness.py --subscriptions 10000 --accounts 100000

Serves the emulator as the CLI does, with store "bench" holding the given
subscriptions and accounts. A probe sends `GET /accounts/{id}` to a small second
store, one request at a time, and records each latency:

1. at rest (the baseline);
2. while "bench" advances its clock by a year (a rebill and a reminder a month for
   every subscription);
3. while "bench" exports its snapshot;
4. while periodic `--state-file` saves run (every second).

Target: the probe's p99 stays at or under 50 ms in every phase. Timings belong
here, never in tests: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_http import free_port, wait_for_port  # noqa: E402


def auth(user: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:pw".encode()).decode()
    return {"Authorization": f"Basic {token}", "User-Agent": "fairness-bench"}


class Probe:
    """GETs one account of the small store in a loop and keeps the latencies.

    The loop runs in a process of its own: in this one, reading a big answer (an
    advance's, a 200 MB snapshot) would hold the interpreter and add its own delays
    to the probe's, which are the server's alone.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        client = httpx.Client(base_url=base, headers=auth("probe"), timeout=60)
        account = client.post(
            "/accounts", json={"contact": {"first": "P", "last": "R", "email": "p@example.com"}}
        ).json()["account"]
        client.close()
        self.path = f"/accounts/{account}"
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self._results = self._context.Queue()
        self._process: multiprocessing.process.BaseProcess | None = None

    def start(self) -> None:
        self._stop.clear()
        self._process = self._context.Process(
            target=_probe_loop, args=(self.base, self.path, self._stop, self._results)
        )
        self._process.start()
        self._results.get()  # the loop has started

    def stop(self) -> list[float]:
        self._stop.set()
        assert self._process is not None
        latencies = self._results.get()
        self._process.join()
        return latencies


def _probe_loop(base: str, path: str, stop: Any, results: Any) -> None:
    client = httpx.Client(base_url=base, headers=auth("probe"), timeout=60)
    latencies: list[float] = []
    results.put("started")
    while not stop.is_set():
        started = time.perf_counter()
        client.get(path)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.002)
    results.put(latencies)


def summary(name: str, latencies: list[float], work_s: float | None = None) -> bool:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    work = f", work {work_s:.1f} s" if work_s is not None else ""
    ok = p99 <= 50
    print(
        f"{name:<28} {len(ordered):>6} probes, p50 {statistics.median(ordered):6.1f} ms, "
        f"p99 {p99:6.1f} ms, max {ordered[-1]:7.1f} ms{work}   {'ok' if ok else 'OVER 50 ms'}"
    )
    return ok


def during(probe: Probe, name: str, work) -> bool:
    probe.start()
    time.sleep(0.5)
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    time.sleep(0.2)
    return summary(name, probe.stop(), elapsed)


@contextlib.contextmanager
def serving(args, tmp: Path, state_file: Path | None):
    port = free_port()
    argv = [
        sys.executable,
        str(HERE / "serve_populated.py"),
        "--records",
        str(args.accounts),
        "--subscriptions",
        str(args.subscriptions),
        "--port",
        str(port),
        "--ids-file",
        str(tmp / "ids"),
        "--emails-file",
        str(tmp / "emails"),
    ]
    if state_file is not None:
        argv += ["--state-file", str(state_file), "--state-interval", "5"]
    server = subprocess.Popen(argv)
    try:
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        yield Probe(base), httpx.Client(base_url=base, headers=auth("bench"), timeout=3600)
    finally:
        server.terminate()
        server.wait(timeout=300)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--save-seconds", type=float, default=15.0)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        print(f"store 'bench': {args.accounts} accounts, {args.subscriptions} subscriptions")
        with serving(args, Path(tmp), state_file=None) as (probe, bench):
            probe.start()
            time.sleep(3)
            results.append(summary("at rest", probe.stop()))
            results.append(
                during(
                    probe,
                    f"advance {args.days} days",
                    lambda: bench.post("/_emulator/clock/advance", json={"days": args.days}),
                )
            )
            results.append(
                during(probe, "snapshot export", lambda: bench.get("/_emulator/snapshot"))
            )
        state = Path(tmp) / "state.json"
        with serving(args, Path(tmp), state_file=state) as (probe, bench):
            bench.post("/_emulator/clock/advance", json={"days": args.days})
            results.append(during(probe, "state-file saves", lambda: time.sleep(args.save_seconds)))
            print(f"state file: {state.stat().st_size / 1e6:.0f} MB, saved every 5 s")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
