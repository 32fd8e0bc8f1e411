"""Builders of the violence-reduction, data-quality and definitions pages, and the data-as-of query."""

from __future__ import annotations

import json
import math
from datetime import date, datetime

import pandas as pd
import pytest

from dashboard.builders import quality, reduction
from dashboard.builders.definitions import (DISCLOSURE_SECTION, NARRATIVES_SECTION, PERIODS_SECTION, RECORDS_SECTION,
                                            REDUCTION_SECTION, RELEASES_SECTION, definitions_content, sheet_table, sheet_table_id)
from dashboard.i18n import _, speaking
from dashboard.table_view import model_table
from queries.periods import CALENDARS
from queries.contract_check import MISSING_TABLE, ROWS, Finding
from queries.data_as_of import data_as_of, data_as_of_for
from queries.db import Databases
from queries.definitions import INDICATORS
from queries.prevalence import PREVALENCE_COLUMNS, SUMMARY_EXTRAS, prevalence_summary, visible_study_rows
from queries.current import protected_current_cells
from queries.quality import QUALITY_BY, quality_counts
from queries.referral_flow import WAITING_BANDS
from queries.scope import LEADERSHIP, FilterError, make_scope
from tests.builders import sqlite_url, write_database
from tests.panel_parts import tables_in, text_of

NATIONAL, DHAKA_DIVISION, DHAKA, CHATTOGRAM_DIVISION, CHATTOGRAM = "BD", "BD30", "BD3026", "BD20", "BD2015"


def study(area: str, round_: str, fieldwork_end: str, individuals: int, minors: int) -> dict:
    return dict(study_id=f"{area}-{round_}", area_pcode=area, area_name=f"study {area}", round=round_,
                fieldwork_end=fieldwork_end, individuals_observed=individuals, minors_observed=minors)


STUDIES = [
    # 30 % -> 4 %: reduction 86.7 %, Katz interval 78.5 to 91.7 %: met, but the interval reaches below 85.
    study(NATIONAL, "baseline", "2022-06-30", 400, 120),
    study(NATIONAL, "endline", "2026-06-30", 450, 18),
    # 25 % -> 12.5 %: reduction 50 %: not met.
    study(DHAKA_DIVISION, "baseline", "2022-03-31", 400, 100),
    study(DHAKA_DIVISION, "midline", "2024-03-31", 400, 50),
    # 30 % -> 1 %: reduction 96.7 %, the whole interval above 85.
    study(DHAKA, "baseline", "2022-03-31", 1000, 300),
    study(DHAKA, "endline", "2026-03-31", 1000, 10),
    # Baseline only.
    study(CHATTOGRAM_DIVISION, "baseline", "2023-01-31", 300, 90),
    study(CHATTOGRAM, "baseline", "2023-01-31", 200, 50),
]


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    url = write_database(sqlite_url(tmp_path_factory.mktemp("studies") / "cases.sqlite"),
                         {"prevalence_studies": STUDIES})
    databases = Databases.from_urls(url, url)
    yield prevalence_summary(databases)
    databases.dispose()


def _row(rows: pd.DataFrame, area: str):
    return next(row for row in rows.itertuples() if row.area == area)


# --- Violence reduction ---------------------------------------------------------------------------------------------

def test_verdict_follows_the_contract_rule_and_says_when_the_interval_reaches_below(summary):
    rows, _ = summary
    national, division, district = (_row(rows, area) for area in (NATIONAL, DHAKA_DIVISION, DHAKA))
    assert math.isclose(national.reduction_pct, 100 * (1 - 4 / 30)) and national.reduction_ci_low < 85
    assert reduction.benchmark_verdict(national).startswith("Benchmark met")
    assert reduction.interval_below_text() in reduction.benchmark_verdict(national)
    assert "the interval reaches below 85 %, so the benchmark is not yet shown with confidence" \
        in reduction.benchmark_verdict(national)

    assert math.isclose(division.reduction_pct, 50.0)
    assert reduction.benchmark_verdict(division).startswith("Benchmark not met")

    # r = 1/30, ci_low = 100 (1 - r exp(1.96 sqrt(1/10 - 1/1000 + 1/300 - 1/1000))) = 93.8 %
    expected_low = 100 * (1 - math.exp(1.96 * math.sqrt(1 / 10 - 1 / 1000 + 1 / 300 - 1 / 1000)) / 30)
    assert math.isclose(district.reduction_ci_low, expected_low) and expected_low > 85
    assert reduction.benchmark_verdict(district).startswith("Benchmark met")
    assert reduction.interval_below_text() not in reduction.benchmark_verdict(district)


