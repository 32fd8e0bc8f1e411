"""The five-year plan's targets (IMPACT_TARGETS_FILE) and progress against them.

The plan is a small CSV. Its columns `indicator,year,target` are required and,
alone, are the annual targets of calendar years. Two optional columns say more:
`calendar` (calendar, bd-fiscal or us-fiscal; empty: calendar) is the calendar
`year` belongs to (2027 in bd-fiscal is BD-FY2027); `type` is annual (empty:
annual), baseline (`target` is the value measured over that year) or
life-of-programme (the target of the whole programme, `year` its last year). An
Indicator Performance Tracking Table reads every row (`load_plan`,
`iptt_targets`); progress reads the calendar years' annual targets
(`load_targets`).

Progress compares the year-to-date value of an indicator, computed by the
indicator engine for the whole calendar year (records dated after today do not
exist yet), with the year's target:

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
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from .definitions import INDICATORS
from .indicators import IndicatorEngine
from .periods import (CALENDAR_YEAR, CALENDARS, Calendar, Period, PeriodError, calendar_named, quarters_of, year_of,
                      year_period)
from .released_years import released_year
from .scope import AreaFilter

TARGET_COLUMNS = ("indicator", "year", "target")  # required; alone they mean annual targets of calendar years
OPTIONAL_COLUMNS = ("calendar", "type")
PLAN_COLUMNS = ("indicator", "calendar", "type", "year", "target")
ANNUAL, BASELINE, LIFE_OF_PROGRAMME = "annual", "baseline", "life-of-programme"
TARGET_TYPES = (ANNUAL, BASELINE, LIFE_OF_PROGRAMME)
ONE_PER_CALENDAR = (BASELINE, LIFE_OF_PROGRAMME)  # one row per indicator and calendar, whatever its year
FIRST_YEAR, LAST_YEAR = 1990, 2100
_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits: str.isdigit() takes "²" and int() then fails
ON_TRACK, AT_RISK, OFF_TRACK = "on track", "at risk", "off track"
MET, MISSED = "met", "missed"
NOT_STARTED, HIDDEN, NO_VALUE, NOT_RELEASED = "not started", "hidden", "no value", "not released"
AT_RISK_FROM = 0.9
ACCUMULATING_KINDS = ("count", "rate")
PROGRESS_COLUMNS = ["indicator", "year", "target", "actual", "suppressed", "reliable", "days_elapsed", "days_in_year",
                    "projection", "percent_of_target", "status"]


def load_targets(path: Path | str) -> pd.DataFrame:
    """The annual targets of calendar years, as (indicator, year, target): what the Five-year targets and
    Quarterly indicators pages compare with. The whole file is checked (`load_plan`); a bad line raises
    ValueError naming it."""
    plan = load_plan(path)
    annual = plan[(plan["calendar"] == CALENDAR_YEAR) & (plan["type"] == ANNUAL)]
    return annual[list(TARGET_COLUMNS)].reset_index(drop=True)


def load_plan(path: Path | str) -> pd.DataFrame:
    """Every row of the targets file, checked, as (indicator, calendar, type, year, target) in file order.

    `calendar` is a key of periods.CALENDARS and `year` a year of it (2027 in bd-fiscal is BD-FY2027); `type` is
    one of TARGET_TYPES; `target` is a float (a baseline's value for a baseline row). Without the optional
    columns every row is an annual target of a calendar year. Raises ValueError naming the file and its line:
    a missing, unknown or repeated column, an unknown indicator, calendar or type, a year outside 1990-2100, a
    target that is not a number of 0 or more, a second row for the same (indicator, calendar, type, year), a
    second baseline or life-of-programme row for one indicator and calendar, more values than columns, or a
    file that is not UTF-8 text. OSError when it cannot be read at all."""
    path = Path(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        try:
            return _read_plan(reader, path.name)
        except UnicodeDecodeError:
            raise ValueError(f"{path.name}: not UTF-8 text; save it as \"CSV UTF-8\"") from None
        except csv.Error as error:  # a value longer than the csv module takes; the line is not counted yet
            raise ValueError(f"{path.name} line {reader.line_num + 1}: not CSV ({error})") from None


def _read_plan(reader: csv.DictReader, name: str) -> pd.DataFrame:
    if reader.fieldnames:
        reader.fieldnames = [column.strip() for column in reader.fieldnames]  # "indicator, year, target" too
    _check_header(reader.fieldnames or [], name)
    rows, seen = [], {}
    for record in reader:
        where = f"{name} line {reader.line_num}"
        if None in record:  # DictReader's key for values beyond the header's columns
            raise ValueError(f"{where}: more values than the header has columns "
                             f"(a number written with a comma, like 1,000?)")
        row = _plan_row(record, where)
        _check_not_repeated(row, seen, reader.line_num, where)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS)).astype({"year": "int64", "target": "float64"})


def _check_header(columns: list[str], name: str) -> None:
    """Refuse a header without the required columns, or with a column no reader knows (a misspelt optional
    column must not be silently ignored), or with one twice."""
    expected = (f"the header must be {','.join(TARGET_COLUMNS)}, optionally with "
                f"{' and '.join(OPTIONAL_COLUMNS)}")
    missing = [c for c in TARGET_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"{name} line 1: missing column(s) {', '.join(missing)}; {expected}")
    unknown = [repr(c[:40]) for c in columns if c not in PLAN_COLUMNS]
    if unknown:
        raise ValueError(f"{name} line 1: unknown column(s) {', '.join(unknown)}; {expected}")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise ValueError(f"{name} line 1: column(s) {', '.join(repeated)} more than once")


def _plan_row(record: dict, where: str) -> dict:
    code = (record.get("indicator") or "").strip()
    if code not in INDICATORS:
        raise ValueError(f"{where}: unknown indicator code {code[:40]!r}")
    calendar_text = (record.get("calendar") or "").strip() or CALENDAR_YEAR
    try:
        calendar = calendar_named(calendar_text)
    except PeriodError:
        raise ValueError(f"{where}: unknown calendar {calendar_text[:30]!r}; use {', '.join(CALENDARS)} "
                         f"(empty: {CALENDAR_YEAR})") from None
    type_ = (record.get("type") or "").strip().lower() or ANNUAL
    if type_ not in TARGET_TYPES:
        raise ValueError(f"{where}: unknown type {type_[:30]!r}; use {', '.join(TARGET_TYPES)} (empty: {ANNUAL})")
    year_text, target_text = (record.get("year") or "").strip(), (record.get("target") or "").strip()
    if not _YEAR.fullmatch(year_text) or not FIRST_YEAR <= int(year_text) <= LAST_YEAR:
        raise ValueError(f"{where}: year {year_text[:20]!r} is not a year like 2026 ({FIRST_YEAR}-{LAST_YEAR})")
    try:
        target = float(target_text)
    except ValueError:
        raise ValueError(f"{where}: target {target_text[:20]!r} is not a number") from None
    if not math.isfinite(target) or target < 0:
        raise ValueError(f"{where}: target {target_text[:20]!r} must be a number of 0 or more")
    return {"indicator": code, "calendar": calendar.id, "type": type_, "year": int(year_text), "target": target}


def _check_not_repeated(row: dict, seen: dict, line: int, where: str) -> None:
    """One row per (indicator, calendar, type, year), and one baseline and one life-of-programme target per
    indicator and calendar. `seen` maps the keys of earlier rows to their lines."""
    code, calendar, type_ = row["indicator"], row["calendar"], row["type"]
    if type_ in ONE_PER_CALENDAR:
        key, repeated = (code, calendar, type_), f"a second {type_} row for {code} in calendar {calendar}"
    else:
        period = year_of(CALENDARS[calendar], row["year"]).label
        key, repeated = (code, calendar, type_, row["year"]), f"a second target for {code} in {period}"
    if key in seen:
        raise ValueError(f"{where}: {repeated} (the first is on line {seen[key]})")
    seen[key] = line


@dataclass(frozen=True)
class IndicatorTargets:
    """What an Indicator Performance Tracking Table shows of the plan for one indicator, in one year of one
    calendar. Labels are period labels (periods.year_of(...).label): "2025", "BD-FY2025", "US-FY2025"."""

    baseline: float | None
    baseline_period: str | None  # the year the baseline was measured over, in the calendar of its row
    life_of_programme: float | None
    annual: float | None  # the target of the year asked for
    programme_start: str | None  # the first year of the asked calendar with an annual or life-of-programme row


def iptt_targets(plan: pd.DataFrame, calendar_id: str, year: int) -> dict[str, IndicatorTargets]:
    """{indicator code: its targets} for year `year` of calendar `calendar_id`, from a `load_plan` frame, in the
    order of INDICATORS; an indicator with no row at all is absent. The baseline and the life-of-programme target
    are those of the asked calendar; without one there, another calendar's (the calendar year first, then in the
    order of periods.CALENDARS), so a baseline's period may name another calendar's year. PeriodError for an
    unknown calendar or a year outside 1990-2100."""
    calendar = calendar_named(calendar_id)
    year_of(calendar, year)  # refuses a year no period has
    by_indicator: dict[str, list[dict]] = {}
    for row in plan.to_dict("records"):
        by_indicator.setdefault(row["indicator"], []).append(row)
    return {code: _indicator_targets(by_indicator[code], calendar, year)
            for code in INDICATORS if code in by_indicator}


def _indicator_targets(rows: list[dict], calendar: Calendar, year: int) -> IndicatorTargets:
    baseline = _one_per_calendar(rows, BASELINE, calendar)
    life = _one_per_calendar(rows, LIFE_OF_PROGRAMME, calendar)
    annual = [row["target"] for row in rows
              if row["calendar"] == calendar.id and row["type"] == ANNUAL and row["year"] == year]
    planned_years = [row["year"] for row in rows if row["calendar"] == calendar.id and row["type"] != BASELINE]
    return IndicatorTargets(
        baseline=baseline["target"] if baseline else None,
        baseline_period=year_of(CALENDARS[baseline["calendar"]], baseline["year"]).label if baseline else None,
        life_of_programme=life["target"] if life else None,
        annual=annual[0] if annual else None,
        programme_start=year_of(calendar, min(planned_years)).label if planned_years else None,
    )


def _one_per_calendar(rows: list[dict], type_: str, calendar: Calendar) -> dict | None:
    """The row of `type_` in `calendar`, else the first calendar's in CALENDARS order that has one, else None."""
    of_type = {row["calendar"]: row for row in rows if row["type"] == type_}
    for calendar_id in (calendar.id, *CALENDARS):
        if calendar_id in of_type:
            return of_type[calendar_id]
    return None


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
    rows = (_released_years(engine, filter_, periods, codes, today, k) if engine.publications.shows_released(
        filter_.scope) else engine.compute_series(filter_, periods, codes, suppress_below=k))
    rows = rows[rows["area"] == filter_.area].set_index(["period", "indicator"])
    records = [_progress_record(rows.loc[(period.label, target["indicator"])], target, today)
               for period in periods
               for target in wanted[wanted["year"] == period.year].to_dict("records")]
    frame = pd.DataFrame(records, columns=PROGRESS_COLUMNS)
    return frame.astype(object).where(frame.notna(), None)  # a missing actual or projection stays None


