"""Query strings as plain dicts: cheaper than Starlette's multi-dict on every list call."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request


def query_params(request: Request) -> dict[str, str]:
    """Decoded query parameters; a repeated name keeps its last value, as Starlette does.

    Parsed once per request and kept on the scope, since a handler and its error
    rendering may both ask.
    """
    scope = request.scope
    params = scope.get("emulator.query")
    if params is None:
        raw = scope["query_string"].decode("latin-1")
        params = scope["emulator.query"] = dict(parse_qsl(raw, keep_blank_values=True))
    return params
