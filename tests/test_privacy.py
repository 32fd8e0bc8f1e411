"""Small-cell suppression: primary, complementary, and what a hidden cell leaves behind."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from impact_monitor.exports import to_bytes
from queries.db import Databases
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.privacy import suppress, suppress_count_table
from queries.scope import FilterError, make_filter, make_scope
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS, CHATTOGRAM, DHAKA, GAZIPUR, REFERRALS_ROWS


def _rows(cells: dict[str, int], indicator="cases_reported"):
    return pd.DataFrame([dict(indicator=indicator, period="2026-Q1", area=area, value=float(n), numerator=float(n),
                              denominator=None, suppressed=False) for area, n in cells.items()])


def test_a_lone_small_cell_takes_its_smallest_nonzero_sibling_with_it(gazetteer):
    # Districts of Dhaka division: one small cell (4) would be recoverable from the division total.
    cells = {"BD3026": 120, "BD3029": 4, "BD3033": 35, "BD3035": 0, "BD3048": 18}
    hidden = suppress(_rows(cells), 10, gazetteer).set_index("area")["suppressed"]
    assert hidden.to_dict() == {"BD3026": False, "BD3029": True, "BD3033": False, "BD3035": False, "BD3048": True}


def test_two_small_cells_need_no_complement(gazetteer):
    cells = {"BD3026": 120, "BD3029": 4, "BD3033": 3, "BD3048": 18}
    hidden = suppress(_rows(cells), 10, gazetteer).set_index("area")["suppressed"]
    assert hidden.to_dict() == {"BD3026": False, "BD3029": True, "BD3033": True, "BD3048": False}


def test_hidden_rows_keep_no_numbers(gazetteer):
    rows = suppress(_rows({"BD3026": 120, "BD3029": 4, "BD3033": 35}), 10, gazetteer)
    hidden = rows[rows["suppressed"]]
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    assert "4.0" not in to_bytes(rows, "csv").decode() and ": 4" not in to_bytes(rows, "json").decode()


def test_k_is_configurable(gazetteer):
    cells = {"BD3026": 10, "BD3029": 0, "BD3033": 35}
    assert not suppress(_rows(cells), 10, gazetteer)["suppressed"].any()
    assert suppress(_rows(cells), 11, gazetteer).set_index("area")["suppressed"]["BD3026"]


def test_count_table_complements_rows_and_columns():
    table = pd.DataFrame({"service": ["medical", "legal_aid", "shelter"],
                          "government": [3, 25, 40], "ngo": [30, 50, 12]})
    shown, hidden = suppress_count_table(table, ["government", "ngo"], 10)
    assert hidden["government"].tolist() == [True, False, True] or hidden["government"].sum() >= 2
    assert hidden.loc[0, "government"] and hidden.loc[0, "ngo"]   # row total would reveal the 3
    for column in ("government", "ngo"):
        assert hidden[column].sum() != 1
    for index in hidden.index:
        assert hidden.loc[index].sum() != 1
    assert shown.loc[0, "government"] is None


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
