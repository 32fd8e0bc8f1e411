"""A release and a narrative as leadership makes them and a donor reads them. The quarter is released from the
Quarterly indicators page, and the narrative typed there; the narrative shows beside the figure there, in the Donor
report's deviation narrative and in its downloaded workbook, as text (never HTML, never a formula), with every
version kept; the release shows in both tables' notes and in the workbook's. The narrative is taken away at the
end, so that the shared demo's tables are left as they were (a release stays, as releases do)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from queries.periods import CALENDARS, parse_period, quarter_containing, quarters_of, year_containing
from tests.conftest import callbacks_done, open_page, wait_for_callbacks
from tests.test_browser_table_files import _download, _shown
from tests.test_browser_values import choose_and_wait, run_cli

US = CALENDARS["us-fiscal"]
# Hostile on purpose: HTML that must show as its characters, and a formula a spreadsheet must not run.
ENGLISH = '<b>Late records</b> from two districts =HYPERLINK("http://example.org","see")'
BANGLA = "দুটি জেলার রেকর্ড দেরিতে এসেছে"


def _write(driver, english: str, bangla: str) -> str:
    """Type both texts as a person would, save, and return the message the page answers with."""
    for language, text in (("en", english), ("bn", bangla)):
        box = driver.find_element(By.ID, f"narrative-{language}")
        box.send_keys(Keys.CONTROL, "a")  # selected and typed over: clear() would bypass React's state
        box.send_keys(Keys.DELETE, text)
    before = callbacks_done(driver)
    driver.find_element(By.ID, "narrative-save").click()
    wait_for_callbacks(driver, after=before)
    return driver.find_element(By.CSS_SELECTOR, "#narrative-fields .message").text


def _release(driver) -> str:
    """Release the last quarter shown, answering the browser's question, and return what the page then says."""
    before = callbacks_done(driver)
    button = driver.find_element(By.ID, "release-button")
    quarter = button.text.removeprefix("Release ")
    button.click()
    question = driver.switch_to.alert
    assert question.text.startswith(f"Release {quarter}"), question.text
    question.accept()
    wait_for_callbacks(driver, after=before)
    return driver.find_element(By.ID, "release-fields").text


def _notes(driver) -> list[str]:
    return [note.text for note in driver.find_elements(By.CSS_SELECTOR, ".table-note")]


# An A4 page's printable width at the printout's 12 mm margins, in CSS pixels, upright and on its side.
A4_CONTENT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
A4_LANDSCAPE_CONTENT_WIDTH = round((297 - 2 * 12) / 25.4 * 96)


