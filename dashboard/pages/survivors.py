"""Survivors: how many were assessed, their six recovery domains from baseline to latest, and services delivered.

The panels are built in `dashboard.panels`, as `impact-monitor tables` exports them.
"""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from .. import panels
from ..components import panel_section
from ..i18n import N_, _, current_language
from ..context import guarded, parse_area_filter, services

dash.register_page(__name__, path="/survivors", name=N_("Survivors"), order=4)

FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
    return html.Div([
        html.H2(_("Survivors")),
        html.P(_("Survivors' recovery, scored from 1 (in crisis) to 4 (thriving) in six domains at each assessment "
                 "session. The area is the district (and upazila) of the survivor's case. Scores outside 1 to 4 are "
                 "left out as data errors.")),
        panel_section(_("Survivors assessed"), "survivors-headline",
                      _("Survivors with an assessment session in the period, the share whose latest session in "
                        "the period scores 3 or more in every domain, and how many of them were followed up: "
                        "assessed two or more times from their first session ever to the period's end.")),
        panel_section(_("Six domains, first and latest session"), "survivors-domains",
                      _("For survivors assessed in the period: scores at their first session ever (their "
                        "baseline, even years before the period) and at their latest session up to the period's "
                        "end. A survivor with one session ever counts the same in both.")),
        panel_section(_("Services delivered in the area"), "survivors-services",
                      _("Referrals whose first service came in the period, by service type, where the service was "
                        "delivered.")),
    ])


@callback(Output("survivors-headline", "children"), *FILTER_INPUTS)
@guarded
def update_headline(period, area):
    return panels.survivor_headline(services(), parse_area_filter(period, area), current_language())


@callback(Output("survivors-domains", "children"), *FILTER_INPUTS)
@guarded
def update_domains(period, area):
    return panels.survivor_domains(services(), parse_area_filter(period, area), current_language())


@callback(Output("survivors-services", "children"), *FILTER_INPUTS)
@guarded
def update_services(period, area):
    return panels.survivor_services(services(), parse_area_filter(period, area), current_language())
