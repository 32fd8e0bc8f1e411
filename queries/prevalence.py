"""Violence reduction against baseline prevalence studies.

Prevalence is the share of minors among the people found in the commercial
sex trade of a study area, per round. The reduction compares the most recent
later round with the baseline, with a Katz log interval of the ratio.

Studies of this kind are weighted venue-based samples: a round may carry a
design effect (deff >= 1, an extension of the contract; absent or null means
1). Its Wilson interval uses the effective sample size n / deff (Kish), and
its term of the Katz variance is multiplied by its deff.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Text, inspect, select, type_coerce

from . import schema as s
from .db import Databases
from .geography import Gazetteer
from .scope import Scope, study_area_visible

BENCHMARK_REDUCTION_PCT = 85.0
Z_95 = 1.96  # as the contract writes it

PREVALENCE_COLUMNS = [
    "area", "baseline_pct", "baseline_ci_low", "baseline_ci_high", "latest_round", "latest_pct",
    "latest_ci_low", "latest_ci_high", "reduction_pct", "reduction_ci_low", "reduction_ci_high",
    "benchmark_pct", "benchmark_met", "baseline_design_effect", "latest_design_effect",
]

# Beside the export's columns, for the page: what the study calls the area, and when each compared round ended.
SUMMARY_EXTRAS = ["area_name", "baseline_fieldwork_end", "latest_fieldwork_end"]


def wilson_interval(successes: int, trials: int, z: float = Z_95, design_effect: float = 1.0) -> tuple[float, float]:
    """95 % Wilson score interval of the proportion successes / trials, in percent, over the effective sample
    size trials / design_effect (Kish 1965; Wilson 1927). Always contains the estimate, within 0 to 100."""
    p = successes / trials
    n = trials / design_effect
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return 100 * max(0.0, min(p, centre - half_width)), 100 * min(1.0, max(p, centre + half_width))


def katz_reduction_interval(x1: int, n1: int, x0: int, n0: int, z: float = Z_95, deff1: float = 1.0,
                            deff0: float = 1.0) -> tuple[float | None, float | None]:
    """95 % interval of the reduction 100 (1 - r), r = (x1/n1) / (x0/n0), in percent, from the Katz log interval
    of r (Katz et al., Biometrics 1978): exp(ln r +/- z sqrt(deff1 (1/x1 - 1/n1) + deff0 (1/x0 - 1/n0))).

    - No minors at baseline (x0 = 0): no ratio, so (None, None).
    - No minors in the latest round (x1 = 0): the reduction is 100 %, and so is its upper bound (the ratio's
      lower bound is 0); the lower bound is Katz's with 0.5 added to both minors counts, the continuity
      correction the contract names.
    """
    if x0 == 0:
        return None, None
    if x1 == 0:
        corrected_high = _katz_ratio_bounds(0.5, n1, x0 + 0.5, n0, z, deff1, deff0)[1]
        return 100 * (1 - corrected_high), 100.0
    ratio_low, ratio_high = _katz_ratio_bounds(x1, n1, x0, n0, z, deff1, deff0)
    return 100 * (1 - ratio_high), 100 * (1 - ratio_low)


def _katz_ratio_bounds(x1: float, n1: int, x0: float, n0: int, z: float, deff1: float,
                       deff0: float) -> tuple[float, float]:
    ratio = (x1 / n1) / (x0 / n0)
    spread = z * math.sqrt(deff1 * (1 / x1 - 1 / n1) + deff0 * (1 / x0 - 1 / n0))
    return ratio * math.exp(-spread), ratio * math.exp(spread)


def _whole(values: pd.Series) -> pd.Series:
    """Whole numbers, NaN for anything else (SQLite keeps text in an integer column as text)."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.where(numbers == numbers.round())


