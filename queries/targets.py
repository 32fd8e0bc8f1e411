"""The five-year plan's targets (IMPACT_TARGETS_FILE) and progress against them.

Targets are read from a small CSV (indicator,year,target). Progress compares
the year-to-date value of an indicator, computed by the indicator engine for
the whole calendar year (records dated after today do not exist yet), with the
year's target:

- counts and the per-100,000 rate accumulate over the year: the projection is
  a straight line, actual / (share of the year elapsed);
- percentages are a level, not a sum: the projection is the current value;
- medians of days are better when lower: the target is compared the other way round.

Status: on track when the projection reaches 100 % of the target, at risk from
90 %, off track below 90 %; a year that is over has no projection left to make,
and is met (100 % or more) or missed. The status is decided on the unrounded
values.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd
from .definitions import INDICATORS
from .indicators import IndicatorEngine
from .periods import Period, year_period
from .scope import AreaFilter

TARGET_COLUMNS = ("indicator", "year", "target")
ON_TRACK, AT_RISK, OFF_TRACK = "on track", "at risk", "off track"
MET, MISSED = "met", "missed"
NOT_STARTED, HIDDEN, NO_VALUE = "not started", "hidden", "no value"
AT_RISK_FROM = 0.9
ACCUMULATING_KINDS = ("count", "rate")
PROGRESS_COLUMNS = ["indicator", "year", "target", "actual", "suppressed", "reliable", "days_elapsed", "days_in_year",
                    "projection", "percent_of_target", "status"]


def load_targets(path: Path | str) -> pd.DataFrame:
    """The targets CSV as (indicator, year, target); a bad line raises ValueError naming it."""
    path = Path(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in TARGET_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name} line 1: missing column(s) {', '.join(missing)}; "
                             f"the header must be {','.join(TARGET_COLUMNS)}")
        rows, seen = [], {}
        for line, record in enumerate(reader, start=2):
            row = _target_row(record, f"{path.name} line {line}")
            key = (row["indicator"], row["year"])
            if key in seen:
                raise ValueError(f"{path.name} line {line}: a second target for {key[0]} in {key[1]} "
                                 f"(the first is on line {seen[key]})")
            seen[key] = line
            rows.append(row)
    return pd.DataFrame(rows, columns=list(TARGET_COLUMNS))


def _target_row(record: dict, where: str) -> dict:
    code = (record.get("indicator") or "").strip()
    if code not in INDICATORS:
        raise ValueError(f"{where}: unknown indicator code {code[:40]!r}")
    year_text, target_text = (record.get("year") or "").strip(), (record.get("target") or "").strip()
    if not year_text.isdigit() or not 1990 <= int(year_text) <= 2100:
        raise ValueError(f"{where}: year {year_text[:20]!r} is not a year like 2026")
    try:
        target = float(target_text)
    except ValueError:
        raise ValueError(f"{where}: target {target_text[:20]!r} is not a number") from None
    if not math.isfinite(target) or target < 0:
        raise ValueError(f"{where}: target {target_text[:20]!r} must be a number of 0 or more")
    return {"indicator": code, "year": int(year_text), "target": target}


def days_elapsed(year: int, today: date) -> tuple[int, int]:
    """(days of `year` up to and including today, days in the year)."""
    period = year_period(year)
    length = (period.end - period.start).days
    return max(0, min(length, (today - period.start).days + 1)), length


def status_of(kind: str, value: float | None, target: float, year_over: bool = False) -> tuple[float | None, str]:
    """(percent of target, status) for a projected value, or for the final value of a year that is over;
    medians count lower as better."""
    if value is None:
        return None, NO_VALUE
    if kind == "median":
        share = 1.0 if value <= target else (target / value)
    else:
        share = 1.0 if target == 0 else value / target
    if year_over:
        return 100.0 * share, MET if share >= 1 else MISSED
    status = ON_TRACK if share >= 1 else AT_RISK if share >= AT_RISK_FROM else OFF_TRACK
    return 100.0 * share, status


def progress(engine: IndicatorEngine, targets: pd.DataFrame, year: int,
             area_filter_factory: Callable[[Period], AreaFilter], today: date, k: int) -> pd.DataFrame:
    """Year-to-date actual, projection and status of every indicator with a target in `year`."""
    return _progress_of_years(engine, targets, [year], area_filter_factory, today, k)


def plan_progress(engine: IndicatorEngine, targets: pd.DataFrame,
                  area_filter_factory: Callable[[Period], AreaFilter], today: date, k: int) -> pd.DataFrame:
    """`progress` for every year of the plan, oldest first."""
    years = sorted(int(year) for year in targets["year"].unique())
    return _progress_of_years(engine, targets, years, area_filter_factory, today, k)


def _progress_of_years(engine: IndicatorEngine, targets: pd.DataFrame, years: list[int],
                       area_filter_factory: Callable[[Period], AreaFilter], today: date, k: int) -> pd.DataFrame:
    """Progress rows of the given years, their actuals computed together (one query per family)."""
    wanted = targets[targets["year"].isin(years)]
    if wanted.empty:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    periods = [year_period(year) for year in years]
    filter_ = area_filter_factory(periods[0])
    codes = tuple(dict.fromkeys(wanted["indicator"]))
    rows = engine.compute_series(filter_, periods, codes, suppress_below=k)
    rows = rows[rows["area"] == filter_.area].set_index(["period", "indicator"])
    records = [_progress_record(rows.loc[(period.label, target["indicator"])], target, today)
               for period in periods
               for target in wanted[wanted["year"] == period.year].to_dict("records")]
    frame = pd.DataFrame(records, columns=PROGRESS_COLUMNS)
    return frame.astype(object).where(frame.notna(), None)  # a missing actual or projection stays None


def _progress_record(row: pd.Series, target: dict, today: date) -> dict:
    code, year = target["indicator"], int(target["year"])
    elapsed, length = days_elapsed(year, today)
    suppressed = bool(row["suppressed"])
    actual = None if suppressed or pd.isna(row["value"]) else float(row["value"])
    record = {"indicator": code, "year": year, "target": float(target["target"]), "actual": actual,
              "suppressed": suppressed, "reliable": row["reliable"],
              "days_elapsed": elapsed, "days_in_year": length, "projection": None,
              "percent_of_target": None}
    if elapsed == 0:
        record.update(actual=None, reliable=None, status=NOT_STARTED)
    elif suppressed:
        record["status"] = HIDDEN
    else:
        kind = INDICATORS[code].kind
        projection = actual * length / elapsed if kind in ACCUMULATING_KINDS and actual is not None else actual
        record["projection"] = projection
        record["percent_of_target"], record["status"] = status_of(kind, projection, record["target"],
                                                                  year_over=elapsed == length)
    return record
