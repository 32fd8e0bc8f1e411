"""Targets loading and progress (hand-computed, SQLite and PostgreSQL), and the quarterly and targets builders."""

from __future__ import annotations

import csv
import io
from datetime import date
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from dashboard.builders.quarterly import (
    data_as_of_text, last_quarter, no_records, quarterly_table, quarters_ending, targets_of,
)
from dashboard.builders.targets import (
    plan_figures, plan_table, progress_table, shown_share, status_class,
)
from dashboard.i18n import speaking
from dashboard.table_view import model_table
from impact_monitor.exports import table_csv, table_workbook
from impact_monitor.table_model import Cell
from queries.db import Databases
from queries.definitions import INDICATORS
from queries.periods import parse_period
from queries.scope import LEADERSHIP, Scope, make_filter
from queries.targets import (
    AT_RISK, HIDDEN, MET, MISSED, NO_VALUE, NOT_RELEASED, NOT_STARTED, OFF_TRACK, ON_TRACK, days_elapsed,
    load_targets, plan_progress, progress, status_of,
)
from tests.builders import sqlite_url, write_database
from tests.panel_parts import tables_in

DHAKA = "BD3026"
TODAY = date(2026, 4, 10)  # day 100 of 2026 (31 + 28 + 31 + 10)


# --- load_targets ---------------------------------------------------------------------------------

def _targets_file(tmp_path, text: str):
    path = tmp_path / "targets.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_targets_reads_indicator_year_target(tmp_path):
    frame = load_targets(_targets_file(tmp_path, "indicator,year,target\ncases_reported,2026,100\n"
                                                 "conviction_rate_pct,2026,47.5\n"))
    assert list(frame.columns) == ["indicator", "year", "target"]
    assert frame.to_dict("records") == [{"indicator": "cases_reported", "year": 2026, "target": 100.0},
                                        {"indicator": "conviction_rate_pct", "year": 2026, "target": 47.5}]


@pytest.mark.parametrize("text, expected", [
    ("indicator,target\ncases_reported,1\n", "line 1: missing column(s) year"),
    ("indicator,year,target\ncases_reported,2026,1\nno_such_code,2026,1\n", "line 3: unknown indicator code 'no_such_code'"),
    ("indicator,year,target\ncases_reported,26,1\n", "line 2: year '26' is not a year"),
    ("indicator,year,target\ncases_reported,2026,lots\n", "line 2: target 'lots' is not a number"),
    ("indicator,year,target\ncases_reported,2026,-5\n", "line 2: target '-5' must be a number of 0 or more"),
    ("indicator,year,target\ncases_reported,2026,nan\n", "line 2: target 'nan' must be"),
    ("indicator,year,target\ncases_reported,2026,1\ncases_reported,2026,2\n",
     "line 3: a second target for cases_reported in 2026 (the first is on line 2)"),
])
def test_load_targets_names_the_bad_line(tmp_path, text, expected):
    with pytest.raises(ValueError) as error:
        load_targets(_targets_file(tmp_path, text))
    assert expected in str(error.value)
    assert "targets.csv" in str(error.value)


def test_days_elapsed_counts_today_and_clamps():
    assert days_elapsed(2026, TODAY) == (100, 365)
    assert days_elapsed(2025, TODAY) == (365, 365)
    assert days_elapsed(2027, TODAY) == (0, 365)
    assert days_elapsed(2028, date(2028, 12, 31)) == (366, 366)


# --- progress against hand-built databases ----------------------------------------------------------

def _case(n, reported_on):
    return dict(case_id=f"C{n}", case_ref=None, case_type="csec", district_pcode=DHAKA, upazila_pcode=None,
                source="police", reported_on=reported_on, closed_on=None)


def _victim(n, case_n, age, identified_on):
    return dict(victim_id=f"V{n}", case_id=f"C{case_n}", sex="female", age_at_identification=age,
                identified_on=identified_on, brought_to_safety_on=None)


def _verdict(n, event_type):
    return dict(event_id=f"E{n}", case_id="C1", accused_id=f"A{n}", event_type=event_type, event_on="2026-03-01")


