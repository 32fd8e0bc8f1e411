"""Definitions: every indicator's reference sheet, the violence-reduction method and periods."""

from __future__ import annotations

import dash
from dash import html

from ..builders.definitions import definitions_content
from ..context import services
from ..i18n import N_, _

dash.register_page(__name__, path="/definitions", name=N_("Definitions"), order=9)


def layout(**_query):
    settings = services().settings
    return html.Div([
        html.H2(_("Definitions")),
        html.P(_("How every figure in this dashboard is defined, following the data contract. Numbers on every "
                 "page and in the exports come from these definitions.")),
        *definitions_content(settings.suppress_below, settings.fiscal_year_start, settings.timezone.key),
    ], className="definitions")
