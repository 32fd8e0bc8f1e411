"""Referrals: volume by service and provider, time to first service, and referrals still waiting.

The panels are built in `dashboard.panels`, as `impact-monitor tables` exports them.
"""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from .. import panels
from ..components import panel_section
from ..context import guarded, parse_area_filter, services
from ..i18n import N_, language_of

dash.register_page(__name__, path="/referrals", name=N_("Referrals"), order=2)

FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
    zone = services().settings.timezone.key
    return html.Div([
        html.H2("Referrals"),
        html.P("Referrals from the one-stop service to medical, psychosocial, legal and other services. The area is "
               "the district where the service is delivered; the referral database records no upazila."),
        panel_section("Referrals made", "referrals-volume", "Referrals made in the period by service and provider type."),
        panel_section("Time to first service over the last 8 quarters", "referrals-turnaround",
                "Median and 90th percentile of days from referral to first service, and the share served within "
                "target (24 hours for urgent, 7 days for routine referrals)."),
        panel_section("Served within target", "referrals-within-target", "Referrals made in the period, per urgency."),
        panel_section("How long referrals wait", "referrals-waiting",
                "The share of the period's referrals still waiting for a first service (a Kaplan-Meier estimate on "
                "time in hours). A referral closed without a service counts until its closing; one still open at "
                f"the start of today ({zone}) counts up to then rather than being left out."),
        panel_section("Referrals still waiting", "referrals-open",
                "Referrals with no first service that are not closed, waiting over 7 days at the start of today "
                f"({zone}), whatever their referral date."),
    ])


@callback(Output("referrals-volume", "children"), *FILTER_INPUTS)
@guarded
def update_volume(period, area):
    return panels.referral_volume(services(), parse_area_filter(period, area), "en")


@callback(Output("referrals-turnaround", "children"), *FILTER_INPUTS)
@guarded
def update_turnaround(period, area):
    return panels.referral_turnaround(services(), parse_area_filter(period, area), "en")


@callback(Output("referrals-within-target", "children"), *FILTER_INPUTS)
@guarded
def update_within_target(period, area):
    return panels.referral_within_target(services(), parse_area_filter(period, area), "en")


@callback(Output("referrals-waiting", "children"), *FILTER_INPUTS)
@guarded
def update_waiting(period, area):
    return panels.referral_waiting(services(), parse_area_filter(period, area), "en")


@callback(Output("referrals-open", "children"), *FILTER_INPUTS, Input("language", "data"))
@guarded
def update_open(period, area, language):
    return panels.open_referrals(services(), parse_area_filter(period, area), language_of(language))
