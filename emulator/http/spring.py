"""Error bodies of FastSpring's newer, Spring-based services (quotes, sessions v2).

Both carry `status`, `timestamp`, an `FS…` id, a `message` and field `errors`. The
quote service writes `"BAD_REQUEST"` and a `dd-MM-yyyy HH:mm:ss` timestamp; sessions
v2 writes `"400 BAD_REQUEST"` and an ISO timestamp.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import DomainError, ServiceRefusal
from emulator.domain.formats import iso_instant, utc
from emulator.http.body import BadRequestBody
from emulator.http.context import RequestContext
from emulator.http.responses import JSON

Handler = Callable[[Request, RequestContext], Awaitable[Response]]

REASONS = {400: "BAD_REQUEST", 404: "NOT_FOUND", 413: "PAYLOAD_TOO_LARGE"}


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)[:200]


def spring_error(
    ctx: RequestContext,
    status: int,
    message: str,
    errors: Sequence[tuple[str, str, str, Any]] | None = None,
    numbered: bool = False,
) -> JSON:
    """`errors` are (errorCode, field, message, rejected value); `numbered` is the
    sessions v2 flavour (`"400 BAD_REQUEST"`, ISO timestamp)."""
    now = ctx.store.clock.now_ms()
    reason = REASONS.get(status, "BAD_REQUEST")
    return JSON(
        {
            "status": f"{status} {reason}" if numbered else reason,
            "timestamp": iso_instant(now) if numbered else utc(now).strftime("%d-%m-%Y %H:%M:%S"),
            "id": ctx.store.error_ids.base32("FS"),
            "message": message,
            "details": None,
            "errors": [
                {
                    "errorCode": code,
                    "field": field,
                    "message": text,
                    "rejectedValue": _shown(rejected),
                }
                for code, field, text, rejected in errors or ()
            ],
        },
        status_code=status,
    )


def spring_endpoint(
    numbered: bool = False,
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler of a Spring service so every refusal becomes its error body."""

    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            ctx: RequestContext = request.scope["emulator"]
            try:
                return await handler(request, ctx)
            except ServiceRefusal as exc:
                return spring_error(ctx, exc.status, exc.message, exc.errors, numbered)
            except BadRequestBody as exc:
                return spring_error(ctx, exc.status, exc.errors["request"], numbered=numbered)
            except DomainError as exc:
                field, message = next(iter(exc.errors.items()))
                return spring_error(
                    ctx, 400, message, [("INVALID_VALUE", field, message, None)], numbered
                )

        return run

    return decorate
