"""Serving that survives slow and greedy clients, for real: gunicorn with the project's configuration on loopback.

Slow clients (a request trickled a byte at a time and never finished, an answer never read) must not hold
`/healthz` back; one account's burst of callbacks is cut down to its limit while `/healthz` and other accounts are
served; and no answer names a version of the server software, on gunicorn or on `python app.py`.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import date

import pytest

from queries.periods import quarter_containing
from tests.test_deployment import (  # noqa: F401 (redis_db and start_gunicorn are fixtures used here)
    Server, _auth, _request, redis_db, start_gunicorn)

HEALTH_BUDGET_S = 1.0  # the longest /healthz may take, whatever other clients do
SLOW_SENDERS = 8
SLOW_READERS = 2
TRICKLE_EVERY_S = 0.5  # a slow sender's one byte this often: never silent long enough to be dropped
PROBES = 10
BURST = 200
OTHER_ACCOUNT_BUDGET_S = 10.0
CALLBACK_SLOTS_PREFIX = "impact-monitor:callback-slots"
VERSION = re.compile(r"\d|werkzeug|python", re.IGNORECASE)


@pytest.fixture(scope="module")
def server(start_gunicorn) -> Server:
    return start_gunicorn()


def timed_healthz(port: int, timeout_s: float = 10) -> float:
    """Seconds /healthz took to answer 200 on a new connection; `timeout_s` (or more) when it did not."""
    started = time.perf_counter()
    try:
        reply = _request_within(port, "/healthz", timeout_s)
    except (TimeoutError, OSError):
        return max(timeout_s, time.perf_counter() - started)
    assert reply == 200
    return time.perf_counter() - started


def _request_within(port: int, path: str, timeout_s: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# Slow clients


def _trickled_requests():
    """What each slow sender sends, a byte at a time: a request line that never ends, or one whose headers never
    end (both well within the request's size limits for the test's few seconds)."""
    unfinished_line = b"GET /healthz?wait=" + b"a" * 10_000
    unfinished_headers = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
    return [unfinished_line if i % 2 else unfinished_headers for i in range(SLOW_SENDERS)]


def _largest_script(port: int) -> str:
    """The page's largest script: the answer a slow reader is least likely to fit in socket buffers."""
    page = _request(port, "GET", "/", _auth(port, "leadership")).body.decode()
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    sizes = {path: int(_request(port, "HEAD", path).headers["Content-Length"] or 0) for path in scripts}
    return max(sizes, key=sizes.get)