# 2026 up to TODAY: 30 cases, 15 victims (10 minors), 10 verdicts (4 convicted). 2025: 5 cases.
CASE_ROWS = {
    "cases": [_case(n, "2026-01-15") for n in range(1, 31)] + [_case(n, "2025-06-01") for n in range(31, 36)],
    "victims": [_victim(n, n, 15 if n <= 10 else 30, "2026-02-01") for n in range(1, 16)],
    "accused": [],
    "legal_events": [_verdict(n, "convicted" if n <= 4 else "acquitted") for n in range(1, 11)],
    "survivor_assessments": [],
    "district_population": [],
}
REFERRAL_ROWS = {"reports": [], "referrals": []}
TARGETS = pd.DataFrame([
    ("cases_reported", 2026, 100.0),       # 30 x 365/100 = 109.5 -> 109.5 % on track
    ("victims_identified", 2026, 60.0),    # 15 x 365/100 = 54.75 -> 91.25 % at risk
    ("minors_identified", 2026, 50.0),     # 10 x 365/100 = 36.5 -> 73 % off track
    ("conviction_rate_pct", 2026, 50.0),   # 4/10 = 40 % -> 80 % of target, off track
    ("cases_reported", 2025, 5.0),         # whole year: 5 -> 100 % on track
    ("cases_reported", 2027, 10.0),        # not started
], columns=["indicator", "year", "target"])


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, gazetteer):
    from queries.indicators import IndicatorEngine

    if request.param == "sqlite":
        cases = write_database(sqlite_url(tmp_path / "cases.sqlite"), CASE_ROWS)
        referrals = write_database(sqlite_url(tmp_path / "referrals.sqlite"), REFERRAL_ROWS)
    else:
        cases = referrals = write_database(request.getfixturevalue("pg_url"), {**CASE_ROWS, **REFERRAL_ROWS})
    databases = Databases.from_urls(cases, referrals)
    yield IndicatorEngine(databases, gazetteer)
    databases.dispose()


def _national(scope, gazetteer):
    return lambda period: make_filter(period, "BD", "national", scope, gazetteer)


def test_progress_projects_counts_and_compares_percentages(engine, gazetteer):
    result = progress(engine, TARGETS, 2026, _national(LEADERSHIP, gazetteer), TODAY, 10).set_index("indicator")
    assert list(result.index) == ["cases_reported", "victims_identified", "minors_identified", "conviction_rate_pct"]
    assert (result["days_elapsed"] == 100).all() and (result["days_in_year"] == 365).all()
    expected = {  # actual, projection, percent of target, status
        "cases_reported": (30, 109.5, 109.5, ON_TRACK),
        "victims_identified": (15, 54.75, 91.25, AT_RISK),
        "minors_identified": (10, 36.5, 73.0, OFF_TRACK),
        "conviction_rate_pct": (40.0, 40.0, 80.0, OFF_TRACK),
    }
    for code, (actual, projection, percent, status) in expected.items():
        row = result.loc[code]
        assert row["actual"] == pytest.approx(actual), code
        assert row["projection"] == pytest.approx(projection), code
        assert row["percent_of_target"] == pytest.approx(percent), code
        assert row["status"] == status, code


def test_plan_progress_covers_past_and_future_years(engine, gazetteer):
    plan = plan_progress(engine, TARGETS, _national(LEADERSHIP, gazetteer), TODAY, 10)
    assert list(plan["year"]) == [2025, 2026, 2026, 2026, 2026, 2027]
    past = plan[plan["year"] == 2025].iloc[0]
    assert (past["actual"], past["projection"], past["status"]) == (5, 5, MET)  # a year that is over
    future = plan[plan["year"] == 2027].iloc[0]
    assert future["status"] == NOT_STARTED and future["actual"] is None and future["projection"] is None


def test_progress_hides_a_small_actual_for_a_donor(engine, gazetteer):
    result = progress(engine, TARGETS, 2025, _national(Scope("donor"), gazetteer), TODAY, 10)
    row = result.iloc[0]
    assert row["indicator"] == "cases_reported" and bool(row["suppressed"])
    assert row["status"] == HIDDEN and row["actual"] is None and row["projection"] is None
    shown = _targets_shown(progress_table(result))[0]
    assert shown[2:5] == ["hidden", "hidden", "hidden"]  # the actual, and the projection and share built on it


# --- targets builders ---------------------------------------------------------------------------------

