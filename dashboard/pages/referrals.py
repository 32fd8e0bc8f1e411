"""Referrals: volume by service and provider, time to first service, and referrals still waiting.

"Now" is the server's clock in UTC (naive), read once per callback: referrals
still waiting are counted up to it.
"""

from __future__ import annotations

from datetime import datetime, timezone

import dash
from dash import Input, Output, callback, dcc, html

from queries import referral_flow

from ..builders import referrals as build
from ..context import cached_query, guarded, parse_filter, services

dash.register_page(__name__, path="/referrals", name="Referrals", order=2)

TREND_QUARTERS = 8
FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
    def section(title: str, panel_id: str, text: str) -> html.Section:
        return html.Section([html.H3(title), html.P(text), dcc.Loading(html.Div(id=panel_id))],
                            className="panel", **{"aria-label": title})

    return html.Div([
        html.H2("Referrals"),
        html.P("Referrals from the one-stop service to medical, psychosocial, legal and other services. The area is "
               "the district where the service is delivered; the referral database records no upazila."),
        section("Referrals made", "referrals-volume", "Referrals made in the period by service and provider type."),
        section("Time to first service over the last 8 quarters", "referrals-turnaround",
                "Median and 90th percentile of days from referral to first service, and the share served within "
                "target (24 hours for urgent, 7 days for routine referrals)."),
        section("Served within target", "referrals-within-target", "Referrals made in the period, per urgency."),
        section("How long referrals wait", "referrals-waiting",
                "The share of the period's referrals still waiting for a first service after each day. Referrals "
                "still waiting now are counted up to now rather than left out."),
        section("Referrals still waiting", "referrals-open",
                "Referrals with no first service that are not closed, waiting over 7 days now (any referral date)."),
    ])


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _chosen(period, area):
    svc = services()
    filter_ = parse_filter(period, area, by=svc.gazetteer.areas[area].level if area in svc.gazetteer.areas else None)
    return svc, filter_, svc.settings.suppress_below


@callback(Output("referrals-volume", "children"), *FILTER_INPUTS)
@guarded
def update_volume(period, area):
    svc, filter_, k = _chosen(period, area)
    table = cached_query(referral_flow.volume_by_service_and_provider, filter_)
    return build.volume_panel(table, filter_.scope.suppressed, k)


@callback(Output("referrals-turnaround", "children"), *FILTER_INPUTS)
@guarded
def update_turnaround(period, area):
    svc, filter_, k = _chosen(period, area)
    referral_flow.require_districts(filter_, svc.gazetteer)
    quarters = build.trend_quarters(filter_.period, TREND_QUARTERS, svc.settings.fiscal_year_start)
    series = svc.engine.compute_series(filter_, quarters, build.TREND_CODES, suppress_below=k)
    return build.turnaround_panel(series, filter_.area, k)


@callback(Output("referrals-within-target", "children"), *FILTER_INPUTS)
@guarded
def update_within_target(period, area):
    svc, filter_, k = _chosen(period, area)
    frame = cached_query(referral_flow.within_target_by_urgency, filter_)
    return build.within_target_panel(frame, filter_.scope.suppressed, k)


@callback(Output("referrals-waiting", "children"), *FILTER_INPUTS)
@guarded
def update_waiting(period, area):
    svc, filter_, k = _chosen(period, area)
    counts = cached_query(referral_flow.waiting_day_counts, filter_, _now())
    return build.waiting_curve_panel(referral_flow.kaplan_meier(counts), filter_.scope.suppressed, k)


@callback(Output("referrals-open", "children"), *FILTER_INPUTS, Input("language", "data"))
@guarded
def update_open(period, area, language):
    svc, filter_, k = _chosen(period, area)
    frame = cached_query(referral_flow.open_referrals_by_waiting_band, filter_, _now())
    names = {code: svc.gazetteer.areas[code].name(language or "en")
             for code in frame["district_pcode"] if code in svc.gazetteer.areas}
    return build.open_referrals_panel(frame, names, filter_.scope.suppressed, k)
