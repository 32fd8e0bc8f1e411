"""Each demo role opens every page in headless Chromium: no console error, nothing fetched from outside."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import console_errors, each_page, open_page, outside_requests

@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "donor", "dhaka"])
def test_every_page_loads_without_console_errors(open_browser, username):
    driver = open_browser(username)
    problems = []
    for path in each_page(driver):
        errors = console_errors(driver)
        if errors:
            problems.append(f"{path}: {errors}")
        if "Something went wrong" in driver.find_element(By.ID, "main-content").text:
            problems.append(f"{path}: a panel failed")
    outside = outside_requests(driver)
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_demo_banner_and_skip_link(open_browser):
    driver = open_browser("leadership")
    open_page(driver, "/")
    assert "Synthetic demo data" in driver.find_element(By.CLASS_NAME, "demo-banner").text
    skip = driver.find_element(By.CLASS_NAME, "skip-link")
    assert skip.get_attribute("href").endswith("#main-content")
    headline = driver.find_elements(By.CSS_SELECTOR, "[data-indicator='cases_reported']")
    assert headline and headline[0].text.strip()
