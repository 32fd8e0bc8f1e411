"""The calendar picker as a person uses it: leadership names the same quarter in each calendar and reads a
fiscal year; a donor of a fiscal calendar sees its own calendar only, fixed, with its labels on the page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from selenium.webdriver.common.by import By

from queries.periods import CALENDARS, quarter_containing, year_containing
from tests.conftest import callbacks_done, open_page, wait_for_callbacks
from tests.test_browser_values import choose_and_wait

US, BD = CALENDARS["us-fiscal"], CALENDARS["bd-fiscal"]


def _pick_calendar(driver, calendar) -> None:
    """Open the calendar menu (it has no search box: three choices) and click one, as a person would."""
    before = callbacks_done(driver)
    driver.find_element(By.ID, "filter-calendar").click()
    [option] = [o for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content [role='option']") if o.text.strip() == calendar.name]
    option.click()
    wait_for_callbacks(driver, after=before)


def _shown(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text.strip()


@pytest.mark.browser
def test_leadership_names_the_same_quarter_in_each_calendar_and_reads_a_fiscal_year(open_browser):
    driver = open_browser("leadership")
    open_page(driver, "/quarterly-indicators?lang=en")
    quarter = quarter_containing(date.today()).previous()
    assert _shown(driver, "filter-period") == quarter.label
    before = driver.find_element(By.ID, "main-content").text
    _pick_calendar(driver, US)
    assert _shown(driver, "filter-period") == quarter.in_calendar(US).label
    after = driver.find_element(By.ID, "main-content").text
    assert quarter.in_calendar(US).label in after and not re.search(rf"(?<![\w-]){quarter.label}", after)
    # The same quarter: the same figures, under another name.
    assert before.split(quarter.label)[-1][:200] == after.split(quarter.in_calendar(US).label)[-1][:200]
    _pick_calendar(driver, BD)
    assert _shown(driver, "filter-period") == quarter.in_calendar(BD).label
    fiscal_year = year_containing(quarter, BD).shifted(-4)  # the last whole fiscal year
    choose_and_wait(driver, "filter-period", fiscal_year.label)
    assert fiscal_year.label in driver.find_element(By.ID, "print-header").get_attribute("textContent")
    assert "went wrong" not in driver.find_element(By.ID, "main-content").text


@pytest.mark.browser
def test_a_donor_sees_its_own_fiscal_calendar_only(open_browser):
    driver = open_browser("usaid")
    open_page(driver, "/quarterly-indicators?lang=en")
    picker = driver.find_element(By.ID, "filter-calendar")
    assert US.name in picker.text and "Your account reports in this calendar." in driver.page_source
    assert not picker.is_enabled()
    quarter = quarter_containing(date.today()).previous().in_calendar(US)
    assert _shown(driver, "filter-period") == quarter.label
    page = driver.find_element(By.ID, "main-content").text
    assert quarter.label in page and "went wrong" not in page
    periods = driver.find_element(By.ID, "filter-period")
    periods.click()
    offered = [option.text for option in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content [role='option']")]
    periods.click()
    assert offered and [text for text in offered if not text.startswith("US-FY")] == []
    open_page(driver, "/five-year-targets?lang=en")
    assert "this account reports in the US government fiscal year (October-September): its targets, year by " \
           "year, are on the Donor report" in driver.find_element(By.ID, "main-content").text
