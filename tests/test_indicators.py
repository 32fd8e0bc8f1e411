"""Every indicator against values worked out by hand, on SQLite and on PostgreSQL."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from queries.db import Databases
from queries.definitions import INDICATORS
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.scope import LEADERSHIP, FilterError, Scope, make_filter
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS, CHATTOGRAM, DHAKA, EXPECTED, REFERRALS_ROWS


def _sqlite_databases(tmp_path):
    cases = write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS)
    referrals = write_database(sqlite_url(tmp_path / "referrals.sqlite"), REFERRALS_ROWS)
    return Databases.from_urls(cases, referrals)


def _postgres_one_database(pg_url_factory):
    url = pg_url_factory()
    write_database(url, {**CASES_ROWS, **REFERRALS_ROWS})
    return Databases.from_urls(url, url)


def _postgres_two_databases(pg_url_factory):
    cases = write_database(pg_url_factory(), CASES_ROWS)
    referrals = write_database(pg_url_factory(), REFERRALS_ROWS)
    return Databases.from_urls(cases, referrals)


@pytest.fixture(params=["sqlite", "postgresql-one-database", "postgresql-two-databases"])
def engine(request, tmp_path, gazetteer):
    if request.param == "sqlite":
        databases = _sqlite_databases(tmp_path)
    else:
        factory = request.getfixturevalue("pg_url_factory")
        databases = (_postgres_one_database if request.param.endswith("one-database")
                     else _postgres_two_databases)(factory)
    yield IndicatorEngine(databases, gazetteer, query_threads=2)  # as the app runs it: two queries at once
    databases.dispose()


def _rows(engine, gazetteer, period="2026-Q1", area="BD", by="district", **kwargs):
    return engine.compute(make_filter(parse_period(period), area, by, LEADERSHIP, gazetteer), **kwargs)


def _lookup(rows, indicator, area):
    match = rows[(rows["indicator"] == indicator) & (rows["area"] == area)]
    assert len(match) == 1, f"{indicator} {area}: {len(match)} rows"
    return match.iloc[0]


def _same(actual, expected):
    if expected is None:
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


def _level(area):
    return {2: "national", 4: "division", 6: "district"}[len(area)]


def test_every_indicator_has_a_hand_computed_expectation():
    assert set(EXPECTED) == set(INDICATORS)


def test_indicators_match_hand_computed_values(engine, gazetteer):
    by_level = {level: _rows(engine, gazetteer, by=level) for level in ("national", "division", "district")}
    failures = []
    for indicator, areas in EXPECTED.items():
        for area, (value, numerator, denominator) in areas.items():
            row = _lookup(by_level[_level(area)], indicator, area)
            for name, expected in (("value", value), ("numerator", numerator), ("denominator", denominator)):
                if not _same(row[name], expected):
                    failures.append(f"{indicator} {area} {name}: {row[name]!r} != {expected!r}")
            assert not row["suppressed"]
    assert not failures, "\n".join(failures)


def test_one_row_per_indicator_and_area(engine, gazetteer):
    rows = _rows(engine, gazetteer, by="district")
    assert len(rows) == len(INDICATORS) * 64
    assert list(rows.columns) == ["indicator", "period", "area", "value", "numerator", "denominator", "suppressed",
                                    "withheld", "reliable"]
    assert set(rows["period"]) == {"2026-Q1"}


def test_area_filter_keeps_only_the_areas_inside(engine, gazetteer):
    rows = _rows(engine, gazetteer, area="BD30", by="district")
    assert set(rows["area"]) == set(gazetteer.districts_within("BD30"))
    assert _lookup(rows, "cases_reported", DHAKA)["value"] == 3
    single = _rows(engine, gazetteer, area=DHAKA, by="district")
    assert set(single["area"]) == {DHAKA}


def test_empty_quarter_gives_zero_counts_and_null_rates(engine, gazetteer):
    rows = _rows(engine, gazetteer, period="2030-Q1", by="national")
    for _, row in rows.iterrows():
        kind = INDICATORS[row["indicator"]].kind
        if kind == "count":
            assert row["value"] == 0, row["indicator"]
        elif row["indicator"] != "case_rate_per_100k_children":
            assert _same(row["value"], None), row["indicator"]


def test_conviction_rate_of_a_quarter_without_verdicts_is_null(engine, gazetteer):
    rows = _rows(engine, gazetteer, period="2025-Q3", by="national")
    row = _lookup(rows, "conviction_rate_pct", "BD")
    assert _same(row["value"], None) and row["denominator"] == 0


def test_next_quarter_picks_up_boundary_events(engine, gazetteer):
    rows = _rows(engine, gazetteer, period="2026-Q2", by="district")
    assert _lookup(rows, "cases_reported", DHAKA)["value"] == 1
    assert _lookup(rows, "victims_identified", DHAKA)["value"] == 1
    assert _lookup(rows, "victims_brought_to_safety", DHAKA)["value"] == 1
    assert _lookup(rows, "accused_convicted", DHAKA)["value"] == 1
    assert _lookup(rows, "reports_received", DHAKA)["value"] == 1
    assert _lookup(rows, "referrals_made", DHAKA)["value"] == 1


def test_year_period_sums_its_quarters(engine, gazetteer):
    year = _lookup(_rows(engine, gazetteer, period="2026", by="national"), "cases_reported", "BD")["value"]
    quarters = sum(_lookup(_rows(engine, gazetteer, period=f"2026-Q{q}", by="national"),
                           "cases_reported", "BD")["value"] for q in range(1, 5))
    assert year == quarters == 5


@pytest.mark.parametrize("labels", [
    ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"),  # one date range: quarter boundaries, a quarter without verdicts
    ("2026-Q2", "2025-Q3", "2030-Q1"),             # out of order, with gaps and an empty quarter
    ("2025", "2026"),                              # years: each takes its own year's population
])
@pytest.mark.parametrize("scope, area, levels", [
    (LEADERSHIP, "BD", ("national", "district", "upazila")),
    (Scope("donor"), "BD", ("national", "division")),         # suppressed: each period on its own
    (Scope("government", ("BD30",)), "BD30", ("district", "upazila")),
])
def test_a_series_equals_its_periods_computed_one_by_one(engine, gazetteer, labels, scope, area, levels):
    periods = [parse_period(label) for label in labels]
    for by in levels:
        filter_ = make_filter(periods[0], area, by, scope, gazetteer)
        series = engine.compute_series(filter_, periods)
        one_by_one = pd.concat([engine.compute(replace(filter_, period=period)) for period in periods],
                               ignore_index=True)
        assert list(series["period"].unique()) == list(labels)
        pd.testing.assert_frame_equal(series, one_by_one, check_dtype=False)


def test_disaggregation_by_age_band_and_case_type(engine, gazetteer):
    ages = _rows(engine, gazetteer, by="district", area=DHAKA, disaggregate="age_band")
    identified = ages[ages["indicator"] == "victims_identified"].set_index("group")["value"].to_dict()
    assert identified == {"<12": 0, "12-14": 0, "15-17": 1, "18+": 1, "unknown": 1}
    assert set(ages["indicator"]) == {c for c, i in INDICATORS.items() if "age_band" in i.disaggregations}
    types = _rows(engine, gazetteer, by="district", area=DHAKA, disaggregate="case_type")
    cases = types[types["indicator"] == "cases_reported"].set_index("group")["value"].to_dict()
    assert cases["csec"] == 2 and cases["osec"] == 1 and cases["other"] == 0


def test_bad_filters_are_refused_with_a_message(gazetteer):
    period = parse_period("2026-Q1")
    with pytest.raises(FilterError, match="not a known area"):
        make_filter(period, "BD9999", "district", LEADERSHIP, gazetteer)
    with pytest.raises(FilterError, match="not a known area"):
        make_filter(period, "BD30' OR 1=1 --", "district", LEADERSHIP, gazetteer)
    with pytest.raises(FilterError, match="unknown grouping"):
        make_filter(period, "BD", "province", LEADERSHIP, gazetteer)
    with pytest.raises(FilterError, match="larger"):
        make_filter(period, "BD30", "national", LEADERSHIP, gazetteer)


def test_chattogram_division_total_equals_its_district(engine, gazetteer):
    division = _lookup(_rows(engine, gazetteer, by="division"), "cases_reported", "BD20")["value"]
    district = _lookup(_rows(engine, gazetteer, by="district"), "cases_reported", CHATTOGRAM)["value"]
    assert division == district == 1


def test_duplicate_or_negative_populations_give_no_rate(tmp_path, gazetteer):
    """A district-year with two population rows (a view without keys) or a negative one is left out as if
    missing: no rate of -4,200 per 100,000, no population counted twice."""
    rows = {**CASES_ROWS, "district_population": [
        *[row for row in CASES_ROWS["district_population"] if row["district_pcode"] != CHATTOGRAM],
        *[dict(row) for row in CASES_ROWS["district_population"] if row["district_pcode"] == DHAKA],  # twice
        {"district_pcode": CHATTOGRAM, "year": 2026, "population": 3_000_000, "child_population": -800_000},
    ]}
    cases = write_database(sqlite_url(tmp_path / "cases.sqlite"), rows)
    databases = Databases.from_urls(cases, write_database(sqlite_url(tmp_path / "referrals.sqlite"), REFERRALS_ROWS))
    try:
        rates = _rows(IndicatorEngine(databases, gazetteer), gazetteer, by="district",
                      codes=("case_rate_per_100k_children",))
        assert pd.isna(_lookup(rates, "case_rate_per_100k_children", DHAKA)["value"])
        assert pd.isna(_lookup(rates, "case_rate_per_100k_children", CHATTOGRAM)["value"])
        assert (rates["value"].dropna() >= 0).all()
    finally:
        databases.dispose()
