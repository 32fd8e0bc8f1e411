"""Pages printed as a person prints them (Chromium's Page.printToPDF, A4): the printout says which page,
period, area, account and language it shows, and carries no stale status message."""

from __future__ import annotations

import base64
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.context import period_text
from dashboard.i18n import speaking
from dashboard.print_header import print_header_lines
from queries.periods import parse_period
from queries.scope import Scope

from tests.conftest import PAGES, callbacks_done, open_page, wait_for_callbacks
from tests.test_browser_narratives import A4_LANDSCAPE_CONTENT_WIDTH, _fits_on_paper

A4 = {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False}


def printed_text(driver) -> str:
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", A4)["data"])
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _chosen(driver, dropdown_id: str) -> str:
    return driver.find_element(By.ID, dropdown_id).text.strip()


@pytest.mark.browser
@pytest.mark.parametrize("username, account, pages", [
    ("dhaka", "government partner, Dhaka division", PAGES),
    ("donor", "donor", ["/quarterly-indicators", "/district-map"]),
    ("leadership", "program leadership", ["/five-year-targets"]),
])
def test_a_printout_names_its_page_period_area_and_account(open_browser, username, account, pages):
    driver = open_browser(username)
    for path in pages:
        open_page(driver, path)
        period, area = _chosen(driver, "filter-period"), _chosen(driver, "filter-area").lstrip("· ")
        assert not driver.find_element(By.ID, "print-header").is_displayed()  # on screen, the filter bar says it
        text = " ".join(printed_text(driver).split())
        for expected in (f"Period: {period}", f"Area: {area}", f"Signed in as: {account}", "Language: English",
                         "Data as of: case database 20", "(dates in Asia/Dhaka)"):
            assert expected in text, f"{path}: {expected!r} not in the printout"


@pytest.mark.browser
def test_a_download_message_does_not_print(open_browser, tmp_path):
    driver = open_browser("donor")
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_page(driver, "/quarterly-indicators")
    driver.find_element(By.CSS_SELECTOR, "#quarterly-panel button[id*='table-csv']").click()
    WebDriverWait(driver, 30).until(lambda d: "Prepared" in d.find_element(
        By.CSS_SELECTOR, "#quarterly-panel [id*='table-download-status']").text)
    assert "Prepared" not in printed_text(driver)


def test_a_bangla_printout_says_so_in_bangla():
    with speaking("bn"):
        period = period_text(parse_period("2026-Q3"), date(2026, 11, 30))
        lines = print_header_lines("Justice", period, "ঢাকা বিভাগ", Scope("donor"), date(2026, 11, 30))
    text = " ".join(line.children for line in lines)
    assert "বিচার" in text and "সময়কাল: ২০২৬, প্রান্তিক ৩" in text and "এলাকা: ঢাকা বিভাগ" in text and "ভাষা: বাংলা" in text


@pytest.mark.browser
def test_a_bangla_printout_is_in_bangla_with_bengali_digits(open_browser):
    """Read under print media: the PDF's own text layer cannot be read back for Bangla (its shaped glyphs lose
    their characters), so the printed header is read from the page as print styles show it."""
    driver = open_browser("donor")
    open_page(driver, "/justice?lang=bn")
    period = _chosen(driver, "filter-period")
    assert period.startswith(("২০", "অর্থবছর")), period  # Bengali digits in the filter
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    header = driver.find_element(By.ID, "print-header")
    assert header.is_displayed() and driver.find_element(By.ID, "data-as-of").is_displayed()
    text = header.text + " " + driver.find_element(By.ID, "data-as-of").text
    for expected in ("ইমপ্যাক্ট মনিটর: বিচার", f"সময়কাল: {period}", "এলাকা: বাংলাদেশ", "প্রবেশ করেছেন: দাতা সংস্থা",
                     "ভাষা: বাংলা", "ডেটা হালনাগাদ: কেস ডেটাবেস ", "(তারিখ বাংলাদেশ সময় অনুযায়ী)"):
        assert expected in text, f"{expected!r} not in the printed header {text!r}"
    assert re.search("[০-৯]{4}", text) and not re.search("[0-9]", text)
    assert len(PdfReader(io.BytesIO(base64.b64decode(
        driver.execute_cdp_cmd("Page.printToPDF", A4)["data"]))).pages) >= 1


@pytest.mark.browser
def test_the_widest_tables_fit_their_paper(open_browser):
    """The IPTT's fifteen columns on a landscape page, in both languages, and the quarterly table's eight
    quarters upright, a mark such as "unreliable: fewer than 20 events" wrapping under its number."""
    driver = open_browser("leadership")
    for language in ("en", "bn"):
        open_page(driver, f"/donor-report?lang={language}")
        assert _fits_on_paper(driver, "iptt", A4_LANDSCAPE_CONTENT_WIDTH), language
    open_page(driver, "/quarterly-indicators?lang=en")
    before = callbacks_done(driver)
    driver.find_element(By.CSS_SELECTOR, "#quarterly-count input[value='8']").click()
    wait_for_callbacks(driver, after=before)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#quarterly-table thead th")) == 10
    assert _fits_on_paper(driver, "quarterly-table")
