"""Data quality: the databases against the data contract, and how fresh each database is."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from queries.contract_check import by_district_of, check_schema, findings_of
from queries.data_as_of import data_as_of_for
from queries.scope import default_area

from ..builders import quality as build
from ..context import current_scope, guarded, parse_area_filter, services
from ..i18n import N_, _, language_of
from ..table_view import model_table

dash.register_page(__name__, path="/data-quality", name=N_("Data quality"), order=8)


def layout(**_query):
    return html.Div([
        html.H2(_("Data quality")),
        html.P(_("Checks of the case and referral databases against the data contract. The counts are of records "
                 "in the whole database: the period and area filters do not apply here.")),
        dcc.Loading(html.Div(id="quality-schema-panel")),
        html.Section([html.H3(_("Records that break the contract's rules")),
                      dcc.Loading(html.Div(id="quality-counts-panel"))]),
        html.Section([html.H3(_("Data as of")),
                      html.P(_("The latest date of each database's main records; dates after today are data "
                               "errors and are not counted here.")),
                      dcc.Loading(html.Div(id="quality-as-of-panel"))]),
    ])


def _params(period, area) -> dict:
    """What the tables' downloads are built with: the filters choose no record here (they are checked against
    the account all the same), so a file names the area the tables count, the account's whole scope."""
    chosen = parse_area_filter(period, area)
    return {"period": chosen.period.label, "area": default_area(current_scope())}


@callback(Output("quality-schema-panel", "children"), Output("quality-counts-panel", "children"),
          Input("language", "data"), Input("filter-period", "value"), Input("filter-area", "value"))
def update_checks(language, period, area):
    """Both panels from one pass of the check; a failure shows its message in both."""
    panels = _check_panels(language, period, area)
    return panels if isinstance(panels, tuple) else (panels, panels)


@guarded
def _check_panels(language, period, area):
    svc = services()
    scope = current_scope()
    params = _params(period, area)
    frame = build.check_frame(svc)
    if scope.role == "leadership":
        findings = findings_of(frame)
        schema = [build.schema_panel(findings), build.findings_list(findings)]
    else:
        # External audiences: the structure only; value findings are national totals that quote example codes.
        schema = build.schema_panel(check_schema(svc.databases))
    counts = build.counts_panel(by_district_of(frame), scope, svc.gazetteer, language_of(language),
                                build.protected_cells(svc, scope), params)
    return schema, counts


@callback(Output("quality-as-of-panel", "children"), Input("language", "data"), Input("filter-period", "value"),
          Input("filter-area", "value"))
@guarded
def update_as_of(_language, period, area):
    svc = services()
    table = build.as_of_table(data_as_of_for(svc.databases, current_scope(), svc.gazetteer),
                              svc.settings.timezone.key)
    return model_table(table, _params(period, area))
