"""Run-time settings, shared by the CLI, the app factory and the pytest plugin."""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.retention import Retention

DEFAULT_MAX_BODY_BYTES = 1_048_576


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8282
    credentials: dict[str, str] | None = None
    strict: bool = False
    seed: int | None = None
    log_level: str = "warning"
    log_format: str = "text"  # or "json": JSON lines for log collectors
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_expand: bool = False
    webhook_schedule: str = "current"
    fault_header: bool = True
    rate_limit: dict[str, float] | None = None
    fixtures: tuple[str, ...] = ()
    state_file: str | None = None
    state_interval: float = 30.0
    # `POST /accounts` also sends `account.created` (FastSpring documents it for a first
    # order only; see docs/fidelity.md).
    api_account_created: bool = False
    header_timeout: float = 10.0  # seconds to send a request's headers
    keep_alive_timeout: float = 5.0  # seconds an idle connection stays open
    max_connections: int = 1000  # more at once are answered 503
    tls_cert: str | None = None  # serve HTTPS with this certificate chain
    tls_key: str | None = None  # and this private key
    tls_self_signed: bool = False  # or make a CA and a certificate at start-up
    tls_ca_out: str | None = None  # where to write that CA (PEM)
    tls_hosts: tuple[str, ...] = ()  # extra names the certificate covers
    retention: Retention = field(default_factory=Retention)  # history kept per store

    def boot_webhooks(self) -> list[dict[str, object]]:
        """The webhook every store gets from `--webhook`, if one was given."""
        if self.webhook_url is None:
            return []
        return [
            {
                "url": self.webhook_url,
                "secret": self.webhook_secret,
                "expand": self.webhook_expand,
                "schedule": self.webhook_schedule,
            }
        ]


def parse_credentials(text: str) -> dict[str, str]:
    """`user:pass,user2:pass2` into a dict; a password may itself contain ':'."""
    pairs: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        username, colon, password = item.partition(":")
        if not colon or not username or not password:
            raise ValueError(f"credential {item!r} is not of the form username:password")
        pairs[username] = password
    if not pairs:
        raise ValueError("no credentials given")
    return pairs