def test_reduction_figure_draws_the_benchmark_at_85_and_splits_met_from_not_met(summary):
    rows, _ = summary
    labels = [row.area for row in rows.itertuples()]
    figure = reduction.reduction_figure(rows, labels)
    lines = [shape for shape in figure.layout.shapes if shape.type == "line"]
    assert [(line.x0, line.x1) for line in lines] == [(85.0, 85.0)]
    traces = {trace.name: list(trace.y) for trace in figure.data}
    assert traces == {"Benchmark met": [NATIONAL, DHAKA], "Benchmark not met": [DHAKA_DIVISION]}
    met = next(trace for trace in figure.data if trace.name == "Benchmark met")
    national = _row(rows, NATIONAL)
    assert math.isclose(met.error_x.arrayminus[0], national.reduction_pct - national.reduction_ci_low)
    assert figure.layout.xaxis.title.text and figure.layout.title.text is None  # the title is the heading above


def test_prevalence_figure_has_baseline_and_latest_with_wilson_whiskers(summary):
    rows, _ = summary
    figure = reduction.prevalence_figure(rows, [row.area for row in rows.itertuples()])
    baseline, latest = figure.data
    national = _row(rows, NATIONAL)
    assert baseline.x[0] == 30.0 and latest.x[0] == 4.0
    assert math.isclose(baseline.error_x.array[0], national.baseline_ci_high - 30.0)
    assert math.isclose(latest.error_x.arrayminus[0], 4.0 - national.latest_ci_low)


@pytest.mark.parametrize("role, areas, expected, expected_baseline_only", [
    ("leadership", (), [NATIONAL, DHAKA_DIVISION, DHAKA], [CHATTOGRAM_DIVISION, CHATTOGRAM]),
    ("donor", (), [NATIONAL, DHAKA_DIVISION], [CHATTOGRAM_DIVISION]),
    ("government", (DHAKA_DIVISION,), [DHAKA_DIVISION, DHAKA], []),
    ("government", (DHAKA,), [DHAKA], []),
    ("government", (CHATTOGRAM,), [], [CHATTOGRAM]),
])
def test_study_areas_follow_the_scope(summary, gazetteer, role, areas, expected, expected_baseline_only):
    rows, baseline_only = summary
    scope = make_scope(role, areas, gazetteer)
    assert sorted(visible_study_rows(rows, scope, gazetteer)["area"]) == sorted(expected)
    assert sorted(visible_study_rows(baseline_only, scope, gazetteer)["area"]) == sorted(expected_baseline_only)


def _shown(table) -> pd.DataFrame:
    """A table as the screen writes it, by P-code."""
    shown = tables_in(model_table(table, {}))[0]
    return pd.DataFrame(shown["rows"], columns=shown["columns"]).set_index("P-code")


def test_tables_carry_every_number_and_names_come_from_the_gazetteer(summary, gazetteer):
    rows, baseline_only = summary
    labels = reduction.area_labels(rows, gazetteer, "en")
    assert labels == ["Bangladesh", "Dhaka division", "Dhaka"]
    assert reduction.area_labels(rows, gazetteer, "bn")[0] == "বাংলাদেশ"
    model = reduction.reduction_table(rows, labels)
    table = _shown(model)
    assert table.loc[NATIONAL, "Baseline"] == "30.0 %" and table.loc[NATIONAL, "Latest"] == "4.0 %"
    assert table.loc[NATIONAL, "Reduction"] == "86.7 %"
    assert table.loc[NATIONAL, "Reduction 95 % interval"] == "78.5 to 91.7 %"
    assert table.loc[DHAKA_DIVISION, "Latest round"] == "Midline"  # the contract's code in words
    # When each compared round's fieldwork ended, beside its numbers.
    assert table.loc[DHAKA_DIVISION, ["Baseline fieldwork ended", "Latest fieldwork ended"]].tolist() == [
        "2022-03-31", "2024-03-31"]
    reduction_column = [column.heading for column in model.columns].index("Reduction")
    assert model.columns[reduction_column].kind == "percent"
    assert model.rows[0][reduction_column].value == pytest.approx(100 * (1 - 4 / 30))  # a number, never a text
    waiting = _shown(reduction.baseline_only_table(baseline_only,
                                                   reduction.area_labels(baseline_only, gazetteer, "en")))
    assert list(waiting["Fieldwork ended"]) == ["2023-01-31", "2023-01-31"]
    assert list(waiting["Baseline"]) == ["30.0 %", "25.0 %"]


