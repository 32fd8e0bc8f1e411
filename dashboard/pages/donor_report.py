"""Donor report: the Indicator Performance Tracking Table (IPTT) of the year, in the calendar the filter bar
names, downloadable as exactly the table shown and printable."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html

from impact_monitor.table_model import NOT_AVAILABLE

from ..builders.iptt import build_iptt_table
from ..components import HIDDEN
from ..context import guarded, parse_area_filter, services
from ..i18n import N_, _
from ..table_view import model_table

dash.register_page(__name__, path="/donor-report", name=N_("Donor report"), order=7.5)


def layout(**_query):
    return html.Div([
        html.H2(_("Donor report")),
        html.P(_("The Indicator Performance Tracking Table of the year that holds the chosen period, in the "
                 "calendar chosen above: each indicator, and each sex, age band or case type it is defined for, "
                 "with its baseline, targets, each quarter's actual, the year to date, the share of the year's "
                 "target achieved, and the cumulative actual. \"{hidden}\" is a number not shown to protect a "
                 "small count; \"{not_available}\" is a number that does not exist, which is not 0.").format(
                     hidden=_(HIDDEN), not_available=_(NOT_AVAILABLE))),
        html.Div(html.Button(_("Print"), id="iptt-print", n_clicks=0, type="button"),
                 className="filter-bar no-print"),
        html.Span(id="iptt-print-done", hidden=True),
        dcc.Loading(html.Div(id="iptt-panel")),
    ])


@callback(Output("iptt-panel", "children"), Input("filter-period", "value"), Input("filter-area", "value"))
@guarded
def update_iptt(period, area):
    chosen = parse_area_filter(period, area)
    params = {"period": chosen.period.label, "area": chosen.area}
    table = build_iptt_table(services(), chosen, params)
    return model_table(table, params)


clientside_callback(ClientsideFunction(namespace="impactPrint", function_name="print"),
                    Output("iptt-print-done", "children"), Input("iptt-print", "n_clicks"),
                    prevent_initial_call=True)
