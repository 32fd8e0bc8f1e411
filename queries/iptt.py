"""The Indicator Performance Tracking Table (IPTT) of one year of a reporting calendar, as donors report it.

One row per indicator, and per sex, age band or case type where the indicator is defined for them
(`definitions.Indicator.disaggregations`). Each row holds the baseline and its period, the life-of-programme
target and the year's target (from the targets file, `targets.iptt_targets`; totals only: the plan sets no target
per sex or age band), the actual of each quarter of the year, the year to date, the percentage of the year's
target achieved, the cumulative actual since the programme's first year, and the direction of good.

Every actual is the indicator engine's figure for the audience (`suppress_below`): an external audience's come
from its protected cells, and it must report in the IPTT's calendar (`scope.reporting_period` refuses another
calendar's year), so the year to date is the year its quarters are protected with.

- year to date: the indicator over the year so far (records dated after today do not exist yet);
- percentage achieved: year to date / annual target x 100; for medians of days, where fewer is better,
  target / year to date x 100. Not capped: 130 % is 30 % beyond the target;
- cumulative: counts and percentages only. A count adds up the totals of each year of the calendar from the
  programme's first year to this one; a percentage divides the sum of the numerators by the sum of the
  denominators. Either is hidden when a part is hidden (a sum with a hidden part would give it away). A median
  or a rate per 100,000 children does not add up over years: not available.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from .definitions import INDICATORS, reliable
from .geography import Gazetteer
from .indicators import GROUP_VALUES, IndicatorEngine
from .periods import Period, calendar_named, parse_period, quarters_of, year_of
from .released_years import missing, not_available, released_year
from .scope import Scope, make_filter
from .targets import IndicatorTargets

HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Actual:
    """One figure of the table: `value` None with `hidden` for a count the audience may not see; None and not
    hidden when no figure exists (no record to compute it from, a quarter not begun, a sum that does not add
    up); `reliable` False for a rate or percentage on fewer than 20 events."""

    value: float | None = None
    hidden: bool = False
    withheld: bool = False
    reliable: bool | None = None
    started: bool = True


@dataclass(frozen=True)
class IpttRow:
    indicator: str
    breakdown: str  # "" for the total, else case_type, sex or age_band
    category: str  # "" for the total, else the group (female, <12, ...)
    direction: str  # HIGHER or LOWER is better
    targets: IndicatorTargets | None  # the total's; None for a breakdown's row or an indicator with no target
    quarters: tuple[Actual, Actual, Actual, Actual]
    year_to_date: Actual
    percent_achieved: float | None
    cumulative: Actual


@dataclass(frozen=True)
class Iptt:
    """The table of `year` (a year Period of the IPTT's calendar) for `area`, with the first year of the
    cumulative column (None when the targets file names none for this calendar)."""

    year: Period
    area: str
    quarters: tuple[Period, ...]
    programme_start: Period | None
    rows: tuple[IpttRow, ...]
    released_only: bool = False  # the audience is shown released quarters only: years are added up from them


def direction_of(code: str) -> str:
    """Which way is good: fewer days for a median, more of everything else (as the five-year targets judge)."""
    return LOWER if INDICATORS[code].kind == "median" else HIGHER


def percent_achieved(code: str, actual: Actual, target: float | None) -> float | None:
    """The share of `target` that `actual` achieves, in percent (see the module); None when either is missing
    or hidden, or the target is 0 where it divides."""
    if actual.value is None or target is None:
        return None
    if direction_of(code) == LOWER:
        return None if actual.value == 0 else 100.0 * target / actual.value
    return None if target == 0 else 100.0 * actual.value / target


def build_iptt(engine: IndicatorEngine, gazetteer: Gazetteer, scope: Scope, calendar_id: str, year: int,
               area: str, targets: dict[str, IndicatorTargets], today: date, suppress_below: int) -> Iptt:
    """The IPTT of `year` of calendar `calendar_id` for `area` as `scope` may see it. Raises PeriodError for an
    unknown calendar or year, FilterError for an area, or a year of another calendar, outside the scope."""
    the_year = year_of(calendar_named(calendar_id), year)
    quarters = quarters_of(the_year)
    start = _programme_start(targets, the_year)
    past_years = [] if start is None else [year_of(the_year.calendar, number)
                                           for number in range(start.numbered_year, the_year.numbered_year)]
    filter_ = make_filter(the_year, area, _level(area, gazetteer), scope, gazetteer)
    released_only = engine.publications.shows_released(scope)
    # An audience shown released figures only is shown no year: its years are added up from their quarters.
    years = [year for each in (*past_years, the_year) for year in (quarters_of(each) if released_only else (each,))]
    frames = {breakdown: _figures(engine, filter_, list(dict.fromkeys([*quarters, *years])), breakdown, today,
                                  suppress_below)
              for breakdown in ("", *GROUP_VALUES)}
    rows = []
    for code, indicator in INDICATORS.items():
        for breakdown in ("", *indicator.disaggregations):
            categories = [""] if not breakdown else list(GROUP_VALUES[breakdown])
            for category in categories:
                figures = frames[breakdown]
                key = (code, category)
                if key not in figures.index:
                    continue
                rows.append(_row(code, breakdown, category, figures.loc[key], quarters, the_year, past_years,
                                 targets.get(code) if not breakdown else None, today, released_only))
    return Iptt(the_year, filter_.area, quarters, start, tuple(rows), released_only)


def _level(area: str, gazetteer: Gazetteer) -> str:
    return gazetteer.areas[area].level if area in gazetteer.areas else "national"


def _programme_start(targets: dict[str, IndicatorTargets], the_year: Period) -> Period | None:
    """The first year of the programme in the IPTT's calendar: the earliest any indicator's targets name."""
    years = [parse_period(t.programme_start) for t in targets.values() if t.programme_start]
    earliest = min((year for year in years if year.calendar == the_year.calendar), default=None)
    return None if earliest is None or earliest > the_year else earliest


def _figures(engine: IndicatorEngine, filter_, periods: list[Period], breakdown: str, today: date,
             suppress_below: int) -> pd.DataFrame:
    """(indicator, group) -> the engine's rows of each period that has begun by `today`, the area's own only,
    indexed by period label in a column."""
    begun = [period for period in periods if period.start <= today]
    frames = [engine.compute(replace(filter_, period=period), None, disaggregate=breakdown or None,
                             suppress_below=suppress_below) for period in begun]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["indicator", "period", "area", "value", "numerator", "denominator", "suppressed", "withheld",
                 "reliable", "group"])
    rows = rows[rows["area"] == filter_.area]
    if "group" not in rows.columns:
        rows = rows.assign(group="")
    return rows.set_index(["indicator", "group"]).sort_index()


def _row(code: str, breakdown: str, category: str, figures: pd.DataFrame, quarters, the_year: Period,
         past_years: list[Period], targets: IndicatorTargets | None, today: date, released_only: bool) -> IpttRow:
    by_period = {record["period"]: record for record in figures.reset_index().to_dict("records")}
    quarter_actuals = tuple(_actual(by_period.get(q.label), started=q.start <= today) for q in quarters)
    if released_only:
        by_period |= {year.label: released_year(code, year, by_period, today) for year in past_years}
        by_period[the_year.label] = released_year(code, the_year, by_period, today, whole=False)
    year_to_date = _actual(by_period.get(the_year.label), started=the_year.start <= today)
    annual = targets.annual if targets else None
    cumulative = _cumulative(code, [by_period.get(y.label) for y in past_years] + [by_period.get(the_year.label)]) \
        if the_year.start <= today else Actual(started=False)
    return IpttRow(code, breakdown, category, direction_of(code), targets, quarter_actuals, year_to_date,
                   percent_achieved(code, year_to_date, annual), cumulative)


def _actual(record: dict | None, started: bool = True) -> Actual:
    if not started:
        return Actual(started=False)
    if record is None:
        return Actual()
    if record["suppressed"] or record["withheld"]:
        return Actual(hidden=bool(record["suppressed"]), withheld=bool(record["withheld"]))
    value = record["value"]
    flag = record.get("reliable")
    return Actual(None if missing(value) else float(value),
                  reliable=None if flag is None or missing(flag) else bool(flag))


def _cumulative(code: str, records: list[dict | None]) -> Actual:
    """The sum over the years of a count, or the pooled percentage; see the module."""
    kind = INDICATORS[code].kind
    if kind not in ("count", "percent") or any(not_available(record) for record in records):
        return Actual()
    if any(record["suppressed"] or record["withheld"] for record in records):
        return Actual(hidden=True)
    if kind == "count":
        return Actual(float(sum(0 if missing(r["value"]) else float(r["value"]) for r in records)))
    numerator = sum(0 if missing(r["numerator"]) else float(r["numerator"]) for r in records)
    denominator = sum(0 if missing(r["denominator"]) else float(r["denominator"]) for r in records)
    if denominator == 0:
        return Actual()
    percent = 100.0 * numerator / denominator
    return Actual(percent, reliable=reliable(kind, percent, numerator))
