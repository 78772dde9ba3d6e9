"""FastSpring's official OpenAPI document and the client generated from it, fetched
at test time and never committed.

Both come from the npm package fastspring-node-sdk (the document is its
`sdk.spec.api`), so they need node and npm. The package is installed once into the
temporary directory and shared by the machine's test processes;
FASTSPRING_OFFICIAL_OPENAPI may name a copy of the document to use instead.
Answers None, with the reason, where they cannot be had.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "fastspring-node-sdk@1.0.8"
_HOME = Path(tempfile.gettempdir()) / "fastspring-node-sdk-1.0.8"
_PRINT = (
    "const sdk = require(process.argv[1]).default;"
    "process.stdout.write(JSON.stringify(sdk.spec.api));"
)


def sdk_dir() -> tuple[Path | None, str]:
    """A folder whose node_modules holds the SDK, or (None, why not)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "node and npm are needed to fetch FastSpring's official SDK and document"
    _HOME.mkdir(exist_ok=True)
    done = _HOME / "installed"
    with open(_HOME / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            try:
                subprocess.run(
                    ["npm", "init", "-y"], cwd=_HOME, check=True, capture_output=True, timeout=120
                )
                subprocess.run(
                    ["npm", "install", "--silent", "--no-audit", "--no-fund", PACKAGE],
                    cwd=_HOME,
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
            except (subprocess.SubprocessError, OSError) as exc:
                return None, f"could not install {PACKAGE} with npm: {exc}"
            done.touch()
    return _HOME, ""


def load() -> tuple[dict[str, Any] | None, str]:
    """(document, "") or (None, why it is unavailable)."""
    given = os.environ.get("FASTSPRING_OFFICIAL_OPENAPI")
    if given:
        return json.loads(Path(given).read_text()), ""
    home, why = sdk_dir()
    if home is None:
        return None, why
    module = str(home / "node_modules" / "fastspring-node-sdk")
    try:
        printed = subprocess.run(
            ["node", "-e", _PRINT, module], check=True, capture_output=True, timeout=60
        )
        return json.loads(printed.stdout), ""
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        return None, f"could not read the document from {PACKAGE}: {exc}"
