"""Benchmark: every page's callbacks through the app, against the bare SQL that makes their numbers.

`python -m benchmarks` builds (and caches) demo databases of 100,000 and
1,000,000 cases, copies them into PostgreSQL, then for each database and
engine runs one measuring process that serves the app on loopback and:
- times each page's callbacks over HTTP, logged in, uncached and cached;
- records the SQL each callback sent and replays exactly those statements on
  a raw connection, once: the bare SQL cost of the same numbers;
- times the full indicator export for one quarter;
- measures response sizes, the first load of a page (compressed), and the
  process's peak memory.
It prints one table with the medians and the ratios.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(os.environ.get("IMPACT_BENCH_DIR", ROOT / "benchmarks" / ".cache"))
PG_SERVER = os.environ.get("IMPACT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
END = date(2026, 11, 23)       # fixed, so cached databases stay valid whatever the day
PERIOD = "2026-Q3"
PAGES = ["/", "/district-map", "/referrals", "/justice", "/survivors", "/violence-reduction",
         "/quarterly-indicators", "/five-year-targets", "/data-quality"]
PASSWORD = "benchmark-password"


# Data: cached demo databases in SQLite and in PostgreSQL.

def sqlite_demo(cases: int) -> Path:
    from impact_monitor.demo_data import generate_demo

    folder = CACHE_DIR / f"demo-{cases}"
    if not (folder / "cases.sqlite").exists():
        print(f"building the {cases:,}-case demo ...", flush=True)
        summary = generate_demo(folder, cases, seed=1, end=END, geo_cache_dir=CACHE_DIR / "geo")
        print(f"  built in {summary.seconds:.0f} s", flush=True)
    return folder


def postgres_demo(cases: int, folder: Path) -> str:
    from benchmarks.postgres_copy import copy_demo_to_postgres

    return copy_demo_to_postgres(PG_SERVER, f"impact_bench_{cases}", folder)


def demo_urls(engine: str, cases: int, folder: Path) -> tuple[str, str]:
    """(cases database URL, referrals database URL) of the cached demo in this engine."""
    if engine == "sqlite":
        return f"sqlite:///{folder / 'cases.sqlite'}", f"sqlite:///{folder / 'referrals.sqlite'}"
    url = postgres_demo(cases, folder)
    return url, url


def scale_label(cases: int) -> str:
    return f"{cases // 1000}k" if cases < 1_000_000 else f"{cases // 1_000_000}M"


# One measuring process.

class SqlRecorder:
    """Every statement the app's engines send, with its parameters and engine, for replay."""

    def __init__(self):
        self.calls: list[tuple[Engine, str, object]] = []
        event.listen(Engine, "before_cursor_execute", self._record)

    def _record(self, connection, _cursor, statement, parameters, _context, _executemany):
        if connection.get_execution_options().get("impact_monitor_app"):
            self.calls.append((connection.engine, statement, parameters))

    def take(self) -> list:
        calls, self.calls = self.calls, []
        return calls


def replay_seconds(calls: list) -> float:
    """Run exactly the recorded statements on raw connections: the bare SQL time."""
    connections = {}
    start = time.perf_counter()
    for engine, statement, parameters in calls:
        if engine not in connections:
            connections[engine] = engine.raw_connection()
        cursor = connections[engine].cursor()
        cursor.execute(statement, parameters)
        cursor.fetchall()
        cursor.close()
    elapsed = time.perf_counter() - start
    for connection in connections.values():
        connection.close()
    return elapsed