def _valid_rounds(databases: Databases) -> pd.DataFrame:
    """Every round a reduction can use: a known round, a real date, 0 <= minors <= individuals, individuals > 0,
    a design effect of at least 1; the others are left out here and counted by the contract check."""
    p = s.prevalence_studies.c
    present = {column["name"] for column in inspect(databases.cases).get_columns("prevalence_studies")}
    design_effect = [p.design_effect] if "design_effect" in present else []
    # Read as stored, the date too: SQLAlchemy's SQLite date reader raises on a day that does not exist.
    query = select(p.area_pcode, p.area_name, p.round, type_coerce(p.fieldwork_end, Text).label("fieldwork_end"),
                   p.individuals_observed, p.minors_observed, *design_effect).where(p.round.in_(s.STUDY_ROUNDS))
    with databases.cases.connect() as connection:
        result = connection.execute(query)
        rounds = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    rounds["individuals_observed"] = _whole(rounds["individuals_observed"])
    rounds["minors_observed"] = _whole(rounds["minors_observed"])
    rounds["fieldwork_end"] = pd.to_datetime(rounds["fieldwork_end"].astype("string"), format="%Y-%m-%d",
                                             errors="coerce").dt.date
    rounds["design_effect"] = (pd.to_numeric(rounds["design_effect"], errors="coerce").fillna(1.0)
                               if design_effect else 1.0)
    valid = (rounds["individuals_observed"] > 0) & rounds["minors_observed"].between(0, rounds["individuals_observed"]) \
        & rounds["fieldwork_end"].notna() & (rounds["design_effect"] >= 1)
    return rounds[valid].sort_values(["area_pcode", "fieldwork_end"], kind="stable").reset_index(drop=True)


def _area_row(area: str, baseline: pd.Series, latest: pd.Series) -> dict:
    x0, n0, deff0 = int(baseline.minors_observed), int(baseline.individuals_observed), float(baseline.design_effect)
    x1, n1, deff1 = int(latest.minors_observed), int(latest.individuals_observed), float(latest.design_effect)
    baseline_low, baseline_high = wilson_interval(x0, n0, design_effect=deff0)
    latest_low, latest_high = wilson_interval(x1, n1, design_effect=deff1)
    reduction = None if x0 == 0 else 100 * (1 - (x1 / n1) / (x0 / n0))
    reduction_low, reduction_high = katz_reduction_interval(x1, n1, x0, n0, deff1=deff1, deff0=deff0)
    return dict(
        area=area, baseline_pct=100 * x0 / n0, baseline_ci_low=baseline_low, baseline_ci_high=baseline_high,
        latest_round=latest["round"], latest_pct=100 * x1 / n1, latest_ci_low=latest_low, latest_ci_high=latest_high,
        reduction_pct=reduction, reduction_ci_low=reduction_low, reduction_ci_high=reduction_high,
        benchmark_pct=BENCHMARK_REDUCTION_PCT,
        benchmark_met=reduction is not None and reduction >= BENCHMARK_REDUCTION_PCT,
        baseline_design_effect=deff0, latest_design_effect=deff1,
    )


def prevalence_summary(databases: Databases) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(export rows for areas with a baseline and a later round, with their names and the fieldwork end dates of
    both rounds compared; baseline-only areas).

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
            low, high = wilson_interval(x0, n0, design_effect=float(baseline.design_effect))
            baseline_only.append(dict(area=area, area_name=baseline.area_name, baseline_pct=100 * x0 / n0,
                                      baseline_ci_low=low, baseline_ci_high=high,
                                      baseline_design_effect=float(baseline.design_effect),
                                      fieldwork_end=baseline.fieldwork_end))
            continue
        latest = later.iloc[-1]
        rows.append(_area_row(area, baseline, latest) | {"area_name": baseline.area_name,
                                                        "baseline_fieldwork_end": baseline.fieldwork_end,
                                                        "latest_fieldwork_end": latest.fieldwork_end})
    summary = pd.DataFrame(rows, columns=PREVALENCE_COLUMNS + SUMMARY_EXTRAS)
    return summary, pd.DataFrame(baseline_only)


def visible_study_rows(frame: pd.DataFrame, scope: Scope, gazetteer: Gazetteer) -> pd.DataFrame:
    """The rows of the study areas the scope may see."""
    if frame.empty:
        return frame
    return frame[frame["area"].map(lambda area: study_area_visible(area, scope, gazetteer))].reset_index(drop=True)


def prevalence_export(databases: Databases, scope: Scope, gazetteer: Gazetteer) -> pd.DataFrame:
    """The contract's `prevalence` export rows of the study areas the scope may see."""
    return visible_study_rows(prevalence_summary(databases)[0], scope, gazetteer)[PREVALENCE_COLUMNS]
