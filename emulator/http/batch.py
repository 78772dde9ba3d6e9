"""FastSpring's batch answers: one record per requested item, wrapped in a plural key.

A batch where every item failed is a 400; with at least one success it is a 200
and the failures are error records inside it (see the README's fidelity notes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.domain.errors import DomainError, Invalid
from emulator.http.responses import JSON


def batch_items(body: dict[str, Any], plural: str) -> list[Any]:
    """The items of a batch body, `{"<plural>": [...]}`; anything else is a 400."""
    items = body.get(plural)
    if not isinstance(items, list) or not items:
        raise Invalid({plural: f"{plural} must be a non-empty array"})
    return items


def element(
    action: str, key: str, ident: Any, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A success record: the id under the resource's key, then `action` and `result`."""
    record = {key: ident}
    if body:
        record.update(body)
    record["action"] = action
    record["result"] = "success"
    return record


def error_element(action: str, key: str, ident: Any, errors: dict[str, str]) -> dict[str, Any]:
    return {key: ident, "action": action, "result": "error", "error": errors}


def run_each(
    action: str, key: str, idents: list[Any], operation: Callable[[Any], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Apply `operation` to each id; a domain error becomes that id's error record."""
    records = []
    for ident in idents:
        try:
            records.append(operation(ident))
        except DomainError as exc:
            records.append(error_element(action, key, ident, exc.errors))
    return records


def batch_response(plural: str, records: list[dict[str, Any]]) -> JSON:
    every_failed = bool(records) and all(r.get("result") == "error" for r in records)
    return JSON({plural: records}, status_code=400 if every_failed else 200)
