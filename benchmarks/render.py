"""Benchmark: each page in headless Chromium, from navigation to the last drawn figure.

`python -m benchmarks.render [--cases 1000000] [--engines sqlite,postgresql] [--runs 3]`
uses the demo databases `python -m benchmarks` builds (and caches), serves
the app on loopback and opens every page as the leadership account, the
audience with the most to draw. Every page is opened once untimed first, so
that the scripts Dash loads on demand (Plotly, the dropdowns) are in the
browser's cache as they are for anyone past their first page. For each page
it reports:
- the time from navigation start until the page is settled (no callback in
  flight, no change to the page for 500 ms), counted to the last callback
  response or the last change to the page, whichever is later: uncached (the
  aggregate cache off) and cached (a second visit), medians of the runs;
- the callback payload: the bytes of all the page's callback responses,
  as sent (compressed) and as JSON.
Needs Chromium and chromedriver (Debian: chromium chromium-driver).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench import CACHE_DIR, PAGES, PASSWORD, _serve, _users_file, demo_urls, scale_label, sqlite_demo
from benchmarks.dash_client import sign_in_browser

QUIET_MS = 500
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run",
                  "--window-size=1280,1000")

# Counts callback requests in flight and notes the last change to the page, from the first script on.
_WATCH_PAGE = """
window.__settle = {pending: 0, last: 0};
const originalFetch = window.fetch;
window.fetch = function (resource) {
  const isCallback = String(resource && resource.url || resource).includes('_dash-update-component');
  if (!isCallback) { return originalFetch.apply(this, arguments); }
  window.__settle.pending += 1; window.__settle.last = Date.now();
  return originalFetch.apply(this, arguments).finally(() => {
    window.__settle.pending -= 1; window.__settle.last = Date.now();
  });
};
new MutationObserver(() => { window.__settle.last = Date.now(); })
  .observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
"""

_SETTLED_AT = """
const s = window.__settle;
const busy = s.pending > 0 || document.querySelector('[data-dash-is-loading="true"]');
if (busy || Date.now() - s.last < arguments[0]) { return null; }
return s.last - performance.timeOrigin;
"""

_CALLBACK_BYTES = """
return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component'))
  .reduce((sum, e) => [sum[0] + e.encodedBodySize, sum[1] + e.decodedBodySize], [0, 0]);
"""


def open_chromium(base_url: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _WATCH_PAGE})
    sign_in_browser(driver, base_url, "leadership", PASSWORD)
    return driver


def visit(driver, url: str, timeout_s: float = 600) -> tuple[float, int, int]:
    """(seconds from navigation start to settled, callback bytes sent, callback bytes as JSON)."""
    driver.get(url)
    deadline = time.monotonic() + timeout_s
    while (settled_ms := driver.execute_script(_SETTLED_AT, QUIET_MS)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not settle within {timeout_s:.0f} s")
        time.sleep(0.1)
    sent, decoded = driver.execute_script(_CALLBACK_BYTES)
    return settled_ms / 1000, int(sent), int(decoded)


def measure(label: str, cases_url: str, referrals_url: str, targets: Path, runs: int) -> list[dict]:
    from dashboard.app import create_app
    from dashboard.context import services
    from impact_monitor.settings import Settings

    workdir = Path(tempfile.mkdtemp(prefix="impact-render-"))
    shutil.copytree(CACHE_DIR / "geo", workdir / "geo")
    settings = Settings.from_env({
        "IMPACT_CASES_DB": cases_url, "IMPACT_REFERRALS_DB": referrals_url, "IMPACT_DATA_DIR": str(workdir),
        "IMPACT_USERS_FILE": str(_users_file(workdir)), "IMPACT_CACHE_TTL_S": "300",
        "IMPACT_STATEMENT_TIMEOUT_S": "600", "IMPACT_LOG_LEVEL": "WARNING", "IMPACT_TARGETS_FILE": str(targets),
    })
    base_url = _serve(create_app(settings))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    cache = services().cache
    driver = open_chromium(base_url)
    rows = []
    try:
        for path in PAGES:  # once untimed: the browser then holds every script a page loads on demand
            visit(driver, base_url + path)
        for path in PAGES:
            cache.ttl_s = 0
            uncached = [visit(driver, base_url + path) for _ in range(runs)]
            cache.ttl_s = 300
            visit(driver, base_url + path)
            cached = [visit(driver, base_url + path)[0] for _ in range(runs)]
            rows.append({"label": label, "page": path, "uncached_s": statistics.median(t for t, _, _ in uncached),
                         "cached_s": statistics.median(cached), "sent_bytes": uncached[-1][1],
                         "json_bytes": uncached[-1][2]})
            print(f"  {path}: {rows[-1]['uncached_s']:.2f} s", flush=True)
    finally:
        driver.quit()
    return rows


def print_table(rows: list[dict]) -> None:
    print()
    print("| database | page | in the browser, uncached s | cached s | callback payload KB sent | as JSON KB |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['label']} | {row['page']} | {row['uncached_s']:.2f} | {row['cached_s']:.2f} | "
              f"{row['sent_bytes'] / 1024:.0f} | {row['json_bytes'] / 1024:.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    folder = sqlite_demo(args.cases)
    scale = scale_label(args.cases)
    rows = []
    for engine in args.engines.split(","):
        urls = demo_urls(engine, args.cases, folder)
        print(f"rendering {engine} {scale} ...", flush=True)
        rows += measure(f"{engine} {scale}", *urls, folder / "targets.csv", runs=args.runs)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
