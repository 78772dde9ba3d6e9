"""HTTPS through the real CLI: a self-signed CA written out for clients, a certificate
for localhost, 127.0.0.1, api.fastspring.com and extra names, and the user's own
certificate. Clients trust only the written CA."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import urllib.request

import pytest
import trustme

from tests.support.server import emulator

pytestmark = pytest.mark.e2e


def get(url: str, context: ssl.SSLContext) -> dict:
    request = urllib.request.Request(
        url,
        headers={
            "Authorization": "Basic " + base64.b64encode(b"tls:pw").decode(),
            "User-Agent": "tls-test",
        },
    )
    with urllib.request.urlopen(request, context=context, timeout=5) as response:
        return json.loads(response.read())


def handshake(port: int, name: str, context: ssl.SSLContext) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=name) as secure:
            return secure.version() or ""


def test_self_signed_for_the_names_a_client_uses(tmp_path):
    ca = tmp_path / "ca.pem"
    with emulator(
        "--tls-self-signed", "--tls-ca-out", str(ca), "--tls-host", "emulator.internal"
    ) as running:
        assert running.url.startswith("https://127.0.0.1:")
        port = int(running.url.rsplit(":", 1)[1])
        trusting = ssl.create_default_context(cafile=str(ca))
        assert get(f"https://127.0.0.1:{port}/_emulator/health", trusting)["status"] == "ok"
        assert get(f"https://localhost:{port}/accounts", trusting)["accounts"] == []
        for name in ("api.fastspring.com", "emulator.internal"):
            assert handshake(port, name, trusting).startswith("TLS")
        with pytest.raises(ssl.SSLCertVerificationError):
            handshake(port, "example.com", trusting)
        with pytest.raises(ssl.SSLCertVerificationError):
            handshake(port, "localhost", ssl.create_default_context())  # no CA: refused


def test_the_users_own_certificate(tmp_path):
    ca = trustme.CA()
    issued = ca.issue_cert("localhost")
    chain, key = tmp_path / "chain.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(chain))
    issued.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    with emulator("--tls-cert", str(chain), "--tls-key", str(key)) as running:
        port = int(running.url.rsplit(":", 1)[1])
        trusting = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
        assert get(f"https://localhost:{port}/_emulator/health", trusting)["status"] == "ok"


def test_tls_flag_errors(tmp_path):
    import subprocess
    import sys

    for args, words in (
        (["--tls-cert", "x.pem"], "go together"),
        (
            ["--tls-cert", str(tmp_path / "no.pem"), "--tls-key", str(tmp_path / "no.key")],
            "--tls-cert: cannot read",
        ),
        (
            ["--tls-self-signed", "--tls-ca-out", str(tmp_path / "missing" / "ca.pem")],
            "--tls-ca-out",
        ),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2 and words in done.stderr, done.stderr
