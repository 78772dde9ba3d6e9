"""One wrapper that turns every failure a handler can meet into FastSpring's shape."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import DomainError
from emulator.http.body import BadRequestBody
from emulator.http.context import RequestContext
from emulator.http.pitfalls import PitfallRefused
from emulator.http.responses import failure

Handler = Callable[[Request, RequestContext], Awaitable[Response]]
ActionOf = str | Callable[[Request], str]


def endpoint(
    action: ActionOf, echo: tuple[str, str] | None = None
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler so domain, body and pitfall errors become FastSpring errors.

    `action` names the FastSpring action for error records (or derives it from the
    request); `echo` is (record key, path parameter), e.g. ("account", "id"), so an
    error names the id it concerned as FastSpring does.
    """

    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            ctx: RequestContext = request.scope["emulator"]
            try:
                return await handler(request, ctx)
            except (DomainError, BadRequestBody, PitfallRefused) as exc:
                name = action if isinstance(action, str) else action(request)
                echoed = {echo[0]: request.path_params[echo[1]]} if echo else None
                if isinstance(exc, PitfallRefused):
                    errors = {exc.pitfall.field: exc.pitfall.message}
                    return failure(name, errors, 400, echoed)
                status = exc.status if isinstance(exc, BadRequestBody) else 400
                return failure(name, exc.errors, status, echoed)

        return run

    return decorate