def _progress_frame():
    return pd.DataFrame([
        dict(indicator="cases_reported", year=2025, target=5.0, actual=None, suppressed=True, reliable=None,
             days_elapsed=365, days_in_year=365, projection=None, percent_of_target=None, status=HIDDEN),
        dict(indicator="cases_reported", year=2026, target=100.0, actual=30.0, suppressed=False, reliable=None,
             days_elapsed=100, days_in_year=365, projection=109.5, percent_of_target=109.5, status=ON_TRACK),
        dict(indicator="conviction_rate_pct", year=2026, target=50.0, actual=40.0, suppressed=False, reliable=False,
             days_elapsed=100, days_in_year=365, projection=40.0, percent_of_target=80.0, status=OFF_TRACK),
    ])


def _targets_shown(table) -> list[list[str]]:
    """A targets table's rows as the screen writes them."""
    return tables_in(model_table(table, {}))[0]["rows"]


def test_progress_and_plan_tables_read_as_on_screen():
    frame = _progress_frame()
    table = progress_table(frame)
    assert [column.kind for column in table.columns] == ["text", "number", "number", "number", "percent", "text"]
    # Numbers, never texts: a count whole, each of its indicator's kind in a column of several kinds.
    assert table.rows[1][1:5] == (Cell(100, kind="count"), Cell(30, kind="count"), Cell(110, kind="count"),
                                  Cell(109.5))
    shown = _targets_shown(table)
    assert shown[1] == ["Cases reported", "100", "30", "110", "109.5 %", ON_TRACK]
    unreliable = "40.0 % (unreliable: fewer than 20 events)"
    assert shown[2] == ["Conviction rate", "50.0 %", unreliable, unreliable, "80.0 %", OFF_TRACK]
    plan = plan_table(frame)
    assert _targets_shown(plan)[0] == ["Cases reported", "2025", "hidden", "5", "hidden", HIDDEN]
    assert plan.rows[0][2] == Cell(mark="hidden", kind="count")


def test_two_rows_that_round_alike_show_why_their_statuses_differ():
    """99.96 % of a target is at risk, and must not read 100.0 % beside an on-track 100.0 %."""
    assert status_of("count", 99.96, 100.0) == (pytest.approx(99.96), AT_RISK)
    assert status_of("count", 89.99, 100.0)[1] == OFF_TRACK
    frame = _progress_frame().iloc[[1, 1]].reset_index(drop=True)
    frame.loc[0, ["projection", "percent_of_target", "status"]] = [99.96, 99.96, AT_RISK]
    frame.loc[1, ["projection", "percent_of_target", "status"]] = [100.0, 100.0, ON_TRACK]
    shown = _targets_shown(progress_table(frame))
    assert [row[4:] for row in shown] == [["99.9 %", "at risk"], ["100.0 %", "on track"]]
    assert shown_share(89.99) == 89.9 and shown_share(90.0) == 90.0 and shown_share(None) is None


def test_a_year_that_is_over_is_met_or_missed():
    assert status_of("count", 4.0, 5.0, year_over=True) == (80.0, MISSED)
    assert status_of("count", 5.0, 5.0, year_over=True) == (100.0, MET)
    assert status_of("median", 12.0, 10.0, year_over=True)[1] == MISSED  # fewer days is better
    assert status_class(Cell("met")) == "status-on-track" and status_class(Cell("missed")) == "status-off-track"


def test_plan_charts_draw_actual_and_target_and_write_hidden_where_a_bar_would_be():
    charts = dict(plan_figures(_progress_frame(), current_year=2026))
    assert list(charts) == ["cases_reported", "conviction_rate_pct"]
    actual_cases, target_cases, marks = charts["cases_reported"].data
    assert list(actual_cases.x) == ["2025", "2026 (to date)"] and list(target_cases.y) == [5.0, 100.0]
    assert actual_cases.y[0] is None and actual_cases.y[1] == 30.0
    assert list(marks.x) == ["2025"] and list(marks.text) == ["hidden"] and list(marks.y) == [0]
    assert marks.offsetgroup == actual_cases.offsetgroup != target_cases.offsetgroup
    assert len(charts["conviction_rate_pct"].data) == 2  # nothing hidden, no marks
    for figure in charts.values():  # no title in the figure to sit under its toolbar; the legend below the plot
        assert figure.layout.title.text is None and figure.layout.legend.yref == "container"


