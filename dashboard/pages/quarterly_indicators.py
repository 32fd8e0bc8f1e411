"""Quarterly indicators for donors: every indicator over the last 4 or 8 quarters, with the year's target,
downloadable as exactly the table shown (numbers as numbers) and printable on one A4 page."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html

from queries.data_as_of import data_as_of_for
from queries.geography import NATIONAL

from ..builders.quarterly import QUARTER_COUNTS, build_quarterly, data_as_of_text, last_quarter, no_records
from ..components import HIDDEN, message
from ..table_view import model_table
from ..i18n import N_, _, number
from ..context import guarded, parse_area_filter, services
from ..narrative_editor import SAVED_ID, narrative_editor
from ..panels import not_released_notes
from ..release_control import RELEASED_ID, release_control

dash.register_page(__name__, path="/quarterly-indicators", name=N_("Quarterly indicators"), order=6)


def layout(**_query):
    return html.Div([
        html.H2(_("Quarterly indicators")),
        html.P(_("Every indicator for the chosen area over recent quarters, ending with the chosen quarter (or the "
                 "last quarter of a chosen year), beside the five-year plan's target for that year. Cells marked "
                 "\"{hidden}\" are not shown: a small count, or a number that would reveal one. The downloads "
                 "hold exactly this table.").format(hidden=_(HIDDEN))),
        html.Div([
            html.Div([
                html.Label(_("Quarters shown"), htmlFor="quarterly-count"),
                dcc.RadioItems(id="quarterly-count", value=QUARTER_COUNTS[0], inline=True,
                               options=[{"label": f" {number(n)} ", "value": n} for n in QUARTER_COUNTS]),
            ], className="filter"),
            html.Button(_("Print"), id="quarterly-print", n_clicks=0, type="button"),
        ], className="filter-bar no-print"),
        html.Span(id="quarterly-print-done", hidden=True),
        dcc.Loading(html.Div(id="quarterly-panel")),
        dcc.Store(id=SAVED_ID),
        dcc.Store(id=RELEASED_ID),
        narrative_editor(),
        release_control(),
    ])


@callback(Output("quarterly-panel", "children"), Input("filter-period", "value"), Input("filter-area", "value"),
          Input("quarterly-count", "value"), Input(SAVED_ID, "data"), Input(RELEASED_ID, "data"))
@guarded
def update_quarterly(period, area, count, _narrative_saved, _released):
    svc = services()
    chosen = parse_area_filter(period, area)
    params = {"period": chosen.period.label, "area": chosen.area,
              "quarters": count if count in QUARTER_COUNTS else QUARTER_COUNTS[0]}
    table = build_quarterly(svc, chosen, params)
    last = last_quarter(chosen.period, chosen.period.fiscal_year_start)
    notes = not_released_notes(svc, chosen.scope, last) or (
        [message(_("No records in this period."), "info")] if no_records(table) else [])
    if not svc.settings.effective_targets_file:
        notes.append(message(_("No targets file is configured (IMPACT_TARGETS_FILE): the target column is blank."),
                             "info"))
    elif chosen.area != NATIONAL:
        notes.append(message(_("The five-year plan's targets are set for Bangladesh as a whole, so the target "
                               "column is filled only when the area is Bangladesh."), "info"))
    return notes + [
        model_table(table, params),
        html.P(data_as_of_text(data_as_of_for(svc.databases, chosen.scope, svc.gazetteer),
                               svc.settings.timezone.key), className="data-as-of"),
    ]


clientside_callback(ClientsideFunction(namespace="impactPrint", function_name="print"),
                    Output("quarterly-print-done", "children"), Input("quarterly-print", "n_clicks"),
                    prevent_initial_call=True)