def _released_years(engine: IndicatorEngine, filter_: AreaFilter, years: list[Period], codes: tuple[str, ...],
                    today: date, k: int) -> pd.DataFrame:
    """The years' rows (indicator, period, area, value, suppressed, reliable, released) for an audience shown
    released figures only: each added up from its released quarters (`released_years.released_year`); `released`
    is False where it cannot be (a quarter begun not released, or an indicator whose year is not the sum of its
    quarters)."""
    quarters = [quarter for year in years for quarter in quarters_of(year)]
    rows = engine.compute_series(filter_, quarters, codes, suppress_below=k)
    rows = rows[rows["area"] == filter_.area]
    records = []
    for code in codes:
        by_period = {record["period"]: record for record in rows[rows["indicator"] == code].to_dict("records")}
        for year in years:
            found = released_year(code, year, by_period, today)
            records.append({"indicator": code, "period": year.label, "area": filter_.area, "released": bool(found),
                            **(found or {"value": None, "suppressed": False, "reliable": None})})
    return pd.DataFrame(records)


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
    elif not row.get("released", True):
        record["status"] = NOT_RELEASED
    elif suppressed:
        record["status"] = HIDDEN
    else:
        kind = INDICATORS[code].kind
        projection = actual * length / elapsed if kind in ACCUMULATING_KINDS and actual is not None else actual
        record["projection"] = projection
        record["percent_of_target"], record["status"] = status_of(kind, projection, record["target"],
                                                                  year_over=elapsed == length)
    return record
