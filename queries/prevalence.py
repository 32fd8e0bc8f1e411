"""Violence reduction against baseline prevalence studies.

Prevalence is the share of minors among the people found in the commercial
sex trade of a study area, per round. The reduction compares the most recent
later round with the baseline, with a Katz log interval of the ratio.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import select

from . import schema as s
from .db import Databases
from .geography import Gazetteer
from .scope import Scope, study_area_visible

BENCHMARK_REDUCTION_PCT = 85.0
Z_95 = 1.96  # as the contract writes it

PREVALENCE_COLUMNS = [
    "area", "baseline_pct", "baseline_ci_low", "baseline_ci_high", "latest_round", "latest_pct",
    "latest_ci_low", "latest_ci_high", "reduction_pct", "reduction_ci_low", "reduction_ci_high",
    "benchmark_pct", "benchmark_met",
]


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion, in percent."""
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return 100 * max(0.0, centre - half_width), 100 * min(1.0, centre + half_width)


def katz_reduction_interval(x1: int, n1: int, x0: int, n0: int, z: float = Z_95) -> tuple[float, float]:
    """95 % interval of 100 (1 - r), r = (x1/n1) / (x0/n0), from the Katz log interval of r.

    Where a minors count is 0, 0.5 is added to both minors counts (as the contract says).
    """
    if x1 == 0 or x0 == 0:
        x1, x0 = x1 + 0.5, x0 + 0.5
    ratio = (x1 / n1) / (x0 / n0)
    spread = z * math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    ratio_low, ratio_high = ratio * math.exp(-spread), ratio * math.exp(spread)
    return 100 * (1 - ratio_high), 100 * (1 - ratio_low)


def _valid_rounds(databases: Databases) -> pd.DataFrame:
    p = s.prevalence_studies.c
    query = (
        select(p.area_pcode, p.area_name, p.round, p.fieldwork_end, p.individuals_observed, p.minors_observed)
        .where(p.individuals_observed > 0, p.minors_observed >= 0, p.minors_observed <= p.individuals_observed,
               p.round.in_(s.STUDY_ROUNDS))
        .order_by(p.area_pcode, p.fieldwork_end)
    )
    with databases.cases.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _area_row(area: str, baseline: pd.Series, latest: pd.Series) -> dict:
    x0, n0 = int(baseline.minors_observed), int(baseline.individuals_observed)
    x1, n1 = int(latest.minors_observed), int(latest.individuals_observed)
    baseline_low, baseline_high = wilson_interval(x0, n0)
    latest_low, latest_high = wilson_interval(x1, n1)
    reduction = None if x0 == 0 else 100 * (1 - (x1 / n1) / (x0 / n0))
    reduction_low, reduction_high = katz_reduction_interval(x1, n1, x0, n0)
    return dict(
        area=area, baseline_pct=100 * x0 / n0, baseline_ci_low=baseline_low, baseline_ci_high=baseline_high,
        latest_round=latest["round"], latest_pct=100 * x1 / n1, latest_ci_low=latest_low, latest_ci_high=latest_high,
        reduction_pct=reduction, reduction_ci_low=reduction_low, reduction_ci_high=reduction_high,
        benchmark_pct=BENCHMARK_REDUCTION_PCT,
        benchmark_met=reduction is not None and reduction >= BENCHMARK_REDUCTION_PCT,
    )


def prevalence_summary(databases: Databases) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(export rows for areas with a baseline and a later round, baseline-only areas).

    A study area's rows are its rounds; studies are small, so the handful of
    per-round aggregates (never person-level data) is combined here.
    """
    rounds = _valid_rounds(databases)
    rows, baseline_only = [], []
    for area, area_rounds in rounds.groupby("area_pcode", sort=True):
        baselines = area_rounds[area_rounds["round"] == "baseline"]
        if baselines.empty:
            continue
        baseline = baselines.iloc[-1]
        later = area_rounds[(area_rounds["round"] != "baseline") & (area_rounds["fieldwork_end"] > baseline.fieldwork_end)]
        if later.empty:
            x0, n0 = int(baseline.minors_observed), int(baseline.individuals_observed)
            low, high = wilson_interval(x0, n0)
            baseline_only.append(dict(area=area, area_name=baseline.area_name, baseline_pct=100 * x0 / n0,
                                      baseline_ci_low=low, baseline_ci_high=high,
                                      fieldwork_end=baseline.fieldwork_end))
            continue
        rows.append(_area_row(area, baseline, later.iloc[-1]) | {"area_name": baseline.area_name})
    summary = pd.DataFrame(rows, columns=PREVALENCE_COLUMNS + ["area_name"])
    return summary, pd.DataFrame(baseline_only)


def visible_study_rows(frame: pd.DataFrame, scope: Scope, gazetteer: Gazetteer) -> pd.DataFrame:
    """The rows of the study areas the scope may see."""
    if frame.empty:
        return frame
    return frame[frame["area"].map(lambda area: study_area_visible(area, scope, gazetteer))].reset_index(drop=True)


def prevalence_export(databases: Databases, scope: Scope, gazetteer: Gazetteer) -> pd.DataFrame:
    """The contract's `prevalence` export rows of the study areas the scope may see."""
    return visible_study_rows(prevalence_summary(databases)[0], scope, gazetteer)[PREVALENCE_COLUMNS]