def _median_time(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _users_file(folder: Path) -> Path:
    from impact_monitor.accounts import hash_password

    path = folder / "users.toml"
    path.write_text(f'[users.leadership]\npassword_hash = "{hash_password(PASSWORD)}"\nrole = "leadership"\n')
    return path


def _serve(app) -> str:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def first_load_bytes(client) -> int:
    """Compressed bytes of a first visit: the page, its scripts and styles, layout, dependencies."""
    paths = re.findall(rb'(?:src|href)="(/[^"]+\.(?:js|css)[^"]*)"', client.request("/").body)
    total = len(client.request("/", gzip=True).body)
    for path in ["/_dash-layout", "/_dash-dependencies"] + [p.decode() for p in paths]:
        total += len(client.request(path.replace("&amp;", "&"), gzip=True).body)
    return total


def measure_one(label: str, cases_url: str, referrals_url: str, targets: str, runs: int) -> dict:
    from benchmarks.dash_client import DashClient
    from dashboard.app import create_app
    from impact_monitor.settings import Settings
    from queries.periods import parse_period
    from queries.scope import LEADERSHIP, make_filter

    workdir = Path(tempfile.mkdtemp(prefix="impact-bench-"))
    (workdir / "geo").mkdir()
    for cached in (CACHE_DIR / "geo").glob("*.json"):
        (workdir / "geo" / cached.name).write_bytes(cached.read_bytes())
    settings = Settings.from_env({
        "IMPACT_CASES_DB": cases_url, "IMPACT_REFERRALS_DB": referrals_url, "IMPACT_DATA_DIR": str(workdir),
        "IMPACT_USERS_FILE": str(_users_file(workdir)), "IMPACT_CACHE_TTL_S": "300",
        "IMPACT_STATEMENT_TIMEOUT_S": "600", "IMPACT_LOG_LEVEL": "WARNING",
        "IMPACT_TARGETS_FILE": targets,
    })
    app = create_app(settings)
    from dashboard.context import services

    svc = services()
    recorder = SqlRecorder()
    client = DashClient(_serve(app), "leadership", PASSWORD)
    shell = {("filter-period", "value"): PERIOD, ("filter-area", "value"): "BD", ("language", "data"): "en",
             ("status-refresh", "n_intervals"): None}
    result = {"label": label, "pages": {}}

    filter_ = make_filter(parse_period(PERIOD), "BD", "district", LEADERSHIP, svc.gazetteer)
    svc.cache.ttl_s = 0
    result["export_s"] = _median_time(lambda: svc.engine.compute(filter_), runs)
    recorder.take()
    svc.engine.compute(filter_)
    export_statements = recorder.take()
    result["export_sql_s"] = replay_seconds(export_statements)

    for path in PAGES:
        calls = client.page_callbacks(path, shell)
        svc.cache.ttl_s = 0
        uncached, sizes = [], []
        statements = None
        for _ in range(runs):
            recorder.take()
            start = time.perf_counter()
            bodies = [client.request("/_dash-update-component", body) for _, body in calls]
            uncached.append(time.perf_counter() - start)
            statements = recorder.take()
            sizes = [len(b.body) for b in bodies]
        bare = replay_seconds(statements)  # once: a replay is as slow as a pass, and the runs vary little
        svc.cache.ttl_s = 300
        for _, body in calls:
            client.request("/_dash-update-component", body)
        cached = _median_time(lambda: [client.request("/_dash-update-component", b) for _, b in calls], runs)
        result["pages"][path] = {
            "callbacks": len(calls), "uncached_s": statistics.median(uncached), "bare_sql_s": bare,
            "cached_s": cached, "response_bytes": sum(sizes), "statements": len(statements or []),
            "response_gzip_bytes": sum(len(gzip.compress(b.body)) for b in bodies),
        }
    result["first_load_gzip_bytes"] = first_load_bytes(client)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


# The coordinator.

def run_measurement(label: str, cases_url: str, referrals_url: str, targets: Path, runs: int) -> dict:
    """One fresh process per database: its peak memory is one worker's."""
    output = Path(tempfile.mkstemp(suffix=".json")[1])
    command = [sys.executable, "-m", "benchmarks.bench", "--one", label, cases_url, referrals_url, str(targets),
               "--runs", str(runs), "--json", str(output)]
    subprocess.run(command, cwd=ROOT, check=True)
    return json.loads(output.read_text())


def print_table(results: list[dict]) -> None:
    print()
    print("| database | page | callbacks | uncached s | bare SQL s | callback / SQL | cached s | cached / uncached "
          "| response KB | gzip KB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        for path, page in result["pages"].items():
            ratio = page["uncached_s"] / page["bare_sql_s"] if page["bare_sql_s"] else float("nan")
            print(f"| {result['label']} | {path} | {page['callbacks']} | {page['uncached_s']:.3f} | "
                  f"{page['bare_sql_s']:.3f} | {ratio:.2f} | {page['cached_s']:.4f} | "
                  f"{page['cached_s'] / page['uncached_s']:.3f} | {page['response_bytes'] / 1024:.0f} | "
                  f"{page['response_gzip_bytes'] / 1024:.0f} |")
    print()
    print("| database | export one quarter s | its bare SQL s | first load KB gzip | peak memory MB |")
    print("|---|---|---|---|---|")
    for result in results:
        print(f"| {result['label']} | {result['export_s']:.2f} | {result['export_sql_s']:.2f} | "
              f"{result['first_load_gzip_bytes'] / 1024:.0f} | {result['peak_rss_mb']:.0f} |")
    _print_scale_ratios(results)


def _print_scale_ratios(results: list[dict]) -> None:
    by_label = {r["label"]: r for r in results}
    print()
    for engine in ("sqlite", "postgresql"):
        small, large = by_label.get(f"{engine} 100k"), by_label.get(f"{engine} 1M")
        if not small or not large:
            continue
        uncached = sum(p["uncached_s"] for p in large["pages"].values()) / \
            sum(p["uncached_s"] for p in small["pages"].values())
        cached = sum(p["cached_s"] for p in large["pages"].values()) / \
            sum(p["cached_s"] for p in small["pages"].values())
        print(f"{engine}: 1M / 100k, all pages: uncached {uncached:.1f}x, cached {cached:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="100000,1000000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", nargs=4, metavar=("LABEL", "CASES_URL", "REFERRALS_URL", "TARGETS"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        result = measure_one(*args.one, runs=args.runs)
        Path(args.json).write_text(json.dumps(result))
        return 0
    results = []
    for cases in (int(s) for s in args.scales.split(",")):
        folder = sqlite_demo(cases)
        scale = scale_label(cases)
        for engine in args.engines.split(","):
            urls = demo_urls(engine, cases, folder)
            print(f"measuring {engine} {scale} ...", flush=True)
            results.append(run_measurement(f"{engine} {scale}", *urls, folder / "targets.csv", runs=args.runs))
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
