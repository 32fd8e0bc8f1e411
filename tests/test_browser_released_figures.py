"""A donor shown released figures only, as a person meets it: the demo's released quarters on the Quarterly
indicators page, a quarter not released empty and named so, a late record that moves leadership's figure and not
the donor's (and is marked in leadership's cell) until leadership releases the quarter again from the page, the
donor's workbook and the command line agreeing with the page, and a page of a quarter not released saying so."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from tests.conftest import BROWSER_DEMO_CASES, GEO_CACHE, REPO_ROOT, browsers_at, open_page, running_app
from tests.test_browser_narratives import _notes, _release
from tests.test_browser_phone import PHONE, _widths
from tests.test_browser_table_files import _download, _shown
from tests.test_browser_values import choose_and_wait

RELEASED = {"IMPACT_DONOR_FIGURES": "released", "IMPACT_DEMO_CASES": BROWSER_DEMO_CASES, "IMPACT_CASES_DB": "",
            "IMPACT_REFERRALS_DB": "", "IMPACT_CACHE_TTL_S": "0"}
CASES = "Cases reported"


@pytest.fixture(scope="module")
def released_app(tmp_path_factory, chromium_paths):
    """The demo as it starts with donors shown released figures (it releases its last three ended quarters),
    with nothing cached, so that a record added to its case database shows at once; and browsers signed in to
    it."""
    data_dir = tmp_path_factory.mktemp("released-app-data")
    (data_dir / "geo").mkdir()
    for cached in GEO_CACHE.glob("*.json"):
        shutil.copy(cached, data_dir / "geo" / cached.name)
    with running_app(data_dir, **RELEASED) as url, browsers_at(chromium_paths, url) as open_as:
        yield data_dir, open_as


def _cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "IMPACT_DATA_DIR": str(data_dir), **RELEASED}
    return subprocess.run([sys.executable, "-m", "impact_monitor.cli", *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)


def _cell(header: list[str], rows: list[list[str]], indicator: str, column: str) -> str:
    return next(row for row in rows if row[0] == indicator)[header.index(column)]


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _add_late_case(data_dir, reported_on: str) -> None:
    """A case entered in the source after the release, dated inside the released quarter."""
    with contextlib.closing(sqlite3.connect(data_dir / "demo" / "cases.sqlite")) as connection, connection:
        connection.execute("INSERT INTO cases (case_id, case_ref, case_type, district_pcode, upazila_pcode, source, "
                           "reported_on, closed_on) VALUES ('C-LATE-1', 'CR-LATE-1', 'csec', 'BD2015', NULL, "
                           "'police', ?, NULL)", (reported_on,))


@pytest.mark.browser
def test_a_donor_sees_released_quarters_only_until_leadership_releases_again(released_app, tmp_path):
    data_dir, open_as = released_app
    donor = open_as("donor")
    donor.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_page(donor, "/quarterly-indicators?lang=en")
    header, rows = _shown(donor, "quarterly-table")
    first, last = header[1], header[-2]  # the oldest quarter shown (not released by the demo), the latest
    assert _cell(header, rows, CASES, first) == "not released", "a quarter not released shows no figure"
    released_count = _count(_cell(header, rows, CASES, last))
    notes = _notes(donor)
    assert notes[0].startswith("The figures are as released: each quarter's from its latest release")
    assert f"{first}: not released." in notes
    assert re.search(rf"^{last}: released on \d{{4}}-\d{{2}}-\d{{2}} by demo\.$", "\n".join(notes), re.M), notes
    exported = json.loads(_cli(data_dir, "indicators", "--period", last, "--role", "donor", "--indicator",
                               "cases_reported", "--format", "json").stdout)
    assert [row["value"] for row in exported] == [released_count], "the command line reads the same release"

    _add_late_case(data_dir, f"{last[:4]}-{int(last[-1]) * 3 - 1:02d}-15")
    leadership = open_as("leadership")
    open_page(leadership, "/quarterly-indicators?lang=en")
    header, rows = _shown(leadership, "quarterly-table")
    assert _cell(header, rows, CASES, last) == f"{released_count + 1:,} (+1 since release)", (
        "leadership sees live figures, marked where they moved since the release")
    change = f"{CASES}, {last}: {released_count + 1:,} now, {released_count:,} in the release of"
    assert any(note.startswith(change) and note.endswith("(+1).") for note in _notes(leadership)), _notes(leadership)
    open_page(donor, "/quarterly-indicators?lang=en")
    header, rows = _shown(donor, "quarterly-table")
    assert _count(_cell(header, rows, CASES, last)) == released_count, "the late record does not move the release"

    assert not leadership.find_elements(By.CSS_SELECTOR, "#release-provisional input"), "the quarter has ended"
    status = _release(leadership)
    assert "revised on" in status and "(revision 2)" in status, status
    open_page(donor, "/quarterly-indicators?lang=en")
    header, rows = _shown(donor, "quarterly-table")
    assert _count(_cell(header, rows, CASES, last)) == released_count + 1, "the revision is what donors now see"
    assert any(note.startswith(f"{last}: released on ") and "(revision 2)" in note for note in _notes(donor))
    donor.save_screenshot(str(tmp_path / "donor-quarterly.png"))

    book = openpyxl.load_workbook(_download(donor, tmp_path, "quarterly-table", "table-xlsx", ".xlsx"))
    sheet = book.worksheets[0]
    columns = [cell.value for cell in sheet[1]]
    [row] = [row for row in sheet.iter_rows(min_row=2) if row[0].value == CASES]
    assert (row[columns.index(last)].value, row[columns.index(last)].data_type) == (released_count + 1, "n")
    assert row[columns.index(first)].value == "not released"

    open_page(donor, "/referrals?lang=en")
    choose_and_wait(donor, "filter-period", first)  # the choice stays with the session, from page to page
    for page in ("/referrals", "/district-map", "/"):
        open_page(donor, f"{page}?lang=en")
        assert donor.find_element(By.ID, "filter-period").text.strip() == first, page
        said = donor.find_element(By.TAG_NAME, "main").text
        assert f"{first} has not been released. This account is shown released figures only" in said, page
        assert "No records in this period" not in said, page

    # On a phone: the marks of what is not released fit, and the five-year targets say a year not released so,
    # in the tables and where the actual's bar would stand.
    donor.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    for page, shown in (("/quarterly-indicators", "#quarterly-table"), ("/five-year-targets", ".small-multiple"),
                        ("/five-year-targets", "#targets-plan-table")):
        open_page(donor, f"{page}?lang=en")
        assert _widths(donor)[0] <= PHONE["width"], page
        donor.execute_script("arguments[0].scrollIntoView()", donor.find_element(By.CSS_SELECTOR, shown))
        donor.save_screenshot(str(tmp_path / f"donor-phone{page.replace('/', '-')}-{shown[1:]}.png"))
    header, rows = _shown(donor, "targets-plan-table")
    # No year of the plan has all its begun quarters released by the demo (it releases the last three ended).
    cases = [(row[header.index("Actual")], row[header.index("Status")]) for row in rows if row[0] == CASES]
    assert set(cases) <= {("not released", "not released"), ("not yet", "not started")} and (
        ("not released", "not released") in cases), cases
    marks = [text.text for text in donor.find_elements(By.CSS_SELECTOR, ".small-multiple svg text.bartext")]
    assert "not released" in marks, marks
    notes = donor.find_element(By.TAG_NAME, "main").text
    assert "Released figures only: a year's actual is its released quarters added up" in notes