def test_no_visible_study_leaves_an_empty_table_with_its_headings():
    empty = reduction.reduction_table(pd.DataFrame(columns=[*PREVALENCE_COLUMNS, *SUMMARY_EXTRAS]), [])
    assert empty.rows == () and "Latest fieldwork ended" in [column.heading for column in empty.columns]


def test_the_reduction_charts_and_tables_speak_bangla(summary, gazetteer):
    rows, baseline_only = summary
    with speaking("bn"):
        labels = reduction.area_labels(rows, gazetteer, "bn")
        prevalence, reduced = reduction.prevalence_figure(rows, labels), reduction.reduction_figure(rows, labels)
        table = _shown(reduction.reduction_table(rows, labels))
        waiting = _shown(reduction.baseline_only_table(baseline_only,
                                                       reduction.area_labels(baseline_only, gazetteer, "bn")))
        verdict = reduction.benchmark_verdict(_row(rows, NATIONAL))
        title = _(reduction.PREVALENCE_TITLE)
    assert labels == ["বাংলাদেশ", "ঢাকা বিভাগ", "ঢাকা"]
    assert title.startswith("বাণিজ্যিক যৌন পেশায়") and prevalence.layout.title.text is None
    assert prevalence.layout.xaxis.title.text == "পর্যবেক্ষিত মানুষের মধ্যে অপ্রাপ্তবয়স্ক (%)"
    assert [trace.name for trace in prevalence.data] == ["বেসলাইন", "সর্বশেষ পর্ব"]
    assert prevalence.data[0].customdata[0] == "বাংলাদেশ: ৩০.০ %"
    assert prevalence.layout.xaxis.ticktext[:3] == ("০", "৫", "১০")
    assert {trace.name for trace in reduced.data} == {"মানদণ্ড অর্জিত", "মানদণ্ড অর্জিত হয়নি"}
    assert reduced.layout.annotations[0].text == "মানদণ্ড ৮৫ %"
    assert "ঢাকা বিভাগ: ৫০.০ % হ্রাস" in reduced.data[1].customdata
    assert "১০০" in reduced.layout.xaxis.ticktext

    assert table.loc[NATIONAL, "হ্রাস"] == "৮৬.৭ %"
    assert table.loc[NATIONAL, "হ্রাসের ৯৫ % আস্থা ব্যবধান"] == "৭৮.৫ থেকে ৯১.৭ %"
    assert table.loc[DHAKA_DIVISION, "সর্বশেষ পর্ব"] == "মিডলাইন"
    assert table.loc[NATIONAL, "বেসলাইনের ডিজাইন ইফেক্ট"] == "১.০০"
    assert verdict.startswith("মানদণ্ড অর্জিত (৮৬.৭ %), তবে আস্থা ব্যবধান ৮৫ %-এর নিচে")
    assert list(waiting["মাঠকর্ম শেষ"]) == ["৩১ জানুয়ারি ২০২৩", "৩১ জানুয়ারি ২০২৩"]
    assert table.loc[DHAKA_DIVISION, "সর্বশেষ পর্বের মাঠকর্ম শেষ"] == "৩১ মার্চ ২০২৪"


