"""The application factory: the route table, the middleware and error rendering."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from emulator.config import Settings
from emulator.http.middleware import EmulatorMiddleware
from emulator.http.responses import failure
from emulator.registry import Registry
from emulator.routes import ROUTES

log = logging.getLogger("emulator")


async def _routing_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods in FastSpring's style instead of Starlette's text."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return failure(None, {"method": f"Request method '{request.method}' not supported"},
                       405, headers=exc.headers)
    if exc.status_code == 404:
        return failure(None, {"path": f"Not found: {request.url.path}"}, 404)
    return failure(None, {"request": str(exc.detail)}, exc.status_code, headers=exc.headers)


async def _crash(request: Request, exc: Exception) -> Response:
    """A bug, never an expected answer; keep even this in the JSON error shape."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return failure(None, {"server": "Internal emulator error; see the emulator log."}, 500)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    registry = Registry(settings.credentials, settings.seed)
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(EmulatorMiddleware, registry=registry, settings=settings)],
        exception_handlers={HTTPException: _routing_error, Exception: _crash},
    )
    app.state.settings = settings
    app.state.registry = registry
    return app
