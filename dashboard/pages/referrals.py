"""Referrals: volume by service and provider, time to first service, and referrals still waiting.

"Now" is the server's clock in UTC (naive), read once per callback: referrals
still waiting are counted up to it.
"""

from __future__ import annotations

from datetime import datetime, timezone

import dash
from dash import Input, Output, callback, html

from queries import referral_flow

from ..builders import referrals as build
from ..components import panel_section
from ..context import area_request, cached_query, guarded

dash.register_page(__name__, path="/referrals", name="Referrals", order=2)

TREND_QUARTERS = 8
FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
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
                "The share of the period's referrals still waiting for a first service after each day. Referrals "
                "still waiting now are counted up to now rather than left out."),
        panel_section("Referrals still waiting", "referrals-open",
                "Referrals with no first service that are not closed, waiting over 7 days now (any referral date)."),
    ])


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@callback(Output("referrals-volume", "children"), *FILTER_INPUTS)
@guarded
def update_volume(period, area):
    svc, filter_, k = area_request(period, area)
    table = cached_query(referral_flow.volume_by_service_and_provider, filter_)
    return build.volume_panel(table, filter_.scope.suppressed, k)


@callback(Output("referrals-turnaround", "children"), *FILTER_INPUTS)
@guarded
def update_turnaround(period, area):
    svc, filter_, k = area_request(period, area)
    referral_flow.require_districts(filter_, svc.gazetteer)
    quarters = build.trend_quarters(filter_.period, TREND_QUARTERS, svc.settings.fiscal_year_start)
    series = svc.engine.compute_series(filter_, quarters, build.TREND_CODES, suppress_below=k)
    return build.turnaround_panel(series, filter_.area, k)


@callback(Output("referrals-within-target", "children"), *FILTER_INPUTS)
@guarded
def update_within_target(period, area):
    svc, filter_, k = area_request(period, area)
    frame = cached_query(referral_flow.within_target_by_urgency, filter_)
    return build.within_target_panel(frame, filter_.scope.suppressed, k)


@callback(Output("referrals-waiting", "children"), *FILTER_INPUTS)
@guarded
def update_waiting(period, area):
    svc, filter_, k = area_request(period, area)
    counts = cached_query(referral_flow.waiting_day_counts, filter_, _now())
    return build.waiting_curve_panel(referral_flow.kaplan_meier(counts), filter_.scope.suppressed, k)


@callback(Output("referrals-open", "children"), *FILTER_INPUTS, Input("language", "data"))
@guarded
def update_open(period, area, language):
    svc, filter_, k = area_request(period, area)
    frame = cached_query(referral_flow.open_referrals_by_waiting_band, filter_, _now())
    names = {code: svc.gazetteer.areas[code].name(language or "en")
             for code in frame["district_pcode"] if code in svc.gazetteer.areas}
    return build.open_referrals_panel(frame, names, filter_.scope.suppressed, k)