def test_the_reduction_charts_in_english_are_unchanged(summary):
    rows, _ = summary
    labels = ["Bangladesh", "Dhaka division", "Dhaka"]
    prevalence, reduced = reduction.prevalence_figure(rows, labels), reduction.reduction_figure(rows, labels)
    assert prevalence.data[0].customdata[0] == "Bangladesh: 30.0 %" and prevalence.layout.xaxis.ticktext is None
    assert prevalence.data[0].hovertemplate == "%{customdata}<extra>Baseline</extra>"
    assert "Dhaka division: 50.0 % reduction" in reduced.data[1].customdata
    assert reduced.layout.annotations[0].text == "Benchmark 85 %"


# --- Data quality ---------------------------------------------------------------------------------------------------

QUALITY = pd.DataFrame({
    "table": ["cases", "referrals", "victims", "victims", "victims"],
    "rule": ["future_date", "unknown_pcode", "missing_age", "missing_age", "missing_age"],
    "district_pcode": pd.Series([DHAKA, None, DHAKA, CHATTOGRAM, None], dtype=object),
    "count": [1, 7, 12, 3, 4],
})


NO_PENDING = pd.DataFrame(columns=["area", "upazila", "band", "cases"])
NO_OPEN = pd.DataFrame(columns=["district_pcode", "service_type", *[b for b, _, _ in WAITING_BANDS], "total",
                                "oldest_days"])


def protected(scope, gazetteer, frame=QUALITY):
    """An external audience's protected cells of today's tables, with these quality counts only."""
    return None if not scope.suppressed else protected_current_cells(NO_PENDING, NO_OPEN, frame, scope, gazetteer, 10)


def counts(by: str, role: str, areas=(), gazetteer=None, frame=QUALITY) -> list[tuple]:
    scope = make_scope(role, areas, gazetteer)
    rows = quality_counts(frame, scope, gazetteer, by, protected(scope, gazetteer, frame) if by in QUALITY_BY else None)
    return list(rows.itertuples(index=False, name=None))


def test_leadership_counts_are_exact_with_unknown_districts_last(gazetteer):
    assert counts("rule", "leadership", gazetteer=gazetteer) == [
        ("cases", "future_date", None, 1, False), ("referrals", "unknown_pcode", None, 7, False),
        ("victims", "missing_age", None, 19, False)]
    assert counts("district", "leadership", gazetteer=gazetteer) == [
        ("victims", "missing_age", CHATTOGRAM, 3, False), ("cases", "future_date", DHAKA, 1, False),
        ("victims", "missing_age", DHAKA, 12, False), ("referrals", "unknown_pcode", "unknown", 7, False),
        ("victims", "missing_age", "unknown", 4, False)]


def test_donor_totals_are_suppressed_and_districts_refused(gazetteer):
    # 1 and 7 are small; with both hidden, no further cell needs to go.
    assert counts("rule", "donor", gazetteer=gazetteer) == [
        ("cases", "future_date", None, None, True), ("referrals", "unknown_pcode", None, None, True),
        ("victims", "missing_age", None, 19, False)]
    with pytest.raises(FilterError, match="donor accounts see national totals"):
        counts("district", "donor", gazetteer=gazetteer)
    with pytest.raises(FilterError, match="unknown grouping"):
        counts("upazila; DROP TABLE cases", "leadership", gazetteer=gazetteer)


def test_government_sees_its_districts_only_with_small_counts_hidden(gazetteer):
    # 1 is small, and so is the total over the scope it makes up; 12 is shown (no total over rules is shown, so
    # nothing adds it up with the 1). No Chattogram, no unknown district.
    assert counts("district", "government", (DHAKA_DIVISION,), gazetteer) == [
        ("cases", "future_date", DHAKA, None, True), ("victims", "missing_age", DHAKA, 12, False)]
    assert counts("rule", "government", (DHAKA_DIVISION,), gazetteer) == [
        ("cases", "future_date", None, None, True), ("victims", "missing_age", None, 12, False)]


def test_complementary_suppression_runs_down_each_rule_against_its_total_over_the_scope(gazetteer):
    frame = pd.DataFrame({"table": ["victims"] * 3 + ["cases"], "rule": ["missing_age"] * 3 + ["future_date"],
                          "district_pcode": pd.Series([DHAKA, "BD3033", "BD3029", "BD3029"], dtype=object),
                          "count": [40, 25, 3, 30]})
    rows = {(t, r, d): (n, hidden) for t, r, d, n, hidden in counts("district", "government", (DHAKA_DIVISION,),
                                                                    gazetteer, frame)}
    # 3 is small; its column's next smallest (25) goes too, so the total of 68 cannot give it away.
    assert rows == {("victims", "missing_age", DHAKA): (40, False),
                    ("victims", "missing_age", "BD3033"): (None, True),
                    ("victims", "missing_age", "BD3029"): (None, True),
                    ("cases", "future_date", "BD3029"): (30, False)}


