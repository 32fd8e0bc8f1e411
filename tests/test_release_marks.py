"""What the tables say of releases, on a generated program and a real store: each quarter's release and revision
in the notes of the quarterly table and of the IPTT (page, print and files alike), dated in the program's time
zone; and, for leadership, each figure that moved since its release, with both values and by how much."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.builders.quarterly import build_quarterly
from dashboard.builders.release_marks import Change, change_marks, quarter_headings, release_line
from dashboard.components import cell_text
from dashboard.i18n import speaking
from impact_monitor.exports import CHANGED_SIGN
from impact_monitor.services import attach_store
from queries.periods import parse_period
from queries.releases import changed_since_release, period_figures
from queries.scope import LEADERSHIP, level_of, make_filter
from queries.store import Release
from tests.test_iptt import _workbook, program  # noqa: F401 (the generated program, with its targets)

DHAKA_TIME = datetime(2026, 4, 2, 20, 30, tzinfo=timezone.utc)  # 3 April, 02:30 in Dhaka
LATER = datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc)


def _release(revision: int, by: str, at: datetime, provisional: bool = False) -> Release:
    return Release(revision, "calendar", "2026-Q1", revision, at, by, provisional, "test")


def test_a_release_line_names_the_first_release_and_the_latest_revision_in_local_days():
    dhaka = ZoneInfo("Asia/Dhaka")
    assert release_line("2026-Q1", [], dhaka) == "2026-Q1: not released."
    assert release_line("2026-Q1", [_release(1, "ayesha", DHAKA_TIME)], dhaka) == \
        "2026-Q1: released on 2026-04-03 by ayesha."
    assert release_line("2026-Q1", [_release(1, "ayesha", DHAKA_TIME, provisional=True),
                                    _release(2, "karim", LATER)], dhaka) == \
        "2026-Q1: released on 2026-04-03 by ayesha; revised on 2026-06-10 by karim (revision 2)."
    assert release_line("2026-Q1", [_release(1, "ayesha", DHAKA_TIME, provisional=True)], dhaka).endswith(
        "by ayesha. Provisional: released before the quarter ended.")
    with speaking("bn"):
        assert "৩ এপ্রিল ২০২৬" in release_line("2026-Q1", [_release(1, "ayesha", DHAKA_TIME)], dhaka)


def test_a_quarter_shown_from_a_provisional_release_says_so_in_its_heading_to_those_shown_releases_only():
    quarters = [parse_period(label) for label in ("2025-Q4", "2026-Q1", "2026-Q2")]
    found = {"2025-Q4": [_release(1, "ayesha", DHAKA_TIME, provisional=True), _release(2, "karim", LATER)],
             "2026-Q1": [_release(1, "ayesha", DHAKA_TIME, provisional=True)]}
    assert quarter_headings(quarters, found, released_only=True) == ["2025-Q4", "2026-Q1 (provisional)", "2026-Q2"]
    assert quarter_headings(quarters, found, released_only=False) == ["2025-Q4", "2026-Q1", "2026-Q2"], (
        "live figures are no release's")
    with speaking("bn"):
        assert quarter_headings(quarters[1:2], found, released_only=True) != ["2026-Q1 (provisional)"]


def test_a_figure_changed_since_its_release_is_found_and_an_unchanged_one_is_not():
    released = pd.DataFrame({"indicator": ["a", "a", "b", "c", "d"], "area": "BD",
                             "breakdown": ["", "sex", "", "", ""], "category": ["", "female", "", "", ""],
                             "numerator": None, "denominator": None, "value": [10.0, 4.0, 2.5, float("nan"), 7.0]})
    live = pd.DataFrame({"indicator": ["a", "b", "c", "d", "e"], "value": [12.0, 2.5, 3.0, float("nan"), 1.0]})
    changed = changed_since_release(released, live)
    assert changed["indicator"].tolist() == ["a", "c", "d", "e"]  # b unchanged; e was not in the release
    assert changed.iloc[0][["released", "live"]].tolist() == [10.0, 12.0]


@pytest.fixture(scope="module")
def released(program):  # noqa: F811
    """The program with 2026-Q1 released, then revised with cases reported 5 lower than the records now hold,
    as if five cases had arrived since."""
    _folder, services, _rows = program
    attach_store(services)
    quarter = parse_period("2026-Q1")
    figures = period_figures(services.engine, services.gazetteer, quarter)
    services.store.record_release("calendar", "2026-Q1", figures, "ayesha", False, "test", at=DHAKA_TIME)
    national = figures["area"].eq("BD") & figures["breakdown"].eq("") & figures["indicator"].eq("cases_reported")
    live = int(figures.loc[national, "value"].item())
    figures.loc[national, ["numerator", "value"]] = live - 5
    services.store.record_release("calendar", "2026-Q1", figures, "karim", False, "test", at=LATER)
    return program, live


def test_the_quarterly_table_notes_each_quarter_s_release_and_leadership_s_figures_moved_since(released):
    (_folder, services, _rows), live = released
    chosen = make_filter(parse_period("2026-Q2"), "BD", level_of("BD", services.gazetteer), LEADERSHIP,
                         services.gazetteer)
    table = build_quarterly(services, chosen, {"quarters": 4})
    assert table.notes == (
        "The figures are live, counted from the records as they stand. Releases:",
        "2025-Q3: not released.", "2025-Q4: not released.",
        "2026-Q1: released on 2026-04-03 by ayesha; revised on 2026-06-10 by karim (revision 2).",
        "2026-Q2: not released.",
        f"Cases reported, 2026-Q1: {live:,} now, {live - 5:,} in the release of 2026-06-10 (+5).")
    # The cell itself says it: on screen beside the number, and nowhere else in the table.
    cases = next(row for row in table.rows if row[0].value == "Cases reported")
    quarter_column = [column.heading for column in table.columns].index("2026-Q1")
    assert (cases[quarter_column].value, cases[quarter_column].change) == (live, "+5 since release")
    assert cell_text(cases[quarter_column], table.columns[quarter_column]) == f"{live:,} (+5 since release)"
    assert [cell.change for row in table.rows for cell in row if cell.change] == ["+5 since release"]


def test_the_iptt_notes_say_which_release_each_quarter_came_from(released, monkeypatch):
    (folder, services, _rows), live = released
    book = _workbook(folder, monkeypatch, services, "--calendar", "us-fiscal", "--year", "2026")
    notes = [row[1].value for row in book["Notes"].iter_rows() if row[0].value == "Note"]
    assert "US-FY2026-Q2: released on 2026-04-03 by ayesha; revised on 2026-06-10 by karim (revision 2)." in notes
    assert "US-FY2026-Q1: not released." in notes and "US-FY2026-Q3: not released." in notes
    moved = [note for note in notes if " now, " in note]
    assert moved == [f"Cases reported, US-FY2026-Q2: {live:,} now, {live - 5:,} in the release of 2026-06-10 (+5)."]
    sheet = book.worksheets[0]
    column = [cell.value for cell in sheet[1]].index("US-FY2026-Q2")
    [total] = [row[column] for row in sheet.iter_rows(min_row=2)
               if row[0].value == "Cases reported" and row[1].value == "Total"]
    assert (total.value, total.data_type) == (live, "n"), "a number, still"
    assert total.number_format.endswith(f'" {CHANGED_SIGN}"') and total.comment.text == "+5 since release"
    marked = [cell.coordinate for row in sheet.iter_rows(min_row=2) for cell in row
              if cell.comment and "since release" in cell.comment.text]
    assert marked == [total.coordinate], "only the changed total is marked"


def test_a_change_smaller_than_a_figure_s_last_decimal_does_not_read_as_none():
    release = _release(1, "ayesha", DHAKA_TIME)
    quarter = parse_period("2026-Q1")

    def moved(indicator: str, released: float, live: float) -> str:
        return change_marks([Change(indicator, quarter, released, live, release)])[(indicator, "2026-Q1")]

    assert moved("case_rate_per_100k_children", 0.5731, 0.5771) == "+0.004 since release"
    assert moved("cases_referred_pct", 40.0, 38.5) == "\u22121.5 since release"
    assert moved("cases_reported", 360, 369) == "+9 since release"
    assert moved("referral_turnaround_median_days", float("nan"), 4.0) == "not available when released"
    assert moved("referral_turnaround_median_days", 3.5, float("nan")) == "3.5 days when released"