def _fits_on_paper(driver, table_id: str, width: int = A4_CONTENT_WIDTH) -> bool:
    """Laid out as print styles lay it out on A4 (`width`: its printable width), the table needs no more width
    than its box has (a wider one is cut at the margin on paper)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 1100, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        return driver.execute_script("const box = arguments[0].closest('.table-scroll');"
                                     "return box.scrollWidth <= box.clientWidth;",
                                     driver.find_element(By.ID, table_id))
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _narrative_of(header: list[str], rows: list[list[str]], indicator: str, column: str) -> str:
    """The column's cell of the indicator's first row (its total, in the IPTT)."""
    return next(row for row in rows if row[0] == indicator)[header.index(column)]


def _us_quarter(label: str):
    """The US fiscal quarter of the same dates as a calendar-year quarter."""
    quarter = parse_period(label)
    return next(q for q in quarters_of(year_containing(quarter, US)) if q.start == quarter.start)


@pytest.mark.browser
def test_leadership_releases_a_quarter_and_writes_a_narrative_that_a_donor_reads_on_the_page_and_in_the_workbook(
        open_browser, app_data_dir, tmp_path):
    leadership = open_browser("leadership")
    open_page(leadership, "/quarterly-indicators?lang=en")
    header, _rows = _shown(leadership, "quarterly-table")
    assert "Narrative" not in header  # the demo starts without one
    quarter = header[-2]  # the last quarter shown, before the target
    released = re.compile(r"released on \d{4}-\d{2}-\d{2} by leadership")
    status = _release(leadership)
    assert re.search(rf"^{quarter}: {released.pattern}", status) and "Released." in status, status
    assert any(note.startswith(f"{quarter}: released on ") for note in _notes(leadership))
    try:
        assert _write(leadership, ENGLISH, BANGLA).startswith("Saved.")
        header, rows = _shown(leadership, "quarterly-table")
        assert _narrative_of(header, rows, "Cases reported", "Narrative") == f"{quarter}: {ENGLISH}"
        assert not leadership.find_elements(By.CSS_SELECTOR, "#quarterly-table b")  # text, never markup
        assert _fits_on_paper(leadership, "quarterly-table")
        assert _write(leadership, ENGLISH, BANGLA) == "Nothing to save: the texts are as they were."
        history = leadership.find_element(By.CSS_SELECTOR, "#narrative-fields details")
        history.click()
        versions = [item.text for item in history.find_elements(By.TAG_NAME, "li")]
        assert len(versions) == 2 and all(", leadership, " in line for line in versions), versions
        assert versions[0].endswith(f"Bangla: {BANGLA}") and versions[1].endswith(f"English: {ENGLISH}")
        # A division without its own: its figures show the national one, named so, and the editor says so.
        choose_and_wait(leadership, "filter-area", "Dhaka division")
        header, rows = _shown(leadership, "quarterly-table")
        assert _narrative_of(header, rows, "Cases reported", "Narrative") == (
            f"{quarter}: for Bangladesh as a whole: {ENGLISH}")
        assert "no narrative of its own" in leadership.find_element(By.ID, "narrative-fields").text
        choose_and_wait(leadership, "filter-area", "Bangladesh")
        assert "no narrative of its own" not in leadership.find_element(By.ID, "narrative-fields").text

        donor = open_browser("usaid")
        donor.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
        open_page(donor, "/donor-report?lang=en")
        header, rows = _shown(donor, "iptt")
        expected = f"{_us_quarter(quarter).label}: {ENGLISH}"
        assert _narrative_of(header, rows, "Cases reported", "Deviation narrative") == expected
        release_note = re.compile(rf"{_us_quarter(quarter).label}: {released.pattern}")
        assert any(release_note.match(note) for note in _notes(donor)), _notes(donor)
        book = openpyxl.load_workbook(_download(donor, tmp_path, "iptt", "table-xlsx", ".xlsx"))
        assert any(release_note.match(str(row[1].value)) for row in book["Notes"].iter_rows())
        sheet = book.worksheets[0]
        column = [cell.value for cell in sheet[1]].index("Deviation narrative")
        [written] = [row[column] for row in sheet.iter_rows(min_row=2) if row[0].value == "Cases reported"
                     and row[1].value == "Total"]
        assert (written.value, written.data_type) == (expected, "s")

        # A text too long to save is refused whole, and stays in its box to be shortened.
        too_long = "Late records. " * 150
        assert _write(leadership, too_long, BANGLA).startswith("A narrative holds at most 2000 characters.")
        assert leadership.find_element(By.ID, "narrative-en").get_attribute("value") == too_long

        made = tmp_path / "cli.xlsx"
        year = year_containing(_us_quarter(quarter), US)
        result = run_cli(app_data_dir, "iptt", "--calendar", "us-fiscal", "--year", str(year.numbered_year),
                         "--role", "leadership", "--language", "bn", "--out", str(made))
        assert result.returncode == 0, result.stderr
        cli_sheet = openpyxl.load_workbook(made).worksheets[0]
        assert any(str(cell.value).endswith(f": {BANGLA}") for cell in cli_sheet[2]), "the Bangla narrative"
    finally:
        open_page(leadership, "/quarterly-indicators?lang=en")
        assert _write(leadership, "", "").startswith("Taken away:")
    header, _rows = _shown(leadership, "quarterly-table")
    assert "Narrative" not in header


@pytest.mark.browser
def test_a_quarter_not_ended_waits_for_the_provisional_tick_before_the_button_asks(open_browser):
    leadership = open_browser("leadership")
    open_page(leadership, "/quarterly-indicators?lang=en")
    shown_before = leadership.find_element(By.ID, "filter-period").text.strip()
    today = datetime.now(ZoneInfo("Asia/Dhaka")).date()  # the demo's day, as its filter names it
    current = quarter_containing(today).label
    choose_and_wait(leadership, "filter-period", f"{current} (in progress, up to {today.isoformat()})")
    try:
        button = leadership.find_element(By.ID, "release-button")
        assert button.text == f"Release {current}" and not button.is_enabled()
        waiting = leadership.find_element(By.ID, "release-waiting").text
        assert waiting == f"{current} has not ended: tick Provisional to release it early, as figures that will change."
        button.click()
        with pytest.raises(NoAlertPresentException):
            leadership.switch_to.alert.text  # noqa: B018 (no question is asked of a button that waits)
        before = callbacks_done(leadership)
        leadership.find_element(By.CSS_SELECTOR, "#release-provisional input").click()
        wait_for_callbacks(leadership, after=before)
        assert leadership.find_element(By.ID, "release-button").is_enabled()
        assert not leadership.find_elements(By.ID, "release-waiting")
    finally:
        choose_and_wait(leadership, "filter-period", shown_before)


@pytest.mark.browser
def test_a_narrative_typed_and_not_saved_survives_a_change_of_indicator_and_can_be_put_back(open_browser):
    leadership = open_browser("leadership")
    open_page(leadership, "/quarterly-indicators?lang=en")
    draft = "Floods closed two police stations"
    box = leadership.find_element(By.ID, "narrative-en")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE, draft)
    choose_and_wait(leadership, "narrative-indicator", "Victims identified")
    assert leadership.find_element(By.ID, "narrative-en").get_attribute("value") == ""
    choose_and_wait(leadership, "narrative-indicator", "Cases reported")
    assert leadership.find_element(By.ID, "narrative-en").get_attribute("value") == draft, "nothing typed is lost"
    said = leadership.find_element(By.ID, "narrative-fields").text
    assert "Not saved yet: the text you typed here earlier is back in the boxes." in said

    open_page(leadership, "/quarterly-indicators?lang=en")  # the tab keeps it, page to page
    assert leadership.find_element(By.ID, "narrative-en").get_attribute("value") == draft
    put_back = leadership.find_element(By.ID, "narrative-discard")
    assert put_back.is_displayed()
    put_back.click()
    assert leadership.find_element(By.ID, "narrative-en").get_attribute("value") == ""
    assert not put_back.is_displayed()
    open_page(leadership, "/quarterly-indicators?lang=en")
    assert leadership.find_element(By.ID, "narrative-en").get_attribute("value") == ""
    assert "Not saved yet" not in leadership.find_element(By.ID, "narrative-fields").text