@contextmanager
def slow_clients(port: int, senders: int = SLOW_SENDERS, readers: int = SLOW_READERS):
    """Opens `senders` connections that trickle unfinished requests and `readers` that ask for a large script
    and never read it; yields the senders' sockets while they are held, and closes them all at the end."""
    script = _largest_script(port) if readers else ""
    stop = threading.Event()
    with ExitStack() as stack:
        sending = [stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
                   for _ in range(senders)]
        for _ in range(readers):
            reader = stack.enter_context(socket.socket())
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
            reader.connect(("127.0.0.1", port))
            reader.sendall(f"GET {script} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        trickler = threading.Thread(target=_trickle, args=(sending, _trickled_requests(), stop), daemon=True)
        trickler.start()
        try:
            time.sleep(3 * TRICKLE_EVERY_S)  # every slow sender has been accepted and is being read
            yield sending
        finally:
            stop.set()
            trickler.join(5)


def _trickle(sockets: list[socket.socket], requests: list[bytes], stop: threading.Event) -> None:
    position = 0
    while not stop.is_set():
        for sock, request in zip(sockets, requests):
            try:
                sock.send(request[position:position + 1])
            except OSError:
                pass  # the server closed it: `still_held` says so
        position += 1
        stop.wait(TRICKLE_EVERY_S)


def still_held(sock: socket.socket) -> bool:
    """The server has neither answered nor closed this connection: it is still reading the request."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True  # open, and nothing to read
    except OSError:
        return False  # reset
    return False  # an answer, or closed


def healthz_under_slow_clients(port: int) -> tuple[list[float], int]:
    """/healthz's times (seconds) while slow clients are held, and how many slow senders the server still held."""
    with slow_clients(port) as senders:
        times = []
        for _ in range(PROBES):
            times.append(timed_healthz(port))
            time.sleep(0.2)
        return times, sum(still_held(sock) for sock in senders)


def test_slow_clients_do_not_hold_back_healthz(server):
    times, held = healthz_under_slow_clients(server.port)
    assert held == SLOW_SENDERS  # they were held open all along, not dropped
    assert max(times) < HEALTH_BUDGET_S, [round(t, 3) for t in times]
    assert timed_healthz(server.port) < HEALTH_BUDGET_S  # and after they leave


def test_requests_over_the_line_and_header_limits_are_refused_before_the_app(server):
    too_long_line = _raw(server.port, f"GET /healthz?{'a' * 5000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    too_many_headers = _raw(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                            + b"".join(b"X-%d: a\r\n" % i for i in range(60)) + b"\r\n")
    assert too_long_line.startswith((b"HTTP/1.1 414", b"HTTP/1.1 400")), too_long_line[:40]
    assert too_many_headers.startswith((b"HTTP/1.1 431", b"HTTP/1.1 400")), too_many_headers[:40]
    for answer in (too_long_line, too_many_headers):
        assert not VERSION.search(_server_header(answer))


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


# One account's burst of callbacks


def _overview_callback(port: int, username: str) -> tuple[int, dict, bytes]:
    period = quarter_containing(date.today()).previous().label
    inputs = [{"id": "filter-period", "property": "value", "value": period},
              {"id": "filter-area", "property": "value", "value": "BD" if username != "dhaka" else "BD30"}]
    body = {"output": "overview-cards.children", "outputs": {"id": "overview-cards", "property": "children"},
            "inputs": inputs, "changedPropIds": ["filter-period.value", "filter-area.value"], "state": []}
    reply = _request(port, "POST", "/_dash-update-component", {**_auth(port, username),
                     "Content-Type": "application/json"}, json.dumps(body).encode())
    return reply.status, dict(reply.headers), reply.body


# Times /healthz (seconds, one new connection each) every 50 ms until its standard input closes, then prints them
# as JSON. A process of its own, as a load balancer would be: the burst's 200 client threads in the test's process
# would otherwise slow the measuring thread itself.
HEALTHZ_WATCHER = """
import http.client, json, select, sys, time
port, times = int(sys.argv[1]), []
while not select.select([sys.stdin], [], [], 0.05)[0]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - started if response.status == 200 else 99)
    except OSError:
        times.append(99)
    finally:
        connection.close()
print(json.dumps(times))
"""


@contextmanager
def watching_healthz(port: int):
    """Yields a list that holds /healthz's times (seconds) from a process of its own once the block ends."""
    watcher = subprocess.Popen([sys.executable, "-c", HEALTHZ_WATCHER, str(port)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    times: list[float] = []
    try:
        time.sleep(0.3)  # a few times from before
        yield times
    finally:
        output, _ = watcher.communicate("", timeout=60)  # closing its input stops it
        times.extend(json.loads(output))


def _warm_every_worker(server: Server, usernames: tuple[str, ...], workers: int = 2) -> None:
    """Sends each account's callback, a few at once, until every worker has answered some: a worker's first
    callbacks build what it keeps in memory (about a second each), and the burst is to measure serving."""
    with ThreadPoolExecutor(2 * len(usernames)) as pool:
        for _ in range(20):
            statuses = list(pool.map(lambda username: _overview_callback(server.port, username)[0],
                                     usernames * 2))
            assert statuses == [200] * len(statuses), statuses
            time.sleep(0.2)  # gunicorn writes its access line once the answer is sent
            answered = {line.split()[0] for line in server.access_log.read_text().splitlines()
                        if "/_dash-update-component" in line and line.split()[1] == "200"}
            if len(answered) == workers:
                return
    raise AssertionError(f"only the workers {answered} answered callbacks")


def test_one_account_s_burst_is_cut_to_its_limit_while_healthz_and_others_are_served(server, redis_db):
    port = server.port
    _warm_every_worker(server, ("leadership", "dhaka"))  # signed in, their figures cached, every worker ready
    start = threading.Barrier(BURST + 1)

    def fire(_):
        start.wait(30)
        return _overview_callback(port, "leadership")

    with watching_healthz(port) as health_times, ThreadPoolExecutor(BURST) as pool:
        burst = [pool.submit(fire, i) for i in range(BURST)]
        start.wait(30)
        started = time.perf_counter()
        other = _overview_callback(port, "dhaka")  # another account, while the burst is under way
        other_s = time.perf_counter() - started
        answers = [future.result(60) for future in burst]
    statuses = [status for status, _, _ in answers]
    refused = [(headers, body) for status, headers, body in answers if status == 429]
    assert set(statuses) == {200, 429}, sorted(set(statuses))
    for headers, body in refused:
        assert headers["Retry-After"] == "1" and b"Traceback" not in body
        assert json.loads(body)["error"].startswith("Too many updates at once for this account")
    # Served, not refused, and not left waiting behind the whole burst.
    assert other[0] == 200 and b"data-indicator" in other[2] and other_s < OTHER_ACCOUNT_BUDGET_S, other_s
    assert len(health_times) >= 3 and max(health_times) < HEALTH_BUDGET_S, sorted(health_times)[-5:]
    # Every slot taken was given back, by whichever worker took it.
    assert all(redis_db.zcard(key) == 0 for key in redis_db.scan_iter(f"{CALLBACK_SLOTS_PREFIX}:*"))


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
