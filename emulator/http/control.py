"""The control plane under /_emulator: test-only operations the real API lacks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator import __version__
from emulator.domain.errors import Invalid
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import JSON
from emulator.journal import DEFAULT_CAPACITY


async def health(request: Request) -> Response:
    """Unauthenticated, for Docker and compose health checks."""
    return JSON({"status": "ok", "version": __version__})


@endpoint("emulator.reset")
async def reset(request: Request, ctx: RequestContext) -> Response:
    ctx.namespace.reset()
    return JSON({"result": "success", "store": ctx.namespace.name})


def _non_negative(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdecimal() or len(raw) > 12:
        raise Invalid({name: f"{name} must be a non-negative integer"})
    return int(raw)


@endpoint("emulator.requests")
async def requests(request: Request, ctx: RequestContext) -> Response:
    """The newest requests of this store: `?limit=` (default 100) and `?since=<seq>`."""
    params = query_params(request)
    limit = min(_non_negative(params.get("limit"), "limit", 100), DEFAULT_CAPACITY)
    since = _non_negative(params.get("since"), "since", 0)
    return JSON({"requests": ctx.namespace.journal.entries(limit, since)})
