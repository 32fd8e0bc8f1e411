"""Shared fixtures: a throwaway PostgreSQL database and the gazetteer.

PostgreSQL and browser tests skip with a reason on a developer machine that
lacks the server or Chromium; under CI=true such a skip is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from queries.geography import load_gazetteer

PG_SERVER_URL = os.environ.get("IMPACT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
GEO_CACHE = Path(tempfile.gettempdir()) / "impact-monitor-test-geo"
# Donors are shown released figures only unless a setting says otherwise. Most tests check live figures, for every
# audience: they, the apps and the commands they start ask for live ones; the tests of released figures do not.
LIVE_FIGURES = {"IMPACT_DONOR_FIGURES": "live"}
os.environ.update(LIVE_FIGURES)


def require(reason: str) -> None:
    """Skip on a developer machine, fail in CI: CI must run every test."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


REDIS_TEST_URL = os.environ.get("IMPACT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis server's URL, once it answers."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        require(f"no Redis at {REDIS_TEST_URL}: {error.__class__.__name__}")
    finally:
        client.close()
    return REDIS_TEST_URL


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer(GEO_CACHE)


@pytest.fixture(scope="session")
def geo_cache_dir() -> Path:
    return GEO_CACHE


@pytest.fixture(scope="session")
def pg_admin_engine():
    engine = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # any connection failure means: no server here
        engine.dispose()
        require(f"no PostgreSQL server at {PG_SERVER_URL}: {error.__class__.__name__}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url_factory(pg_admin_engine):
    """Creates throwaway databases on the PostgreSQL server and drops them afterwards."""
    created: list[str] = []

    def create_database() -> str:
        name = f"impact_test_{uuid.uuid4().hex[:12]}"
        with pg_admin_engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)

    yield create_database
    with pg_admin_engine.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url(pg_url_factory) -> str:
    return pg_url_factory()


# A live app and headless Chromium, for the browser tests.

REPO_ROOT = Path(__file__).resolve().parent.parent
BROWSER_DEMO_CASES = "4000"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, seconds: float, log_path: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}: {log_path.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (503 while its databases are down)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"the app did not answer at {url} within {seconds} s")


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("app-data")


@contextlib.contextmanager
def running_app(data_dir: Path, **settings: str):
    """`python app.py` with these settings on a free loopback port; yields its URL."""
    port = _free_port()
    env = {**os.environ, "IMPACT_DATA_DIR": str(data_dir), "PORT": str(port), "HOST": "127.0.0.1", **settings}
    log_path = data_dir / "app.log"
    with open(log_path, "w") as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env, text=True,
                                   stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, 300, log_path)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def live_app(app_data_dir):
    """`python app.py` on the embedded demo."""
    (app_data_dir / "geo").mkdir(exist_ok=True)
    for cached in GEO_CACHE.glob("*.json"):
        shutil.copy(cached, app_data_dir / "geo" / cached.name)
    with running_app(app_data_dir, IMPACT_DEMO_CASES=BROWSER_DEMO_CASES, IMPACT_CASES_DB="",
                     IMPACT_REFERRALS_DB="") as url:
        yield url


CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run",
                  "--window-size=1280,1000")