def test_an_actual_with_no_value_says_why_in_the_tables_and_where_its_bar_would_be():
    def row(year, status):
        return dict(indicator="cases_reported", year=year, target=10.0, actual=None, suppressed=False, reliable=None,
                    days_elapsed=0 if status == NOT_STARTED else 100, days_in_year=365, projection=None,
                    percent_of_target=None, status=status)

    frame = pd.DataFrame([row(2024, NO_VALUE), row(2025, NOT_RELEASED), row(2027, NOT_STARTED)])
    shown = _targets_shown(plan_table(frame))
    assert [line[2] for line in shown] == ["not available", "not released", "not yet"]
    assert [line[4] for line in shown] == ["not available", "not released", "not yet"], "the share built on it"
    assert [line[5] for line in shown] == ["no value", "not released", "not started"]
    assert [line[2:5] for line in _targets_shown(progress_table(frame.iloc[[1]]))] == [["not released"] * 3]
    assert progress_table(frame, released_only=True).notes[-1].startswith("Released figures only: a year's actual")
    assert len(progress_table(frame).notes) == 1

    actual, _target, marks = dict(plan_figures(frame, current_year=2026))["cases_reported"].data
    assert list(actual.y) == [None, None, None], "no bar drawn at 0"
    assert list(marks.text) == ["not available", "not released", "not yet"] and list(marks.y) == [0, 0, 0]
    assert marks.offsetgroup == actual.offsetgroup


def test_quarters_end_with_the_chosen_quarter_or_the_years_last():
    assert [q.label for q in quarters_ending(parse_period("2026-Q2"), 4)] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert last_quarter(parse_period("2025")).label == "2025-Q4"
    assert len(quarters_ending(parse_period("2025"), 8)) == 8
    assert last_quarter(parse_period("2026", 7), 7).label == "BD-FY2027-Q2"  # October-December 2026


def _engine_rows():
    """Export rows as the engine returns them for a donor: the hidden row carries no number."""
    rows = []
    for code in INDICATORS:
        for quarter, value in (("2026-Q1", 12.0), ("2026-Q2", 40.0)):
            rows.append(dict(indicator=code, period=quarter, area="BD30", value=value, numerator=value,
                             denominator=None, suppressed=False, withheld=False))
    rows.append(dict(indicator="cases_reported", period="2026-Q1", area="BD20", value=99.0, numerator=99.0,
                     denominator=None, suppressed=False, withheld=False))
    frame = pd.DataFrame(rows)
    hidden = (frame["indicator"] == "cases_reported") & (frame["period"] == "2026-Q2") & (frame["area"] == "BD30")
    frame.loc[hidden, ["value", "numerator"]] = None
    frame.loc[hidden, "suppressed"] = True
    return frame.assign(withheld=False)


def _shown(table) -> dict[str, list[str]]:
    """The quarterly table's rows as the screen writes them, by indicator code."""
    shown = tables_in(model_table(table, {}))[0]
    return dict(zip(INDICATORS, shown["rows"]))


def test_quarterly_table_layout_suppression_and_targets():
    table = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30",
                            {"cases_reported": 1800.0, "conviction_rate_pct": 48.0}, 2026)
    assert [column.heading for column in table.columns] == ["Indicator", "2026-Q1", "2026-Q2", "Target 2026"]
    assert [column.kind for column in table.columns] == ["text", "number", "number", "number"]
    cases = table.rows[0]
    assert cases[0].href == "/definitions#cases_reported"
    assert (cases[1].value, cases[2].value, cases[2].mark, cases[3].value) == (12, None, "hidden", 1800.0)
    assert isinstance(cases[1].value, int)  # typed, never the text "12"
    shown = _shown(table)
    assert shown["cases_reported"] == ["Cases reported", "12", "hidden", "1,800"]
    assert shown["conviction_rate_pct"] == ["Conviction rate", "12.0 %", "40.0 %", "48.0 %"]
    assert shown["referral_turnaround_median_days"] == ["Median days to first service", "12.0 days", "40.0 days", "–"]
    assert 99 not in [cell.value for row in table.rows for cell in row]  # another area's row never leaks in


def test_the_downloads_hold_numbers_and_the_hidden_mark():
    table = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {"cases_reported": 1800.0}, 2026)
    sheet = openpyxl.load_workbook(io.BytesIO(table_workbook(table, []))).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["Indicator", "2026-Q1", "2026-Q2", "Target 2026"]
    cases = sheet[2]
    assert (cases[1].value, cases[1].data_type, cases[1].number_format) == (12, "n", "#,##0")
    assert cases[2].value == "hidden" and (cases[3].value, cases[3].data_type) == (1800, "n")
    rows = list(csv.reader(io.StringIO(table_csv(table, [], bom=True).decode("utf-8-sig"))))
    assert rows[1][:3] == ["Cases reported", "12", "hidden"]


