"""Every response the test suite receives is checked against the served contract, so the
OpenAPI document and the code cannot drift apart."""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema_rs import Draft202012Validator

from emulator.contract import openapi

DOCUMENT = openapi()


def _local_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace("#/components/schemas/", "#/$defs/") if k == "$ref" else _local_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_local_refs(v) for v in node]
    return node


DEFINITIONS = _local_refs(DOCUMENT["components"]["schemas"])
# Literal paths before templated ones (/subscriptions/charge before /subscriptions/{id}).
TEMPLATES = sorted(
    (
        (re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"), path)
        for path in DOCUMENT["paths"]
    ),
    key=lambda t: t[1].count("{"),
)
_validators: dict[tuple[str, str, str], Draft202012Validator] = {}


def check_response(method: str, path: str, status: int, headers: Any, body: bytes) -> None:
    """Fail unless a documented operation documents this status and its schema holds."""
    if "x-emulator-fault" in headers or path in ("/_emulator/health",):
        return  # injected faults are off-contract on purpose
    template = next((t for pattern, t in TEMPLATES if pattern.match(path)), None)
    operation = DOCUMENT["paths"][template].get(method.lower()) if template else None
    if operation is None:
        return  # unknown paths and methods: 404/405
    responses = operation["responses"]
    assert str(status) in responses, (
        f"{method} {path} answered {status}, which the contract does not document: {body!r}"
    )
    if "content" not in responses[str(status)]:
        assert body == b"", f"{method} {path} {status} documents no body but sent {body!r}"
        return
    documented = responses[str(status)]["content"]
    sent = headers.get("content-type", "").split(";")[0]
    if "application/json" not in documented or sent != "application/json":
        assert sent in documented, f"{method} {path} {status} sent {sent}, not {documented}"
        return
    assert template is not None
    key = (template, method.lower(), str(status))
    validator = _validators.get(key)
    if validator is None:
        schema = responses[str(status)]["content"]["application/json"]["schema"]
        validator = _validators[key] = Draft202012Validator(
            {**_local_refs(schema), "$defs": DEFINITIONS}
        )
    errors = list(validator.iter_errors(json.loads(body)))
    assert not errors, f"{method} {path} {status} breaks the contract: {errors[0].message}"