def screen(table) -> dict:
    """A table model as the page shows it: {table, caption, columns, rows} of cell texts."""
    return tables_in(model_table(table, {}))[0]


def test_district_table_has_one_row_per_district_by_name_and_zeros_filled(gazetteer):
    table = quality.district_table(quality_counts(QUALITY, LEADERSHIP, gazetteer, "district", None), gazetteer, "en")
    shown = screen(table)
    assert shown["table"] == "quality-by-district"
    assert shown["columns"] == ["District", "cases: future date", "referrals: unknown P-code", "victims: missing age"]
    assert shown["rows"] == [["Chattogram", "0", "0", "3"], ["Dhaka", "1", "0", "12"], ["unknown", "0", "7", "4"]]
    # Counts are numbers in the model (and so in the files), zeros included.
    assert [column.kind for column in table.columns] == ["text", "count", "count", "count"]
    assert [cell.value for cell in table.rows[1]] == ["Dhaka", 1, 0, 12]


def test_panels_per_audience(gazetteer):
    def panel(role, areas=()):
        scope = make_scope(role, areas, gazetteer)
        return json.dumps(quality.counts_panel(QUALITY, scope, gazetteer, "en", protected(scope, gazetteer), {}),
                          default=lambda c: c.to_plotly_json())

    assert "quality-by-district" in panel("leadership") and "hidden" not in panel("leadership")
    assert "quality-by-district" not in panel("donor") and '"hidden"' in panel("donor")
    government = panel("government", (DHAKA_DIVISION,))
    assert "Chattogram" not in government and "unknown" not in government
    donor = make_scope("donor", (), gazetteer)
    totals = quality.totals_table(quality_counts(QUALITY, donor, gazetteer, "rule", protected(donor, gazetteer)))
    assert screen(totals)["rows"] == [["cases", "future date", "hidden"], ["referrals", "unknown P-code", "hidden"],
                                      ["victims", "missing age", "19"]]
    # A hidden count carries its mark and no value, in the model the files are written from.
    assert [(row[2].value, row[2].mark) for row in totals.rows] == [(None, "hidden"), (None, "hidden"), (19, None)]
    assert '"table-csv"' in panel("donor") and '"table-xlsx"' in panel("government", (DHAKA_DIVISION,))


def test_schema_findings_come_first_as_an_alert():
    findings = [
        Finding("referrals", "reports", None, "missing_table", 0, "error", MISSING_TABLE,
                (("where", "reports"), ("database", "referrals"))),
        Finding("cases", "victims", "age_at_identification", "missing_age", 4, "info", ROWS[1],
                (("where", "victims.age_at_identification"), ("count", 4),
                 ("description", "with no age (not counted as minors)"))),
    ]
    panel = quality.schema_panel(findings)
    assert "reports: table (or view) is missing" in text_of(panel) and '"role": "alert"' in json.dumps(
        panel.to_plotly_json(), default=lambda c: c.to_plotly_json())
    assert "4 rows" not in text_of(panel)
    assert "4 rows" in text_of(quality.findings_list(findings))


# --- Data as of -----------------------------------------------------------------------------------------------------

TODAY = date(2026, 5, 11)
CASE = dict(case_ref=None, case_type="csec", upazila_pcode=None, source="police", closed_on=None)
REFERRAL = dict(report_id=None, case_ref=None, district_pcode=DHAKA, service_type="medical", provider_type="ngo",
                urgency="urgent", accepted_at=None, first_service_at=None, closed_at=None, outcome=None)
