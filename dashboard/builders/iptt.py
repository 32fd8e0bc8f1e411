"""The Donor report's table: the IPTT (`queries.iptt`) as a table model, which the page shows and every file
(the page's downloads, `impact-monitor iptt`) writes."""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import version

import pandas as pd

from impact_monitor.services import Services
from impact_monitor.table_model import NOT_AVAILABLE, NOT_RELEASED, NOT_YET, Cell, Column, Table
from queries.definitions import INDICATORS
from queries.iptt import HIGHER, Actual, Iptt, IpttRow, build_iptt
from queries.periods import year_containing
from queries.publication import WITHHELD
from queries.releases import quarter_releases
from queries.scope import AreaFilter
from queries.targets import iptt_targets, load_plan

from ..components import HIDDEN
from ..i18n import N_, _, current_language, day, digits, period_name
from ..table_view import register_table_source
from ..vocabulary import code_name
from .quarterly import narratives_of, unreleased_quarters
from .release_marks import change_marks, live_changes, quarter_headings, release_notes

TABLE_ID = "iptt"
PAGE = "donor-report"
DIRECTION_NAMES = {HIGHER: N_("Higher is better"), "lower": N_("Lower is better")}


def iptt_of(svc: Services, chosen: AreaFilter) -> Iptt:
    """The IPTT of the year of the chosen period's calendar that holds the period, for the chosen area."""
    year = year_containing(chosen.period, chosen.period.calendar)
    path = svc.settings.effective_targets_file
    plan = load_plan(path) if path is not None and path.exists() else None
    targets = iptt_targets(plan, year.calendar.id, year.numbered_year) if plan is not None else {}
    return build_iptt(svc.engine, svc.gazetteer, chosen.scope, year.calendar.id, year.numbered_year, chosen.area,
                      targets, svc.databases.today(), svc.settings.suppress_below)


def iptt_table(iptt: Iptt, title: str, narratives: dict[str, str], notes: tuple[str, ...] = (),
               changes: dict[tuple[str, str], str] | None = None, unreleased: frozenset[str] = frozenset(),
               headings: list[str] | None = None) -> Table:
    """One row per IpttRow; `narratives` maps an indicator code to its deviation narrative (totals only);
    `changes` marks a total's quarter whose live figure moved since its release ((code, quarter label) -> words);
    `unreleased` names the quarters begun that an audience shown released figures only cannot see yet;
    `headings` are the quarters' column headings (by default their names)."""
    year = period_name(iptt.year.label)
    start = period_name(iptt.programme_start.label) if iptt.programme_start else None
    columns = (Column(_("Indicator")), Column(_("Disaggregation")), Column(_("Direction")),
               Column(_("Baseline"), "number"), Column(_("Baseline period")),
               Column(_("Life-of-programme target"), "number"), Column(_("Target {year}").format(year=year), "number"),
               *[Column(heading, "number")
                 for heading in headings or [period_name(quarter.label) for quarter in iptt.quarters]],
               Column(_("Year to date"), "number"), Column(_("% of annual target"), "percent"),
               Column(_("Cumulative since {start}").format(start=start) if start else _("Cumulative"), "number"),
               Column(_("Deviation narrative"), prose=True))
    rows = tuple(_row(row, narratives.get(row.indicator, "") if not row.breakdown else "",
                      [(changes or {}).get((row.indicator, quarter.label)) if not row.breakdown else None
                       for quarter in iptt.quarters], [quarter.label in unreleased for quarter in iptt.quarters])
                 for row in iptt.rows)
    return Table(TABLE_ID, title, columns, rows, notes)


def _row(row: IpttRow, narrative: str, changes: list[str | None], unreleased: list[bool]) -> tuple[Cell, ...]:
    kind = INDICATORS[row.indicator].kind
    targets = row.targets
    return (Cell(_(INDICATORS[row.indicator].label), href=f"/definitions#{row.indicator}"),
            Cell(_("Total") if not row.breakdown else f"{code_name(row.breakdown)}: {code_name(row.category)}"),
            Cell(_(DIRECTION_NAMES[row.direction])),
            _target(targets.baseline if targets else None, kind),
            Cell(period_name(targets.baseline_period) if targets and targets.baseline_period else None),
            _target(targets.life_of_programme if targets else None, kind),
            _target(targets.annual if targets else None, kind),
            *[Cell(mark=NOT_RELEASED) if hidden_by_release and actual.started
              else replace(_actual(actual, kind), change=change)
              for actual, change, hidden_by_release in zip(row.quarters, changes, unreleased)],
            _actual(row.year_to_date, kind),
            Cell(row.percent_achieved, kind="percent") if row.percent_achieved is not None
            else Cell(mark=HIDDEN) if row.year_to_date.hidden else Cell(mark=NOT_AVAILABLE),
            _actual(row.cumulative, kind),
            Cell(narrative or None))


