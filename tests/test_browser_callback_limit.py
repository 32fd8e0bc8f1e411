"""In Chromium, with an account's callbacks limited to two at once and both taken elsewhere (another tab, another
person on the same account) while a page opens: the page's callbacks are refused (429) and the page sends them
again, so every panel still fills once the slots are free, and nothing but the refusals reaches the console."""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
import time

import pytest
import redis
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from impact_monitor.callback_slots import make_callback_slots
from tests.conftest import (BROWSER_DEMO_CASES, GEO_CACHE, browsers_at, console_errors, require, running_app,
                            wait_for_callbacks)

# A Redis database of its own, flushed before and after: the app's key prefixes are fixed.
REDIS_URL = "redis://127.0.0.1:6379/14"
LIMIT = 2
LIMITED = {"IMPACT_CALLBACKS_PER_ACCOUNT": str(LIMIT), "IMPACT_REDIS_URL": REDIS_URL,
           "IMPACT_DEMO_CASES": BROWSER_DEMO_CASES, "IMPACT_CASES_DB": "", "IMPACT_REFERRALS_DB": ""}
# Longer than the page's wait before it sends a refused callback again (up to 1.5 times Retry-After's second), so
# that a page waiting to send again is not taken for a page that has settled.
SETTLED_AFTER_MS = 2500


@pytest.fixture(scope="module")
def open_limited(tmp_path_factory, chromium_paths):
    """open_limited(username) -> a Chromium signed in to `python app.py` with LIMITED on a demo of its own."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        require(f"no Redis server at {REDIS_URL}: {error.__class__.__name__}")
    data_dir = tmp_path_factory.mktemp("limited-app-data")
    (data_dir / "geo").mkdir()
    for cached in GEO_CACHE.glob("*.json"):
        shutil.copy(cached, data_dir / "geo" / cached.name)
    with running_app(data_dir, **LIMITED) as url, browsers_at(chromium_paths, url) as open_as:
        yield open_as
    client.flushdb()
    client.close()


@contextmanager
def slots_taken_elsewhere(username: str):
    """Takes all of `username`'s slots, as another tab would, and gives them back at the end of the block."""
    elsewhere = make_callback_slots(REDIS_URL, LIMIT)
    taken, deadline = [], time.monotonic() + 10
    while len(taken) < LIMIT:  # a callback of the page before (its status refresh) may hold one a moment
        assert time.monotonic() < deadline, "the account's slots stayed taken"
        slot = elsewhere.take(username)
        taken += [slot] if slot else []
    try:
        yield
    finally:
        for slot in taken:
            elsewhere.give_back(slot)


def refused_callbacks(driver) -> int:
    """How many callback requests Chromium has seen answered 429 since the last call."""
    answers = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return sum(1 for answer in answers if answer.get("method") == "Network.responseReceived"
               and answer["params"]["response"]["status"] == 429
               and "/_dash-update-component" in answer["params"]["response"]["url"])


# A page, and what shows its figures once its callbacks have answered.
PAGES = {"/": "[data-indicator]", "/quarterly-indicators": "#quarterly-table tbody td"}


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_callbacks_over_the_account_s_limit_are_sent_again_and_every_panel_fills(open_limited, path):
    driver = open_limited("leadership")
    wait_for_callbacks(driver)  # the page signing in led to
    console_errors(driver), refused_callbacks(driver)  # only the next page's from here on
    with slots_taken_elsewhere("leadership"):
        driver.get(driver.base_url + path)
        # Until the page has had an answer to a callback: a refusal, as every slot is taken.
        WebDriverWait(driver, 30, poll_frequency=0.05).until(
            lambda d: d.execute_script("return window.__callbacks.done > 0"))
    wait_for_callbacks(driver, quiet_ms=SETTLED_AFTER_MS)
    assert refused_callbacks(driver), "no callback was refused while the slots were taken"
    # Chromium itself reports each refused request; nothing else may reach the console (no callback error).
    errors = [error for error in console_errors(driver) if "status of 429" not in error]
    assert not errors, errors
    main = driver.find_element(By.ID, "main-content")
    assert "Something went wrong" not in main.text
    figures = driver.find_elements(By.CSS_SELECTOR, PAGES[path])
    assert figures and any(figure.text.strip() for figure in figures)
