"""The Data quality and Definitions pages' tables as a person downloads them in Chromium: each table's CSV and
Excel clicked, saved and opened; counts as whole numbers, hidden counts as their mark, text as shown; a donor is
offered no table its page does not show it."""

from __future__ import annotations

import pytest

from dashboard.builders.definitions import sheet_table_id
from queries.definitions import INDICATORS
from tests.test_browser_page_tables import MARKS, _check_files_against_the_screen, _downloads_of_page

QUALITY_TABLES = {"leadership": {"quality-totals", "quality-by-district", "quality-as-of"},
                  "donor": {"quality-totals", "quality-as-of"}}
RECORDS = 2  # the column of the totals' counts


def _counts_are_whole_numbers(table: dict, first_column: int) -> int:
    """Every count of the workbook from `first_column` on is an int or a mark; returns how many are marks."""
    marks = 0
    for row in table["xlsx"].worksheets[0].iter_rows(min_row=2, min_col=first_column + 1):
        for cell in row:
            if cell.value in MARKS:
                marks += 1
            else:
                assert isinstance(cell.value, int) and cell.number_format != "General", (table["id"], cell.value)
    return marks


@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "donor"])
def test_the_quality_tables_download_as_shown_with_counts_as_numbers(open_flawed_browser, tmp_path, username):
    driver = open_flawed_browser(username)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    tables = _downloads_of_page(driver, tmp_path, "/data-quality")
    assert set(tables) == QUALITY_TABLES[username]
    marked = sum(_check_files_against_the_screen(table) for table in tables.values())
    hidden = _counts_are_whole_numbers(tables["quality-totals"], RECORDS)
    if username == "leadership":
        assert marked == hidden == 0
        assert _counts_are_whole_numbers(tables["quality-by-district"], 1) == 0
    else:  # each flaw is a row or two: too few records to show an external audience
        assert marked == hidden > 0
    as_of = tables["quality-as-of"]
    assert as_of["columns"] == ["Database", "Latest of", "Date"]
    assert all(isinstance(cell.value, str) for row in as_of["xlsx"].worksheets[0].iter_rows(min_row=2)
               for cell in row)
    # The day as the page writes it in English: ISO.
    assert any(len(row[2]) == 10 and row[2][4] == "-" for row in as_of["rows"]), as_of["rows"]


@pytest.mark.browser
def test_every_reference_sheet_downloads_as_shown(open_browser, tmp_path):
    driver = open_browser("donor")
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    tables = _downloads_of_page(driver, tmp_path, "/definitions")
    assert list(tables) == [sheet_table_id(code) for code in INDICATORS]
    for code, table in zip(INDICATORS, tables.values()):
        assert _check_files_against_the_screen(table) == 0
        assert table["rows"][0] == ["Code", code]
        assert table["xlsx"].worksheets[0]["B2"].value == code
