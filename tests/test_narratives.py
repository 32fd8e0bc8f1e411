"""Which narrative a figure shows, read from real SQLite and PostgreSQL stores: an area's own before the
indicator's as a whole, the reader's language before the other, only the quarters asked for, under each
calendar's labels; and how the quarterly table and the IPTT carry them, on screen and in the files."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import openpyxl
import pytest
from dash import html

from dashboard.builders.quarterly import NARRATIVE_HEADING, narratives_of, no_records, quarterly_table
from dashboard.table_view import model_table
from dashboard.i18n import speaking
from impact_monitor.exports import table_csv, table_workbook
from queries.narratives import WHOLE_INDICATOR, joined_by_quarter, narrative_area, quarter_narratives
from queries.periods import CALENDARS, parse_period, quarters_of, year_of
from queries.store import AppStore
from tests.panel_parts import tables_in, walk
from tests.test_page_quarterly_targets import _engine_rows
from tests.test_store import store_url  # noqa: F401 (the SQLite and PostgreSQL stores)

DHAKA = "BD30"


@pytest.fixture
def store(store_url):  # noqa: F811
    opened = AppStore.open(store_url)
    yield opened
    opened.dispose()


def test_an_area_reads_its_own_narrative_else_the_whole_indicator_s_in_its_language_else_the_other(store):
    store.write_narrative("cases_reported", "calendar", "2026-Q3", WHOLE_INDICATOR, "en", "National: late records",
                          "leadership")
    store.write_narrative("cases_reported", "calendar", "2026-Q3", DHAKA, "bn", "ঢাকা: দেরিতে আসা রেকর্ড",
                          "leadership")
    store.write_narrative("conviction_rate_pct", "calendar", "2026-Q2", WHOLE_INDICATOR, "bn", "আদালত বন্ধ ছিল",
                          "leadership")
    store.write_narrative("cases_reported", "calendar", "2026-Q4", WHOLE_INDICATOR, "en", "Not asked for",
                          "leadership")
    quarters = [parse_period("2026-Q2"), parse_period("2026-Q3")]
    assert quarter_narratives(store, quarters, WHOLE_INDICATOR, "en") == {
        ("cases_reported", "2026-Q3"): "National: late records",
        ("conviction_rate_pct", "2026-Q2"): "আদালত বন্ধ ছিল"}  # written in Bangla only: never lost to English
    assert quarter_narratives(store, quarters, DHAKA, "en") == {
        ("cases_reported", "2026-Q3"): "ঢাকা: দেরিতে আসা রেকর্ড",  # Dhaka's own, though only in Bangla
        ("conviction_rate_pct", "2026-Q2"): "আদালত বন্ধ ছিল"}
    assert quarter_narratives(store, quarters, "BD10", "bn")[("cases_reported", "2026-Q3")] == \
        "National: late records"  # Barishal has none of its own
    assert quarter_narratives(None, quarters, DHAKA, "en") == {}
    assert quarter_narratives(store, quarters, "BD10", "bn", whole_too=False) == {}
    assert quarter_narratives(store, quarters, DHAKA, "en", whole_too=False) == {
        ("cases_reported", "2026-Q3"): "ঢাকা: দেরিতে আসা রেকর্ড"}


def test_a_table_of_an_area_without_its_own_narrative_names_the_national_one_it_shows(store, gazetteer):
    store.write_narrative("cases_reported", "calendar", "2026-Q2", WHOLE_INDICATOR, "en", "Floods", "leadership")
    store.write_narrative("cases_reported", "calendar", "2026-Q3", WHOLE_INDICATOR, "en", "Raids", "leadership")
    store.write_narrative("cases_reported", "calendar", "2026-Q3", DHAKA, "en", "Dhaka's own", "leadership")
    svc = SimpleNamespace(store=store, gazetteer=gazetteer)
    quarters = (parse_period("2026-Q2"), parse_period("2026-Q3"))
    assert narratives_of(svc, quarters, "BD") == {"cases_reported": "2026-Q2: Floods\n2026-Q3: Raids"}
    assert narratives_of(svc, quarters, DHAKA) == {
        "cases_reported": "2026-Q2: for Bangladesh as a whole: Floods\n2026-Q3: Dhaka's own"}
    with speaking("bn"):
        assert "Bangladesh" not in narratives_of(svc, quarters, DHAKA)["cases_reported"]


def test_a_fiscal_quarter_reads_the_narrative_of_its_dates_under_its_own_label(store):
    store.write_narrative("cases_reported", "calendar", "2026-Q3", WHOLE_INDICATOR, "en", "Monsoon", "leadership")
    store.write_narrative("cases_reported", "calendar", "2026-Q3", WHOLE_INDICATOR, "en", "", "leadership")
    store.write_narrative("victims_identified", "calendar", "2026-Q3", WHOLE_INDICATOR, "en", "Raids", "leadership")
    us_quarters = quarters_of(year_of(CALENDARS["us-fiscal"], 2026))  # its fourth is July-September 2026
    bd_quarters = quarters_of(year_of(CALENDARS["bd-fiscal"], 2027))  # its first is July-September 2026
    assert quarter_narratives(store, us_quarters, WHOLE_INDICATOR, "en") == {
        ("victims_identified", "US-FY2026-Q4"): "Raids"}  # the taken-away one is gone
    assert quarter_narratives(store, bd_quarters, WHOLE_INDICATOR, "en") == {
        ("victims_identified", "BD-FY2027-Q1"): "Raids"}


def test_narratives_join_oldest_quarter_first_under_the_names_a_reader_reads():
    shown = {("cases_reported", "2026-Q3"): "Late records", ("cases_reported", "2026-Q1"): "Floods",
             ("victims_identified", "2026-Q2"): "Raids"}
    names = {"2026-Q1": "Q one", "2026-Q2": "Q two", "2026-Q3": "Q three"}
    assert joined_by_quarter(shown, "cases_reported", names) == "Q one: Floods\nQ three: Late records"
    assert joined_by_quarter(shown, "conviction_rate_pct", names) == ""
    assert (narrative_area("BD", "BD"), narrative_area(DHAKA, "BD")) == (WHOLE_INDICATOR, DHAKA)


def test_the_quarterly_table_shows_narratives_as_text_beside_the_figures_and_in_its_files():
    text = '=HYPERLINK("http://x","y") <b>late</b>'
    table = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, 2026,
                            narratives={"cases_reported": f"2026-Q2: {text}"})
    assert [column.heading for column in table.columns][-2:] == ["Target 2026", NARRATIVE_HEADING]
    shown = tables_in(model_table(table, {}))[0]["rows"]
    assert shown[0][-1] == f"2026-Q2: {text}" and shown[1][-1] == ""
    cells = [part for part in walk(model_table(table, {})) if isinstance(part, html.Td)]
    assert {cell.className for cell in cells if "narrative" in (cell.className or "")} == {"narrative"}
    assert len([cell for cell in cells if cell.className == "narrative"]) == len(table.rows), (
        "the narrative column, and it only, is wide enough to read")
    rows = list(csv.reader(io.StringIO(table_csv(table, []).decode("utf-8"))))
    assert rows[1][-1] == f"2026-Q2: {text}"
    sheet = openpyxl.load_workbook(io.BytesIO(table_workbook(table, []))).worksheets[0]
    assert (sheet.cell(2, 5).value, sheet.cell(2, 5).data_type, sheet.cell(3, 5).value) == (
        f"2026-Q2: {text}", "s", None)
    several = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, 2026,
                              narratives={"cases_reported": "2026-Q1: Floods\n2026-Q2: Late records"})
    cell = openpyxl.load_workbook(io.BytesIO(table_workbook(several, []))).worksheets[0].cell(2, 5)
    assert cell.alignment.wrap_text and cell.value == "2026-Q1: Floods\n2026-Q2: Late records"  # its lines kept
    # A narrative beginning a cell is neutralised in the CSV, and stays text in the workbook.
    alone = quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, 2026,
                            narratives={"cases_reported": text})
    assert list(csv.reader(io.StringIO(table_csv(alone, []).decode("utf-8"))))[1][-1] == "'" + text
    cell = openpyxl.load_workbook(io.BytesIO(table_workbook(alone, []))).worksheets[0].cell(2, 5)
    assert (cell.value, cell.data_type) == (text, "s")


def test_a_narrative_column_does_not_move_the_last_quarter_a_table_without_records_is_judged_on():
    empty = _engine_rows().assign(value=0.0, numerator=0.0, suppressed=False)
    notes = {"cases_reported": "2026-Q2: nothing came in"}
    assert no_records(quarterly_table(empty, ["2026-Q1", "2026-Q2"], "BD30", {}, 2026, narratives=notes))
    assert not no_records(quarterly_table(_engine_rows(), ["2026-Q1", "2026-Q2"], "BD30", {}, 2026,
                                          narratives=notes))


def test_the_narrative_heading_speaks_bangla():
    with speaking("bn"):
        table = quarterly_table(_engine_rows(), ["2026-Q1"], "BD30", {}, 2026, narratives={"cases_reported": "x"})
    assert table.columns[-1].heading == "ব্যাখ্যা"
