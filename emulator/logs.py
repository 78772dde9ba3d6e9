"""What the emulator says while it runs: one line per request, per webhook attempt
and per clock advance, as text or as JSON lines (`--log-format`).

Lines go to the `emulator` logger at `info`; the default level (`warning`) keeps
them quiet. Each line carries its fields as `extra`, so the JSON form has them as
keys and the text form reads like a terminal log (see `docs/cli.md`, "Logs").
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

log = logging.getLogger("emulator")

# The fields a line may carry, in the order the JSON form writes them.
FIELDS = (
    "store",
    "method",
    "path",
    "status",
    "duration_ms",
    "fault",
    "warnings",
    "webhook",
    "url",
    "events",
    "attempt",
    "error",
    "next_retry",
    "from",
    "to",
    "transitions",
    "event_count",
)


class JsonLines(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "kind": getattr(record, "kind", "log"),
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, separators=(",", ":"))


def configure(level: str, form: str) -> None:
    """Send the `emulator` logger's lines to stderr at `level`, as `text` or `json`."""
    handler = logging.StreamHandler(sys.stderr)
    if form == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG if level == "trace" else getattr(logging, level.upper()))


def request(
    store: str,
    method: str,
    path: str,
    status: int | None,
    duration_ms: float,
    fault: str | None,
    warnings: list[str],
) -> None:
    shown = "dropped" if status is None else str(status)
    extra = f" fault={fault}" if fault else ""
    extra += "".join(f" warning={w}" for w in warnings)
    log.info(
        "%s %s %s %s %.1fms%s",
        store,
        method,
        path,
        shown,
        duration_ms,
        extra,
        extra={
            "kind": "request",
            "store": store,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "fault": fault,
            "warnings": warnings or None,
        },
    )


def webhook_attempt(
    store: str,
    webhook: str,
    url: str,
    types: list[str],
    attempt: int,
    status: int | None,
    error: str | None,
    next_retry: str | None,
) -> None:
    """Like the Stripe CLI: `--> order.completed [200] POST <url>`."""
    outcome = f"[{status}]" if status is not None else f"[{error}]"
    retry = f" next retry {next_retry}" if next_retry else ""
    log.info(
        "%s --> %s %s POST %s attempt %d%s",
        store,
        ",".join(types),
        outcome,
        url,
        attempt,
        retry,
        extra={
            "kind": "webhook",
            "store": store,
            "webhook": webhook,
            "url": url,
            "events": types,
            "attempt": attempt,
            "status": status,
            "error": error,
            "next_retry": next_retry,
        },
    )


def advance(store: str, begin: str, end: str, transitions: dict[str, int], events: int) -> None:
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(transitions.items()))
    log.info(
        "%s clock %s -> %s: %s; %d events",
        store,
        begin,
        end,
        kinds or "no transitions",
        events,
        extra={
            "kind": "advance",
            "store": store,
            "from": begin,
            "to": end,
            "transitions": transitions,
            "event_count": events,
        },
    )
