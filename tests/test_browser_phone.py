"""Every page on a phone (390 x 844) as each role sees it: the page never scrolls sideways; a wide table
scrolls in its own box with its first column fixed."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import PAGES, open_page

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def _widths(driver) -> tuple[int, int]:
    return tuple(driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"))


@pytest.mark.browser
@pytest.mark.parametrize("username, pages", [("leadership", PAGES), ("donor", PAGES),
                                             ("dhaka", ["/district-map", "/justice", "/data-quality"])])
def test_no_page_scrolls_sideways_on_a_phone(open_browser, username, pages):
    driver = open_browser(username)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    too_wide = {}
    for path in pages:
        open_page(driver, path)
        document_width, viewport = _widths(driver)
        if document_width > viewport:
            too_wide[path] = document_width
    assert not too_wide, f"wider than the {PHONE['width']} px screen: {too_wide}"


@pytest.mark.browser
def test_a_wide_table_scrolls_in_its_own_box_with_its_first_column_fixed(open_browser):
    driver = open_browser("leadership")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    open_page(driver, "/quarterly-indicators")
    box = driver.find_element(By.CSS_SELECTOR, ".table-scroll:has(#quarterly-table)")
    assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", box)
    first_cell = driver.find_element(By.CSS_SELECTOR, "#quarterly-table tbody th")
    number = driver.find_element(By.CSS_SELECTOR, "#quarterly-table tbody td:last-child")
    first_before, number_before = first_cell.rect["x"], number.rect["x"]
    scrolled = driver.execute_script("arguments[0].scrollLeft = 200; return arguments[0].scrollLeft", box)
    assert scrolled > 20
    assert abs(first_cell.rect["x"] - first_before) <= 1  # sticky: it stays while the numbers move under it
    assert abs(number.rect["x"] - (number_before - scrolled)) <= 1
    assert _widths(driver)[0] <= PHONE["width"]


@pytest.mark.browser
def test_controls_on_a_phone_are_big_enough_for_a_finger(open_browser):
    """Buttons at least 44 px tall (WCAG 2.5.5), ticks and radio buttons at least 24 px: the Quarterly indicators
    page holds every kind (the count of quarters, the downloads, print, the narrative editor, the release)."""
    driver = open_browser("leadership")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    open_page(driver, "/quarterly-indicators")
    sizes = driver.execute_script("""
        return [...document.querySelectorAll('button:not(.modebar-btn), input[type=checkbox], input[type=radio]')]
            .filter(control => control.offsetParent)
            .map(control => [control.tagName, control.id || control.textContent.trim(),
                             Math.round(control.getBoundingClientRect().width),
                             Math.round(control.getBoundingClientRect().height)])""")
    buttons = [size for size in sizes if size[0] == "BUTTON"]
    ticks = [size for size in sizes if size[0] == "INPUT"]
    assert len(buttons) >= 5 and ticks, sizes  # print, two downloads, save narrative, release, sign out
    assert [size for size in buttons if size[3] < 44] == []
    assert [size for size in ticks if min(size[2:]) < 24] == []
