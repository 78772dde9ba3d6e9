"""A small fixture document and a loader, shared by the fixture tests."""

from __future__ import annotations

from typing import Any

import yaml

BASE: dict[str, Any] = {
    "clock": {"start": "2027-01-15T10:00:00Z"},
    "products": [
        {"product": "pro", "pricing": {"interval": "month", "price": {"USD": 10}}},
        {"product": "trial", "pricing": {"interval": "month", "trial": 7, "price": {"USD": 5}}},
        {"product": "usage", "pricing": {"interval": "adhoc", "price": {"USD": 1}}},
    ],
    "accounts": [
        {"name": "jane", "contact": {"first": "Jane", "last": "Doe", "email": "jane@example.com"}}
    ],
}


def load(client, document, content_type="application/yaml"):
    body = yaml.safe_dump(document) if "yaml" in content_type else document
    if "yaml" in content_type:
        return client.post(
            "/_emulator/fixtures", content=body.encode(), headers={"Content-Type": content_type}
        )
    return client.post("/_emulator/fixtures", json=body)
