"""Rendering the dashboard's pages: one Jinja2 environment, with autoescaping."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from emulator.domain.formats import iso_instant

_ENV = Environment(
    loader=PackageLoader("emulator", "templates/ui"),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(ms: int | None) -> str:
    """A millisecond timestamp as the API's ISO-8601 instant, or a dash."""
    return "—" if ms is None else iso_instant(ms)


def _pretty(value: Any) -> str:
    """JSON, indented for reading; bytes and str that hold JSON are parsed first."""
    if isinstance(value, bytes | str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def _tone(state: str | None) -> str:
    """A state's colour class: good, bad or plain."""
    text = state or ""
    if text in ("acknowledged", "active", "trial"):
        return "tone-ok"
    if any(w in text for w in ("fail", "retry", "overdue", "deactivated", "canceled")):
        return "tone-bad"
    return ""


_ENV.filters["when"] = _when
_ENV.filters["tone"] = _tone
_ENV.filters["pretty"] = _pretty
_NO_STORE = {"Cache-Control": "no-store"}


class Links:
    """Builds the dashboard's URLs; in open mode they carry the store being viewed."""

    BASE = "/_emulator/ui"

    def __init__(self, store: str | None) -> None:
        self.store = store

    def __call__(self, view: str = "", **params: Any) -> str:
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        if self.store is not None:
            query["store"] = self.store
        path = f"{self.BASE}/{view}" if view else self.BASE
        return f"{path}?{urlencode(query)}" if query else path


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A rendered page; pages are never cached, as they show live state."""
    html = _ENV.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=_NO_STORE)
