"""Load test: `python -m benchmarks.load_test [--users 50] [--seconds 120] [--url URL]`.

Without --url it serves the embedded demo the way the README deploys the app
(gunicorn, workers sharing Redis) and stops it at the end. Locust runs
headless, on loopback only and for a bounded time (benchmarks/locustfile.py
says what the simulated users do). The summary gives requests, failures and
p50/p95 latency per request name and overall; the exit status is non-zero on
any failure. Needs the `load` extra: pip install -e '.[load]'.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import redis

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
WORK_DIR = REPO_ROOT / "benchmarks" / ".cache" / "load-test"  # gitignored; keeps the demo between runs
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
# A database of its own: cache keys do not name the data set, so another app's entries would be served.
REDIS_URL = "redis://127.0.0.1:6379/14"
SPAWN_RATE = 10
STARTUP_LIMIT_S = 600  # the first run builds the demo (20,000 cases by default) and the map geometry
STOP_MARGIN_S = 60


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_test", description=__doc__.split("\n\n")[1])
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--seconds", type=int, default=120, help="duration of the run (default 120)")
    parser.add_argument("--url", help="a running app on 127.0.0.1 or localhost (default: start gunicorn on the demo)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers when no --url (default 2)")
    args = parser.parse_args(argv)
    if args.users < 1 or args.seconds < 1 or args.workers < 1:
        parser.error("--users, --seconds and --workers must be positive")
    if args.url and urlsplit(args.url).hostname not in LOOPBACK_HOSTS:
        parser.error(f"refusing {args.url}: the load test runs against 127.0.0.1 or localhost only")
    return args


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"the app did not answer at {url} within {STARTUP_LIMIT_S} s; see {log_path}")


def _fresh_redis_cache() -> None:
    """Start from an empty cache, as a new deployment does; refuse to run without Redis."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError as error:
        sys.exit(f"no Redis at {REDIS_URL} ({error.__class__.__name__}): workers could not share the cache")


@contextmanager
def demo_server(workers: int) -> Iterator[str]:
    """gunicorn on the embedded demo with a shared Redis cache; yields its URL and stops it."""
    _fresh_redis_cache()
    port = _free_port()
    # The simulated users stand for as many people but share the demo's four accounts: the limit of one account's
    # callbacks at once is for one person, so it is lifted here.
    env = {**os.environ, "IMPACT_DATA_DIR": str(WORK_DIR / "data"), "IMPACT_CASES_DB": "",
           "IMPACT_REFERRALS_DB": "", "IMPACT_REDIS_URL": REDIS_URL, "IMPACT_SECRET_KEY": secrets.token_hex(32),
           "IMPACT_CALLBACKS_PER_ACCOUNT": "100"}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--timeout", "60", "app:server"]
    log_path = WORK_DIR / "gunicorn.log"
    with open(log_path, "w") as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        print(f"starting gunicorn with {workers} workers at {url} (log: {log_path})", flush=True)
        _wait_until_healthy(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def run_locust(url: str, users: int, seconds: int, csv_prefix: Path) -> None:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
               "-r", str(SPAWN_RATE), "-t", f"{seconds}s", "--host", url, "--csv", str(csv_prefix),
               "--only-summary"]
    log_path = WORK_DIR / "locust.log"
    print(f"locust: {users} users for {seconds} s against {url} (log: {log_path})", flush=True)
    with open(log_path, "w") as log:
        try:
            subprocess.run(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                           timeout=seconds + STOP_MARGIN_S)
        except subprocess.TimeoutExpired:  # run() has killed it; the summary shows what was measured
            print(f"locust did not stop within {STOP_MARGIN_S} s of the end and was killed", flush=True)


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def print_summary(stats: list[dict], failures: list[dict], errors: list[dict]) -> None:
    print(f"\n{'requests':>9} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8}  name")
    per_name = sorted((row for row in stats if row["Name"] != "Aggregated"), key=lambda row: row["Name"])
    for row in per_name + [_overall(stats)]:
        name = "overall" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        print(f"{row['Request Count']:>9} {row['Failure Count']:>9} {row['50%']:>8} {row['95%']:>8}  {name}")
    print(f"{float(_overall(stats)['Requests/s']):.1f} requests/s")
    for failure in failures:
        print(f"FAILED {failure['Occurrences']}x {failure['Method']} {failure['Name']}: {failure['Error']}")
    for error in errors:
        print(f"ERROR {error['Count']}x in the locustfile: {error['Message']}")


def verdict(stats: list[dict], errors: list[dict]) -> str | None:
    """Why the run failed, or None when every request succeeded."""
    overall = _overall(stats)
    if int(overall["Request Count"]) == 0:
        return "no request was made"
    failed = int(overall["Failure Count"]) + sum(int(error["Count"]) for error in errors)
    return f"{failed} failed request(s) or locustfile error(s)" if failed else None


def _overall(stats: list[dict]) -> dict:
    return next(row for row in stats if row["Name"] == "Aggregated")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    for old in WORK_DIR.glob("locust_*.csv"):
        old.unlink()
    csv_prefix = WORK_DIR / "locust"
    if args.url:
        run_locust(args.url, args.users, args.seconds, csv_prefix)
    else:
        with demo_server(args.workers) as url:
            run_locust(url, args.users, args.seconds, csv_prefix)
    stats = read_rows(WORK_DIR / "locust_stats.csv")
    if not stats:
        print(f"FAIL: locust produced no statistics; see {WORK_DIR / 'locust.log'}")
        return 2
    errors = read_rows(WORK_DIR / "locust_exceptions.csv")
    print_summary(stats, read_rows(WORK_DIR / "locust_failures.csv"), errors)
    problem = verdict(stats, errors)
    print(f"FAIL: {problem}" if problem else "PASS: no failures")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main())
