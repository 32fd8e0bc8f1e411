"""Rates and percentages built on fewer than 20 events are shown and marked unreliable (NCHS), on both engines,
for every audience, in the export rows and on the pages' builders; a hidden value carries no flag."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.builders.district_map import map_figure, map_table, map_values
from dashboard.builders.quarterly import quarterly_table
from dashboard.components import format_value
from dashboard.table_view import model_table
from queries.boundaries import district_geojson
from queries.db import Databases
from queries.definitions import INDICATORS, RELIABLE_EVENTS, UNRELIABLE, reliable
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.scope import LEADERSHIP, Scope, make_filter
from tests.builders import sqlite_url, write_database
from tests.conftest import GEO_CACHE
from tests.panel_parts import tables_in

DHAKA, GAZIPUR, CHATTOGRAM, SYLHET, KHULNA, RAJSHAHI, BARISHAL = (
    "BD3026", "BD3033", "BD2015", "BD6091", "BD4047", "BD5081", "BD1006")
# Cases reported in 2026-Q1 per district, each one referred: 19 and 20 straddle the line. Barishal's 10 is
# there to be hidden beside Sylhet's and Khulna's, so that Chattogram's 15 can be shown to a donor.
CASES_IN_QUARTER = {DHAKA: 19, GAZIPUR: 20, CHATTOGRAM: 15, SYLHET: 4, KHULNA: 3, RAJSHAHI: 25, BARISHAL: 10}


def _program() -> tuple[dict, dict]:
    cases, referrals = [], []
    for district, number in CASES_IN_QUARTER.items():
        for index in range(number):
            ref = f"R-{district}-{index}"
            cases.append(dict(case_id=f"C-{district}-{index}", case_ref=ref, case_type="csec",
                              district_pcode=district, upazila_pcode=None, source="police",
                              reported_on=f"2026-02-{1 + index % 28:02d}", closed_on=None))
            referrals.append(dict(referral_id=f"F-{district}-{index}", report_id=None, case_ref=ref,
                                  district_pcode=district, service_type="medical", provider_type="ngo",
                                  urgency="routine", referred_at="2026-02-01 10:00:00+06:00", accepted_at=None,
                                  first_service_at="2026-02-03 10:00:00+06:00", closed_at=None, outcome=None))
    population = [dict(district_pcode=district, year=2026, population=900_000, child_population=300_000)
                  for district in CASES_IN_QUARTER]
    empty_case_tables = dict.fromkeys(("victims", "accused", "legal_events", "survivor_assessments",
                                       "prevalence_studies"), [])
    return ({"cases": cases, "district_population": population, **empty_case_tables},
            {"referrals": referrals, "reports": []})


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, gazetteer):
    cases_rows, referral_rows = _program()
    if request.param == "sqlite":
        databases = Databases.from_urls(write_database(sqlite_url(tmp_path / "c.sqlite"), cases_rows),
                                        write_database(sqlite_url(tmp_path / "r.sqlite"), referral_rows))
    else:
        url = request.getfixturevalue("pg_url_factory")()
        write_database(url, {**cases_rows, **referral_rows})
        databases = Databases.from_urls(url, url)
    yield IndicatorEngine(databases, gazetteer)
    databases.dispose()


def _rows(engine, gazetteer, scope: Scope, by: str) -> pd.DataFrame:
    return engine.compute(make_filter(parse_period("2026-Q1"), "BD", by, scope, gazetteer))


def _flag(rows: pd.DataFrame, code: str, area: str):
    return rows[(rows["indicator"] == code) & (rows["area"] == area)].iloc[0]["reliable"]


def _expected(row) -> bool | None:
    shown = not row["suppressed"] and not row["withheld"] and not pd.isna(row["value"])
    if INDICATORS[row["indicator"]].kind not in ("rate", "percent") or not shown:
        return None
    return row["numerator"] >= RELIABLE_EVENTS


def test_the_line_is_twenty_events_of_the_numerator():
    assert reliable("rate", 6.3, 19) is False
    assert reliable("rate", 6.7, 20) is True
    assert reliable("percent", 100.0, 19) is False  # 19 of 19
    assert reliable("percent", 5.0, 20) is True  # 20 of 400
    assert reliable("percent", 0.0, 0) is False  # none of 50: a zero rests on no events
    assert reliable("count", 3, 3) is None and reliable("median", 2.0, None) is None
    assert reliable("percent", None, None) is None  # hidden or null


def test_leadership_rows_flag_rates_and_percentages_at_the_line(engine, gazetteer):
    rows = _rows(engine, gazetteer, LEADERSHIP, "district")
    for code in ("case_rate_per_100k_children", "cases_referred_pct"):
        assert _flag(rows, code, DHAKA) is False, code  # 19 events
        assert _flag(rows, code, GAZIPUR) is True, code  # 20 events
        assert _flag(rows, code, SYLHET) is False, code
    assert _flag(rows, "referrals_within_target_pct", RAJSHAHI) is True
    assert _flag(rows, "cases_reported", DHAKA) is None
    assert _flag(rows, "referral_turnaround_median_days", DHAKA) is None
    assert [row["reliable"] for _, row in rows.iterrows()] == [_expected(row) for _, row in rows.iterrows()]


def test_an_external_audience_is_flagged_on_what_it_is_shown_and_never_on_a_hidden_value(engine, gazetteer):
    rows = _rows(engine, gazetteer, Scope("donor"), "division")
    assert [row["reliable"] for _, row in rows.iterrows()] == [_expected(row) for _, row in rows.iterrows()]
    hidden = rows[rows["suppressed"] | rows["withheld"]]
    assert not hidden.empty and hidden["reliable"].isna().all()
    rates = rows[rows["indicator"] == "case_rate_per_100k_children"].set_index("area")
    assert rates.loc["BD30", "reliable"] is True  # Dhaka division: 39 cases
    assert rates.loc["BD50", "reliable"] is True  # Rajshahi division: 25 cases
    shown_unreliable = rows[rows["reliable"].eq(False)]
    assert not shown_unreliable.empty and (shown_unreliable["numerator"] >= 10).all()  # shown, yet under 20


def _quarter_shown(table) -> dict[str, str]:
    """The first quarter's cells of the quarterly table as the screen writes them, by indicator."""
    return {code: row[1] for code, row in zip(INDICATORS, tables_in(model_table(table, {}))[0]["rows"])}


