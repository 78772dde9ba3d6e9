"""Strict bodies for the control plane and fixture documents.

FastSpring's own API ignores unknown fields, and so do the emulated endpoints. The
control plane is the emulator's own interface, where a typo (`"actoin"`, `"secert"`)
would silently change what a test means, so an unknown key is a 400 that names it
and suggests the closest known one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from emulator.domain.errors import Invalid


def refuse_unknown(body: Mapping[str, Any], known: Iterable[str], where: str = "") -> None:
    """Raise Invalid for the first key of `body` not in `known`."""
    allowed = list(known)
    for key in body:
        if key in allowed:
            continue
        name = f"{where}{key}"
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = (
            f"; did you mean `{close[0]}`?"
            if close
            else "; the keys are " + ", ".join(sorted(allowed))
        )
        raise Invalid({name: f"unknown key `{key}`{hint}"})
