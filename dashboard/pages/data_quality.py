"""Data quality: the databases against the data contract, and how fresh each database is."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from queries.contract_check import Finding, check_schema, quality_by_district, run_check
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


def _contract_findings() -> list[Finding]:
    """The whole contract check, cached: it scans every table. Scope is applied after, by the caller."""
    svc = services()
    frame = svc.cache.get_or_compute(
        ("contract_findings", date.today().isoformat()),
        lambda: pd.DataFrame([asdict(f) for f in run_check(svc.databases, svc.gazetteer, date.today())],
                             columns=[f.name for f in fields(Finding)]))
    return [Finding(**record) for record in frame.to_dict("records")]


def _quality_by_district() -> pd.DataFrame:
    svc = services()
    return svc.cache.get_or_compute(("quality_by_district", date.today().isoformat()),
                                    lambda: quality_by_district(svc.databases, svc.gazetteer, date.today()))


@callback(Output("quality-schema-panel", "children"), Input("language", "data"))
@guarded
def update_schema(_language):
    svc = services()
    if current_scope().role == "leadership":
        findings = _contract_findings()
        return [build.schema_panel(findings), build.findings_list(findings)]
    # External audiences: the structure only; value findings are national totals that quote example codes.
    return build.schema_panel(check_schema(svc.databases))


@callback(Output("quality-counts-panel", "children"), Input("language", "data"))
@guarded
def update_counts(language):
    svc = services()
    return build.counts_panel(_quality_by_district(), current_scope(), svc.gazetteer, language_of(language),
                              svc.settings.suppress_below)


@callback(Output("quality-as-of-panel", "children"), Input("language", "data"))
@guarded
def update_as_of(_language):
    return data_table(build.as_of_table(data_as_of(services().databases)),
                      "Latest date per database and column", "quality-as-of")
