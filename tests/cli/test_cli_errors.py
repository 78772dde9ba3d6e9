"""The command line's error paths: one line naming the flag or the variable, exit 2,
no usage block and no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FASTSPRING_EMULATOR_")}
    return subprocess.run(
        [sys.executable, "-m", "emulator", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=clean | (env or {}),
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "usage:" not in done.stderr and "Traceback" not in done.stderr
    return lines[0]


def test_a_bad_flag_is_one_line_naming_the_flag():
    assert one_line(serve("--port", "abc")) == (
        "fastspring-emulator serve: argument --port: invalid port 'abc'"
    )
    assert "--seed" in one_line(serve("--seed", "x"))
    assert one_line(serve("--retain", "event=5")).startswith(
        "fastspring-emulator serve: argument --retain: 'event=5' is not name=N"
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("PORT", "xyz"),
        ("SEED", "x"),
        ("STRICT", "maybe"),
        ("RATE_LIMIT", "lots"),
        ("LOG_LEVEL", "loud"),
        ("STATE_INTERVAL", "-1"),
        ("RETAIN", "events=lots"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_a_bad_variable_is_named_as_the_variable(name, value):
    line = one_line(serve(env={f"FASTSPRING_EMULATOR_{name}": value}))
    assert line.startswith(f"fastspring-emulator: FASTSPRING_EMULATOR_{name}:")


def test_a_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line(serve("--port", str(port)))
    assert line.startswith(f"fastspring-emulator: --port {port}: cannot listen on")


def test_an_unreadable_fixture(tmp_path):
    line = one_line(serve("--fixtures", str(tmp_path / "missing.yaml")))
    assert line.startswith("fastspring-emulator: fixture")
