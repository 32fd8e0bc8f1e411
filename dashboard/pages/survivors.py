"""Survivors: how many were assessed, their six recovery domains first vs latest, and services delivered."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from queries import survivors

from ..builders import survivors as build
from ..components import panel_section
from ..context import area_request, cached_query, guarded

dash.register_page(__name__, path="/survivors", name="Survivors", order=4)

FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
    return html.Div([
        html.H2("Survivors"),
        html.P("Survivors' recovery, scored from 1 (in crisis) to 4 (thriving) in six domains at each assessment "
               "session. The area is the district (and upazila) of the survivor's case. Scores outside 1 to 4 are "
               "left out as data errors."),
        panel_section("Survivors assessed", "survivors-headline",
                "Survivors with an assessment session in the period, and the share whose latest session scores 3 "
                "or more in every domain."),
        panel_section("Six domains, first and latest session", "survivors-domains",
                "For survivors assessed in the period: scores at their first and at their latest session in the "
                "period. A survivor with one session counts the same in both."),
        panel_section("Services delivered in the area", "survivors-services",
                "Referrals whose first service came in the period, by service type, where the service was "
                "delivered."),
    ])


@callback(Output("survivors-headline", "children"), *FILTER_INPUTS)
@guarded
def update_headline(period, area):
    svc, filter_, k = area_request(period, area)
    rows = svc.engine.compute(filter_, build.HEADLINE_CODES, suppress_below=k)
    followed_up = int(cached_query(survivors.victims_followed_up, filter_).iloc[0]["victims"])
    return build.headline_panel(rows, filter_.area, followed_up, filter_.scope.suppressed, k)


@callback(Output("survivors-domains", "children"), *FILTER_INPUTS)
@guarded
def update_domains(period, area):
    svc, filter_, k = area_request(period, area)
    counts = cached_query(survivors.score_counts, filter_)
    return build.domains_panel(counts, filter_.scope.suppressed, k)


@callback(Output("survivors-services", "children"), *FILTER_INPUTS)
@guarded
def update_services(period, area):
    svc, filter_, k = area_request(period, area)
    frame = cached_query(survivors.services_delivered, filter_)
    return build.services_panel(frame, filter_.scope.suppressed, k)
