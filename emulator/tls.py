"""HTTPS for clients that hard-code `https://` or the host `api.fastspring.com`.

Either the user's certificate and key (`--tls-cert`, `--tls-key`), or, with
`--tls-self-signed`, a CA made at start-up with trustme and a certificate from it
for localhost, 127.0.0.1, api.fastspring.com and every `--tls-host`. The CA is
written out (`--tls-ca-out`) for clients to trust through their usual setting
(`REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from emulator.config import Settings

DEFAULT_NAMES = ("localhost", "127.0.0.1", "api.fastspring.com")
DEFAULT_CA_OUT = "fastspring-emulator-ca.pem"


class TlsError(Exception):
    """The TLS settings cannot be used; the message names the flag."""


def certificate_files(settings: Settings) -> tuple[str, str] | None:
    """(certificate chain, key) files for uvicorn, or None to serve plain HTTP."""
    if settings.tls_cert and settings.tls_key:
        for flag, path in (("--tls-cert", settings.tls_cert), ("--tls-key", settings.tls_key)):
            if not os.access(path, os.R_OK):
                raise TlsError(f"{flag}: cannot read {path}")
        return settings.tls_cert, settings.tls_key
    if not settings.tls_self_signed:
        return None
    import trustme  # only needed here, and slow to import

    ca = trustme.CA(organization_name="fastspring-emulator")
    names = tuple(dict.fromkeys(DEFAULT_NAMES + settings.tls_hosts))
    issued = ca.issue_cert(*names)
    ca_out = Path(settings.tls_ca_out or DEFAULT_CA_OUT)
    try:
        ca.cert_pem.write_to_path(str(ca_out))
    except OSError as exc:
        raise TlsError(f"--tls-ca-out: cannot write {ca_out}: {exc.strerror}") from None
    folder = tempfile.mkdtemp(prefix="fastspring-emulator-tls-")
    chain, key = os.path.join(folder, "server.pem"), os.path.join(folder, "server.key")
    with open(chain, "wb") as out:
        for blob in issued.cert_chain_pems:
            out.write(blob.bytes())
    issued.private_key_pem.write_to_path(key)
    os.chmod(key, 0o600)
    return chain, key


def remove_temporary(settings: Settings, files: tuple[str, str] | None) -> None:
    """Delete the self-signed certificate's files (the CA written out stays)."""
    if not settings.tls_self_signed or files is None:
        return
    for path in files:
        Path(path).unlink(missing_ok=True)
    Path(files[0]).parent.rmdir()