def test_pages_mark_an_unreliable_value_and_only_that(engine, gazetteer):
    rows = _rows(engine, gazetteer, LEADERSHIP, "district")
    table = _quarter_shown(quarterly_table(rows[rows["area"].eq(DHAKA)], ["2026-Q1"], DHAKA, {}, 2026))
    assert table["case_rate_per_100k_children"] == f"6.3 ({UNRELIABLE})"
    assert table["cases_referred_pct"] == f"100.0 % ({UNRELIABLE})"
    assert table["cases_reported"] == "19"
    gazipur = _quarter_shown(quarterly_table(rows[rows["area"].eq(GAZIPUR)], ["2026-Q1"], GAZIPUR, {}, 2026))
    assert gazipur["case_rate_per_100k_children"] == "6.7"

    values = map_values(rows, "cases_reported", "rate")
    by_district = tables_in(model_table(map_table(values, gazetteer, "cases_reported", "rate"), {}))[0]["rows"]
    text = {row[2]: row[-1] for row in by_district}
    assert text[DHAKA] == f"6.3 ({UNRELIABLE})" and text[GAZIPUR] == "6.7"
    figure = map_figure(values, district_geojson(GEO_CACHE), None, gazetteer, "cases_reported", "rate")
    hover = [line for trace in figure.data for line in (trace.text or ())]
    assert f"Dhaka: 6.3 ({UNRELIABLE})" in hover and "Gazipur: 6.7" in hover


def test_a_hidden_value_reads_hidden_whatever_its_flag():
    assert format_value(None, "percent", suppressed=True, reliable=False) == "hidden"
    assert format_value(12.5, "percent", reliable=None) == "12.5 %"
    assert format_value(3, "count", reliable=False) == "3"  # counts carry no mark
