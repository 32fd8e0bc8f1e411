"""Downloads as a person gets them: clicked in Chromium, saved, and opened as Excel would open them."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from tests.conftest import downloaded, open_page


@pytest.mark.browser
def test_the_quarterly_downloads_open_in_excel_with_numbers(open_browser, tmp_path):
    driver = open_browser("donor")
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_page(driver, "/quarterly-indicators")
    shown = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#quarterly-table thead th")]
    cases = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#quarterly-table tbody tr:first-child td")]

    driver.find_element(By.CSS_SELECTOR, "#quarterly-panel button[id*='table-csv']").click()
    data = downloaded(tmp_path, "*.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == shown

    driver.find_element(By.CSS_SELECTOR, "#quarterly-panel button[id*='table-xlsx']").click()
    book = openpyxl.load_workbook(downloaded(tmp_path, "*.xlsx"))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == shown and "Notes" in book.sheetnames
    # Cases reported, quarter by quarter: numbers a donor can sum, or the mark of a hidden one.
    for text, cell in zip(cases, sheet[2][1:-1]):
        if text in ("hidden", "withheld"):
            assert cell.value == text
        else:
            assert cell.data_type == "n" and cell.number_format != "General"
            assert cell.value == float(text.replace(",", ""))
