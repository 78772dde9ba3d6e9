"""Whose store a dashboard page shows, and the wrapper every page handler shares.

A page shows the store the caller's Basic auth opens. In open mode (no
`--credentials`) any username already opens any store, so `?store=` picks
another existing one; with `--credentials` there is no cross-store view.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import DomainError, NotFound
from emulator.http.context import RequestContext
from emulator.http.query import query_params
from emulator.registry import Namespace, Registry
from emulator.ui.render import Links, page

MAX_PICKER = 200


@dataclass(frozen=True, slots=True)
class Viewer:
    """What a page handler needs: the store shown, its links, the query."""

    namespace: Namespace
    links: Links
    params: dict[str, str]
    stores: list[str] | None  # the store picker, in open mode only


class Forbidden(Exception):
    pass


def viewer_for(ctx: RequestContext, registry: Registry, params: dict[str, str]) -> Viewer:
    own = ctx.namespace
    picked = params.get("store")
    stores = registry.names()[:MAX_PICKER] if registry.open else None
    if picked is None or picked == own.name:
        return Viewer(own, Links(None), params, stores)
    if not registry.open:
        raise Forbidden(
            "With --credentials the dashboard shows only the store your credentials open."
        )
    found = registry.find(picked)
    if found is None:
        raise NotFound({"store": f"There is no store named {picked!r}."})
    return Viewer(found, Links(picked), params, stores)


PageHandler = Callable[[Request, Viewer], Awaitable[Response]]


def dashboard_page(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """Resolve the viewed store, and answer refusals with an HTML page: 403 for
    another store under `--credentials`, 404 for what does not exist, 400 for a bad
    query value."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        ctx: RequestContext = request.scope["emulator"]
        registry: Registry = request.scope["emulator.registry"]
        try:
            viewer = viewer_for(ctx, registry, query_params(request))
            return await handler(request, viewer)
        except Forbidden as exc:
            return page("error.html", 403, status=403, message=str(exc))
        except DomainError as exc:
            status = 404 if isinstance(exc, NotFound) else 400
            message = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
            return page("error.html", status, status=status, message=message)

    return run
