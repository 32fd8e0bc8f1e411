"""Referrals: volume by service and provider, time to first service, and referrals still waiting.

The panels are built in `dashboard.panels`, as `impact-monitor tables` exports them.
"""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from .. import panels
from ..components import panel_section
from ..context import guarded, parse_area_filter, services
from ..i18n import N_, _, current_language, number, zone_name

dash.register_page(__name__, path="/referrals", name=N_("Referrals"), order=2)

FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
    zone = zone_name(services().settings.timezone.key)
    return html.Div([
        html.H2(_("Referrals")),
        html.P(_("Referrals from the one-stop service to medical, psychosocial, legal and other services. The area "
                 "is the district where the service is delivered; the referral database records no upazila.")),
        panel_section(_("Referrals made"), "referrals-volume",
                      _("Referrals made in the period by service and provider type.")),
        panel_section(_("Time to first service over the last {quarters} quarters").format(
                          quarters=number(panels.TREND_QUARTERS)), "referrals-turnaround",
                      _("Median and 90th percentile of days from referral to first service, and the share served "
                        "within target (24 hours for urgent, 7 days for routine referrals).")),
        panel_section(_("Served within target"), "referrals-within-target",
                      _("Referrals made in the period, per urgency.")),
        panel_section(_("How long referrals wait"), "referrals-waiting",
                      _("The share of the period's referrals still waiting for a first service (a Kaplan-Meier "
                        "estimate on time in hours). A referral closed without a service counts until its closing; "
                        "one still open at the start of today ({zone}) counts up to then rather than being left "
                        "out.").format(zone=zone)),
        panel_section(_("Referrals still waiting"), "referrals-open",
                      _("Referrals with no first service that are not closed, waiting over 7 days at the start of "
                        "today ({zone}), whatever their referral date.").format(zone=zone)),
    ])


@callback(Output("referrals-volume", "children"), *FILTER_INPUTS)
@guarded
def update_volume(period, area):
    return panels.referral_volume(services(), parse_area_filter(period, area), current_language())


@callback(Output("referrals-turnaround", "children"), *FILTER_INPUTS)
@guarded
def update_turnaround(period, area):
    return panels.referral_turnaround(services(), parse_area_filter(period, area), current_language())


@callback(Output("referrals-within-target", "children"), *FILTER_INPUTS)
@guarded
def update_within_target(period, area):
    return panels.referral_within_target(services(), parse_area_filter(period, area), current_language())


@callback(Output("referrals-waiting", "children"), *FILTER_INPUTS)
@guarded
def update_waiting(period, area):
    return panels.referral_waiting(services(), parse_area_filter(period, area), current_language())


@callback(Output("referrals-open", "children"), *FILTER_INPUTS)
@guarded
def update_open(period, area):
    return panels.open_referrals(services(), parse_area_filter(period, area), current_language())
