"""Overview: the quarter's headline figures, their change, small trends, links into each page."""

from __future__ import annotations

from dataclasses import replace

import dash
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html

from queries.definitions import INDICATORS

from ..components import definition_link, format_value, message
from ..context import guarded, parse_filter, services

dash.register_page(__name__, path="/", name="Overview", order=0)

HEADLINES = (
    "cases_reported", "victims_identified", "minors_identified", "victims_brought_to_safety",
    "reports_received", "referrals_made", "referrals_within_target_pct", "conviction_rate_pct",
    "survivors_restored_pct",
)
PAGE_FOR = {
    "cases_reported": "/district-map", "victims_identified": "/district-map", "minors_identified": "/district-map",
    "victims_brought_to_safety": "/survivors", "reports_received": "/referrals", "referrals_made": "/referrals",
    "referrals_within_target_pct": "/referrals", "conviction_rate_pct": "/justice",
    "survivors_restored_pct": "/survivors",
}
TREND_QUARTERS = 8


def layout(**_query):
    return html.Div([
        html.H2("Overview"),
        html.P("Headline figures for the chosen quarter and area, with the change against the previous "
               "quarter and the same quarter last year. Select a figure's name for its definition."),
        dcc.Loading(html.Div(id="overview-cards", className="cards")),
    ])


def change_text(current, previous, kind: str) -> str:
    """The change in words; percentages change in points, counts in percent."""
    if current is None or previous is None:
        return "no comparison"
    if kind == "percent":
        return f"{current - previous:+.1f} points"
    if previous == 0:
        return "new" if current else "no change"
    return f"{100 * (current - previous) / previous:+.0f} %"


def sparkline(values: list, labels: list[str], title: str) -> go.Figure:
    figure = go.Figure(go.Scatter(x=labels, y=values, mode="lines+markers", line={"width": 2, "color": "#0b5394"},
                                  hovertemplate="%{x}: %{y:,.1f}<extra></extra>", connectgaps=False))
    figure.update_layout(height=70, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False,
                         xaxis={"visible": False}, yaxis={"visible": False}, title=None,
                         paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", meta={"title": title})
    return figure


def _value(rows, code, area):
    match = rows[(rows["indicator"] == code) & (rows["area"] == area)]
    if match.empty or bool(match.iloc[0]["suppressed"]):
        return None
    value = match.iloc[0]["value"]
    return None if value is None or value != value else float(value)


def headline_cards(current, previous, last_year, trend, area: str, k: int) -> list:
    cards = []
    for code in HEADLINES:
        kind = INDICATORS[code].kind
        row = current[(current["indicator"] == code) & (current["area"] == area)].iloc[0]
        now = _value(current, code, area)
        series = trend[(trend["indicator"] == code)]
        cards.append(html.Section([
            html.H3(definition_link(code)),
            html.P(format_value(row["value"], kind, bool(row["suppressed"]), k), className="headline",
                   **{"data-indicator": code}),
            html.P([f"vs previous quarter: {change_text(now, _value(previous, code, area), kind)}", html.Br(),
                    f"vs same quarter last year: {change_text(now, _value(last_year, code, area), kind)}"],
                   className="change"),
            html.Div(dcc.Graph(figure=sparkline([None if s else v for v, s in zip(series["value"], series["suppressed"])],
                                                list(series["period"]), INDICATORS[code].label),
                               config={"displayModeBar": False, "staticPlot": True}, className="sparkline"),
                     **{"aria-hidden": "true"}),
            dcc.Link(f"More about {INDICATORS[code].label}", href=PAGE_FOR[code], className="more-link"),
        ], className="card", **{"aria-label": INDICATORS[code].label}))
    return cards


@callback(Output("overview-cards", "children"), Input("filter-period", "value"), Input("filter-area", "value"))
@guarded
def update_overview(period, area):
    svc = services()
    k = svc.settings.suppress_below
    own_level = svc.gazetteer.areas[area].level if area in svc.gazetteer.areas else None
    chosen = parse_filter(period, area, by=own_level)
    if chosen.period.kind != "quarter":
        return message("The overview compares quarters: choose a quarter.")
    engine = svc.engine

    def rows_for(period_):
        return engine.compute(replace(chosen, period=period_), HEADLINES, suppress_below=k)

    trend_periods = [chosen.period.shifted(-n) for n in range(TREND_QUARTERS - 1, -1, -1)]
    trend = engine.compute_series(chosen, trend_periods, HEADLINES, suppress_below=k)
    return headline_cards(rows_for(chosen.period), rows_for(chosen.period.previous()),
                          rows_for(chosen.period.same_period_last_year()), trend, chosen.area, k)
