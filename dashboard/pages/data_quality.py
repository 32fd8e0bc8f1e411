"""Data quality: the databases against the data contract, and how fresh each database is."""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from queries.contract_check import by_district_of, check_schema, findings_of, quality_frame
from queries.data_as_of import data_as_of

from ..builders import quality as build
from ..components import data_table
from ..context import current_scope, guarded, services
from ..i18n import language_of

dash.register_page(__name__, path="/data-quality", name="Data quality", order=8)


def layout(**_query):
    return html.Div([
        html.H2("Data quality"),
        html.P("Checks of the case and referral databases against the data contract. The counts are of records "
               "in the whole database: the period and area filters do not apply here."),
        dcc.Loading(html.Div(id="quality-schema-panel")),
        html.Section([html.H3("Records that break the contract's rules"),
                      dcc.Loading(html.Div(id="quality-counts-panel"))]),
        html.Section([html.H3("Data as of"),
                      html.P("The latest date of each database's main records; dates after today are data errors "
                             "and are not counted here."),
                      dcc.Loading(html.Div(id="quality-as-of-panel"))]),
    ])


def _quality_frame() -> pd.DataFrame:
    """The whole contract check, cached: it scans every table. Scope is applied after, by the builders."""
    svc = services()
    return svc.cache.get_or_compute(("contract_quality", date.today().isoformat()),
                                    lambda: quality_frame(svc.databases, svc.gazetteer, date.today(),
                                                         svc.settings.query_threads))


@callback(Output("quality-schema-panel", "children"), Output("quality-counts-panel", "children"),
          Input("language", "data"))
def update_checks(language):
    """Both panels from one pass of the check; a failure shows its message in both."""
    panels = _check_panels(language)
    return panels if isinstance(panels, tuple) else (panels, panels)


@guarded
def _check_panels(language):
    svc = services()
    scope = current_scope()
    frame = _quality_frame()
    if scope.role == "leadership":
        findings = findings_of(frame)
        schema = [build.schema_panel(findings), build.findings_list(findings)]
    else:
        # External audiences: the structure only; value findings are national totals that quote example codes.
        schema = build.schema_panel(check_schema(svc.databases))
    counts = build.counts_panel(by_district_of(frame), scope, svc.gazetteer, language_of(language),
                                svc.settings.suppress_below)
    return schema, counts


@callback(Output("quality-as-of-panel", "children"), Input("language", "data"))
@guarded
def update_as_of(_language):
    return data_table(build.as_of_table(data_as_of(services().databases)),
                      "Latest date per database and column", "quality-as-of")
