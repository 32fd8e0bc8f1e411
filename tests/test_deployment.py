"""The README's production setup for real: gunicorn with two workers sharing Redis.

Sessions, sign-in lockouts and the aggregate cache must hold across workers, pages and
callbacks must work (gzip-compressed) behind gunicorn, and SIGTERM must stop
the server cleanly.
"""

from __future__ import annotations

import gzip
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest
import redis

from queries.periods import quarter_containing
from tests.conftest import BROWSER_DEMO_CASES, GEO_CACHE, REPO_ROOT, _free_port, _wait_until_serving, require
from tests.signin import form_token, session_cookie

# A Redis database of its own, flushed before and after: the app's key prefixes are fixed.
REDIS_URL = "redis://127.0.0.1:6379/15"
LOGIN_FAILURES_PREFIX = "impact-monitor:login-failures"
CACHE_PREFIX = "impact-monitor:agg"
# Process id first: shows which worker answered each request.
ACCESS_LOG_FORMAT = '%(p)s %(s)s "%(r)s"'


class Reply(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Server(NamedTuple):
    process: subprocess.Popen
    port: int
    access_log: Path


_SESSIONS: dict[tuple[int, str], str] = {}


def _auth(port: int, username: str) -> dict:
    """The cookie of a session of `username`, signed in once through the sign-in form of the server at `port`."""
    if (port, username) not in _SESSIONS:
        _SESSIONS[port, username] = session_cookie(f"http://127.0.0.1:{port}", username)
    return {"Cookie": _SESSIONS[port, username]}


def _sign_in_form(port: int, username: str, password: str) -> tuple[dict, bytes]:
    """The headers and body of a sign-in as the form sends it (its token fetched first, from any worker)."""
    page = _request(port, "GET", "/login")
    token = form_token(page.body.decode())
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    body = urllib.parse.urlencode({"username": username, "password": password, "form_token": token,
                                   "next": "/"}).encode()
    return {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body


def _request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None) -> Reply:
    """One request on a new connection: gunicorn's sync workers close every connection anyway."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def redis_db():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        require(f"no Redis server at {REDIS_URL}: {error.__class__.__name__}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def start_gunicorn(app_data_dir, redis_db, tmp_path_factory):
    """start_gunicorn() -> a Server: `gunicorn --workers 2 app:server` on the shared demo, stopped afterwards."""
    if importlib.util.find_spec("gunicorn") is None:
        require("gunicorn is not installed in this environment")
    (app_data_dir / "geo").mkdir(exist_ok=True)
    for cached in GEO_CACHE.glob("*.json"):
        shutil.copy(cached, app_data_dir / "geo" / cached.name)
    servers: list[Server] = []

    def start() -> Server:
        log_dir = tmp_path_factory.mktemp("gunicorn")
        port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                   "--access-logfile", str(log_dir / "access.log"), "--access-logformat", ACCESS_LOG_FORMAT,
                   "app:server"]
        env = {**os.environ, "IMPACT_DATA_DIR": str(app_data_dir), "IMPACT_DEMO_CASES": BROWSER_DEMO_CASES,
               "IMPACT_CASES_DB": "", "IMPACT_REFERRALS_DB": "", "IMPACT_REDIS_URL": REDIS_URL,
               "IMPACT_SECRET_KEY": "deployment-test-secret"}
        log_path = log_dir / "gunicorn.log"
        with open(log_path, "w") as log:  # a file, not a pipe: a full pipe would block the server
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = Server(process, port, log_dir / "access.log")
        servers.append(server)
        _wait_until_serving(f"http://127.0.0.1:{port}", process, 300, log_path)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
            server.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(start_gunicorn) -> Server:
    return start_gunicorn()


def _workers_that_answered(access_log: Path, status: int, count: int) -> set[str]:
    """Process ids of the workers that answered `count` requests with `status`.

    Gunicorn writes the access line after the client has its response: wait for it.
    """
    deadline = time.monotonic() + 10
    while True:
        pids = [line.split()[0] for line in access_log.read_text().splitlines() if line.split()[1] == str(status)]
        if len(pids) >= count or time.monotonic() > deadline:
            return set(pids)
        time.sleep(0.05)


@pytest.fixture
def forget_login_failures(redis_db):
    yield
    # Failures block the address 127.0.0.1 too: free it for the other tests.
    for key in redis_db.scan_iter(f"{LOGIN_FAILURES_PREFIX}:*"):
        redis_db.delete(key)


@pytest.mark.usefixtures("forget_login_failures")
def test_an_account_is_locked_across_workers_and_a_colleague_at_the_same_address_still_signs_in(server):
    # Keep one worker busy reading an unfinished request, so the next four failures must go to the other.
    held = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    held.connect()
    try:
        for _ in range(4):
            headers, body = _sign_in_form(server.port, "donor", "wrong")
            assert _request(server.port, "POST", "/login", headers, body).status == 401
        headers, body = _sign_in_form(server.port, "donor", "wrong")
        held.request("POST", "/login", body=body, headers=headers)
        assert held.getresponse().status == 401
    finally:
        held.close()
    # Neither worker saw five failures itself: only the shared count can refuse the right password now.
    assert len(_workers_that_answered(server.access_log, 401, 5)) == 2
    refused = _request(server.port, "POST", "/login", *_sign_in_form(server.port, "donor", "demo"))
    assert refused.status == 429 and b"try again in 15 minutes" in refused.body
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    colleague = _request(server.port, "POST", "/login", *_sign_in_form(server.port, "leadership", "demo"))
    assert colleague.status == 303 and "impact_session=" in colleague.headers["Set-Cookie"]


def test_pages_and_scripts_are_served_gzip_compressed(server):
    page = _request(server.port, "GET", "/", _auth(server.port, "leadership"))
    assert page.status == 200 and b"_dash-renderer" in page.body
    first_script = re.search(rb'src="(/_dash-component-suites/[^"]+)"', page.body).group(1).decode()
    for path in (first_script, "/_dash-layout"):
        reply = _request(server.port, "GET", path, {**_auth(server.port, "leadership"), "Accept-Encoding": "gzip"})
        assert reply.status == 200 and reply.headers["Content-Encoding"] == "gzip", path
        assert len(gzip.decompress(reply.body)) > len(reply.body)


def test_callbacks_fill_the_shared_aggregate_cache(server, redis_db):
    period = quarter_containing(date.today()).previous().label  # the app's default: the last complete quarter
    inputs = [{"id": "filter-period", "property": "value", "value": period},
              {"id": "filter-area", "property": "value", "value": "BD"}]
    body = {"output": "overview-cards.children", "outputs": {"id": "overview-cards", "property": "children"},
            "inputs": inputs, "changedPropIds": ["filter-period.value", "filter-area.value"], "state": []}
    reply = _request(server.port, "POST", "/_dash-update-component",
                     {**_auth(server.port, "leadership"), "Content-Type": "application/json"},
                     json.dumps(body).encode())
    assert reply.status == 200 and b"data-indicator" in reply.body
    assert list(redis_db.scan_iter(f"{CACHE_PREFIX}:*"))


def test_sigterm_stops_gunicorn_cleanly(start_gunicorn):
    server = start_gunicorn()  # its own server: the shared one stays up for the tests above
    assert _request(server.port, "GET", "/", _auth(server.port, "dhaka")).status == 200
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
