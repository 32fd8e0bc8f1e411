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
from ..components import format_value

ACTUAL_COLOUR, TARGET_COLOUR = "#0072B2", "#E69F00"  # Okabe-Ito blue and orange
PANEL_COLUMNS = 3
STATUS_CLASSES = {"on track": "status-on-track", "at risk": "status-at-risk", "off track": "status-off-track"}


def _text(value, code: str, suppressed: bool = False, reliable: bool | None = None) -> str:
    return format_value(value, INDICATORS[code].kind, suppressed, reliable=reliable)


def _percent(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f} %"


def progress_table(progress: pd.DataFrame) -> pd.DataFrame:
    """This year's progress as the screen shows it, one row per indicator with a target."""
    return pd.DataFrame({
        "Indicator": [INDICATORS[c].label for c in progress["indicator"]],
        "Target": [_text(t, c) for t, c in zip(progress["target"], progress["indicator"])],
        "Actual, year to date": [_text(a, c, s, r) for a, c, s, r in zip(
            progress["actual"], progress["indicator"], progress["suppressed"], progress["reliable"])],
        # A projection rests on the same events as the actual it scales.
        "Projected for the year": [_text(p, c, reliable=r) for p, c, r in
                                   zip(progress["projection"], progress["indicator"], progress["reliable"])],
        "Share of target": [_percent(v) for v in progress["percent_of_target"]],
        "Status": list(progress["status"]),
    })


def plan_table(plan: pd.DataFrame) -> pd.DataFrame:
    """Every year of the plan: actual (year to date for the current year) against target."""
    return pd.DataFrame({
        "Indicator": [INDICATORS[c].label for c in plan["indicator"]],
        "Year": [str(y) for y in plan["year"]],
        "Actual": [_text(a, c, s, r) for a, c, s, r in zip(plan["actual"], plan["indicator"], plan["suppressed"],
                                                           plan["reliable"])],
        "Target": [_text(t, c) for t, c in zip(plan["target"], plan["indicator"])],
        "Share of target": [_percent(v) for v in plan["percent_of_target"]],
        "Status": list(plan["status"]),
    })


def plan_figure(plan: pd.DataFrame, current_year: int) -> go.Figure:
    """Small multiples: per indicator, actual and target bars per year; a hidden (null) actual draws no bar."""
    codes = list(dict.fromkeys(plan["indicator"]))
    rows = max(1, math.ceil(len(codes) / PANEL_COLUMNS))
    figure = make_subplots(rows=rows, cols=PANEL_COLUMNS, subplot_titles=[INDICATORS[c].label for c in codes],
                           vertical_spacing=0.6 / rows, horizontal_spacing=0.08)
    for index, code in enumerate(codes):
        one = plan[plan["indicator"] == code]
        years = [f"{y} (to date)" if y == current_year else str(y) for y in one["year"]]
        position = dict(row=index // PANEL_COLUMNS + 1, col=index % PANEL_COLUMNS + 1)
        figure.add_trace(go.Bar(x=years, y=[None if pd.isna(a) else float(a) for a in one["actual"]], name="Actual", marker_color=ACTUAL_COLOUR,
                                legendgroup="actual", showlegend=index == 0,
                                hovertemplate="%{x}: actual %{y:,.1f}<extra></extra>"), **position)
        figure.add_trace(go.Bar(x=years, y=list(one["target"]), name="Target", marker_color=TARGET_COLOUR,
                                legendgroup="target", showlegend=index == 0,
                                hovertemplate="%{x}: target %{y:,.1f}<extra></extra>"), **position)
        figure.update_yaxes(title_text=INDICATORS[code].unit or "number", **position)
        figure.update_xaxes(title_text="Year", **position)
    figure.update_layout(barmode="group", height=260 * rows, margin=dict(l=50, r=10, t=60, b=40),
                         title="Actual against target, each year of the plan",
                         legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"))
    figure.update_annotations(font_size=12)
    return figure


def status_class(status: str) -> str | None:
    return STATUS_CLASSES.get(status)
