"""Violence reduction against baseline, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from queries.db import Databases
from queries.prevalence import PREVALENCE_COLUMNS, katz_reduction_interval, prevalence_export, prevalence_summary
from queries.scope import LEADERSHIP
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    if request.param == "sqlite":
        url = write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS)
    else:
        url = write_database(request.getfixturevalue("pg_url"), CASES_ROWS)
    databases = Databases.from_urls(url, url)
    yield databases
    databases.dispose()


def test_wilson_and_katz_by_hand():
    # 18/450 against 120/400: r = 0.04 / 0.3 = 2/15; Katz: exp(+-1.96 sqrt(1/18 - 1/450 + 1/120 - 1/400)).
    r = 2 / 15
    spread = 1.96 * math.sqrt(1 / 18 - 1 / 450 + 1 / 120 - 1 / 400)
    low, high = katz_reduction_interval(18, 450, 120, 400)
    assert math.isclose(low, 100 * (1 - r * math.exp(spread)))
    assert math.isclose(high, 100 * (1 - r * math.exp(-spread)))


def test_prevalence_export_rows(databases, gazetteer):
    rows = prevalence_export(databases, LEADERSHIP, gazetteer).set_index("area")
    assert list(rows.reset_index().columns) == PREVALENCE_COLUMNS
    assert set(rows.index) == {"BD", "BD30"}  # BD2015 is baseline only: not exported

    national = rows.loc["BD"]
    assert national.latest_round == "endline"
    assert math.isclose(national.baseline_pct, 30.0)
    assert math.isclose(national.latest_pct, 4.0)
    assert math.isclose(national.reduction_pct, 100 * (1 - 4.0 / 30.0))  # 86.67 %
    assert math.isclose(national.baseline_ci_low, 25.716692552893388)
    assert math.isclose(national.baseline_ci_high, 34.663813071093834)
    assert math.isclose(national.latest_ci_low, 2.5449140989942576)
    assert math.isclose(national.latest_ci_high, 6.233831613166109)
    assert math.isclose(national.reduction_ci_low, 78.52216507266276)
    assert math.isclose(national.reduction_ci_high, 91.72273283693507)
    assert national.benchmark_pct == 85.0 and bool(national.benchmark_met)


def test_round_with_zero_minors_adds_half_to_both_counts(databases, gazetteer):
    dhaka = prevalence_export(databases, LEADERSHIP, gazetteer).set_index("area").loc["BD30"]
    assert dhaka.latest_round == "midline"
    assert dhaka.latest_pct == 0.0 and dhaka.latest_ci_low == 0.0
    assert math.isclose(dhaka.reduction_pct, 100.0)
    # r = (0.5/150) / (60.5/200); spread = 1.96 sqrt(1/0.5 - 1/150 + 1/60.5 - 1/200)
    r = (0.5 / 150) / (60.5 / 200)
    spread = 1.96 * math.sqrt(1 / 0.5 - 1 / 150 + 1 / 60.5 - 1 / 200)
    assert math.isclose(dhaka.reduction_ci_low, 100 * (1 - r * math.exp(spread)))
    assert math.isclose(dhaka.reduction_ci_low, 82.32258876221819)
    assert bool(dhaka.benchmark_met)


def test_baseline_only_areas_are_listed_apart(databases):
    _, baseline_only = prevalence_summary(databases)
    assert list(baseline_only["area"]) == ["BD2015"]
    assert math.isclose(baseline_only.iloc[0].baseline_pct, 30.0)


def test_impossible_rounds_are_left_out(tmp_path, gazetteer):
    impossible = dict(study_id="P9", area_pcode="BD", area_name="Bangladesh", round="endline",
                      fieldwork_end="2026-09-30", individuals_observed=100, minors_observed=140)
    empty = dict(impossible, study_id="P10", individuals_observed=0, minors_observed=0)
    rows = {**CASES_ROWS, "prevalence_studies": CASES_ROWS["prevalence_studies"] + [impossible, empty]}
    url = write_database(sqlite_url(tmp_path / "cases.sqlite"), rows)
    national = prevalence_export(Databases.from_urls(url, url), LEADERSHIP, gazetteer).set_index("area").loc["BD"]
    assert math.isclose(national.latest_pct, 4.0)   # still the valid endline of 2026-06-30