# Rows of several kinds in one column: each file cell as its own indicator reads (an Excel number holds no type:
# the format says a count is whole, and the CSV writes it so).
KIND_ROWS = {"cases_reported": (12, "#,##0", "12"), "conviction_rate_pct": (12.0, '0.0" %"', "12.0"),
             "case_rate_per_100k_children": (12.0, "#,##0.0", "12.0"),
             "referral_turnaround_median_days": (12.0, "0.0", "12.0")}


def _file_cells(table, code_column: list[str]) -> tuple[dict, dict]:
    """Per indicator of KIND_ROWS: the workbook's second column's cell, and the CSV's second column's text."""
    sheet = openpyxl.load_workbook(io.BytesIO(table_workbook(table, []))).worksheets[0]
    lines = list(csv.reader(io.StringIO(table_csv(table, []).decode("utf-8"))))
    rows = {code: number for number, code in enumerate(code_column, start=2) if code in KIND_ROWS}
    return ({code: sheet.cell(number, 2) for code, number in rows.items()},
            {code: lines[number - 1][1] for code, number in rows.items()})


def test_a_quarterly_file_writes_counts_whole_and_rates_to_one_decimal():
    table = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, 2026)
    cells, texts = _file_cells(table, list(INDICATORS))
    assert set(cells) == set(KIND_ROWS)
    for code, (value, number_format, text) in KIND_ROWS.items():
        cell = cells[code]
        assert (cell.value, cell.data_type, cell.number_format) == (value, "n", number_format), code
        assert texts[code] == text, code


def test_a_targets_file_writes_counts_whole_and_percentages_to_one_decimal():
    frame = _progress_frame()
    for table in (progress_table(frame), plan_table(frame)):
        column = 1 if table.table_id == "targets-progress-table" else 3  # the target
        sheet = openpyxl.load_workbook(io.BytesIO(table_workbook(table, []))).worksheets[0]
        lines = list(csv.reader(io.StringIO(table_csv(table, []).decode("utf-8"))))
        count, rate = sheet.cell(3, column + 1), sheet.cell(4, column + 1)  # 2026's cases, the conviction rate
        assert (count.value, count.data_type, count.number_format) == (100, "n", "#,##0")
        assert (rate.value, rate.data_type, rate.number_format) == (50.0, "n", '0.0" %"')
        assert (lines[2][column], lines[3][column]) == ("100", "50.0"), table.table_id


def test_a_quarter_without_records_says_so():
    empty = _engine_rows().assign(value=0.0, numerator=0.0, suppressed=False)
    assert no_records(quarterly_table(empty, ["2026-Q1", "2026-Q2"], "BD30", {}, 2026))
    assert not no_records(quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, 2026))


def test_the_rendered_table_links_each_indicator_to_its_definition_and_offers_downloads():
    table = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, 2026)
    rendered = model_table(table, {"period": "2026-Q2", "area": "BD30", "quarters": 4})
    grid = rendered.children[0].children  # the table inside its scrolling box
    first_row = grid.children[2].children[0]
    assert first_row.children[0].children.href == "/definitions#cases_reported"
    assert [cell.children for cell in first_row.children[1:]] == ["12", "hidden", "–"]
    assert all("num" in cell.className for cell in first_row.children[1:])
    assert grid.id == "quarterly-table" and rendered.children[0].className == "table-scroll"
    buttons = [part.children for part in rendered.children[-1].children if hasattr(part, "n_clicks")]
    assert buttons == ["Download CSV", "Download Excel"]


def test_the_quarterly_table_speaks_bangla_and_its_download_keeps_ascii_digits():
    targets = {"cases_reported": 1234567.0, "conviction_rate_pct": 48.0}
    with speaking("bn"):
        table = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", targets, 2026)
        shown = _shown(table)
        downloaded = table_csv(table, [])
    assert [column.heading for column in table.columns] == [
        "সূচক", "২০২৬, প্রান্তিক ১", "২০২৬, প্রান্তিক ২", "লক্ষ্যমাত্রা ২০২৬"]
    assert shown["cases_reported"] == ["রিপোর্ট হওয়া কেস", "১২", "গোপন", "১২,৩৪,৫৬৭"]
    assert shown["referral_turnaround_median_days"][1:3] == ["১২.০ দিন", "৪০.০ দিন"]
    rows = list(csv.reader(io.StringIO(downloaded.decode("utf-8"))))
    assert rows[1][1:] == ["12", "গোপন", "1234567"]  # the page's words, numbers in ASCII digits


