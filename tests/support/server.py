"""Start the real CLI in a subprocess and find the URL it announces."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

ANNOUNCE = re.compile(r"serving (https?://\S+)")


@dataclass
class RunningEmulator:
    process: subprocess.Popen[str]
    url: str
    first_line: str
    lines: list[str] = field(default_factory=list)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def output_after_start(self) -> str:
        """Everything printed after the start line (call once the process ended)."""
        self._reader.join(timeout=5)
        return "".join(self.lines[1:])

    _reader: threading.Thread = field(default=None, repr=False)  # type: ignore[assignment]


def start(
    *args: str,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
    timeout: float = 20,
) -> RunningEmulator:
    """Run `serve` on a free port (unless args choose one) and wait for its start line."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FASTSPRING_EMULATOR_")}
    full_env.update(env or {})
    argv = (command or [sys.executable, "-m", "emulator"]) + ["serve", *args]
    if "--port" not in args and "FASTSPRING_EMULATOR_PORT" not in full_env:
        argv += ["--port", "0"]
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env
    )
    lines: list[str] = []
    announced: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if ANNOUNCE.search(line):
                announced.put(line)
        announced.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        line = announced.get(timeout=timeout)
    except queue.Empty:
        line = None
    if line is None:
        process.kill()
        reader.join(timeout=5)
        raise RuntimeError("emulator did not start:\n" + "".join(lines))
    # Keep only what came from the start line on, so tests see the announced line first.
    del lines[: lines.index(line)]
    announced_url = ANNOUNCE.search(line)
    assert announced_url is not None
    running = RunningEmulator(process, announced_url.group(1), line.rstrip("\n"), lines)
    running._reader = reader
    return running


@contextmanager
def emulator(*args: str, env: dict[str, str] | None = None) -> Iterator[RunningEmulator]:
    running = start(*args, env=env)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()