@pytest.fixture(scope="session")
def chromium_paths():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        require("headless Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    return chromium, driver


# What the demo with flaws (`flawed_app`) breaks: one or more findings of each kind the Data quality page names.
FLAWS = (
    "UPDATE cases SET reported_on = '2026-11-31' WHERE rowid = (SELECT min(rowid) FROM cases)",  # no real day
    "UPDATE cases SET reported_on = '2024-7-5' WHERE rowid = (SELECT min(rowid) + 1 FROM cases)",  # another form
    "UPDATE cases SET district_pcode = 'BD9999' WHERE rowid = (SELECT min(rowid) + 2 FROM cases)",  # no district
    "UPDATE victims SET sex = 'X' WHERE rowid = (SELECT min(rowid) FROM victims)",  # outside the list
    # A view without keys that repeats a victim, and one without a column of the contract.
    "ALTER TABLE victims RENAME TO victims_stored",
    "CREATE VIEW victims AS SELECT * FROM victims_stored UNION ALL "
    "SELECT * FROM victims_stored WHERE rowid = (SELECT min(rowid) FROM victims_stored)",
    "ALTER TABLE accused RENAME TO accused_stored",
    "CREATE VIEW accused AS SELECT accused_id, case_id FROM accused_stored",
)


@pytest.fixture(scope="session")
def flawed_app(tmp_path_factory, geo_cache_dir):
    """`python app.py` on a small demo with flaws (FLAWS) in its case database."""
    import sqlite3

    from impact_monitor.demo_data import CASES_FILE, generate_demo

    data_dir = tmp_path_factory.mktemp("flawed-app-data")
    (data_dir / "geo").mkdir()
    for cached in GEO_CACHE.glob("*.json"):
        shutil.copy(cached, data_dir / "geo" / cached.name)
    generate_demo(data_dir / "demo", 600, 1, geo_cache_dir=geo_cache_dir)  # the app serves this demo as it is
    with contextlib.closing(sqlite3.connect(data_dir / "demo" / CASES_FILE)) as connection, connection:
        for statement in FLAWS:
            connection.execute(statement)
    with running_app(data_dir, IMPACT_DEMO_CASES="600", IMPACT_CASES_DB="", IMPACT_REFERRALS_DB="") as url:
        yield url


@contextlib.contextmanager
def browsers_at(chromium_paths, base_url: str):
    """open_as(username) -> a headless Chromium at `base_url`, signed in through the sign-in form."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.signin import sign_in_browser

    drivers = []

    def open_as(username: str, password: str = "demo"):
        options = webdriver.ChromeOptions()
        options.binary_location = chromium_paths[0]
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(service=Service(chromium_paths[1]), options=options)
        drivers.append(driver)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _COUNT_CALLBACK_REQUESTS})
        sign_in_browser(driver, base_url, username, password)
        driver.base_url = base_url
        return driver

    try:
        yield open_as
    finally:
        for driver in drivers:
            driver.quit()


@pytest.fixture
def open_browser(chromium_paths, live_app):
    """open_browser(username) -> a headless Chromium at the live app, signed in through the sign-in form."""
    with browsers_at(chromium_paths, live_app) as open_as:
        yield open_as


@pytest.fixture
def open_flawed_browser(chromium_paths, flawed_app):
    """open_flawed_browser(username) -> a headless Chromium at the demo with flaws, signed in."""
    with browsers_at(chromium_paths, flawed_app) as open_as:
        yield open_as


# Counts Dash's callback requests in flight, so tests wait for the page to settle, not for a guess.
_COUNT_CALLBACK_REQUESTS = """
window.__callbacks = {pending: 0, done: 0, changed: Date.now()};
const originalFetch = window.fetch;
window.fetch = function (resource, options) {
  const isCallback = String(resource && resource.url || resource).includes('_dash-update-component');
  if (!isCallback) { return originalFetch.apply(this, arguments); }
  window.__callbacks.pending += 1; window.__callbacks.changed = Date.now();
  return originalFetch.apply(this, arguments).finally(() => {
    window.__callbacks.pending -= 1; window.__callbacks.done += 1; window.__callbacks.changed = Date.now();
  });
};
"""


def callbacks_done(driver) -> int:
    return driver.execute_script("return window.__callbacks ? window.__callbacks.done : 0")


PAGES = ["/", "/district-map", "/referrals", "/justice", "/survivors", "/violence-reduction", "/donor-report",
         "/quarterly-indicators", "/five-year-targets", "/data-quality", "/definitions"]


def open_page(driver, path: str) -> None:
    """Open a page of the live app and wait until its callbacks have settled."""
    driver.get(driver.base_url + path)
    wait_for_callbacks(driver)


def each_page(driver):
    """Open every page in turn, yielding its path once its callbacks have settled."""
    for path in PAGES:
        open_page(driver, path)
        yield path


def wait_for_callbacks(driver, seconds: float = 90, quiet_ms: int = 800, after: int = 0) -> None:
    """Until more than `after` callbacks have answered and none has been in flight for `quiet_ms`."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, poll_frequency=0.2).until(lambda d: d.execute_script(
        "const c = window.__callbacks; return !!document.getElementById('main-content') && c"
        " && c.done > arguments[1] && c.pending === 0 && Date.now() - c.changed > arguments[0]"
        " && !document.querySelector('[data-dash-is-loading=\"true\"]');", quiet_ms, after))


def console_errors(driver) -> list[str]:
    """SEVERE console entries since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def downloaded(folder: Path, pattern: str, seconds: float = 60) -> Path:
    """The first file matching the glob `pattern` that Chromium has finished saving in `folder` (it writes a
    .crdownload file first, and renames it when it is complete)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [path for path in folder.glob(pattern) if path.stat().st_size]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no file {pattern} arrived in {folder}")


def outside_requests(driver) -> list[str]:
    """URLs the page requested from anywhere but 127.0.0.1 (data: and blob: are local)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
                urls.append(url)
    return urls


# Every SQL statement the app's own engines send during the whole suite is
# recorded and checked at the end: no identifying column, no column outside
# the contract, no SELECT *.

from tests.sql_audit import SqlAudit  # noqa: E402

SQL_AUDIT = SqlAudit()


def pytest_sessionstart(session):
    SQL_AUDIT.start()


def pytest_sessionfinish(session, exitstatus):
    SQL_AUDIT.stop()
    violations = SQL_AUDIT.violations()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"SQL audit: {SQL_AUDIT.count} statements from the app's engines checked, "
                            f"{len(violations)} violation(s)")
        for violation in violations[:20]:
            reporter.write_line(f"  SQL audit violation: {violation}")
    if violations and session.exitstatus == 0:
        session.exitstatus = 1