def test_data_as_of_reads_in_bangla():
    latest = {"cases": {"cases.reported_on": date(2026, 3, 31)}, "referrals": {"referrals.referred_at": None}}
    with speaking("bn"):
        assert data_as_of_text(latest, "Asia/Dhaka") == ("সর্বশেষ ডেটার তারিখ (বাংলাদেশ সময় অনুযায়ী): "
                                                         "কেস ডেটাবেস ৩১ মার্চ ২০২৬; রেফারেল ডেটাবেস: কোনো রেকর্ড নেই।")
    assert data_as_of_text(latest, "Asia/Dhaka") == (
        "Data as of (dates in Asia/Dhaka): Case database 2026-03-31; Referral database: no records.")


def test_the_targets_tables_and_chart_speak_bangla():
    frame = _progress_frame()
    with speaking("bn"):
        table, plan = progress_table(frame), plan_table(frame)
        shown, plan_shown = _targets_shown(table), _targets_shown(plan)
        figure = dict(plan_figures(frame, current_year=2026))["cases_reported"]
        on_track_class = status_class(Cell("সঠিক পথে"))
    assert [column.heading for column in table.columns] == [
        "সূচক", "লক্ষ্যমাত্রা", "অর্জন, বছরের শুরু থেকে এ পর্যন্ত", "বছর শেষের প্রাক্কলন", "লক্ষ্যমাত্রা অর্জনের হার",
        "অবস্থা"]
    assert shown[1] == ["রিপোর্ট হওয়া কেস", "১০০", "৩০", "১১০", "১০৯.৫ %", "সঠিক পথে"]
    assert plan_shown[0] == ["রিপোর্ট হওয়া কেস", "২০২৫", "গোপন", "৫", "গোপন", "গোপন"]
    assert on_track_class == "status-on-track" and status_class(Cell("on track")) == "status-on-track"

    actual_cases, target_cases, marks = figure.data
    assert (actual_cases.name, target_cases.name) == ("অর্জন", "লক্ষ্যমাত্রা")
    assert list(actual_cases.x) == ["২০২৫", "২০২৬ (এ পর্যন্ত)"] and list(marks.text) == ["গোপন"]
    assert list(actual_cases.customdata) == [None, "২০২৬ (এ পর্যন্ত): অর্জন ৩০.০"]  # the hidden actual: no hover
    assert list(target_cases.customdata) == ["২০২৫: লক্ষ্যমাত্রা ৫.০", "২০২৬ (এ পর্যন্ত): লক্ষ্যমাত্রা ১০০.০"]
    assert list(figure.layout.yaxis.ticktext) == ["০", "২০", "৪০", "৬০", "৮০", "১০০"]
    assert figure.layout.yaxis.title.text == "সংখ্যা" and figure.layout.xaxis.title.text == "বছর"


def test_the_targets_chart_in_english_is_unchanged():
    figure = dict(plan_figures(_progress_frame(), current_year=2026))["cases_reported"]
    actual_cases, target_cases = figure.data[0], figure.data[1]
    assert (actual_cases.name, target_cases.name, figure.layout.yaxis.title.text) == ("Actual", "Target", "number")
    assert list(target_cases.customdata) == ["2025: target 5.0", "2026 (to date): target 100.0"]
    assert figure.layout.yaxis.ticktext is None


def test_a_fiscal_account_s_quarterly_table_reads_its_fiscal_year_s_targets(tmp_path):
    """Beside US or Bangladesh fiscal quarters stands that fiscal year's target, headed with its name, not the
    calendar year's."""
    path = tmp_path / "targets.csv"
    path.write_text("indicator,year,target,calendar,type\n"
                    "cases_reported,2026,1400,calendar,annual\n"
                    "cases_reported,2027,1500,bd-fiscal,annual\n"
                    "referrals_made,2026,900,calendar,annual\n")
    svc = SimpleNamespace(settings=SimpleNamespace(effective_targets_file=path))
    assert targets_of(svc, parse_period("2026")) == {"cases_reported": 1400.0, "referrals_made": 900.0}
    assert targets_of(svc, parse_period("BD-FY2027")) == {"cases_reported": 1500.0}
    assert targets_of(svc, parse_period("US-FY2027")) == {}
    table = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, "BD-FY2027")
    assert table.columns[-1].heading == "Target BD-FY2027"
