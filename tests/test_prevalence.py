"""Violence reduction against baseline, against values worked out by hand."""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

from dashboard.builders import reduction
from queries.db import Databases
from queries.prevalence import (PREVALENCE_COLUMNS, katz_reduction_interval, prevalence_export, prevalence_summary,
                                wilson_interval)
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
    assert dhaka.reduction_ci_high == 100.0  # the ratio's lower bound is 0: the interval holds its estimate
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


# --- Against an independent implementation (statsmodels), and at the edges -----------------------------------------

ALPHA_OF_Z_95 = 2 * norm.sf(1.96)  # statsmodels takes alpha; the contract writes z = 1.96


@pytest.mark.parametrize("minors, individuals", [(0, 50), (1, 50), (18, 450), (120, 400), (49, 50), (50, 50)])
@pytest.mark.parametrize("design_effect", [1.0, 1.7, 3.0])
def test_wilson_equals_statsmodels_over_the_effective_sample_size(minors, individuals, design_effect):
    low, high = wilson_interval(minors, individuals, design_effect=design_effect)
    expected = proportion_confint(minors / design_effect, individuals / design_effect, alpha=ALPHA_OF_Z_95,
                                  method="wilson")
    assert math.isclose(low, 100 * expected[0], abs_tol=1e-9) and math.isclose(high, 100 * expected[1])
    assert low <= 100 * minors / individuals <= high


@pytest.mark.parametrize("x1, n1, x0, n0", [(18, 450, 120, 400), (1, 30, 29, 30), (50, 400, 100, 400),
                                            (30, 100, 10, 100), (7, 7, 3, 9)])
def test_katz_equals_statsmodels_risk_ratio_interval(x1, n1, x0, n0):
    table = Table2x2(np.array([[x1, n1 - x1], [x0, n0 - x0]]), shift_zeros=False)
    ratio_low, ratio_high = table.riskratio_confint(alpha=ALPHA_OF_Z_95)
    low, high = katz_reduction_interval(x1, n1, x0, n0)
    assert math.isclose(low, 100 * (1 - ratio_high)) and math.isclose(high, 100 * (1 - ratio_low))


def test_the_katz_variance_is_multiplied_by_each_rounds_design_effect():
    x1, n1, x0, n0, deff1, deff0 = 18, 450, 120, 400, 2.0, 1.5
    r = (x1 / n1) / (x0 / n0)
    spread = 1.96 * math.sqrt(deff1 * (1 / x1 - 1 / n1) + deff0 * (1 / x0 - 1 / n0))
    low, high = katz_reduction_interval(x1, n1, x0, n0, deff1=deff1, deff0=deff0)
    assert math.isclose(low, 100 * (1 - r * math.exp(spread))) and math.isclose(high, 100 * (1 - r / math.exp(spread)))
    assert low < katz_reduction_interval(x1, n1, x0, n0)[0]


@pytest.mark.parametrize("x1, n1, x0, n0", [(x1, n1, x0, n0) for x1, n1 in ((0, 40), (1, 40), (40, 40), (3, 500))
                                            for x0, n0 in ((1, 30), (15, 30), (30, 30), (200, 500))])
def test_a_reduction_interval_always_contains_its_estimate(x1, n1, x0, n0):
    reduction = 100 * (1 - (x1 / n1) / (x0 / n0))
    low, high = katz_reduction_interval(x1, n1, x0, n0)
    assert low <= reduction + 1e-9 and reduction - 1e-9 <= high <= 100.0


def test_no_minors_at_baseline_gives_no_reduction_and_no_interval():
    assert katz_reduction_interval(5, 100, 0, 100) == (None, None)