CASES_DB = {
    "cases": [
        {**CASE, "case_id": "C1", "district_pcode": DHAKA, "reported_on": "2026-03-01"},
        {**CASE, "case_id": "C2", "district_pcode": DHAKA, "reported_on": "2026-05-10"},
        {**CASE, "case_id": "C3", "district_pcode": DHAKA, "reported_on": "2027-01-01"},  # a data error
    ],
    "victims": [
        {"victim_id": "V1", "case_id": "C1", "sex": "female", "age_at_identification": 15,
         "identified_on": "2026-05-11", "brought_to_safety_on": None},
    ],
    "legal_events": [],
}
# Local times in Dhaka, with their offset.
REFERRALS_DB = {
    "reports": [
        {"report_id": "R1", "received_at": "2026-05-09T23:30:00+06:00", "channel": "hotline", "category": "csec",
         "district_pcode": None, "case_ref": None},
        {"report_id": "R2", "received_at": "2026-12-01T00:00:00+06:00", "channel": "web", "category": "csec",
         "district_pcode": None, "case_ref": None},
    ],
    "referrals": [
        {**REFERRAL, "referral_id": "F1", "referred_at": "2026-05-11T22:00:00+06:00"},  # later today: not the future
        {**REFERRAL, "referral_id": "F2", "referred_at": "2026-05-12T00:00:00+06:00"},
    ],
}
EXPECTED_AS_OF = {
    "cases": {"cases.reported_on": date(2026, 5, 10), "victims.identified_on": date(2026, 5, 11),
              "legal_events.event_on": None},
    "referrals": {"reports.received_at": datetime(2026, 5, 9, 23, 30),
                  "referrals.referred_at": datetime(2026, 5, 11, 22)},
}


@pytest.fixture(params=["sqlite", "postgresql"])
def url_factory(request, tmp_path):
    if request.param == "sqlite":
        names = iter(["cases", "referrals", "third"])
        return lambda: sqlite_url(tmp_path / f"{next(names)}.sqlite")
    return request.getfixturevalue("pg_url_factory")


def test_data_as_of_is_the_latest_date_up_to_today(url_factory):
    databases = Databases.from_urls(write_database(url_factory(), CASES_DB),
                                    write_database(url_factory(), REFERRALS_DB))
    try:
        assert data_as_of(databases, TODAY) == EXPECTED_AS_OF
    finally:
        databases.dispose()


def test_data_as_of_names_a_missing_table_as_none(url_factory):
    referrals_only = {"referrals": REFERRALS_DB["referrals"]}
    databases = Databases.from_urls(write_database(url_factory(), CASES_DB),
                                    write_database(url_factory(), referrals_only))
    try:
        as_of = data_as_of(databases, TODAY)["referrals"]
        assert as_of == {"reports.received_at": None, "referrals.referred_at": datetime(2026, 5, 11, 22)}
        shown = screen(quality.as_of_table({"referrals": as_of}, "Asia/Dhaka"))
        assert shown["rows"][1] == ["referrals", "referrals.referred_at", "2026-05-11 22:00"]
    finally:
        databases.dispose()


LATER_ELSEWHERE = {  # Chattogram's records are the newest: a Dhaka account must not see their dates
    "cases": [{**CASE, "case_id": "C9", "district_pcode": CHATTOGRAM, "reported_on": "2026-05-11"}],
    "victims": [{"victim_id": "V9", "case_id": "C9", "sex": "male", "age_at_identification": 14,
                 "identified_on": "2026-05-11", "brought_to_safety_on": None}],
    "reports": [{"report_id": "R9", "received_at": "2026-05-11T08:15:00+06:00", "channel": "hotline",
                 "category": "csec", "district_pcode": CHATTOGRAM, "case_ref": None}],
    "referrals": [{**REFERRAL, "referral_id": "F9", "district_pcode": CHATTOGRAM,
                   "referred_at": "2026-05-11T09:00:00+06:00"}],
}