def _target(value: float | None, kind: str) -> Cell:
    """A target as set in the targets file; a missing one is not set, which is not 0."""
    if value is None:
        return Cell(mark=NOT_AVAILABLE)
    return Cell(int(round(value)) if kind == "count" else float(value), kind=kind)


def _actual(actual: Actual, kind: str) -> Cell:
    if not actual.started:
        return Cell(mark=NOT_YET)
    if actual.withheld:
        return Cell(mark=WITHHELD)
    if actual.hidden:
        return Cell(mark=HIDDEN)
    if actual.value is None:
        return Cell(mark=NOT_AVAILABLE)
    return Cell(int(round(actual.value)) if kind == "count" else actual.value, reliable=actual.reliable, kind=kind)


def method_notes(iptt: Iptt) -> tuple[str, ...]:
    """How the columns are made, for the file's notes and under the table."""
    year = period_name(iptt.year.label)
    if iptt.released_only:
        year_to_date = _("Year to date: released figures only, so each indicator's released quarters of {year} "
                         "added up, from the first quarter to the last released in order: counts summed, "
                         "percentages pooled. An indicator that does not add up over quarters (distinct people or "
                         "cases, medians, rates) reads \"not available\".").format(year=year)
    else:
        year_to_date = _("Year to date: each indicator over {year} up to today; a quarter not begun reads "
                         "\"not yet\".").format(year=year)
    notes = [
        year_to_date,
        _("% of annual target: year to date divided by the year's target; for days, where fewer is better, the "
          "target divided by the year to date. Not capped at 100 %."),
        _("Cumulative: counts added up, and percentages pooled (numerators over denominators), over each year "
          "since the programme's first year in the targets file; medians and rates per 100,000 children do not "
          "add up over years. A sum with a hidden part is hidden."),
        _("\"not available\": no figure exists (no target set, no record to compute it from); it is not 0."),
        _("Baseline and targets are the targets file's, for the indicator as a whole."),
    ]
    if iptt.released_only:
        notes.append(_("Released figures only: an earlier year counts in the cumulative figure only when all its "
                       "quarters are released."))
    if iptt.programme_start is None:
        notes.append(_("The targets file names no programme year in this calendar: no cumulative figure."))
    return tuple(notes)


def definition_notes() -> tuple[str, ...]:
    """Each indicator's definition in one line, as the notes sheet lists them."""
    return tuple(f"{_(indicator.label)}: {_(indicator.numerator)}"
                 + (f" / {_(indicator.denominator)}" if indicator.denominator else "")
                 for indicator in INDICATORS.values())


def iptt_title(svc: Services, iptt: Iptt) -> str:
    return _("Indicator Performance Tracking Table, {area}, {year}").format(
        area=svc.gazetteer.full_name(iptt.area, current_language()), year=period_name(iptt.year.label))


def build_iptt_table(svc: Services, chosen: AreaFilter, _params: dict) -> Table:
    iptt = iptt_of(svc, chosen)
    made = _("Made by the impact monitor, version {version}, on {day}.").format(
        version=digits(version("impact-monitor")), day=day(svc.databases.today()))
    # As on the quarterly table: only leadership's exact figures may say how far they moved since a release.
    quarters = list(iptt.quarters)
    found = quarter_releases(svc.store, quarters)
    changes = live_changes(svc, quarters, found, iptt.area, None if chosen.scope.suppressed else live_totals(iptt))
    released_only = svc.engine.publications.shows_released(chosen.scope)
    notes = (*method_notes(iptt), *release_notes(svc, quarters, found, changes, released_only), made,
             *definition_notes())
    return iptt_table(iptt, iptt_title(svc, iptt), narratives_of(svc, iptt.quarters, iptt.area), notes,
                      change_marks(changes), unreleased_quarters(svc, chosen.scope, quarters),
                      quarter_headings(quarters, found, released_only))


def live_totals(iptt: Iptt) -> pd.DataFrame:
    """The quarters' figures of each indicator's total row, as the engine's rows: indicator, period, area, value
    (NaN where there is none, a quarter not begun included)."""
    return pd.DataFrame([{"indicator": row.indicator, "period": quarter.label, "area": iptt.area,
                          "value": float("nan") if actual.value is None else actual.value}
                         for row in iptt.rows if not row.breakdown
                         for quarter, actual in zip(iptt.quarters, row.quarters)])


register_table_source(TABLE_ID, PAGE, build_iptt_table)
