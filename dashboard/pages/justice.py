"""Justice: cases from complaint to verdict, conviction trends, and how long pending cases have waited.

"Today" is the date in the program's time zone (IMPACT_TIMEZONE). The panels are built in `dashboard.panels`,
as `impact-monitor tables` exports them.
"""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from .. import panels
from ..components import panel_section
from ..i18n import N_, _, current_language, number
from ..context import guarded, parse_area_filter, services

dash.register_page(__name__, path="/justice", name=N_("Justice"), order=3)

FILTER_INPUTS = (Input("filter-period", "value"), Input("filter-area", "value"))


def layout(**_query):
    return html.Div([
        html.H2(_("Justice")),
        html.P(_("Cases through the justice system. The area is the district (and upazila) of the case.")),
        panel_section(_("From complaint to verdict"), "justice-funnel",
                      _("Cases whose earliest complaint was filed in the period, and how many of them have reached a "
                        "charge sheet, a trial and a verdict so far.")),
        panel_section(_("Convictions over the last {quarters} quarters").format(
                          quarters=number(panels.TREND_QUARTERS)), "justice-trends",
                      _("Charge sheets filed, accused convicted, the conviction rate and the median days from "
                        "complaint to verdict, per quarter.")),
        panel_section(_("Pending cases"), "justice-pending",
                      _("Cases with a complaint and no verdict or dismissal yet, by time since the earliest complaint "
                        "(today, whatever the period).")),
    ])


@callback(Output("justice-funnel", "children"), *FILTER_INPUTS)
@guarded
def update_funnel(period, area):
    return panels.justice_funnel(services(), parse_area_filter(period, area), current_language())


@callback(Output("justice-trends", "children"), *FILTER_INPUTS)
@guarded
def update_trends(period, area):
    return panels.justice_trends(services(), parse_area_filter(period, area), current_language())


@callback(Output("justice-pending", "children"), *FILTER_INPUTS)
@guarded
def update_pending(period, area):
    return panels.justice_pending(services(), parse_area_filter(period, area), current_language())
