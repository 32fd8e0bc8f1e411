"""Small-cell suppression as the indicator exports give it: scope, hidden rows, and one decision for every view."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from impact_monitor.exports import to_bytes
from queries.db import Databases
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.scope import FilterError, make_filter, make_scope
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS, CHATTOGRAM, DHAKA, GAZIPUR, REFERRALS_ROWS


@pytest.fixture
def engine(tmp_path, gazetteer):
    cases = write_database(sqlite_url(tmp_path / "c.sqlite"), CASES_ROWS)
    referrals = write_database(sqlite_url(tmp_path / "r.sqlite"), REFERRALS_ROWS)
    return IndicatorEngine(Databases.from_urls(cases, referrals), gazetteer)


def test_donor_sees_no_district_and_small_counts_hidden(engine, gazetteer):
    donor = make_scope("donor", [], gazetteer)
    with pytest.raises(FilterError, match="donor"):
        make_filter(parse_period("2026-Q1"), "BD", "district", donor, gazetteer)
    rows = engine.compute(make_filter(parse_period("2026-Q1"), "BD", "division", donor, gazetteer))
    cases = rows[rows["indicator"] == "cases_reported"].set_index("area")
    assert cases.loc["BD30", "suppressed"] and cases.loc["BD20", "suppressed"]
    rate = rows[rows["indicator"] == "case_rate_per_100k_children"].set_index("area")
    assert rate.loc["BD30", "suppressed"] and pd.isna(rate.loc["BD30", "value"])


def test_government_scope_is_enforced_in_the_query(engine, gazetteer):
    dhaka = make_scope("government", ["BD30"], gazetteer)
    rows = engine.compute(make_filter(parse_period("2026-Q1"), "BD30", "district", dhaka, gazetteer))
    assert set(rows["area"]) == set(gazetteer.districts_within("BD30"))
    assert CHATTOGRAM not in set(rows["area"])
    with pytest.raises(FilterError, match="outside"):
        make_filter(parse_period("2026-Q1"), CHATTOGRAM, "district", dhaka, gazetteer)
    with pytest.raises(FilterError):
        make_filter(parse_period("2026-Q1"), "BD", "division", dhaka, gazetteer)


def test_a_district_alone_is_suppressed_as_among_its_siblings(engine, gazetteer):
    scope = make_scope("government", ["BD30"], gazetteer)
    period = parse_period("2026-Q1")
    together = engine.compute(make_filter(period, "BD30", "district", scope, gazetteer), suppress_below=3)
    alone = engine.compute(make_filter(period, GAZIPUR, "district", scope, gazetteer), suppress_below=3)
    key = ["indicator", "area"]
    merged = alone.merge(together, on=key, suffixes=("_alone", "_together"))
    assert (merged["suppressed_alone"] == merged["suppressed_together"]).all()
    assert len(merged) == len(alone)


def test_leadership_sees_exact_small_counts(engine, gazetteer):
    leadership = make_scope("leadership", [], gazetteer)
    rows = engine.compute(make_filter(parse_period("2026-Q1"), "BD", "district", leadership, gazetteer))
    dhaka = rows[(rows["indicator"] == "cases_reported") & (rows["area"] == DHAKA)].iloc[0]
    assert dhaka["value"] == 3 and not dhaka["suppressed"]
    assert json.loads(to_bytes(rows, "json"))[0]["suppressed"] is False


def test_hidden_rows_keep_no_numbers_and_k_is_configurable(engine, gazetteer):
    donor = make_scope("donor", [], gazetteer)
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "division", donor, gazetteer)
    rows = engine.compute(filter_)
    hidden = rows[rows["suppressed"]]
    assert len(hidden) and hidden[["value", "numerator", "denominator"]].isna().all().all()
    counts = rows[(rows["indicator"] == "cases_reported") & ~rows["suppressed"]]
    assert (counts["value"].isin([0]) | (counts["value"] >= 10)).all()  # a shown count is 0 or at least k
    with_k_1 = engine.compute(filter_, suppress_below=1)
    assert not with_k_1["suppressed"].any()


def test_every_view_takes_its_marks_from_one_protected_publication(engine, gazetteer):
    """The national row and the divisions are hidden as one decision: a lone hidden division beside a shown
    national total would be recovered by subtraction, and so would a quarter beside a shown year."""
    donor = make_scope("donor", [], gazetteer)
    period = parse_period("2026-Q1")
    cells = engine.publications.cells(donor, period, 3)
    divisions = engine.compute(make_filter(period, "BD", "division", donor, gazetteer), suppress_below=3)
    national = engine.compute(make_filter(period, "BD", "national", donor, gazetteer), suppress_below=3)
    for rows in (divisions, national):
        for row in rows[rows["indicator"] == "cases_reported"].itertuples():
            assert row.suppressed == cells.hidden(("cases", "2026-Q1", row.area, "", ""))
    shown = {row.area: row.value for row in divisions[divisions["indicator"] == "cases_reported"].itertuples()
             if not row.suppressed}
    assert all(value == 0 or value >= 3 for value in shown.values())
    hidden = [area for area in gazetteer.division_codes if cells.hidden(("cases", "2026-Q1", area, "", ""))]
    total_hidden = cells.hidden(("cases", "2026-Q1", "BD", "", ""))
    assert len(hidden) != 1 or total_hidden
