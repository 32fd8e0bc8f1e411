"""Data quality: the databases against the data contract, and how fresh each database is."""

from __future__ import annotations


import dash
from dash import Input, Output, callback, dcc, html

from queries.contract_check import by_district_of, check_schema, findings_of
from queries.data_as_of import data_as_of_for

from ..builders import quality as build
from ..builders.definitions import zone_name
from ..components import data_table
from ..context import current_scope, guarded, services
from ..i18n import N_, _, language_of

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
    today = svc.databases.today()
    frame = svc.current.quality_frame(today)
    if scope.role == "leadership":
        findings = findings_of(frame)
        schema = [build.schema_panel(findings), build.findings_list(findings)]
    else:
        # External audiences: the structure only; value findings are national totals that quote example codes.
        schema = build.schema_panel(check_schema(svc.databases))
    cells = (svc.current.cells(scope, today, svc.databases.start_of_today(), svc.settings.suppress_below)
             if scope.suppressed else None)
    counts = build.counts_panel(by_district_of(frame), scope, svc.gazetteer, language_of(language), cells)
    return schema, counts


@callback(Output("quality-as-of-panel", "children"), Input("language", "data"))
@guarded
def update_as_of(_language):
    svc = services()
    return data_table(build.as_of_table(data_as_of_for(svc.databases, current_scope(), svc.gazetteer)),
                      _("Latest date per database and column (times in {zone})").format(
                          zone=zone_name(svc.settings.timezone.key)),
                      "quality-as-of")
