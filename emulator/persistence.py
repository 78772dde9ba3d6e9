"""`--state-file`: every store saved to one JSON file, and loaded from it at start-up.

The file is written to a temporary file beside it, flushed to disk, and renamed
over the old one, so a crash or a kill during a save leaves the last good file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from emulator.snapshots import SnapshotError, export_namespace, import_namespace

VERSION = 1


def save(path: str | Path, registry: Any) -> None:
    path = Path(path)
    document = {"version": VERSION,
                "stores": {ns.name: export_namespace(ns) for ns in registry.all()}}
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(orjson.dumps(document))
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
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"{path} is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != VERSION or not \
            isinstance(document.get("stores"), dict):
        raise SnapshotError(f"{path} is not a fastspring-emulator state file")
    for name, snapshot in document["stores"].items():
        import_namespace(registry.namespace(name), snapshot)
    return len(document["stores"])
