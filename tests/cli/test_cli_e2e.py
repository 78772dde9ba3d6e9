"""The CLI through a real uvicorn process: start line, flags, env vars, signals."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys

import httpx2 as httpx
import pytest

from emulator.cli import build_parser
from tests.support.server import emulator, start

pytestmark = pytest.mark.e2e
AGENT = {"User-Agent": "e2e"}


def create(url: str, auth: tuple[str, str], email: str) -> httpx.Response:
    return httpx.post(
        f"{url}/accounts",
        auth=auth,
        headers=AGENT,
        json={"contact": {"first": "A", "last": "B", "email": email}},
    )


def test_serve_prints_one_line_with_the_url_and_serves_the_api():
    with emulator() as running:
        assert running.first_line.startswith("fastspring-emulator ")
        assert running.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{running.url}/_emulator/health").json()["status"] == "ok"
        response = create(running.url, ("u", "p"), "jane@example.com")
        assert response.status_code == 200
        account_id = response.json()["account"]
        got = httpx.get(f"{running.url}/accounts/{account_id}", auth=("u", "p"), headers=AGENT)
        assert got.json()["contact"]["email"] == "jane@example.com"
        assert running.stop() == 0
        assert running.output_after_start().strip() == ""


def test_sigint_stops_cleanly():
    running = start()
    assert running.stop(signal.SIGINT) == 0


def test_console_script_is_installed_and_equivalent():
    script = shutil.which("fastspring-emulator") or str(
        __import__("pathlib").Path(sys.executable).with_name("fastspring-emulator")
    )
    running = start(command=[script])
    try:
        assert httpx.get(f"{running.url}/_emulator/health").status_code == 200
    finally:
        assert running.stop() == 0


def test_credentials_flag_restricts_access():
    with emulator("--credentials", "ci:secret,other:pw") as running:
        assert create(running.url, ("ci", "secret"), "a@example.com").status_code == 200
        assert create(running.url, ("ci", "wrong"), "a@example.com").status_code == 401
        assert httpx.get(f"{running.url}/accounts", headers=AGENT).status_code == 401


def test_every_flag_reads_its_environment_variable():
    env = {
        "FASTSPRING_EMULATOR_HOST": "127.0.0.1",
        "FASTSPRING_EMULATOR_PORT": "0",
        "FASTSPRING_EMULATOR_CREDENTIALS": "envuser:envpass",
        "FASTSPRING_EMULATOR_STRICT": "true",
        "FASTSPRING_EMULATOR_SEED": "11",
        "FASTSPRING_EMULATOR_LOG_LEVEL": "info",
    }
    with emulator(env=env) as running:
        assert create(running.url, ("other", "x"), "a@example.com").status_code == 401
        ok = create(running.url, ("envuser", "envpass"), "a@example.com")
        assert ok.status_code == 200
        strict = httpx.put(
            f"{running.url}/accounts/{ok.json()['account']}",
            auth=("envuser", "envpass"),
            headers=AGENT,
            json={},
        )
        assert strict.status_code == 400
        with emulator("--credentials", "envuser:envpass", "--seed", "11") as twin:
            again = create(twin.url, ("envuser", "envpass"), "a@example.com")
            assert again.json()["account"] == ok.json()["account"]
        assert running.stop() == 0
        assert "Application shutdown complete" in running.output_after_start()


def test_flags_override_environment_variables():
    with emulator("--no-strict", env={"FASTSPRING_EMULATOR_STRICT": "1"}) as running:
        response = httpx.put(f"{running.url}/accounts/x", auth=("u", "p"), headers=AGENT)
        assert response.status_code == 405


def test_seed_makes_ids_identical_across_processes():
    ids = []
    for _ in range(2):
        with emulator("--seed", "2024") as running:
            ids.append(
                [
                    create(running.url, ("u", "p"), f"{n}@example.com").json()["account"]
                    for n in range(3)
                ]
            )
    assert ids[0] == ids[1]


def raw_request(url: str, request_line: bytes) -> tuple[bytes, bytes]:
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            request_line + b"\r\nHost: x\r\nUser-Agent: raw\r\n"
            b"Authorization: Basic dTpw\r\nConnection: close\r\n\r\n"
        )
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


@pytest.mark.parametrize("method", [b"get", b"Get", b"post", b"delete"])
def test_lower_case_methods_get_a_fastspring_style_404(method):
    with emulator() as running:
        status_line, body = raw_request(running.url, method + b" /accounts HTTP/1.1")
        assert status_line == b"HTTP/1.1 404 Not Found"
        assert httpx.Response(200, content=body).json() == {
            "result": "error",
            "error": {"method": f"Unknown method {method.decode()}; methods are upper-case"},
        }
        status_line, _ = raw_request(running.url, b"GET /accounts HTTP/1.1")
        assert status_line == b"HTTP/1.1 200 OK"


@pytest.mark.parametrize(
    "request_line",
    [
        b"\x00\x01 nonsense",
        b"GET /accounts HTTP/1.1\r\nContent-Length: 0X",
        b"POST /_emulator/reset HTTP/1.1\r\nContent-Length: <:",
    ],
)
def test_unreadable_requests_get_a_fastspring_style_400(request_line):
    with emulator() as running:
        status_line, body = raw_request(running.url, request_line)
        assert status_line == b"HTTP/1.1 400 Bad Request"
        answer = httpx.Response(200, content=body).json()
        assert answer["result"] == "error"
        assert answer["error"]["request"].startswith("The request could not be read")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "99999"], "invalid port"),
        (["--seed", "abc"], "seed must be an integer"),
        (["--credentials", "nocolon"], "username:password"),
        (["--log-level", "loud"], "invalid choice"),
    ],
)
def test_bad_flag_values_exit_2_with_a_message(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_bad_strict_environment_value_is_reported():
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"FASTSPRING_EMULATOR_STRICT": "maybe", "PATH": ""},
    )
    assert result.returncode != 0
    assert "FASTSPRING_EMULATOR_STRICT" in result.stderr


def test_documented_defaults():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.credentials, args.strict, args.seed, args.log_level) == (
        "127.0.0.1",
        8282,
        None,
        False,
        None,
        "warning",
    )


def _buy_through(url: str, auth: tuple[str, str]) -> None:
    httpx.post(
        f"{url}/products",
        auth=auth,
        headers=AGENT,
        json={
            "products": [{"product": "pro", "pricing": {"interval": "month", "price": {"USD": 5}}}]
        },
    )
    response = httpx.post(
        f"{url}/_emulator/orders",
        auth=auth,
        headers=AGENT,
        json={
            "contact": {"first": "A", "last": "B", "email": "a@example.com"},
            "items": [{"product": "pro"}],
        },
    )
    assert response.status_code == 200


@pytest.mark.parametrize("use_env", [False, True])
def test_a_boot_webhook_receives_every_stores_events_signed(use_env):
    import base64
    import hashlib
    import hmac

    from emulator.receiver import Receiver

    with Receiver() as receiver:
        if use_env:
            running = start(
                env={
                    "FASTSPRING_EMULATOR_WEBHOOK": receiver.url,
                    "FASTSPRING_EMULATOR_WEBHOOK_SECRET": "boot-secret",
                    "FASTSPRING_EMULATOR_WEBHOOK_EXPAND": "true",
                }
            )
        else:
            running = start(
                "--webhook", receiver.url, "--webhook-secret", "boot-secret", "--webhook-expand"
            )
        try:
            for store in ("first", "second"):
                _buy_through(running.url, (store, "pw"))
                waited = httpx.post(
                    f"{running.url}/_emulator/webhooks/wait",
                    auth=(store, "pw"),
                    headers=AGENT,
                    json={"type": "subscription.activated", "timeout": 10},
                )
                assert waited.status_code == 200
        finally:
            assert running.stop() == 0
        assert receiver.event_types().count("subscription.activated") == 2
        for request in receiver.requests:
            digest = hmac.new(b"boot-secret", request["body"], hashlib.sha256).digest()
            assert request["headers"]["x-fs-signature"] == base64.b64encode(digest).decode()
        activated = [e for e in receiver.events() if e["type"] == "subscription.activated"]
        assert all(isinstance(e["data"]["account"], dict) for e in activated)


def test_webhook_flags_are_validated():
    for args, message in (
        (["--webhook", "not-a-url"], "http:// or https://"),
        (["--webhook-secret", "s"], "--webhook-secret needs --webhook"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "emulator", "serve", *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2 and message in result.stderr


def test_the_ready_fixture_documents_load_by_name():
    """`--fixtures demo` works from any directory: the documents ship in the package."""
    import base64
    import json
    import urllib.request

    with emulator("--fixtures", "demo") as running:
        request = urllib.request.Request(
            f"{running.url}/accounts",
            headers={
                "Authorization": "Basic " + base64.b64encode(b"demo:demo").decode(),
                "User-Agent": "t",
            },
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert json.loads(answer.read())["total"] == 25
