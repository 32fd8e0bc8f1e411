"""Pure builders of the five-year targets page: this year's progress table, the plan table and its chart.

Inputs are `queries.targets.progress` / `plan_progress` frames: a suppressed
actual is already null there, and shows as "hidden" here.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from queries.definitions import INDICATORS
from queries.targets import AT_RISK, HIDDEN, NO_VALUE, NOT_STARTED, OFF_TRACK, ON_TRACK

from ..components import format_value
from ..i18n import N_, _, digits, number
from .chart_language import CHART_FONT, localized_ticks

ACTUAL_COLOUR, TARGET_COLOUR = "#0072B2", "#E69F00"  # Okabe-Ito blue and orange
PANEL_COLUMNS = 3
STATUS_CLASSES = {ON_TRACK: "status-on-track", AT_RISK: "status-at-risk", OFF_TRACK: "status-off-track"}
STATUS_NAMES = {ON_TRACK: N_("on track"), AT_RISK: N_("at risk"), OFF_TRACK: N_("off track"),
                NOT_STARTED: N_("not started"), HIDDEN: N_("hidden"), NO_VALUE: N_("no value")}
# The tables' column headings, translated when a table is built.
INDICATOR, YEAR, TARGET, SHARE, STATUS = N_("Indicator"), N_("Year"), N_("Target"), N_("Share of target"), N_("Status")
ACTUAL, ACTUAL_TO_DATE, PROJECTED = N_("Actual"), N_("Actual, year to date"), N_("Projected for the year")


def _text(value, code: str, suppressed: bool = False, reliable: bool | None = None) -> str:
    return format_value(value, INDICATORS[code].kind, suppressed, reliable=reliable)


def _percent(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{number(value)} %"


def status_name(status: str) -> str:
    return _(STATUS_NAMES.get(status, status))


def year_name(year) -> str:
    return digits(str(year))


def progress_table(progress: pd.DataFrame) -> pd.DataFrame:
    """This year's progress as the screen shows it, one row per indicator with a target."""
    return pd.DataFrame({
        _(INDICATOR): [_(INDICATORS[c].label) for c in progress["indicator"]],
        _(TARGET): [_text(t, c) for t, c in zip(progress["target"], progress["indicator"])],
        _(ACTUAL_TO_DATE): [_text(a, c, s, r) for a, c, s, r in zip(
            progress["actual"], progress["indicator"], progress["suppressed"], progress["reliable"])],
        # A projection rests on the same events as the actual it scales.
        _(PROJECTED): [_text(p, c, reliable=r) for p, c, r in
                       zip(progress["projection"], progress["indicator"], progress["reliable"])],
        _(SHARE): [_percent(v) for v in progress["percent_of_target"]],
        _(STATUS): [status_name(s) for s in progress["status"]],
    })


def plan_table(plan: pd.DataFrame) -> pd.DataFrame:
    """Every year of the plan: actual (year to date for the current year) against target."""
    return pd.DataFrame({
        _(INDICATOR): [_(INDICATORS[c].label) for c in plan["indicator"]],
        _(YEAR): [year_name(y) for y in plan["year"]],
        _(ACTUAL): [_text(a, c, s, r) for a, c, s, r in zip(plan["actual"], plan["indicator"], plan["suppressed"],
                                                            plan["reliable"])],
        _(TARGET): [_text(t, c) for t, c in zip(plan["target"], plan["indicator"])],
        _(SHARE): [_percent(v) for v in plan["percent_of_target"]],
        _(STATUS): [status_name(s) for s in plan["status"]],
    })


def plan_figure(plan: pd.DataFrame, current_year: int) -> go.Figure:
    """Small multiples: per indicator, actual and target bars per year; a hidden (null) actual draws no bar."""
    codes = list(dict.fromkeys(plan["indicator"]))
    rows = max(1, math.ceil(len(codes) / PANEL_COLUMNS))
    figure = make_subplots(rows=rows, cols=PANEL_COLUMNS, subplot_titles=[_(INDICATORS[c].label) for c in codes],
                           vertical_spacing=0.6 / rows, horizontal_spacing=0.08)
    for index, code in enumerate(codes):
        one = plan[plan["indicator"] == code]
        years = [_("{year} (to date)").format(year=year_name(y)) if y == current_year else year_name(y)
                 for y in one["year"]]
        actual = [None if pd.isna(a) else float(a) for a in one["actual"]]
        target = [float(t) for t in one["target"]]
        position = dict(row=index // PANEL_COLUMNS + 1, col=index % PANEL_COLUMNS + 1)
        figure.add_trace(_bars(years, actual, _(ACTUAL), _("{year}: actual {value}"), ACTUAL_COLOUR, index == 0),
                         **position)
        figure.add_trace(_bars(years, target, _(TARGET), _("{year}: target {value}"), TARGET_COLOUR, index == 0),
                         **position)
        unit = INDICATORS[code].unit
        drawn = [value for value in actual + target if value is not None]
        figure.update_yaxes(title_text=_(unit) if unit else _("number"), **localized_ticks(0, max(drawn, default=0)),
                            **position)
        figure.update_xaxes(title_text=_(YEAR), **position)
    # The title at the very top, and the legend on a line of its own between it and the first row of charts.
    figure.update_layout(barmode="group", height=260 * rows + 30, margin=dict(l=50, r=10, t=90, b=40),
                         title=dict(text=_("Actual against target, each year of the plan"), yref="container", y=1,
                                    yanchor="top", pad=dict(t=12)),
                         legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"), font=CHART_FONT)
    figure.update_annotations(font_size=12)
    return figure


def _bars(years: list[str], values: list[float | None], name: str, hover: str, colour: str,
          in_legend: bool) -> go.Bar:
    """One series of bars, its hover text written here so that its numbers read in the current language."""
    hover_text = [None if value is None else hover.format(year=year, value=number(value, 1))
                  for year, value in zip(years, values)]
    return go.Bar(x=years, y=values, name=name, marker_color=colour, legendgroup=name, showlegend=in_legend,
                  customdata=hover_text, hovertemplate="%{customdata}<extra></extra>")


def status_class(status_text: str) -> str | None:
    """The class of a status cell, from the status as the table writes it in the current language."""
    return {status_name(status): css for status, css in STATUS_CLASSES.items()}.get(status_text)
