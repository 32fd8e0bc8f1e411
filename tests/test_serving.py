"""Serving for real, on loopback: no answer names a version of the server software, on gunicorn or on
`python app.py`.
"""

from __future__ import annotations

import socket

import pytest

from tests.test_deployment import (  # noqa: F401 (redis_db and start_gunicorn are fixtures used here)
    Server, _request, redis_db, start_gunicorn)


@pytest.fixture(scope="module")
def server(start_gunicorn) -> Server:
    return start_gunicorn()


def _raw(port: int, request: bytes) -> bytes:
    """The server's whole answer to `request`, sent as is."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _server_header(answer: bytes) -> str:
    """The Server header of a raw answer ("" when it has none)."""
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    return next((line.split(":", 1)[1].strip() for line in head[1:] if line.lower().startswith("server:")), "")


# The Server header


def test_gunicorn_names_no_version(server):
    for path in ("/healthz", "/login", "/no-such-page"):
        header = _request(server.port, "GET", path).headers["Server"]
        assert header == "gunicorn", (path, header)


def test_the_development_server_names_no_version(live_app):
    port = int(live_app.rsplit(":", 1)[1])
    for path in ("/healthz", "/login", "/no-such-page"):
        header = _request(port, "GET", path).headers["Server"]
        assert header == "impact-monitor", (path, header)
    # Over http.server's 100 headers: refused by it, before the app.
    refused = _raw(port, b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: a\r\n" % i for i in range(120)) + b"\r\n")
    assert refused.startswith(b"HTTP/1.1 431") and _server_header(refused) == "impact-monitor", refused[:200]
