"""The Referrals, Justice and Survivors pages as a person meets them in Chromium: every table's CSV and Excel
downloads clicked, saved and opened; what a donor is not shown found in none of them; the pages on a phone and a
small laptop, with no chart title under a chart's toolbar."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from tests.conftest import downloaded, open_page

PAGES = ("/referrals", "/justice", "/survivors")
MARKS = ("hidden", "withheld")
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
LAPTOP = {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False}

# Each table of the page as it reads on screen: id, header and rows of cell texts.
_SCREEN_TABLES = """
return [...document.querySelectorAll('.model-table table.data-table')].map(table => ({
  id: table.id,
  columns: [...table.querySelectorAll('thead th')].map(th => th.textContent),
  rows: [...table.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(cell => cell.textContent)),
}));
"""


def _button(driver, table_id: str, kind: str):
    selector = f'button[id*=\'"table":"{table_id}"\'][id*=\'"type":"{kind}"\']'
    return driver.find_element(By.CSS_SELECTOR, selector)


def _click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def _number(text: str) -> float | None:
    """The number a screen cell shows ("1,234", "71.4 %", "2.5 days"), None for a mark or a dash."""
    first = text.split(" ")[0].replace(",", "")
    try:
        return float(first)
    except ValueError:
        return None


def _downloads_of_page(driver, folder: Path, path: str) -> dict[str, dict]:
    """Each table on `path` with its screen cells and both its files, clicked for as a person would."""
    open_page(driver, path)
    tables = {table["id"]: table for table in driver.execute_script(_SCREEN_TABLES)}
    assert tables, f"{path} shows no table"
    for table_id, table in tables.items():
        _click(driver, _button(driver, table_id, "table-csv"))
        table["csv"] = downloaded(folder, f"{table_id}-*.csv").read_bytes()
        _click(driver, _button(driver, table_id, "table-xlsx"))
        table["xlsx"] = openpyxl.load_workbook(downloaded(folder, f"{table_id}-*.xlsx"))
    return tables


def _check_files_against_the_screen(table: dict) -> int:
    """The CSV and the workbook hold the screen's cells: numbers as numbers with a format, marks as marks;
    returns how many cells are marked."""
    data = table["csv"]
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == table["columns"]
    book = table["xlsx"]
    assert "Notes" in book.sheetnames
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == table["columns"]
    marked = 0
    for row, (screen, line, written) in enumerate(zip(table["rows"], lines[1:], sheet.iter_rows(min_row=2)), 2):
        for text, in_csv, cell in zip(screen, line, written):
            where = f"{table['id']} row {row}: {text!r}"
            if text in MARKS:
                marked += 1
                assert cell.value == text and in_csv == text, where
            elif isinstance(cell.value, str):  # words: a row's name
                assert cell.value == text == in_csv, where
            elif cell.value is not None:
                assert cell.data_type == "n" and cell.number_format != "General", where
                assert cell.value == pytest.approx(_number(text), abs=0.051), where
                assert float(in_csv) == pytest.approx(_number(text), abs=0.051), where
            else:
                assert text == "–" and in_csv == "", where
    assert len(table["rows"]) == sheet.max_row - 1
    return marked


@pytest.mark.browser
def test_every_table_downloads_as_shown_for_a_donor_and_leadership_and_hides_what_the_donor_is_not_shown(
        open_browser, tmp_path):
    seen = {}
    for username in ("leadership", "donor"):
        driver = open_browser(username)
        folder = tmp_path / username
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
        seen[username] = {}
        for path in PAGES:
            seen[username].update(_downloads_of_page(driver, folder, path))
        seen[username]["volume-chart"] = _volume_chart(driver)
    marked = {username: sum(_check_files_against_the_screen(table) for key, table in tables.items()
                            if key != "volume-chart") for username, tables in seen.items()}
    assert marked["leadership"] == 0 and marked["donor"] > 0, marked
    _hidden_cells_keep_their_values_out(seen["leadership"], seen["donor"])


def _volume_chart(driver) -> dict:
    open_page(driver, "/referrals")
    return driver.execute_script(
        "const gd = document.querySelector('#referrals-volume-graph .js-plotly-plot');"
        "return gd.data.map(trace => ({name: trace.name, x: trace.x, y: trace.y, custom: trace.customdata,"
        " text: trace.text}));")


def _hidden_cells_keep_their_values_out(leadership: dict, donor: dict) -> None:
    """Each cell the donor sees marked, where leadership's same table has the same rows and columns: its file
    cells hold the mark, not leadership's number; in the volume chart, the donor's bar there is a gap with a
    mark, never leadership's number."""
    compared = 0
    for table_id, theirs in donor.items():
        ours = leadership.get(table_id)
        if table_id == "volume-chart" or not ours or ours["columns"] != theirs["columns"]:
            continue
        rows = {row[0]: row for row in ours["rows"]}
        sheet = theirs["xlsx"].worksheets[0]
        for row_number, row in enumerate(theirs["rows"], 2):
            if row[0] not in rows:
                continue
            for column, (text, truth) in enumerate(zip(row[1:], rows[row[0]][1:]), 2):
                if text in MARKS and _number(truth) is not None:
                    compared += 1
                    assert sheet.cell(row_number, column).value == text, (table_id, row[0], truth)
    assert compared, "no hidden cell of the donor's to compare with leadership's"
    truths = {row[0]: row for row in leadership["referrals-volume-table"]["rows"]}
    columns = donor["referrals-volume-table"]["columns"]
    for trace in donor["volume-chart"]:
        if trace["name"] not in columns:
            continue  # the marks' own trace
        index = columns.index(trace["name"])
        for service, value, custom in zip(trace["x"], trace["y"], trace["custom"]):
            shown = dict((row[0], row) for row in donor["referrals-volume-table"]["rows"])[service][index]
            if shown in MARKS:
                assert value is None and custom is None, (service, trace["name"], truths[service][index])
    marks = [trace for trace in donor["volume-chart"] if trace["name"] not in columns]
    assert marks and set(marks[0]["text"]) <= set(MARKS)


# Phones and small laptops.

_TITLES_UNDER_TOOLBARS = """
const under = [];
for (const chart of document.querySelectorAll('.chart')) {
  const title = chart.querySelector('.chart-title'), bar = chart.querySelector('.modebar-container');
  const inFigure = chart.querySelector('.gtitle');
  if (inFigure) under.push(chart.id + ': a title drawn in the figure');
  if (!title || !bar) continue;
  const a = title.getBoundingClientRect(), b = bar.querySelector('.modebar').getBoundingClientRect();
  if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) under.push(title.textContent);
}
return under;
"""


@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "donor"])
def test_the_pages_fit_a_phone_and_a_small_laptop_with_titles_clear_of_the_toolbar(open_browser, username):
    driver = open_browser(username)
    problems = {}
    for screen in (PHONE, LAPTOP):
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", screen)
        for path in PAGES:
            open_page(driver, path)
            width, viewport = driver.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            under = driver.execute_script(_TITLES_UNDER_TOOLBARS)
            charts = driver.execute_script("return document.querySelectorAll('.chart .js-plotly-plot').length")
            if width > viewport or under or not charts:
                problems[f"{screen['width']} {path}"] = json.dumps(
                    {"document": width, "viewport": viewport, "under the toolbar": under, "charts": charts})
    assert not problems, problems
