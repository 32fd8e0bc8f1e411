"""Overview: the quarter's headline figures, their change, small trends, links into each page."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from ..builders.overview import HEADLINES, headline_cards
from ..components import message
from ..context import guarded, parse_area_filter, services
from ..i18n import N_, _
from ..panels import not_released_notes

dash.register_page(__name__, path="/", name=N_("Overview"), order=0)

TREND_QUARTERS = 8


def layout(**_query):
    return html.Div([
        html.H2(_("Overview")),
        html.P(_("Headline figures for the chosen quarter and area, with the change against the previous "
                 "quarter and the same quarter last year. Select a figure's name for its definition.")),
        dcc.Loading(html.Div(id="overview-cards", className="cards")),
    ])


@callback(Output("overview-cards", "children"), Input("filter-period", "value"), Input("filter-area", "value"))
@guarded
def update_overview(period, area):
    svc = services()
    k = svc.settings.suppress_below
    chosen = parse_area_filter(period, area)
    if chosen.period.kind != "quarter":
        return message(_("The overview compares quarters: choose a quarter."))

    unreleased = not_released_notes(svc, chosen.scope, chosen.period)
    if unreleased:
        return unreleased
    # The eight quarters of the trend include the previous quarter and the same quarter last year.
    quarters = [chosen.period.shifted(-n) for n in range(TREND_QUARTERS - 1, -1, -1)]
    trend, unavailable = svc.engine.compute_each_database(chosen, HEADLINES, k, periods=quarters)

    def rows_of(period_):
        return trend[trend["period"] == period_.label]

    return headline_cards(rows_of(chosen.period), rows_of(chosen.period.previous()),
                          rows_of(chosen.period.same_period_last_year()), trend, chosen.area, unavailable)