def _summary_of(tmp_path, studies: list[dict], with_design_effect: bool = True, stored_as_is: list[dict] = ()):
    """The summary of these rounds; `stored_as_is` rounds are written by SQLite as they are, types unchecked."""
    url = write_database(sqlite_url(tmp_path / "cases.sqlite"), {"prevalence_studies": studies})
    with sqlite3.connect(tmp_path / "cases.sqlite") as connection:
        if not with_design_effect:
            connection.execute("ALTER TABLE prevalence_studies DROP COLUMN design_effect")
        for row in stored_as_is:
            connection.execute(f"INSERT INTO prevalence_studies ({', '.join(row)}) VALUES "
                               f"({', '.join('?' for _ in row)})", list(row.values()))
    databases = Databases.from_urls(url, url)
    try:
        return prevalence_summary(databases)
    finally:
        databases.dispose()


def _round(round_: str, day: str, individuals, minors, design_effect=None, area: str = "BD") -> dict:
    return dict(study_id=f"{area}-{round_}-{day}", area_pcode=area, area_name="Bangladesh", round=round_,
                fieldwork_end=day, individuals_observed=individuals, minors_observed=minors,
                design_effect=design_effect)


def test_design_effects_widen_the_intervals_and_are_shown(tmp_path):
    summary, _ = _summary_of(tmp_path, [_round("baseline", "2022-06-30", 400, 120, 2.0),
                                        _round("endline", "2026-06-30", 450, 18, None)])
    row = summary.iloc[0]
    assert (row.baseline_design_effect, row.latest_design_effect) == (2.0, 1.0)
    assert (row.baseline_ci_low, row.baseline_ci_high) == wilson_interval(120, 400, design_effect=2.0)
    assert (row.reduction_ci_low, row.reduction_ci_high) == katz_reduction_interval(18, 450, 120, 400, deff1=1.0,
                                                                                    deff0=2.0)
    table = reduction.reduction_table(summary, ["Bangladesh"])
    effects = {column.heading: cell.value for column, cell in zip(table.columns, table.rows[0])}
    assert effects["Baseline design effect"] == "2.00" and effects["Latest design effect"] == "1.00"


def test_a_database_without_the_design_effect_column_reads_as_one(tmp_path):
    summary, _ = _summary_of(tmp_path, [_round("baseline", "2022-06-30", 400, 120),
                                        _round("endline", "2026-06-30", 450, 18)], with_design_effect=False)
    assert summary.iloc[0].baseline_design_effect == 1.0
    assert summary.iloc[0].baseline_ci_low == wilson_interval(120, 400)[0]


def test_unusable_rounds_are_left_out_and_the_others_kept(tmp_path):
    """A design effect below 1, text where a count belongs, a day that does not exist: each such round is left
    out, and the area's valid rounds still give its reduction."""
    summary, _ = _summary_of(tmp_path, [_round("baseline", "2022-06-30", 400, 120),
                                        _round("endline", "2026-06-30", 450, 18),
                                        _round("endline", "2026-08-30", 450, 9, design_effect=0.5)],
                             stored_as_is=[_round("endline", "2026-09-30", "many", 9),
                                           _round("endline", "2026-10-30", 450, "nine"),
                                           _round("endline", "2026-02-30", 450, 9),
                                           _round("endline", "31/12/2026", 450, 9),
                                           _round("endline", "2026-11-31", 450, 9)])
    assert len(summary) == 1 and math.isclose(summary.iloc[0].latest_pct, 4.0)


def test_the_page_says_why_there_is_no_reduction_when_the_baseline_found_no_minors(tmp_path):
    summary, _ = _summary_of(tmp_path, [_round("baseline", "2022-06-30", 400, 0), _round("endline", "2026-06-30",
                                                                                         450, 5)])
    row = summary.iloc[0]
    assert pd.isna(row.reduction_pct) and pd.isna(row.reduction_ci_low) and pd.isna(row.reduction_ci_high)
    assert "baseline found no minors" in reduction.benchmark_verdict(row)
    figure = reduction.reduction_figure(summary, ["Bangladesh"])
    assert not figure.data  # nothing to draw, and no negative error bar
