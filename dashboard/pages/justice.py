"""Justice: cases from complaint to verdict, conviction trends, and how long pending cases have waited.

"Today" is the server's date in UTC, read once per callback.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import dash
from dash import Input, Output, callback, html

from queries import justice

from ..builders import justice as build
from ..builders.referrals import trend_quarters
from ..components import panel_section
from ..context import area_request, cached_query, guarded

dash.register_page(__name__, path="/justice", name="Justice", order=3)

TREND_QUARTERS = 8
FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
    return html.Div([
        html.H2("Justice"),
        html.P("Cases through the justice system. The area is the district (and upazila) of the case."),
        panel_section("From complaint to verdict", "justice-funnel",
                "Cases whose earliest complaint was filed in the period, and how many of them have reached a charge "
                "sheet, a trial and a verdict so far."),
        panel_section("Convictions over the last 8 quarters", "justice-trends",
                "Charge sheets filed, accused convicted, the conviction rate and the median days from complaint to "
                "verdict, per quarter."),
        panel_section("Pending cases", "justice-pending",
                "Cases with a complaint and no verdict or dismissal yet, by time since the earliest complaint "
                "(today, whatever the period)."),
    ])


def _today() -> date:
    return datetime.now(timezone.utc).date()


@callback(Output("justice-funnel", "children"), *FILTER_INPUTS)
@guarded
def update_funnel(period, area):
    svc, filter_, k = area_request(period, area)
    frame = cached_query(justice.complaint_funnel, filter_, _today())
    return build.funnel_panel(frame, filter_.scope.suppressed, k)


@callback(Output("justice-trends", "children"), *FILTER_INPUTS)
@guarded
def update_trends(period, area):
    svc, filter_, k = area_request(period, area)
    quarters = trend_quarters(filter_.period, TREND_QUARTERS, svc.settings.fiscal_year_start)
    codes = build.COUNT_CODES + build.RATE_CODES + build.MEDIAN_CODES
    series = svc.engine.compute_series(filter_, quarters, codes, suppress_below=k)
    return build.trends_panel(series, filter_.area, k)


@callback(Output("justice-pending", "children"), *FILTER_INPUTS)
@guarded
def update_pending(period, area):
    svc, filter_, k = area_request(period, area)
    frame = cached_query(justice.pending_case_ages, filter_, _today())
    return build.pending_panel(frame, filter_.scope.suppressed, k)
