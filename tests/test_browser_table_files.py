"""The District map, Quarterly indicators, Five-year targets and Violence reduction pages as a person meets them:
every table's CSV and Excel downloads clicked in Chromium and opened (numbers as numbers, hidden cells as their
marks, a notes sheet, the byte-order mark), no hidden number in a donor's files, the map fitted to a phone and a
laptop, and no page wider than a phone."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from tests.conftest import callbacks_done, downloaded, open_page, wait_for_callbacks
from tests.test_browser_values import choose_and_wait, table_rows

PAGES = ["/district-map", "/quarterly-indicators", "/five-year-targets", "/violence-reduction"]
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
LAPTOP = {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False}
MARKS = ("hidden", "withheld")
# A number as a table writes it: grouped digits, then a unit, then the mark of a number on too few events.
SHOWN_NUMBER = re.compile(r"^(-?[\d,]+(?:\.\d+)?)(?: %| days)?(?: \(unreliable: fewer than 20 events\))?$")


def _button(driver, table_id: str, kind: str):
    """A table's download button: its id is Dash's pattern id, written as JSON."""
    return next(button for button in driver.find_elements(By.CSS_SELECTOR, f"button[id*='{kind}']")
                if json.loads(button.get_attribute("id")) == {"table": table_id, "type": kind})


def _table_ids(driver) -> list[str]:
    return [json.loads(button.get_attribute("id"))["table"]
            for button in driver.find_elements(By.CSS_SELECTOR, "button[id*='table-xlsx']")]


def _download(driver, folder: Path, table_id: str, kind: str, suffix: str, seconds: float = 60) -> Path:
    for old in folder.glob(f"{table_id}-*{suffix}"):
        old.unlink()
    _button(driver, table_id, kind).click()
    return downloaded(folder, f"{table_id}-*{suffix}", seconds)


def _shown(driver, table_id: str) -> tuple[list[str], list[list[str]]]:
    header = [cell.text.strip() for cell in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} thead th")]
    return header, table_rows(driver, table_id)


def _check_workbook(path: Path, header: list[str], rows: list[list[str]]) -> int:
    """The workbook holds the page's table: each number as a number with a number format, each mark and text as
    the page writes it, an empty cell empty; and a Notes sheet. Returns how many numeric cells it holds."""
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "Notes" and book["Notes"].max_row > 3
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == header
    numbers = 0
    for shown_row, written_row in zip(rows, sheet.iter_rows(min_row=2), strict=True):
        for shown, written in zip(shown_row, written_row, strict=True):
            where = f"{path.name} {written.coordinate} ({shown!r})"
            if shown in ("–", ""):  # a missing number, an empty text
                assert written.value is None, where
            elif written.data_type == "n":
                numbers += 1
                assert written.number_format != "General", where
                number = SHOWN_NUMBER.match(shown)
                assert number, where
                assert written.value == pytest.approx(float(number.group(1).replace(",", "")), abs=0.051), where
            else:
                assert written.value == shown, where  # text, and the marks of hidden numbers
    return numbers


def _check_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == header
    written = lines[1:len(rows) + 1]
    for shown_row, written_row in zip(rows, written, strict=True):
        for shown, value in zip(shown_row, written_row):
            if shown in MARKS:
                assert value == shown
    assert lines[len(rows) + 2][0] == "Notes"


@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "donor"])
def test_every_table_downloads_as_numbers_with_its_marks_and_notes(open_browser, tmp_path, username):
    driver = open_browser(username)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    seen = {}
    for path in PAGES:
        open_page(driver, path)
        for table_id in _table_ids(driver):
            header, rows = _shown(driver, table_id)
            assert rows, f"{path}: {table_id} is empty"
            numbers = _check_workbook(_download(driver, tmp_path, table_id, "table-xlsx", ".xlsx"), header, rows)
            assert numbers, f"{table_id}: no cell of its workbook is a number"
            _check_csv(_download(driver, tmp_path, table_id, "table-csv", ".csv"), header, rows)
            seen[table_id] = numbers
    assert {"district-map-table", "quarterly-table", "targets-progress-table", "targets-plan-table",
            "reduction-table"} <= set(seen)


def _quarterly_of(driver, area: str) -> tuple[list[str], dict[str, list[str]]]:
    open_page(driver, "/quarterly-indicators")
    choose_and_wait(driver, "filter-area", area)
    header, rows = _shown(driver, "quarterly-table")
    return header, {row[0]: row for row in rows}


@pytest.mark.browser
def test_a_donor_s_files_hold_no_number_the_donor_may_not_see(open_browser, tmp_path):
    """The cells a donor sees hidden, read in leadership's table of the same area and quarters: the donor's page
    and files hold the mark there, never leadership's number."""
    area = "Mymensingh division"
    leadership = open_browser("leadership")
    header, full = _quarterly_of(leadership, area)
    donor = open_browser("donor")
    donor.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    donor_header, shown = _quarterly_of(donor, area)
    assert donor_header == header
    hidden = [(indicator, column) for indicator, row in shown.items()
              for column, text in enumerate(row) if text in MARKS]
    assert hidden, f"{area}: the donor sees every cell, so this test proves nothing"
    sheet = openpyxl.load_workbook(_download(donor, tmp_path, "quarterly-table", "table-xlsx", ".xlsx")).worksheets[0]
    written = {row[0].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=2)}
    lines = {line[0]: line for line in csv.reader(io.StringIO(
        _download(donor, tmp_path, "quarterly-table", "table-csv", ".csv").read_text(encoding="utf-8-sig")))}
    for indicator, column in hidden:
        real = full[indicator][column]
        assert SHOWN_NUMBER.match(real), f"leadership sees {indicator} {header[column]} as {real!r}"
        # Where leadership reads a number, the donor's page, workbook and CSV read the mark.
        assert written[indicator][column] == shown[indicator][column] == lines[indicator][column] in MARKS


