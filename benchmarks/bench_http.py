"""Requests per second of the emulator beside a bare Starlette baseline.

Both servers run the same way (uvicorn, uvloop, httptools, one worker) pinned to
core 0; wrk runs on core 1. The baseline is sent the same requests' headers
(credentials, user agent, content type) from the same kind of wrk script, so the
ratio compares what the two do with a request, not how big the requests were.

Each scenario alternates the emulator and the baseline for `--rounds` rounds and
reports the median of the rounds' ratios: on a shared machine the throughput of
both drifts by a fifth from one second to the next, and a single pair of runs
can land on either side of a target by chance.

    python benchmarks/bench_http.py --records 1000 100000 --seconds 5 --rounds 3

Needs wrk (`apt-get install wrk`) and taskset (util-linux).
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUTH = "Basic " + base64.b64encode(b"bench:bench").decode()
TARGETS = {"get": 0.85, "create": 0.45, "update": 0.45, "list": 0.45, "lookup": 0.45}

LUA_COMMON = f"""
wrk.headers["Authorization"] = "{AUTH}"
wrk.headers["User-Agent"] = "wrk-bench"
wrk.headers["Content-Type"] = "application/json"
local function load(name)
  local t = {{}}
  for line in io.lines(os.getenv(name)) do t[#t + 1] = line end
  return t
end
local ids = load("IDS_FILE")
local emails = load("EMAILS_FILE")
local i = 0
local run = os.getenv("RUN_ID")
"""

BASELINE_SCENARIO = 'request = function() i = i + 1\n  return wrk.format("GET", "/hello") end'

SCENARIOS = {
    "get": "request = function() i = i + 1\n"
    '  return wrk.format("GET", "/accounts/" .. ids[(i * 7919) % #ids + 1]) end',
    "create": "request = function() i = i + 1\n"
    '  return wrk.format("POST", "/accounts", nil, \'{"contact":{"first":"N",'
    '"last":"U","email":"new\' .. run .. "-" .. i .. \'@example.com"}}\') end',
    "update": "request = function() i = i + 1\n"
    '  return wrk.format("POST", "/accounts/" .. ids[(i * 7919) % #ids + 1], nil,'
    ' \'{"contact":{"last":"Changed\' .. i .. \'"}}\') end',
    "list": "request = function() i = i + 1\n"
    "  local pages = math.max(1, math.floor(#ids / 50))\n"
    '  return wrk.format("GET", "/accounts?page=" .. ((i * 7919) % pages + 1)) end',
    "lookup": "request = function() i = i + 1\n"
    '  return wrk.format("GET", "/accounts?email=" .. '
    "emails[(i * 7919) % #emails + 1]) end",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def wrk(url: str, seconds: int, connections: int, script: str | None, env: dict) -> float:
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    if script:
        argv += ["-s", script]
    env = env | {"RUN_ID": f"{time.monotonic_ns()}"}  # fresh emails on every run
    out = subprocess.run([*argv, url], capture_output=True, text=True, env=env, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"    warning: {errors.group(1)} non-2xx responses", file=sys.stderr)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate is not None, out
    return float(rate.group(1))


def start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, *argv],
        stdout=subprocess.DEVNULL,
        env=os.environ | {"PYTHONPATH": str(HERE.parent)},
    )


def serve_baseline() -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = start(
        [
            "-m",
            "uvicorn",
            "--app-dir",
            str(HERE),
            "baseline_app:app",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    )
    wait_for_port(port)
    return server, port


def serve_emulator(records: int, ids_file: Path, emails_file: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = start(
        [
            str(HERE / "serve_populated.py"),
            "--records",
            str(records),
            "--port",
            str(port),
            "--ids-file",
            str(ids_file),
            "--emails-file",
            str(emails_file),
        ]
    )
    wait_for_port(port)
    return server, port


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait()


def run(records: int, seconds: int, connections: int, rounds: int, workdir: Path) -> list[tuple]:
    ids_file, emails_file = workdir / "ids.txt", workdir / "emails.txt"
    env = os.environ | {"IDS_FILE": str(ids_file), "EMAILS_FILE": str(emails_file)}
    rows = []
    for name, body in SCENARIOS.items():
        script, baseline_script = workdir / f"{name}.lua", workdir / "baseline.lua"
        script.write_text(LUA_COMMON + body + "\n")
        baseline_script.write_text(LUA_COMMON + BASELINE_SCENARIO + "\n")
        emulator_server, emulator_port = serve_emulator(records, ids_file, emails_file)
        baseline_server, baseline_port = serve_baseline()
        emulator_url = f"http://127.0.0.1:{emulator_port}"
        baseline_url = f"http://127.0.0.1:{baseline_port}"
        try:
            wrk(emulator_url, 1, connections, str(script), env)  # warm-up
            wrk(baseline_url, 1, connections, str(baseline_script), env)
            pairs = []
            for _round in range(rounds):
                emulator = wrk(emulator_url, seconds, connections, str(script), env)
                baseline = wrk(baseline_url, seconds, connections, str(baseline_script), env)
                pairs.append((emulator / baseline, emulator, baseline))
        finally:
            stop(emulator_server)
            stop(baseline_server)
        ratio = statistics.median(r for r, _, _ in pairs)
        emulator = statistics.median(e for _, e, _ in pairs)
        baseline = statistics.median(b for _, _, b in pairs)
        rows.append((records, name, emulator, baseline, ratio, TARGETS[name]))
        print(
            f"  {records:>7} {name:<7} {emulator:>9.0f} req/s  baseline {baseline:>9.0f}"
            f"  ratio {ratio:5.0%}  target {TARGETS[name]:.0%}"
            f"  (rounds: {', '.join(f'{r:.0%}' for r, _, _ in pairs)})",
            flush=True,
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternations per scenario (odd: a true median)"
    )
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            print(f"{tool} is required (apt-get install {tool})", file=sys.stderr)
            return 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for records in args.records:
            rows += run(records, args.seconds, args.connections, args.rounds, Path(tmp))
    misses = [r for r in rows if r[4] < r[5]]
    print(
        "\nall scenarios meet their targets"
        if not misses
        else "\nbelow target: " + ", ".join(f"{r[1]}@{r[0]}" for r in misses)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
