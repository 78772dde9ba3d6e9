"""The one pure-ASGI middleware every request passes through.

It picks the caller's namespace from Basic auth, refuses what FastSpring would
refuse before routing (missing credentials, lower-case methods), adds pitfall
warnings to the response headers and writes the request journal. It is plain
ASGI rather than BaseHTTPMiddleware because it runs on every request.
"""

from __future__ import annotations

import base64
import binascii

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.config import Settings
from emulator.http.context import RequestContext
from emulator.http.pitfalls import MISSING_USER_AGENT, PitfallRefused
from emulator.http.responses import failure
from emulator.registry import Namespace, Registry

PUBLIC_PATHS = frozenset({"/_emulator/health"})
CONTROL_PREFIX = "/_emulator/"
_AUTH_CACHE_LIMIT = 4096
_UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="FastSpring API"'}


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, registry: Registry, settings: Settings) -> None:
        self.app = app
        self.registry = registry
        self.settings = settings
        self._auth_cache: dict[bytes, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            path = scope["path"] = path.rstrip("/") or "/"
        if path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method != method.upper():
            response = failure(None, {"method": f"Unknown method {method}; methods are "
                                                "upper-case"}, 404)
            await response(scope, receive, send)
            return
        authorization = None
        has_user_agent = False
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"user-agent":
                has_user_agent = bool(value.strip())
        namespace = self._authenticate(authorization)
        if namespace is None:
            response = failure(None, {"authorization": "Missing or invalid API credentials "
                                      "(HTTP Basic auth)."}, 401, headers=_UNAUTHORIZED)
            await response(scope, receive, send)
            return
        ctx = RequestContext(namespace, self.settings.strict, self.settings.max_body_bytes)
        scope["emulator"] = ctx
        status = 500

        async def send_with_warnings(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if ctx.warnings:
                    headers = list(message.get("headers", ()))
                    headers.extend((b"x-emulator-warning",
                                    w.header().encode("latin-1", "replace"))
                                   for w in ctx.warnings)
                    message = {**message, "headers": headers}
            await send(message)

        try:
            if not has_user_agent:
                try:
                    ctx.warn(MISSING_USER_AGENT)
                except PitfallRefused as refused:
                    pitfall = refused.pitfall
                    response = failure(None, {pitfall.field: pitfall.message}, 400)
                    await response(scope, receive, send_with_warnings)
                    return
            await self.app(scope, receive, send_with_warnings)
        finally:
            if not path.startswith(CONTROL_PREFIX):
                namespace.journal.record(
                    namespace.store.clock.now_ms(), method, path,
                    scope["query_string"].decode("latin-1"), status,
                    [w.as_dict() for w in ctx.warnings])

    def _authenticate(self, header: bytes | None) -> Namespace | None:
        if not header:
            return None
        username = self._auth_cache.get(header)
        if username is None:
            username = self._check_credentials(header)
            if username is None:
                return None
            if len(self._auth_cache) >= _AUTH_CACHE_LIMIT:
                self._auth_cache.clear()
            self._auth_cache[header] = username
        return self.registry.namespace(username)

    def _check_credentials(self, header: bytes) -> str | None:
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, colon, password = decoded.partition(":")
        if not colon or not self.registry.admits(username, password):
            return None
        return username
