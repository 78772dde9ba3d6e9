"""`--state-file`: every store saved to one JSON file, and loaded from it at start-up.

The file is written to a temporary file beside it, flushed to disk, and renamed
over the old one, so a crash or a kill during a save leaves the last good file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from emulator.snapshots import SnapshotError, export_json, export_namespace, import_namespace

VERSION = 1
TEMP_SUFFIX = ".saving"


@dataclass
class SaveStatus:
    """How the last save went, for the health check and the shutdown."""

    last_save: float | None = None  # wall-clock seconds of the last good save
    error: str | None = None  # why the last save failed, if it did

    def as_dict(self) -> dict[str, Any]:
        shown = (
            None
            if self.last_save is None
            else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.last_save))
        )
        return {"lastSave": shown, "error": self.error}


def check_path(path: str | Path) -> str | None:
    """Why the state file cannot be used, or None: checked at start-up so that a bad
    path fails then, not silently at the first save."""
    path = Path(path)
    if path.is_dir():
        return f"{path} is a directory"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"the directory {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"the directory {parent} is not writable"
    if path.exists() and not os.access(path, os.R_OK):
        return f"{path} is not readable"
    return None


def remove_leftovers(path: str | Path) -> list[Path]:
    """Delete the temporary files of saves that a kill interrupted."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    removed = []
    for leftover in parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


def save(path: str | Path, registry: Any) -> None:
    document = {
        "version": VERSION,
        "stores": {ns.name: export_namespace(ns) for ns in registry.all()},
    }
    _write(Path(path), [orjson.dumps(document)])


async def save_async(path: str | Path, registry: Any) -> None:
    """`save`, sharing the event loop: each store is exported and serialized in
    short steps, and the file is written and synced in a thread. The file is the
    same as `save` writes."""
    pieces = [b'{"version":', str(VERSION).encode(), b',"stores":{']
    for n, namespace in enumerate(registry.all()):
        pieces.append((b"," if n else b"") + orjson.dumps(namespace.name) + b":")
        pieces += await export_json(namespace)
    pieces.append(b"}}")
    await asyncio.to_thread(_write, Path(path), pieces)


def _write(path: Path, content: list[bytes]) -> None:
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent or "."
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.writelines(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: str | Path, registry: Any) -> int:
    """Restore every store in the file (none if it does not exist yet); how many."""
    path = Path(path)
    if not path.exists():
        return 0
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise SnapshotError(f"{path} cannot be read: {exc.strerror}") from None
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"{path} is not JSON: {exc}") from None
    if (
        not isinstance(document, dict)
        or document.get("version") != VERSION
        or not isinstance(document.get("stores"), dict)
    ):
        raise SnapshotError(f"{path} is not a fastspring-emulator state file")
    for name, snapshot in document["stores"].items():
        import_namespace(registry.namespace(name), snapshot)
    return len(document["stores"])
