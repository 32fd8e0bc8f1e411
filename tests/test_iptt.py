"""The IPTT workbook (`impact-monitor iptt`) of a US and a Bangladeshi fiscal year, checked cell by cell against
counts worked out here from the databases' own rows with pandas, and against the targets file the test writes."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest

from impact_monitor.demo_data import generate_demo
from queries.definitions import INDICATORS
from queries.periods import CALENDARS, quarters_of, year_of
from tests.builders import sqlite_url
from impact_monitor.services import prepare_services
from impact_monitor.settings import Settings
from queries.iptt import Actual, percent_achieved
from queries.store import AppStore
from tests.conftest import LIVE_FIGURES

K = 10
DHAKA_TIME = ZoneInfo("Asia/Dhaka")
# The programme's years in each calendar, and what the targets file sets (cases_reported and referrals_made only:
# the other indicators have none, which the table must say, not write as 0).
TARGET_ROWS = """indicator,year,target,calendar,type
cases_reported,2024,100,us-fiscal,annual
cases_reported,2025,120,us-fiscal,annual
cases_reported,2026,140,us-fiscal,annual
cases_reported,2027,160,us-fiscal,annual
cases_reported,2027,700,us-fiscal,life-of-programme
cases_reported,2023,90,us-fiscal,baseline
referrals_made,2026,150,us-fiscal,annual
cases_reported,2025,110,bd-fiscal,annual
cases_reported,2026,130,bd-fiscal,annual
cases_reported,2028,650,bd-fiscal,life-of-programme
cases_reported,2024,95,bd-fiscal,baseline
referrals_made,2026,170,bd-fiscal,annual
"""
AGE_BANDS = {"<12": "Under 12", "12-14": "12 to 14", "15-17": "15 to 17", "18+": "18 and over", "unknown": "Unknown"}
SEXES = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}
CASE_TYPES = {"csec": "Commercial sexual exploitation of children", "osec": "Online sexual exploitation of children",
              "sex_trafficking": "Sex trafficking", "labour_trafficking": "Labour trafficking",
              "child_labour": "Child labour", "other": "Other"}
BREAKDOWNS = {"case_type": ("Case type", CASE_TYPES), "sex": ("Sex", SEXES), "age_band": ("Age band", AGE_BANDS)}


@pytest.fixture(scope="module")
def program(tmp_path_factory, geo_cache_dir, gazetteer):
    folder = tmp_path_factory.mktemp("iptt")
    generate_demo(folder / "demo", 700, 5, geo_cache_dir=geo_cache_dir)
    targets = folder / "targets.csv"
    targets.write_text(TARGET_ROWS, encoding="utf-8")
    (folder / "geo").mkdir()
    for cached in geo_cache_dir.glob("*.json"):
        (folder / "geo" / cached.name).write_bytes(cached.read_bytes())
    services = prepare_services(Settings.from_env({**LIVE_FIGURES, 
        "IMPACT_CASES_DB": sqlite_url(folder / "demo" / "cases.sqlite"), "IMPACT_DATA_DIR": str(folder),
        "IMPACT_REFERRALS_DB": sqlite_url(folder / "demo" / "referrals.sqlite"), "IMPACT_TARGETS_FILE": str(targets),
        "IMPACT_QUERY_THREADS": "1"}))
    return folder, services, _source_rows(folder / "demo", set(gazetteer.district_codes))


def _source_rows(demo, districts: set[str]) -> dict[str, pd.DataFrame]:
    """The rows as the databases hold them, dated as the contract says: dates as they are, a timestamp (UTC) by
    its local date in Dhaka; cases of an unknown district left out."""
    with closing(sqlite3.connect(demo / "cases.sqlite")) as cases_db, \
            closing(sqlite3.connect(demo / "referrals.sqlite")) as referrals_db:
        cases = pd.read_sql("SELECT case_id, case_type, district_pcode, reported_on FROM cases", cases_db)
        victims = pd.read_sql("SELECT v.victim_id, v.sex, v.age_at_identification AS age, v.identified_on, "
                              "c.case_type, c.district_pcode FROM victims v JOIN cases c USING (case_id)", cases_db)
        referrals = pd.read_sql("SELECT referred_at FROM referrals", referrals_db)
    cases = cases[cases["district_pcode"].isin(districts)].assign(day=lambda f: pd.to_datetime(f["reported_on"]))
    victims = victims[victims["district_pcode"].isin(districts)].assign(
        day=lambda f: pd.to_datetime(f["identified_on"]),
        age_band=lambda f: f["age"].map(_age_band))
    referrals = referrals.assign(day=pd.to_datetime(referrals["referred_at"]).dt.tz_localize("UTC")
                                 .dt.tz_convert(DHAKA_TIME).dt.tz_localize(None).dt.normalize())
    return {"cases": cases, "victims": victims, "referrals": referrals}


def _age_band(age) -> str:
    if pd.isna(age):
        return "unknown"
    return "<12" if age < 12 else "12-14" if age < 15 else "15-17" if age < 18 else "18+"


def _count(rows: dict, code: str, start: date, end: date, breakdown: str = "", category: str = "") -> int:
    """The indicator counted here, for [start, end), in one category of a breakdown or in total."""
    frame = {"cases_reported": rows["cases"], "victims_identified": rows["victims"],
             "minors_identified": rows["victims"], "referrals_made": rows["referrals"]}[code]
    chosen = frame[(frame["day"] >= pd.Timestamp(start)) & (frame["day"] < pd.Timestamp(end))]
    if code == "minors_identified":
        chosen = chosen[chosen["age"].notna() & (chosen["age"] < 18)]
    if breakdown:
        chosen = chosen[chosen[breakdown] == category]
    return len(chosen)


def _workbook(folder, monkeypatch, services, *arguments) -> openpyxl.Workbook:
    from impact_monitor.cli import main

    monkeypatch.setattr("impact_monitor.cli._services", lambda _settings, _role=None: services)
    out = folder / f"iptt-{'-'.join(arguments)}.xlsx"
    assert main(["iptt", *arguments, "--out", str(out)]) == 0
    return openpyxl.load_workbook(out)


def _table(book) -> tuple[list[str], dict[tuple[str, str], list]]:
    """(headings, (indicator, disaggregation) -> the row's cells) of the table's sheet."""
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    headings = [cell.value for cell in rows[0]]
    return headings, {(row[0].value, row[1].value): row for row in rows[1:]}


def _expected_rows():
    """(code, disaggregation as the sheet writes it, breakdown, category) of every row checked here."""
    for code in ("cases_reported", "victims_identified", "minors_identified", "referrals_made"):
        yield code, "Total", "", ""
        for breakdown in INDICATORS[code].disaggregations:
            name, categories = BREAKDOWNS[breakdown]
            for category, words in categories.items():
                yield code, f"{name}: {words}", breakdown, category


@pytest.mark.parametrize("calendar, year, start, lop, baseline, baseline_period", [
    ("us-fiscal", 2026, 2024, 700, 90, "US-FY2023"),
    ("bd-fiscal", 2026, 2025, 650, 95, "BD-FY2024"),
])
def test_a_fiscal_years_iptt_equals_the_counts_worked_out_from_the_rows(program, monkeypatch, calendar, year, start,
                                                                       lop, baseline, baseline_period):
    folder, services, rows = program
    the_year = year_of(CALENDARS[calendar], year)
    quarters = quarters_of(the_year)
    headings, table = _table(_workbook(folder, monkeypatch, services, "--calendar", calendar, "--year", str(year)))
    column = {heading: index for index, heading in enumerate(headings)}
    assert [headings[column[q.label]] for q in quarters] == [q.label for q in quarters]
    today = date.today()
    annual = {code: float(line.split(",")[2]) for line in TARGET_ROWS.splitlines()[1:]
              for code in [line.split(",")[0]]
              if line.endswith(f"{calendar},annual") and line.split(",")[1] == str(year)}
    checked = 0
    for code, disaggregation, breakdown, category in _expected_rows():
        cells = table[(INDICATORS[code].label, disaggregation)]
        for quarter in quarters:
            cell = cells[column[quarter.label]]
            if quarter.start > today:
                assert cell.value == "not yet", (code, disaggregation, quarter.label)
                continue
            assert cell.value == _count(rows, code, quarter.start, quarter.end, breakdown, category), \
                (code, disaggregation, quarter.label)
            assert cell.number_format == "#,##0"
            checked += 1
        ytd = _count(rows, code, the_year.start, the_year.end, breakdown, category)
        assert cells[column["Year to date"]].value == ytd, (code, disaggregation)
        cumulative = _count(rows, code, year_of(CALENDARS[calendar], start).start, the_year.end, breakdown,
                            category)
        assert cells[column[f"Cumulative since {year_of(CALENDARS[calendar], start).label}"]].value == cumulative
        target = cells[column[f"Target {the_year.label}"]].value
        if breakdown or code not in annual:
            assert target == "not available", (code, disaggregation)
            assert cells[column["% of annual target"]].value == "not available"
        else:
            assert target == annual[code]
            assert cells[column["% of annual target"]].value == pytest.approx(round(100 * ytd / annual[code], 1))
        checked += 2
    assert checked > 200
    cases = table[(INDICATORS["cases_reported"].label, "Total")]
    assert cases[column["Baseline"]].value == baseline and cases[column["Baseline period"]].value == baseline_period
    assert cases[column["Life-of-programme target"]].value == lop
    assert cases[column["Direction"]].value == "Higher is better"
    median = table[(INDICATORS["referral_turnaround_median_days"].label, "Total")]
    assert median[column["Direction"]].value == "Lower is better"
    assert median[column[f"Cumulative since {year_of(CALENDARS[calendar], start).label}"]].value == "not available"


def test_the_notes_sheet_says_how_it_was_made(program, monkeypatch):
    folder, services, _rows = program
    book = _workbook(folder, monkeypatch, services, "--calendar", "us-fiscal", "--year", "2026")
    notes = {row[0].value: [] for row in book["Notes"].iter_rows()}
    for label, text in ((row[0].value, row[1].value) for row in book["Notes"].iter_rows()):
        notes[label].append(text)
    assert notes["Period"] == ["US-FY2026"] and notes["Area"] == ["Bangladesh"]
    assert any("Made by the impact monitor, version" in text for text in notes["Note"])
    assert any(text.startswith("Cases reported: cases with reported_on in the period") for text in notes["Note"])
    assert notes["Data as of"]


def test_a_donor_of_the_us_fiscal_year_gets_its_iptt_with_every_small_count_hidden(program, monkeypatch):
    folder, services, _rows = program
    book = _workbook(folder, monkeypatch, services, "--calendar", "us-fiscal", "--year", "2026", "--role", "donor")
    headings, table = _table(book)
    # Counts only: a percentile of 6.0 days reads back from the workbook as the whole number 6 too.
    counts = {indicator.label for indicator in INDICATORS.values() if indicator.kind == "count"}
    shown = [cell.value for (label, _breakdown), cells in table.items() if label in counts
             for cell in cells[7:13] if isinstance(cell.value, int)]
    marks = {cell.value for cells in table.values() for cell in cells[7:13] if isinstance(cell.value, str)}
    assert shown and all(value == 0 or value >= K for value in shown)
    assert "hidden" in marks
    notes = [row[1].value for row in book["Notes"].iter_rows() if row[0].value == "Protection"]
    assert notes and "Counts from 1 to 9 are hidden" in notes[0]


def test_a_year_of_another_calendar_or_out_of_range_is_refused_with_the_reason(program, monkeypatch, capsys):
    folder, services, _rows = program
    from impact_monitor.cli import main

    monkeypatch.setattr("impact_monitor.cli._services", lambda _settings, _role=None: services)
    monkeypatch.setenv("IMPACT_CALENDAR", "bd-fiscal")
    assert main(["iptt", "--calendar", "us-fiscal", "--year", "1800", "--out", str(folder / "x.xlsx")]) == 2
    assert "year 1800 is outside 1990-2100" in capsys.readouterr().err
    assert not (folder / "x.xlsx").exists()
    with pytest.raises(SystemExit):
        main(["iptt", "--calendar", "uk-fiscal", "--year", "2026", "--out", str(folder / "x.xlsx")])


def test_the_share_achieved_reads_the_direction_of_good_and_is_not_capped():
    assert percent_achieved("cases_reported", Actual(None, started=False), 100) is None
    assert percent_achieved("cases_reported", Actual(hidden=True), 100) is None
    assert percent_achieved("referral_turnaround_median_days", Actual(2.0), 3.0) == 150.0
    assert percent_achieved("cases_reported", Actual(130.0), 100.0) == pytest.approx(130.0)
    assert percent_achieved("cases_reported", Actual(5.0), 0.0) is None


def test_a_year_not_begun_reads_not_yet_in_every_quarter(program, monkeypatch):
    folder, services, _rows = program
    year = date.today().year + 2
    headings, table = _table(_workbook(folder, monkeypatch, services, "--calendar", "us-fiscal", "--year", str(year)))
    quarter_columns = [headings.index(q.label) for q in quarters_of(year_of(CALENDARS["us-fiscal"], year))]
    assert {cells[i].value for cells in table.values() for i in quarter_columns} == {"not yet"}


def test_the_deviation_narrative_holds_each_quarter_s_narrative_on_the_indicator_s_total_row(program, monkeypatch):
    folder, services, _rows = program
    store = AppStore.open(services.settings.store_url)
    # US-FY2026's first two quarters, and one of the next year, under the calendar-year labels of their dates.
    written = [("2026-Q1", "en", "Floods in Sylhet"), ("2025-Q4", "en", "Hotline down"),
               ("2025-Q4", "bn", "হটলাইন বন্ধ"), ("2026-Q4", "en", "Another year's")]
    try:
        for quarter, language, body in written:
            store.write_narrative("cases_reported", "calendar", quarter, "", language, body, "leadership")
        headings, table = _table(_workbook(folder, monkeypatch, services, "--calendar", "us-fiscal", "--year", "2026"))
        narrative = headings.index("Deviation narrative")
        assert table[("Cases reported", "Total")][narrative].value == \
            "US-FY2026-Q1: Hotline down\nUS-FY2026-Q2: Floods in Sylhet"
        assert table[("Cases reported", "Case type: Sex trafficking")][narrative].value is None
        assert table[("Victims identified", "Total")][narrative].value is None
        _headings, bangla = _table(_workbook(folder, monkeypatch, services, "--calendar", "us-fiscal", "--year",
                                             "2026", "--language", "bn"))
        assert bangla[("রিপোর্ট হওয়া কেস", "মোট")][narrative].value == (
            "মার্কিন অর্থবছর ২০২৬, প্রান্তিক ১: হটলাইন বন্ধ\n"
            "মার্কিন অর্থবছর ২০২৬, প্রান্তিক ২: Floods in Sylhet")  # written in English only
    finally:
        for quarter, language, _body in written:  # taken away: the module's other tables have none
            store.write_narrative("cases_reported", "calendar", quarter, "", language, "", "leadership")
        store.dispose()
