"""The ASGI application: one entry point in front of the route table.

Every request passes the same gate: the caller's namespace from Basic auth,
what FastSpring refuses before routing (missing credentials, lower-case
methods), pitfall warnings added to the response headers, and the request
journal. It is a plain ASGI callable, not a stack of Starlette middlewares,
because it runs on every request and each layer costs throughput.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from emulator import logs, persistence
from emulator.config import Settings
from emulator.domain.errors import Invalid
from emulator.faults.engine import header_fault
from emulator.faults.rules import Fault
from emulator.fixtures import FixtureError, load_document, read_document
from emulator.http.auth import Authenticator
from emulator.http.context import RequestContext
from emulator.http.faulting import apply_fault
from emulator.http.pitfalls import MISSING_USER_AGENT, PitfallRefused
from emulator.http.responses import failure
from emulator.http.router import Match, Router
from emulator.registry import Registry
from emulator.routes import ROUTES

_DOUBLED_SLASHES = re.compile(r"/{2,}")
log = logging.getLogger("emulator")

PUBLIC_PATHS = frozenset({"/_emulator/health", "/_emulator/openapi.json"})
CONTROL_PREFIX = "/_emulator/"
_UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="FastSpring API"'}


class EmulatorApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = Registry(
            settings.credentials,
            settings.seed,
            settings.boot_webhooks(),
            settings.rate_limit,
            settings.retention,
        )
        self.state = State({"settings": settings, "registry": self.registry})
        self.router = Router(ROUTES)
        self.auth = Authenticator(self.registry)
        if settings.state_file:
            persistence.load(settings.state_file, self.registry)
        for path in settings.fixtures:
            self._load_boot_fixture(path)
        self._saver: asyncio.Task[None] | None = None
        self.save_status = persistence.SaveStatus()

    def _load_boot_fixture(self, path: str) -> None:
        """A `--fixtures` document, into the store it names (raises FixtureError)."""
        document = read_document(path)
        store = document.store
        if store is None:
            raise FixtureError(
                document.name,
                "store",
                "store",
                "a fixture loaded at start-up must name its store (store: {username, password})",
            )
        if not self.registry.admits(*store):
            raise FixtureError(
                document.name,
                "store",
                "store",
                "this username and password are not among --credentials",
            )
        load_document(document, self.registry.namespace(store[0]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for namespace in self.registry.all():
                    namespace.hooks.start()
                if self.settings.state_file:
                    self._saver = asyncio.get_running_loop().create_task(self._save_often())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._saver is not None:
                    self._saver.cancel()
                for namespace in self.registry.all():
                    await namespace.hooks.stop()
                if self.settings.state_file:
                    self._save()
                for namespace in self.registry.all():
                    await namespace.hooks.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _save_often(self) -> None:
        """Save every store each `--state-interval` seconds (and at shutdown).

        A periodic save shares the loop: each store is exported in short steps (that
        store's requests wait meanwhile, others do not) and the file is written in
        a thread."""
        assert self.settings.state_file is not None
        while True:
            await asyncio.sleep(self.settings.state_interval)
            try:
                await persistence.save_async(self.settings.state_file, self.registry)
            except Exception as exc:
                self._save_failed(exc)
            else:
                self._saved()

    def _save(self) -> None:
        """One save; a failure is logged and reported by the health check, and never
        stops later saves."""
        assert self.settings.state_file is not None
        try:
            persistence.save(self.settings.state_file, self.registry)
        except Exception as exc:
            self._save_failed(exc)
        else:
            self._saved()

    def _saved(self) -> None:
        self.save_status.last_save = time.time()
        self.save_status.error = None

    def _save_failed(self, exc: Exception) -> None:
        self.save_status.error = f"{type(exc).__name__}: {exc}"
        log.error(
            "could not save the state file %s: %s",
            self.settings.state_file,
            self.save_status.error,
        )

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        path = scope["path"]
        if "//" in path:  # a base URL ending in "/" joined to "/accounts"
            path = scope["path"] = _DOUBLED_SLASHES.sub("/", path)
        if len(path) > 1 and path.endswith("/"):
            path = scope["path"] = path.rstrip("/") or "/"
        if path in PUBLIC_PATHS:
            if self.settings.state_file:
                scope["emulator.save_status"] = self.save_status
            await self._dispatch(scope, receive, send)
            return
        method = scope["method"]
        if method != method.upper():
            await failure(
                None, {"method": f"Unknown method {method}; methods are upper-case"}, 404
            )(scope, receive, send)
            return
        authorization = None
        has_user_agent = False
        content_length = None
        fault_header = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"user-agent":
                has_user_agent = bool(value.strip())
            elif name == b"content-length" and value.isdigit():
                content_length = int(value)
            elif name == b"x-emulator-fault" and self.settings.fault_header:
                fault_header = value.decode("latin-1")
        namespace = self.auth.namespace(authorization)
        if namespace is None:
            await failure(
                None,
                {"authorization": "Missing or invalid API credentials (HTTP Basic auth)."},
                401,
                headers=_UNAUTHORIZED,
            )(scope, receive, send)
            return
        if namespace.held:
            await namespace.admitted()
        now = namespace.store.clock.now_ms()
        namespace.store.timeline.catch_up(now)
        ctx = scope["emulator"] = RequestContext(
            namespace,
            self.settings.strict,
            self.settings.max_body_bytes,
            content_length,
            self.settings.api_account_created,
        )
        status: int | None = None  # stays None when a fault drops the connection
        fault: Fault | None = None
        answered: list[bytes] = []  # the response body's first piece, for the journal

        async def send_with_warnings(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.body":
                if not answered:
                    answered.append(message.get("body", b""))
            elif message["type"] == "http.response.start":
                status = message["status"]
                if ctx.warnings:
                    message["headers"] = [
                        *message["headers"],
                        *(
                            (b"x-emulator-warning", w.header().encode("latin-1", "replace"))
                            for w in ctx.warnings
                        ),
                    ]
            await send(message)

        try:
            if not has_user_agent:
                try:
                    ctx.warn(MISSING_USER_AGENT)
                except PitfallRefused as refused:
                    pitfall = refused.pitfall
                    await failure(None, {pitfall.field: pitfall.message}, 400)(
                        scope, receive, send_with_warnings
                    )
                    return
            if path.startswith(CONTROL_PREFIX):
                scope["emulator.registry"] = self.registry  # the dashboard's store picker
                if method != "GET":
                    namespace.changes += 1
                await self._dispatch(scope, receive, send_with_warnings)
                return
            try:
                fault = (
                    header_fault(fault_header)
                    if fault_header is not None
                    else namespace.faults.decide(method, path, now)
                )
            except Invalid as exc:
                await failure(None, exc.errors, 400)(scope, receive, send_with_warnings)
                return
            if fault is None:
                await self._dispatch(scope, receive, send_with_warnings)
            else:
                await apply_fault(
                    fault,
                    scope,
                    receive,
                    send_with_warnings,
                    lambda send_to: self._dispatch(scope, receive, send_to),
                )
        finally:
            if not path.startswith(CONTROL_PREFIX):
                namespace.journal.record(
                    now,
                    method,
                    path,
                    scope["query_string"],
                    status,
                    ctx.warnings,
                    fault,
                    scope["headers"],
                    ctx.body,
                    answered[0] if answered else b"",
                    (time.perf_counter() - started) * 1000,
                )
            if log.isEnabledFor(logging.INFO):
                logs.request(
                    namespace.name,
                    method,
                    path,
                    status,
                    (time.perf_counter() - started) * 1000,
                    None if fault is None else f"{fault.source}: {fault.action}",
                    [w.code for w in ctx.warnings],
                )

    def _refuses(self, method: str, path: str) -> bool:
        return _refusal(self.router.resolve(method, path))

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]
        match = self.router.resolve(method, path)
        response: Response
        if (
            method == "HEAD"
            and match is not None
            and match.endpoint is None
            and ("GET" in match.allowed)
        ):
            # HEAD is GET without the body, wherever GET is served.
            match = self.router.resolve("GET", path)
            send = _without_body(send)
        if match is None:
            response = failure(None, {"path": f"Not found: {path}"}, 404)
        elif match.endpoint is None:
            allowed = [m for m in match.allowed if not self._refuses(m, path)]
            allowed += ["HEAD"] if "GET" in allowed else []
            response = failure(
                None,
                {"method": f"Request method '{method}' not supported"},
                405,
                headers={"Allow": ", ".join(allowed)},
            )
        else:
            scope["path_params"] = match.params
            try:
                response = await match.endpoint(Request(scope, receive))
            except Exception:
                # A bug, never an expected answer: keep even this in the JSON shape.
                log.exception("unhandled error on %s %s", method, path)
                response = failure(
                    None, {"server": "Internal emulator error; see the emulator log."}, 500
                )
        await response(scope, receive, send)


def _refusal(match: Match | None) -> bool:
    """The endpoint is served only to answer as the real API refuses it."""
    return match is not None and bool(getattr(match.endpoint, "refuses", False))


def _without_body(send: Send) -> Send:
    """A `send` that drops the response body (keeping its headers, length included)."""

    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head


def create_app(settings: Settings | None = None) -> EmulatorApp:
    return EmulatorApp(settings or Settings())
