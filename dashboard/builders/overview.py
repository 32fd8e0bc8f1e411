"""Pure builders of the overview's headline cards."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from queries.definitions import INDICATORS

from .chart_language import NEVER_TO_THE_CLOUD
from ..components import MARK_COLOUR, definition_link, message, row_text
from ..i18n import N_, _, number

PAGE_FOR = {
    "cases_reported": "/district-map", "victims_identified": "/district-map", "minors_identified": "/district-map",
    "victims_brought_to_safety": "/survivors", "reports_received": "/referrals", "referrals_made": "/referrals",
    "referrals_within_target_pct": "/referrals", "conviction_rate_pct": "/justice",
    "survivors_restored_pct": "/survivors",
}
HEADLINES = tuple(PAGE_FOR)


def change_text(current, previous, kind: str) -> str:
    """The change in words; percentages change in points, counts in percent."""
    if current is None or previous is None:
        return _("no comparison")
    if kind == "percent":
        return _("{change} points").format(change=signed(current - previous, 1))
    if previous == 0:
        return _("new") if current else _("no change")
    return f"{signed(100 * (current - previous) / previous, 0)} %"


def signed(value: float, decimals: int) -> str:
    """A change with its sign, in the current language's digits: +12.5, -3, 0."""
    text = number(abs(value), decimals)
    return text if text == number(0, decimals) else ("+" if value > 0 else "-") + text


def sparkline(values: list, labels: list[str], hidden: list[bool]) -> go.Figure:
    """A small trend; a hidden quarter is a grey band across the whole height, not a gap that reads as zero."""
    figure = go.Figure(go.Scatter(x=labels, y=values, mode="lines+markers", line={"width": 2, "color": "#0072B2"},
                                  connectgaps=False))
    for position, is_hidden in enumerate(hidden):
        if is_hidden:
            figure.add_shape(type="rect", xref="x", yref="paper", x0=position - 0.4, x1=position + 0.4, y0=0, y1=1,
                             fillcolor=MARK_COLOUR, opacity=0.25, line_width=0)
    figure.update_layout(template="none", height=70, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False,
                         xaxis={"visible": False}, yaxis={"visible": False},
                         paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return figure


def shown_value(rows: pd.DataFrame, code: str, area: str) -> float | None:
    """The number a user may see, or None (hidden, missing or unavailable)."""
    match = rows[(rows["indicator"] == code) & (rows["area"] == area)]
    if match.empty or bool(match.iloc[0]["suppressed"]):
        return None
    value = match.iloc[0]["value"]
    return None if pd.isna(value) else float(value)


def headline_card(code: str, current, previous, last_year, trend, area: str,
                  unavailable: dict[str, str]) -> html.Section:
    """A figure's card; where its database failed, why (`unavailable`: code -> the reason in plain words)."""
    indicator = INDICATORS[code]
    match = current[(current["indicator"] == code) & (current["area"] == area)]
    if match.empty:
        why = _(unavailable.get(code, N_("its database gave no figure.")))
        return html.Section([html.H3(definition_link(code)),
                             html.P(_("Unavailable: {why}").format(why=why), className="headline-unavailable")],
                            className="card", **{"aria-label": _(indicator.label)})
    row = match.iloc[0]
    now = shown_value(current, code, area)
    series = trend[(trend["indicator"] == code) & (trend["area"] == area)]
    hidden = [bool(flag) for flag in series["suppressed"]]
    values = [None if is_hidden else value for value, is_hidden in zip(series["value"], hidden)]
    return html.Section([
        html.H3(definition_link(code)),
        html.P(row_text(row, indicator.kind),
               className="headline",
               **{"data-indicator": code}),
        html.P([_("vs previous quarter: {change}").format(
                    change=change_text(now, shown_value(previous, code, area), indicator.kind)),
                html.Br(),
                _("vs same quarter last year: {change}").format(
                    change=change_text(now, shown_value(last_year, code, area), indicator.kind))],
               className="change"),
        html.Div(dcc.Graph(figure=sparkline(values, list(series["period"]), hidden),
                           config={**NEVER_TO_THE_CLOUD, "displayModeBar": False, "staticPlot": True}, className="sparkline"),
                 **{"aria-hidden": "true"}),
        dcc.Link(_("More about {indicator}").format(indicator=_(indicator.label)), href=PAGE_FOR[code],
                 className="more-link"),
    ], className="card", **{"aria-label": _(indicator.label)})


def headline_cards(current, previous, last_year, trend, area: str, unavailable: dict[str, str]) -> list:
    cards = [headline_card(code, current, previous, last_year, trend, area, unavailable) for code in HEADLINES]
    return ([message(_("No records in this period."), "info")] if no_records(current, area) else []) + cards


def no_records(current: pd.DataFrame, area: str) -> bool:
    """Every headline count of the area is shown and 0: the period holds no record (yet)."""
    counts = [code for code in HEADLINES if INDICATORS[code].kind == "count"]
    own = current[(current["area"] == area) & current["indicator"].isin(counts)]
    return len(own) == len(counts) and not own["suppressed"].any() and (own["value"].fillna(0) == 0).all()
