"""The `fastspring-emulator` command.

Every flag can also come from a `FASTSPRING_EMULATOR_*` environment variable (a
flag on the command line wins), which is how containers and compose files set it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

import uvicorn

from emulator import __version__, logs, persistence, tls
from emulator.app import create_app
from emulator.config import Settings, parse_credentials
from emulator.domain.cooperative import collect_young_only
from emulator.faults.bucket import parse_rate
from emulator.fixtures import FixtureError
from emulator.http.protocol import with_header_timeout
from emulator.retention import Retention, parse_retention
from emulator.snapshots import SnapshotError
from emulator.webhooks.config import valid_secret, valid_url

ENV_PREFIX = "FASTSPRING_EMULATOR_"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _port(text: str) -> int:
    if not text.isdecimal() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}")
    return int(text)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be an integer, not {text!r}") from None


def _credentials(text: str) -> dict[str, str]:
    try:
        return parse_credentials(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _webhook_url(text: str) -> str:
    if not valid_url(text):
        raise argparse.ArgumentTypeError(
            f"webhook must be an http:// or https:// URL, not {text!r}"
        )
    return text


def _webhook_secret(text: str) -> str:
    if not valid_secret(text):
        raise argparse.ArgumentTypeError("webhook secret must be 1 to 100 characters")
    return text


def _rate_limit(text: str) -> dict[str, float]:
    try:
        return parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"interval must be 0.1 to 86400 seconds, not {text!r}")
    return value


class BadVariable(Exception):
    """A `FASTSPRING_EMULATOR_*` variable with a value its flag would refuse."""


def _env_typed(name: str, convert: Callable[[str], Any], default: Any) -> Any:
    """The variable's value, converted as its flag's would be; an error names the
    variable, not the flag."""
    raw = _env(name)
    if raw is None:
        return default
    try:
        return convert(raw)
    except argparse.ArgumentTypeError as exc:
        raise BadVariable(f"{ENV_PREFIX}{name}: {exc}") from None


def _connections(text: str) -> int:
    if not text.isdecimal() or not 1 <= int(text) <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1, not {text!r}")
    return int(text)


def _retention(text: str) -> Retention:
    try:
        return parse_retention(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _schedule(text: str) -> str:
    if text not in ("current", "legacy", "fast"):
        raise argparse.ArgumentTypeError(f"must be current, legacy or fast, not {text!r}")
    return text


def _log_format(text: str) -> str:
    if text not in ("text", "json"):
        raise argparse.ArgumentTypeError(f"must be text or json, not {text!r}")
    return text


def _log_level(text: str) -> str:
    if text not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(LOG_LEVELS)}, not {text!r}")
    return text


def _env_flag(name: str, default: bool = False) -> bool:
    raw = (_env(name) or ("true" if default else "")).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise BadVariable(f"{ENV_PREFIX}{name}: must be true or false, not {raw!r}")


class _Parser(argparse.ArgumentParser):
    """One line per error, naming the flag, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fastspring-emulator",
        description="A local, stateful emulator of FastSpring's REST API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the emulated API over HTTP",
        description="Serve the emulated FastSpring API. Each flag "
        f"also reads {ENV_PREFIX}<FLAG> from the environment.",
    )
    serve.add_argument(
        "--host",
        default=_env("HOST", "127.0.0.1"),
        help="address to bind (default 127.0.0.1; env HOST)",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=_env_typed("PORT", _port, "8282"),
        help="port to bind; 0 picks a free one (default 8282; env PORT)",
    )
    serve.add_argument(
        "--credentials",
        type=_credentials,
        default=_env_typed("CREDENTIALS", _credentials, None),
        help="only accept these Basic-auth pairs, as user:pass,user2:pass2 "
        "(default: any non-empty pair; env CREDENTIALS)",
    )
    serve.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=_env_flag("STRICT"),
        help="refuse pitfall requests with a 400 instead of warning (env STRICT=true)",
    )
    serve.add_argument(
        "--seed",
        type=_seed,
        default=_env_typed("SEED", _seed, None),
        help="make ids and tokens reproducible (env SEED)",
    )
    serve.add_argument(
        "--webhook",
        type=_webhook_url,
        default=_env_typed("WEBHOOK", _webhook_url, None),
        metavar="URL",
        help="deliver every store's events to this URL, including stores "
        "created later (env WEBHOOK)",
    )
    serve.add_argument(
        "--webhook-secret",
        type=_webhook_secret,
        default=_env_typed("WEBHOOK_SECRET", _webhook_secret, None),
        metavar="SECRET",
        help="sign those deliveries with X-FS-Signature (env WEBHOOK_SECRET)",
    )
    serve.add_argument(
        "--webhook-expand",
        action=argparse.BooleanOptionalAction,
        default=_env_flag("WEBHOOK_EXPAND"),
        help="embed accounts, orders, products and subscriptions in those "
        "deliveries instead of ids (env WEBHOOK_EXPAND=true)",
    )
    serve.add_argument(
        "--webhook-retry-schedule",
        choices=("current", "legacy", "fast"),
        default=_env_typed("WEBHOOK_RETRY_SCHEDULE", _schedule, "current"),
        help="retry schedule of those deliveries: FastSpring's current one "
        "(1 h, 2 h, 4 h, ...), the legacy one (every 10 minutes), or fast "
        "(the current one in seconds, for local development; env "
        "WEBHOOK_RETRY_SCHEDULE)",
    )
    serve.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=_env_typed("RATE_LIMIT", _rate_limit, None),
        metavar="REQUESTS/SECONDS",
        help="give every store a token bucket, e.g. 250/60; over it, requests "
        "get 429 with no rate-limit headers (env RATE_LIMIT)",
    )
    serve.add_argument(
        "--fault-header",
        action=argparse.BooleanOptionalAction,
        default=_env_flag("FAULT_HEADER", default=True),
        help="honour the X-Emulator-Fault request header (default on; env "
        "FAULT_HEADER=false to turn it off)",
    )
    serve.add_argument(
        "--api-account-created",
        action=argparse.BooleanOptionalAction,
        default=_env_flag("API_ACCOUNT_CREATED"),
        help="send account.created for accounts made with POST /accounts too, "
        "not only at a first order (env API_ACCOUNT_CREATED=true)",
    )
    serve.add_argument(
        "--header-timeout",
        type=_interval,
        default=_env_typed("HEADER_TIMEOUT", _interval, 10.0),
        metavar="SECONDS",
        help="close a connection that has not sent a request's headers within "
        "this time (slowloris; default 10; env HEADER_TIMEOUT)",
    )
    serve.add_argument(
        "--keep-alive-timeout",
        type=_interval,
        default=_env_typed("KEEP_ALIVE_TIMEOUT", _interval, 5.0),
        metavar="SECONDS",
        help="close an idle kept-alive connection after this time (default 5; "
        "env KEEP_ALIVE_TIMEOUT)",
    )
    serve.add_argument(
        "--max-connections",
        type=_connections,
        default=_env_typed("MAX_CONNECTIONS", _connections, 1000),
        metavar="N",
        help="answer 503 beyond this many connections at once (default 1000; env MAX_CONNECTIONS)",
    )
    serve.add_argument(
        "--tls-cert",
        default=_env("TLS_CERT"),
        metavar="FILE",
        help="serve HTTPS with this PEM certificate chain (with --tls-key; env TLS_CERT)",
    )
    serve.add_argument(
        "--tls-key",
        default=_env("TLS_KEY"),
        metavar="FILE",
        help="the PEM private key of --tls-cert (env TLS_KEY)",
    )
    serve.add_argument(
        "--tls-self-signed",
        action=argparse.BooleanOptionalAction,
        default=_env_flag("TLS_SELF_SIGNED"),
        help="serve HTTPS with a certificate from a CA made at start-up, for "
        "localhost, 127.0.0.1, api.fastspring.com and every --tls-host "
        "(env TLS_SELF_SIGNED=true)",
    )
    serve.add_argument(
        "--tls-ca-out",
        default=_env("TLS_CA_OUT"),
        metavar="PATH",
        help="write that CA as PEM here, for clients to trust (default "
        "./fastspring-emulator-ca.pem; env TLS_CA_OUT)",
    )
    serve.add_argument(
        "--tls-host",
        action="append",
        metavar="NAME",
        default=[h for h in (_env("TLS_HOSTS") or "").split(",") if h],
        help="another name the self-signed certificate covers; repeat for "
        "several (env TLS_HOSTS, comma-separated)",
    )
    serve.add_argument(
        "--fixtures",
        action="append",
        metavar="FILE",
        default=[p for p in (_env("FIXTURES") or "").split(os.pathsep) if p],
        help="load a fixture document (JSON or YAML) into the store it names; "
        "repeat for several (env FIXTURES, separated by "
        f"'{os.pathsep}')",
    )
    serve.add_argument(
        "--state-file",
        default=_env("STATE_FILE"),
        metavar="PATH",
        help="load every store from PATH at start-up and save them there "
        "(atomically) at shutdown and every --state-interval seconds "
        "(env STATE_FILE)",
    )
    serve.add_argument(
        "--state-interval",
        type=_interval,
        default=_env_typed("STATE_INTERVAL", _interval, "30"),
        metavar="SECONDS",
        help="how often to save the state file (default 30; env STATE_INTERVAL)",
    )
    serve.add_argument(
        "--retain",
        type=_retention,
        default=_env_typed("RETAIN", _retention, Retention()),
        metavar="CAPS",
        help="history kept per store, e.g. events=10000,deliveries=10000,attempts=2000,"
        "acknowledged=10000,journal=1000 (those are the defaults; name only what you "
        "change; env RETAIN)",
    )
    serve.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=_env_typed("LOG_LEVEL", _log_level, "warning"),
        help="warning prints only the start line and errors; info adds a line per "
        "request, webhook attempt and clock advance (default warning; env LOG_LEVEL)",
    )
    serve.add_argument(
        "--log-format",
        type=_log_format,
        default=_env_typed("LOG_FORMAT", _log_format, "text"),
        metavar="text|json",
        help="text, or JSON lines for log collectors (default text; env LOG_FORMAT)",
    )
    return parser


