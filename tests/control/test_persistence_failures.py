"""A state file that cannot be saved is never silent: refused at start-up, reported
by the health check while running, and a non-zero exit at shutdown. Leftovers of
killed saves are removed at the next start. Through the real CLI."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.server import start

pytestmark = pytest.mark.e2e


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


def health(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/_emulator/health", timeout=5) as response:
        return json.loads(response.read())


def test_a_missing_directory_or_a_directory_is_refused_at_start(tmp_path):
    missing = run("--state-file", str(tmp_path / "nope" / "state.json"))
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"fastspring-emulator: --state-file: the directory {tmp_path / 'nope'} does not exist"
    ]
    directory = run("--state-file", str(tmp_path))
    assert directory.returncode == 2 and "is a directory" in directory.stderr


def test_an_unreadable_state_file_is_one_line_and_exit_2(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json")
    done = run("--state-file", str(state))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("fastspring-emulator: state file:")


def test_a_failing_save_is_reported_and_fails_the_shutdown(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    state = folder / "state.json"
    running = start("--state-file", str(state), "--state-interval", "0.2")
    try:
        deadline = time.monotonic() + 10
        while health(running.url)["state"]["lastSave"] is None:
            assert time.monotonic() < deadline, "no save happened"
            time.sleep(0.05)
        assert health(running.url)["status"] == "ok"
        shutil.rmtree(folder)  # the disk goes away under the server
        while health(running.url)["status"] != "degraded":
            assert time.monotonic() < deadline + 10, "the failure was not reported"
            time.sleep(0.05)
        assert "FileNotFoundError" in health(running.url)["state"]["error"]
    finally:
        code = running.stop(signal.SIGTERM)
    output = running.output_after_start()
    assert code == 1
    assert "could not save the state file" in output
    assert "the state file was not saved at shutdown" in output


def test_leftovers_of_a_killed_save_are_removed_at_start(tmp_path):
    state = tmp_path / "state.json"
    leftover = tmp_path / ".state.json.abc123.saving"
    leftover.write_bytes(b"x" * 1000)
    unrelated = tmp_path / ".other.json.abc.saving"
    unrelated.write_bytes(b"y")
    running = start("--state-file", str(state))
    try:
        assert not leftover.exists() and unrelated.exists()
    finally:
        assert running.stop() == 0
    assert state.exists()


def test_a_hard_kill_loses_only_what_came_after_the_last_save(tmp_path):
    import base64

    state = tmp_path / "state.json"
    running = start("--state-file", str(state), "--state-interval", "0.1", "--seed", "4")
    auth = {
        "Authorization": "Basic " + base64.b64encode(b"kill:pw").decode(),
        "User-Agent": "t",
        "Content-Type": "application/json",
    }
    body = json.dumps({"contact": {"first": "K", "last": "Ill", "email": "k@example.com"}}).encode()
    request = urllib.request.Request(f"{running.url}/accounts", data=body, headers=auth)
    with urllib.request.urlopen(request, timeout=5) as answer:
        account = json.loads(answer.read())["account"]
    saved_after = time.time()
    deadline = time.monotonic() + 10
    while not state.exists() or state.stat().st_mtime < saved_after:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (tmp_path / ".state.json.killed.saving").write_bytes(b"half a save")
    running.process.kill()  # SIGKILL: no shutdown save
    running.process.wait()
    again = start("--state-file", str(state), "--seed", "4")
    try:
        read = urllib.request.Request(f"{again.url}/accounts/{account}", headers=auth)
        with urllib.request.urlopen(read, timeout=5) as answer:
            assert json.loads(answer.read())["id"] == account
        assert list(tmp_path.glob("*.saving")) == []
    finally:
        assert again.stop() == 0
