"""Slow and silent connections are cut off after --header-timeout, and other clients
are served meanwhile; more connections than --max-connections get 503."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from tests.support.server import emulator

pytestmark = pytest.mark.e2e


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except (ConnectionResetError, TimeoutError):
        return True


def read_answer(sock: socket.socket) -> bytes:
    """One whole response (headers and body may come in separate segments)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += sock.recv(4096)
    return answer


def test_slowloris_is_cut_off_and_others_are_served():
    with emulator("--header-timeout", "1") as running:
        port = port_of(running.url)
        slow = []
        for _n in range(30):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /accounts HTTP/1.1\r\nHost: x\r\n")  # never finishes
            slow.append(sock)
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        with urllib.request.urlopen(f"{running.url}/_emulator/health", timeout=5) as answer:
            assert answer.status == 200
        started = time.monotonic()
        assert all(closed(sock) for sock in [*slow, silent])
        assert time.monotonic() - started < 4
        for sock in [*slow, silent]:
            sock.close()


def test_a_kept_alive_connection_must_finish_each_requests_headers_in_time():
    """The deadline starts again with every request on a connection, not only at
    connecting: a client that answers quickly once and then stalls is cut off too."""
    with emulator("--header-timeout", "1") as running:
        port = port_of(running.url)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            for _n in range(3):  # each well inside the deadline, together beyond it
                time.sleep(0.4)
                sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
                assert read_answer(sock).startswith(b"HTTP/1.1 200")
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n")  # stalls
            started = time.monotonic()
            assert closed(sock)
            assert 0.5 < time.monotonic() - started < 3


def test_beyond_the_connection_limit_is_a_503():
    with emulator("--max-connections", "2", "--header-timeout", "5") as running:
        port = port_of(running.url)
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
                extra.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
                assert extra.recv(1024).startswith(b"HTTP/1.1 503")
        finally:
            for sock in held:
                sock.close()
