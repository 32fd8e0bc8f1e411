"""Builders of the five-year targets page: this year's progress table, the plan table and its small charts,
and the tables' sources for their downloads.

Inputs are `queries.targets.progress` / `plan_progress` frames: a suppressed actual is already null there, and
shows as "hidden" here, with the projection and share built on it.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from impact_monitor.services import Services
from impact_monitor.table_model import NOT_AVAILABLE, NOT_RELEASED as NOT_RELEASED_MARK, NOT_YET, Cell, Column, Table
from queries.definitions import INDICATORS
from queries.geography import NATIONAL
from queries.released_years import missing
from queries.scope import AreaFilter, make_filter
from queries.targets import (
    AT_RISK, HIDDEN as HIDDEN_STATUS, MET, MISSED, NO_VALUE, NOT_RELEASED, NOT_STARTED, OFF_TRACK, ON_TRACK,
    load_targets, plan_progress,
)

from ..components import HIDDEN, hidden_bar_marks
from ..i18n import N_, _, current_language, digits, number
from ..table_view import register_table_source
from .chart_language import CHART_FONT, localized_ticks

ACTUAL_COLOUR, TARGET_COLOUR = "#0072B2", "#E69F00"  # Okabe-Ito blue and orange
STATUS_CLASSES = {ON_TRACK: "status-on-track", MET: "status-on-track", AT_RISK: "status-at-risk",
                  OFF_TRACK: "status-off-track", MISSED: "status-off-track"}
STATUS_NAMES = {ON_TRACK: N_("on track"), AT_RISK: N_("at risk"), OFF_TRACK: N_("off track"), MET: N_("met"),
                MISSED: N_("missed"), NOT_STARTED: N_("not started"), HIDDEN_STATUS: N_("hidden"),
                NO_VALUE: N_("no value"), NOT_RELEASED: NOT_RELEASED_MARK}
# The mark of an actual (and of the projection and share built on it) that has no value, by the row's status.
MISSING_MARKS = {NOT_STARTED: NOT_YET, NOT_RELEASED: NOT_RELEASED_MARK}
# The tables' column headings, translated when a table is built.
INDICATOR, YEAR, TARGET, SHARE, STATUS = N_("Indicator"), N_("Year"), N_("Target"), N_("Share of target"), N_("Status")
ACTUAL, ACTUAL_TO_DATE, PROJECTED = N_("Actual"), N_("Actual, year to date"), N_("Projected for the year")
PROGRESS_TABLE, PLAN_TABLE, PAGE = "targets-progress-table", "targets-plan-table", "five-year-targets"
SHARE_NOTE = N_("A share of the target is cut, not rounded, to one decimal: a share just under 100 % or 90 % never "
                "reads as reaching it, so the share always agrees with the status.")
RELEASED_YEARS_NOTE = N_("Released figures only: a year's actual is its released quarters added up (counts summed, "
                         "percentages pooled), and reads \u201cnot released\u201d until every quarter of it begun "
                         "has been released. A year of an indicator that does not add up over quarters (distinct "
                         "people or cases, medians, rates) is not released.")


def status_name(status: str) -> str:
    return _(STATUS_NAMES.get(status, status))


def year_name(year) -> str:
    return digits(str(year))


def shown_share(percent) -> float | None:
    """The share of the target as the table shows it: cut to one decimal, so that a share of 99.96 % (at risk)
    reads 99.9 %, never 100.0 %, and the share shown always sits on the same side of 90 % and 100 % as the share
    the status was decided on."""
    if missing(percent):
        return None
    return math.floor(round(float(percent) * 10, 6)) / 10


def _number(value, code: str) -> Cell:
    """A target of an indicator, of its indicator's kind: its column holds counts in one row and percentages or
    days in the next; "not available" where none is set."""
    if missing(value):
        return Cell(mark=NOT_AVAILABLE)
    kind = INDICATORS[code].kind
    return Cell(int(round(value)) if kind == "count" else float(value), kind=kind)


def _measured(value, row, share: bool = False) -> Cell:
    """An actual of a progress row, or a projection or `share` of the target built on it: hidden when the actual
    is, marked by the row's status where there is none (not started, not released, not available), never a blank
    that reads as 0."""
    kind = None if share else INDICATORS[row.indicator].kind  # a share is its column's kind, a percentage
    if row.suppressed:
        return Cell(mark=HIDDEN, kind=kind)
    if missing(value):
        return Cell(mark=MISSING_MARKS.get(row.status, NOT_AVAILABLE), kind=kind)
    if share:
        return Cell(float(value))  # no reliability of its own
    return Cell(int(round(value)) if kind == "count" else float(value),
                reliable=None if row.reliable is None or pd.isna(row.reliable) else bool(row.reliable), kind=kind)


def _indicator(code: str) -> Cell:
    return Cell(_(INDICATORS[code].label), href=f"/definitions#{code}")


def progress_table(progress: pd.DataFrame, title: str = "", released_only: bool = False) -> Table:
    """This year's progress, one row per indicator with a target; `released_only` for an audience shown released
    figures only (a note says how its year is added up)."""
    columns = (Column(_(INDICATOR)), Column(_(TARGET), "number"), Column(_(ACTUAL_TO_DATE), "number"),
               Column(_(PROJECTED), "number"), Column(_(SHARE), "percent"), Column(_(STATUS)))
    rows = tuple(
        (_indicator(row.indicator), _number(row.target, row.indicator), _measured(row.actual, row),
         # A projection rests on the same events as the actual it scales.
         _measured(row.projection, row), _measured(shown_share(row.percent_of_target), row, share=True),
         Cell(status_name(row.status)))
        for row in progress.itertuples())
    return Table(PROGRESS_TABLE, title, columns, rows, notes=table_notes(released_only))


def plan_table(plan: pd.DataFrame, title: str = "", released_only: bool = False) -> Table:
    """Every year of the plan: actual (year to date for the current year) against target."""
    columns = (Column(_(INDICATOR)), Column(_(YEAR)), Column(_(ACTUAL), "number"), Column(_(TARGET), "number"),
               Column(_(SHARE), "percent"), Column(_(STATUS)))
    rows = tuple(
        (_indicator(row.indicator), Cell(year_name(row.year)), _measured(row.actual, row),
         _number(row.target, row.indicator), _measured(shown_share(row.percent_of_target), row, share=True),
         Cell(status_name(row.status)))
        for row in plan.itertuples())
    return Table(PLAN_TABLE, title, columns, rows, notes=table_notes(released_only))


def table_notes(released_only: bool) -> tuple[str, ...]:
    return (_(SHARE_NOTE), *([_(RELEASED_YEARS_NOTE)] if released_only else []))


def plan_figures(plan: pd.DataFrame, current_year: int) -> list[tuple[str, go.Figure]]:
    """Small multiples, one chart per indicator (its title is the page's heading above it, never under the
    chart's toolbar): actual and target bars per year; a hidden actual is written "hidden" where its bar would
    stand, never left blank to read as zero."""
    return [(code, _indicator_figure(plan[plan["indicator"] == code], code, current_year))
            for code in dict.fromkeys(plan["indicator"])]


def _indicator_figure(one: pd.DataFrame, code: str, current_year: int) -> go.Figure:
    years = [_("{year} (to date)").format(year=year_name(y)) if y == current_year else year_name(y)
             for y in one["year"]]
    actual = [None if pd.isna(a) else float(a) for a in one["actual"]]
    target = [float(t) for t in one["target"]]
    traces = [_bars(years, actual, _(ACTUAL), _("{year}: actual {value}"), ACTUAL_COLOUR, "actual"),
              _bars(years, target, _(TARGET), _("{year}: target {value}"), TARGET_COLOUR, "target")]
    marks = hidden_bar_marks(years, [bar_mark(row) for row in one.itertuples()], offsetgroup="actual")
    figure = go.Figure(traces + ([marks] if marks else []))
    unit = INDICATORS[code].unit
    drawn = [value for value in actual + target if value is not None]
    figure.update_yaxes(title_text=_(unit) if unit else _("number"), **localized_ticks(0, max(drawn, default=0)))
    figure.update_xaxes(title_text=_(YEAR), type="category")
    # The legend on a line of its own at the foot of the chart: above, it would sit under the toolbar; placed
    # against the plot, the years' labels (slanted on a phone) and the axis title would run into it.
    figure.update_layout(barmode="group", height=320, margin=dict(l=50, r=10, t=30, b=100),
                         legend=dict(orientation="h", x=0, y=0, yref="container", yanchor="bottom"),
                         font=CHART_FONT)
    return figure


def bar_mark(row) -> str | None:
    """The mark written where a year's actual bar would stand and has none: hidden, not released, not yet (a year
    not begun) or not available; never a gap that reads as 0."""
    if row.suppressed:
        return HIDDEN
    return MISSING_MARKS.get(row.status, NOT_AVAILABLE) if missing(row.actual) else None


def _bars(years: list[str], values: list[float | None], name: str, hover: str, colour: str,
          group: str) -> go.Bar:
    """One series of bars, its hover text written here so that its numbers read in the current language."""
    hover_text = [None if value is None else hover.format(year=year, value=number(value, 1))
                  for year, value in zip(years, values)]
    return go.Bar(x=years, y=values, name=name, marker_color=colour, offsetgroup=group,
                  customdata=hover_text, hovertemplate="%{customdata}<extra></extra>")


def status_class(cell: Cell) -> str | None:
    """The class of a status cell, from the status as the table writes it in the current language."""
    return {status_name(status): css for status, css in STATUS_CLASSES.items()}.get(cell.value)


def national_name(svc: Services) -> str:
    return svc.gazetteer.full_name(NATIONAL, current_language())


def plan_of(svc: Services, chosen: AreaFilter) -> pd.DataFrame | None:
    """Every year of the plan, national whatever area is chosen (the plan's targets are national); None without a
    targets file."""
    path = svc.settings.effective_targets_file
    if path is None or not path.exists():
        return None

    def national(period):
        return make_filter(period, NATIONAL, "national", chosen.scope, svc.gazetteer)

    return plan_progress(svc.engine, load_targets(path), national, date.today(), svc.settings.suppress_below)


def progress_title(year: int, svc: Services) -> str:
    return _("Progress in {year}, {area}").format(year=year_name(year), area=national_name(svc))


def plan_title(svc: Services) -> str:
    return _("Actual against target, each year of the plan, {area}").format(area=national_name(svc))


def build_progress(svc: Services, chosen: AreaFilter, _params: dict) -> Table:
    plan, year = plan_of(svc, chosen), chosen.period.start.year
    this_year = plan[plan["year"] == year] if plan is not None else pd.DataFrame(columns=["indicator"])
    return progress_table(this_year, progress_title(year, svc), released_only(svc, chosen))


def build_plan(svc: Services, chosen: AreaFilter, _params: dict) -> Table:
    plan = plan_of(svc, chosen)
    return plan_table(plan if plan is not None else pd.DataFrame(columns=["indicator"]), plan_title(svc),
                      released_only(svc, chosen))


def released_only(svc: Services, chosen: AreaFilter) -> bool:
    return svc.engine.publications.shows_released(chosen.scope)


register_table_source(PROGRESS_TABLE, PAGE, build_progress)
register_table_source(PLAN_TABLE, PAGE, build_plan)
