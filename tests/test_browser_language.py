"""The language switch as a person uses it: clicked on every page, it keeps the page and the filters chosen,
and the choice holds on other pages and on the next visit; `?lang=` works on any page."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import PAGES, callbacks_done, open_page, wait_for_callbacks
from tests.test_browser_values import choose_and_wait

BANGLA_OVERVIEW, ENGLISH_OVERVIEW = "সারসংক্ষেপ", "Overview"
BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def _language(driver) -> str:
    return driver.find_element(By.CLASS_NAME, "shell").get_attribute("lang")


def _navigation(driver) -> str:
    return driver.find_element(By.CLASS_NAME, "site-nav").text


def _switch_to(driver, link_text: str) -> None:
    before = callbacks_done(driver)
    driver.find_element(By.LINK_TEXT, link_text).click()
    wait_for_callbacks(driver, after=0 if callbacks_done(driver) < before else before)


def _chosen_period(driver) -> str:
    return driver.find_element(By.ID, "filter-period").text.strip()


@pytest.mark.browser
@pytest.mark.parametrize("username, pages", [("leadership", PAGES), ("donor", ["/district-map", "/referrals"]),
                                             ("dhaka", ["/", "/quarterly-indicators"])])
def test_the_switch_keeps_the_page_and_its_period(open_browser, username, pages):
    """Every page for one account; the others' pages are built by the same shell."""
    driver = open_browser(username)
    open_page(driver, "/?lang=en")
    periods = driver.find_element(By.ID, "filter-period")
    periods.click()
    options = driver.find_elements(By.CSS_SELECTOR, "[role='option']")
    older = options[-1].text.strip()
    periods.click()
    choose_and_wait(driver, "filter-period", older)
    for path in pages:
        open_page(driver, path)
        assert _language(driver) == "en", path
        _switch_to(driver, "বাংলা")
        assert urlparse(driver.current_url).path == path, f"the switch left {path}"
        assert not driver.find_element(By.TAG_NAME, "body").text.lstrip().startswith("{"), f"{path}: raw JSON"
        assert _language(driver) == "bn" and BANGLA_OVERVIEW in _navigation(driver), path
        year = re.search(r"[0-9]{4}", older).group()
        assert year.translate(BENGALI_DIGITS) in _chosen_period(driver), f"{path}: the period chosen was lost"
        _switch_to(driver, "English")
        assert _language(driver) == "en" and ENGLISH_OVERVIEW in _navigation(driver), path
        assert _chosen_period(driver) == older, f"{path}: the period chosen was lost"


@pytest.mark.browser
def test_the_choice_holds_across_pages_and_visits_and_the_query_works_anywhere(open_browser):
    driver = open_browser("leadership")
    open_page(driver, "/justice?lang=bn")
    assert _language(driver) == "bn"
    driver.find_element(By.CSS_SELECTOR, ".site-nav a[href='/referrals']").click()
    wait_for_callbacks(driver)
    assert urlparse(driver.current_url).path == "/referrals" and _language(driver) == "bn"
    open_page(driver, "/survivors")  # a new visit, no query: the choice is remembered
    assert _language(driver) == "bn"
    open_page(driver, "/definitions?lang=en")
    assert _language(driver) == "en"
    open_page(driver, "/")
    assert _language(driver) == "en"


def _fonts_of(driver, selector: str) -> list[dict]:
    """The fonts Chromium drew the first element matching `selector` with (CDP CSS.getPlatformFontsForNode)."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"nothing matches {selector}"
    return driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def _drawn_with_the_shipped_font(fonts: list[dict], text: str) -> bool:
    """Every Bengali letter of `text` drawn with the Noto Sans Bengali the app serves; other fonts draw only the
    rest (spaces, Latin), never a Bengali letter as an empty box."""
    shipped = [font for font in fonts if font["familyName"] == "Noto Sans Bengali" and font["isCustomFont"]]
    others = sum(font["glyphCount"] for font in fonts if font not in shipped)
    return bool(shipped) and others <= sum(not "\u0980" <= character <= "\u09ff" for character in text)


@pytest.mark.browser
def test_bangla_text_is_drawn_with_the_font_the_app_ships(open_browser):
    """This machine has no Bengali font of its own: without the app's, these would be empty boxes."""
    driver = open_browser("leadership")
    open_page(driver, "/district-map?lang=bn")
    driver.execute_script("return document.fonts.ready.then(() => true)")
    for selector in ("h1.site-title", ".site-nav a", "label[for='filter-period']", "g.legend text.legendtext"):
        text = driver.find_element(By.CSS_SELECTOR, selector).text
        assert any("\u0980" <= character <= "\u09ff" for character in text), f"{selector}: {text!r} is no Bangla"
        assert _drawn_with_the_shipped_font(_fonts_of(driver, selector), text), selector