def test_data_as_of_shows_each_account_what_it_may_see(url_factory, gazetteer):
    cases = {table: rows + LATER_ELSEWHERE.get(table, []) for table, rows in CASES_DB.items()}
    referrals = {table: rows + LATER_ELSEWHERE[table] for table, rows in REFERRALS_DB.items()}
    databases = Databases.from_urls(write_database(url_factory(), cases), write_database(url_factory(), referrals))
    try:
        def seen(role, areas=()):
            return data_as_of_for(databases, make_scope(role, areas, gazetteer), gazetteer, TODAY)

        assert seen("leadership")["referrals"]["referrals.referred_at"] == datetime(2026, 5, 11, 22)
        assert seen("donor")["referrals"] == {"reports.received_at": date(2026, 5, 11),
                                              "referrals.referred_at": date(2026, 5, 11)}
        dhaka = seen("government", ("BD30",))
        assert dhaka["cases"] == {"cases.reported_on": date(2026, 5, 10), "victims.identified_on": date(2026, 5, 11),
                                  "legal_events.event_on": None}
        assert dhaka["referrals"] == {"reports.received_at": None, "referrals.referred_at": date(2026, 5, 11)}
        assert seen("government", ("BD20",))["cases"]["cases.reported_on"] == date(2026, 5, 11)
    finally:
        databases.dispose()


# --- Definitions ----------------------------------------------------------------------------------------------------

def _ids_and_text(component) -> tuple[set[str], str]:
    tree = json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    ids = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("id"), str):
                ids.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(tree))
    return ids, tree


def test_definitions_give_every_indicator_a_section_with_its_code_as_id():
    ids, text = _ids_and_text(definitions_content(11, CALENDARS["calendar"], "Asia/Dhaka", {}))
    assert set(INDICATORS) | {REDUCTION_SECTION, PERIODS_SECTION, DISCLOSURE_SECTION, RECORDS_SECTION,
                              RELEASES_SECTION, NARRATIVES_SECTION} <= ids
    assert "Each record counts once, by its key" in text
    for code, indicator in INDICATORS.items():
        assert f'"href": "#{code}"' in text
        assert indicator.numerator in text and indicator.source in text
    assert "count from 1 to 10 reads" in text and "fewer than 11 values" in text
    assert "<11" not in text and "<10" not in text and "linear-programming audit" in text
    assert "Katz" in text and "Wilson" in text and "0.5" in text and "85 %" in text
    assert "2026-Q3 (July 2026 to September 2026)" in text
    assert "The program's time zone is Asia/Dhaka" in text and "01:00 on 1 July in Dhaka" in text
    rates_and_percentages = sum(indicator.kind in ("rate", "percent") for indicator in INDICATORS.values())
    assert text.count("unreliable: fewer than 20 events") == rates_and_percentages and "NCHS" in text


def test_definitions_explain_every_calendar_and_which_the_pages_open_in():
    _, text = _ids_and_text(definitions_content(10, CALENDARS["bd-fiscal"], "Asia/Dhaka", {}))
    bangladesh = "quarters like BD-FY2027-Q1 (July 2026 to September 2026), years like BD-FY2027 (July 2026 to June 2027)."
    assert bangladesh in text and text.count("The pages open in this calendar.") == 1
    assert text.index(bangladesh) < text.index("The pages open in this calendar.") < text.index("US government")
    assert "quarters like US-FY2027-Q1 (October 2026 to December 2026)" in text
    assert "quarters like 2026-Q3 (July 2026 to September 2026), years like 2026 (January 2026 to December " \
           "2026)." in text


def test_each_reference_sheet_is_a_table_model_with_its_downloads():
    content = definitions_content(11, CALENDARS["calendar"], "Asia/Dhaka", {"period": "2026-Q3", "area": NATIONAL})
    shown = {table["table"]: table for table in tables_in(content)}
    assert list(shown) == [sheet_table_id(code) for code in INDICATORS]
    _, text = _ids_and_text(content)
    assert text.count('"type": "table-csv"') == text.count('"type": "table-xlsx"') == len(INDICATORS)
    rate = next(code for code, indicator in INDICATORS.items() if indicator.kind == "rate")
    sheet = sheet_table(INDICATORS[rate], 11)
    assert shown[sheet_table_id(rate)]["rows"] == [[cell.value for cell in row] for row in sheet.rows]
    assert shown[sheet_table_id(rate)]["rows"][0] == ["Code", rate]
    # The exports' flag is plain text in the model, for the files, and code on the page.
    reliability = dict((row[0].value, row[1].value) for row in sheet.rows)["Reliability"]
    assert "Exports flag it with reliable = false." in reliability
    assert '{"props": {"children": "reliable = false"}, "type": "Code"' in text