class _AnnouncingServer(uvicorn.Server):
    """Prints the served URL once the socket really listens (useful with --port 0),
    and ends with exit code 0 after a graceful stop on SIGTERM or Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Like uvicorn's, minus re-raising the signal after shutdown, which would
        turn a clean stop into death by SIGTERM or a KeyboardInterrupt traceback."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.should_exit or not self.servers:
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        scheme = "https" if self.config.is_ssl else "http"
        print(f"fastspring-emulator {__version__} serving {scheme}://{shown}:{port}", flush=True)


def _port_in_use(host: str, port: int) -> str | None:
    """Why the address cannot be bound (checked as uvicorn will bind it), or None."""
    if port == 0:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def serve(settings: Settings) -> int:
    logs.configure(settings.log_level, settings.log_format)
    if settings.state_file:
        problem = persistence.check_path(settings.state_file)
        if problem is not None:
            print(f"fastspring-emulator: --state-file: {problem}", file=sys.stderr)
            return 2
        persistence.remove_leftovers(settings.state_file)
    try:
        app = create_app(settings)
    except FixtureError as exc:
        print(f"fastspring-emulator: fixture {exc}", file=sys.stderr)
        return 2
    except SnapshotError as exc:
        print(f"fastspring-emulator: state file: {exc}", file=sys.stderr)
        return 2
    busy = _port_in_use(settings.host, settings.port)
    if busy is not None:
        print(f"fastspring-emulator: --port {settings.port}: {busy}", file=sys.stderr)
        return 2
    try:
        certificate = tls.certificate_files(settings)
    except tls.TlsError as exc:
        print(f"fastspring-emulator: {exc}", file=sys.stderr)
        return 2
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        http=with_header_timeout(settings.header_timeout),
        timeout_keep_alive=max(1, round(settings.keep_alive_timeout)),
        limit_concurrency=settings.max_connections,
        access_log=False,  # the emulator's own request lines say more
        # A stop waits this long for open requests (a dashboard's live stream never
        # ends by itself), then closes them.
        timeout_graceful_shutdown=5,
        ssl_certfile=certificate[0] if certificate else None,
        ssl_keyfile=certificate[1] if certificate else None,
    )
    collect_young_only()  # this process is only the emulator
    try:
        _AnnouncingServer(config).run()
    finally:
        tls.remove_temporary(settings, certificate)
    if settings.state_file and app.save_status.error:
        print(
            f"fastspring-emulator: the state file was not saved at shutdown: "
            f"{app.save_status.error}",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except BadVariable as exc:
        print(f"fastspring-emulator: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if args.webhook_secret and not args.webhook:
        parser.error("--webhook-secret needs --webhook")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_self_signed and args.tls_cert:
        parser.error("give either --tls-self-signed or --tls-cert and --tls-key")
    settings = Settings(
        host=args.host,
        port=args.port,
        credentials=args.credentials,
        strict=args.strict,
        seed=args.seed,
        log_level=args.log_level,
        log_format=args.log_format,
        webhook_url=args.webhook,
        webhook_secret=args.webhook_secret,
        webhook_expand=args.webhook_expand,
        webhook_schedule=args.webhook_retry_schedule,
        rate_limit=args.rate_limit,
        fault_header=args.fault_header,
        fixtures=tuple(args.fixtures),
        state_file=args.state_file,
        state_interval=args.state_interval,
        api_account_created=args.api_account_created,
        header_timeout=args.header_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        max_connections=args.max_connections,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        tls_self_signed=args.tls_self_signed,
        tls_ca_out=args.tls_ca_out,
        tls_hosts=tuple(args.tls_host),
        retention=args.retain,
    )
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