MAP_VIEW = """
const plot = document.querySelector('#district-map-graph .js-plotly-plot');
if (!plot || !plot._fullLayout || !plot._fullLayout.map || !plot._fullLayout.map._subplot) { return null; }
const view = plot._fullLayout.map._subplot.map.getBounds();
return {fit: plot.layout.meta.fit, view: [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()],
        zoom: plot._fullLayout.map.zoom};
"""


def _map_view(driver, seconds: float = 30) -> dict:
    """The map's view once fitted to its box (its zoom differs from the figure's square fit, or stays)."""
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        view = driver.execute_script(MAP_VIEW)
        if view and view == last:
            return view
        last = view
        time.sleep(0.5)
    raise AssertionError(f"the map did not settle: {last}")


@pytest.mark.browser
@pytest.mark.parametrize("metrics", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("username, area", [("leadership", None), ("leadership", "Sylhet division"),
                                            ("donor", None)])
def test_the_map_shows_the_whole_area_chosen(open_browser, metrics, username, area):
    driver = open_browser(username)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    open_page(driver, "/district-map")
    if area:
        choose_and_wait(driver, "filter-area", area)
    view = _map_view(driver)
    west, south, east, north = view["fit"]
    shown_west, shown_south, shown_east, shown_north = view["view"]
    assert shown_west <= west and shown_east >= east and shown_south <= south and shown_north >= north, view
    # ... and fills its box: the area takes at least half of the width or of the height shown.
    assert max((east - west) / (shown_east - shown_west), (north - south) / (shown_north - shown_south)) > 0.5, view


@pytest.mark.browser
def test_a_donor_meets_divisions_and_no_district_controls(open_browser):
    driver = open_browser("donor")
    open_page(driver, "/district-map")
    assert not driver.find_element(By.ID, "map-district").is_displayed()
    assert not driver.find_element(By.ID, "map-back").is_displayed()
    assert "by division" in driver.find_element(By.ID, "district-map-title").text
    intro = driver.find_element(By.CSS_SELECTOR, "#main-content h2 + p").text
    assert "by division" in intro and "district" not in intro


@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "donor"])
def test_no_page_scrolls_sideways_and_no_chart_title_sits_under_its_toolbar(open_browser, username):
    driver = open_browser(username)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    too_wide, covered = {}, {}
    for path in PAGES:
        open_page(driver, path)
        width, viewport = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if width > viewport:
            too_wide[path] = width
        overlaps = driver.execute_script("""
            const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            return Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap((plot) => {
                const bar = plot.querySelector('.modebar');
                if (!bar) { return []; }
                const box = bar.getBoundingClientRect();
                return Array.from(plot.querySelectorAll('.gtitle, .annotation-text, .legendtitletext'))
                    .filter((title) => title.textContent && overlap(title.getBoundingClientRect(), box))
                    .map((title) => title.textContent);
            });""")
        if overlaps:
            covered[path] = overlaps
    assert not too_wide, f"wider than the {PHONE['width']} px screen: {too_wide}"
    assert not covered, f"titles under a chart's toolbar: {covered}"


@pytest.mark.browser
def test_a_quarter_that_hides_most_areas_offers_its_year(open_browser):
    """Dhaka division's districts in one quarter, as the government account sees them: mostly hidden. The page
    says so and offers the year, which shows more of them on a map."""
    driver = open_browser("dhaka")
    open_page(driver, "/district-map")
    hidden_in_quarter = sum(row[-1] in MARKS for row in table_rows(driver, "district-map-table"))
    offer = driver.find_element(By.ID, "map-show-year")
    maps = driver.find_elements(By.CSS_SELECTOR, "#district-map-graph")
    assert not [shown for shown in maps if shown.is_displayed()]  # no map of grey (the graph is kept, out of sight)
    assert hidden_in_quarter > len(table_rows(driver, "district-map-table")) / 2
    year = offer.text.rsplit(" ", 1)[-1]
    before = callbacks_done(driver)
    offer.click()
    wait_for_callbacks(driver, after=before)
    assert f"Year {year}" in driver.find_element(By.ID, "filter-period").text
    assert sum(row[-1] in MARKS for row in table_rows(driver, "district-map-table")) < hidden_in_quarter
    assert driver.find_elements(By.CSS_SELECTOR, "#district-map-graph .js-plotly-plot")
