"""The Donor report as a donor of the US fiscal year meets it: the IPTT of its fiscal year on the page, its Excel
download opened and equal to the page, and equal to what `impact-monitor iptt` writes for the same account."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from queries.periods import CALENDARS, quarter_containing, quarters_of, year_containing
from tests.conftest import open_page
from tests.test_browser_table_files import _check_workbook, _download, _shown
from tests.test_browser_values import run_cli

US = CALENDARS["us-fiscal"]


@pytest.mark.browser
def test_a_us_fiscal_donor_reads_and_downloads_its_iptt_as_the_command_line_writes_it(open_browser, app_data_dir,
                                                                                      tmp_path):
    driver = open_browser("usaid")
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_page(driver, "/donor-report?lang=en")
    year = year_containing(quarter_containing(date.today()).previous(), US)
    header, rows = _shown(driver, "iptt")
    assert header[7:11] == [quarter.label for quarter in quarters_of(year)]
    assert f"Indicator Performance Tracking Table, Bangladesh, {year.label}" in driver.page_source
    shown = {cell for row in rows for cell in row[7:13]}
    assert "hidden" in shown and "0" not in {row[4] for row in rows}  # a missing baseline period is blank, not 0
    workbook = _download(driver, tmp_path, "iptt", "table-xlsx", ".xlsx")
    assert _check_workbook(workbook, header, rows) > 100

    made = tmp_path / "cli.xlsx"
    result = run_cli(app_data_dir, "iptt", "--calendar", "us-fiscal", "--year", str(year.numbered_year),
                     "--role", "donor", "--out", str(made))
    assert result.returncode == 0, result.stderr
    page_sheet, cli_sheet = (openpyxl.load_workbook(path).worksheets[0] for path in (workbook, made))
    assert [[cell.value for cell in row] for row in page_sheet.iter_rows()] == \
        [[cell.value for cell in row] for row in cli_sheet.iter_rows()]


@pytest.mark.browser
def test_leadership_reads_the_iptt_of_a_bangladeshi_fiscal_year_in_bangla(open_browser):
    driver = open_browser("leadership")
    open_page(driver, "/donor-report?lang=bn")
    driver.find_element(By.ID, "filter-calendar").click()
    [option] = [o for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content [role='option']")
                if o.text.strip() == "বাংলাদেশ অর্থবছর (জুলাই-জুন)"]
    option.click()
    open_page(driver, "/donor-report")
    caption = driver.find_element(By.CSS_SELECTOR, "#iptt caption").text
    assert caption.startswith("সূচক অগ্রগতি অনুসরণ সারণি, বাংলাদেশ, বাংলাদেশ অর্থবছর"), caption
    header, _rows = _shown(driver, "iptt")
    assert header[7].startswith("বাংলাদেশ অর্থবছর") and header[7].endswith("প্রান্তিক ১")
