"""Definitions: every indicator's reference sheet, the violence-reduction method and periods."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from ..builders.definitions import definitions_content
from ..context import guarded, parse_area_filter, services
from ..i18n import N_, _

dash.register_page(__name__, path="/definitions", name=N_("Definitions"), order=9)


def layout(**_query):
    return html.Div([
        html.H2(_("Definitions")),
        html.P(_("How every figure in this dashboard is defined, following the data contract. Numbers on every "
                 "page and in the exports come from these definitions.")),
        html.Div(id="definitions-panel"),
    ], className="definitions")


@callback(Output("definitions-panel", "children"), Input("language", "data"), Input("filter-period", "value"),
          Input("filter-area", "value"))
@guarded
def update_definitions(_language, period, area):
    # The filters change no definition; a sheet's download still names them, and checks them against the account.
    chosen = parse_area_filter(period, area)
    settings = services().settings
    return definitions_content(settings.suppress_below, settings.default_calendar, settings.timezone.key,
                               {"period": chosen.period.label, "area": chosen.area},
                               donors_released=bool(settings.released_only_roles))
