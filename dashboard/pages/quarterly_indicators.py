"""Quarterly indicators for donors: every indicator over the last 4 or 8 quarters, with the year's target,
downloadable as exactly the table shown and printable on one A4 page."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from queries.data_as_of import data_as_of_for
from queries.geography import NATIONAL
from queries.targets import load_targets

from ..builders.quarterly import (
    QUARTER_COUNTS, data_as_of_text, download_table, html_table, last_quarter, quarterly_table, quarters_ending,
    table_bytes,
)
from ..components import HIDDEN, message
from ..i18n import N_, _, current_language, number
from ..context import guarded, parse_area_filter, services
from ..security import audit_download, current_account

dash.register_page(__name__, path="/quarterly-indicators", name=N_("Quarterly indicators"), order=6)

FORMATS = {"quarterly-csv": ("csv", "text/csv"),
           "quarterly-xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def layout(**_query):
    return html.Div([
        html.H2(_("Quarterly indicators")),
        html.P(_("Every indicator for the chosen area over recent quarters, ending with the chosen quarter (or the "
                 "last quarter of a chosen year), beside the five-year plan's target for that year. Cells marked "
                 "\"{hidden}\" are not shown: a small count, or a number that would reveal one. The downloads "
                 "hold exactly this table.").format(hidden=_(HIDDEN))),
        html.Div([
            html.Div([
                html.Label(_("Quarters shown"), htmlFor="quarterly-count"),
                dcc.RadioItems(id="quarterly-count", value=QUARTER_COUNTS[0], inline=True,
                               options=[{"label": f" {number(n)} ", "value": n} for n in QUARTER_COUNTS]),
            ], className="filter"),
            html.Button(_("Download CSV"), id="quarterly-csv", n_clicks=0, type="button"),
            html.Button(_("Download Excel"), id="quarterly-xlsx", n_clicks=0, type="button"),
            html.Button(_("Print"), id="quarterly-print", n_clicks=0, type="button"),
            dcc.Download(id="quarterly-download"),
        ], className="filter-bar no-print"),
        html.Div(id="quarterly-download-status", role="status", className="no-print"),
        html.Span(id="quarterly-print-done", hidden=True),
        dcc.Loading(html.Div(id="quarterly-panel")),
    ])


def _table_for(period, area, count):
    """The table for the filter bar's choices, and the filter it was built from."""
    svc = services()
    chosen = parse_area_filter(period, area)
    count = count if count in QUARTER_COUNTS else QUARTER_COUNTS[0]
    quarters = quarters_ending(chosen.period, count, svc.settings.fiscal_year_start)
    rows = svc.engine.compute_series(chosen, quarters, suppress_below=svc.settings.suppress_below)
    target_year = quarters[-1].start.year
    # The plan's targets are national: beside a division's numbers they would mislead.
    targets = _targets_of(target_year) if chosen.area == NATIONAL else {}
    table = quarterly_table(rows, [q.label for q in quarters], chosen.area, targets, target_year)
    return table, chosen


def _targets_of(year: int) -> dict[str, float]:
    path = services().settings.effective_targets_file
    if path is None or not path.exists():
        return {}
    targets = load_targets(path)
    year_rows = targets[targets["year"] == year]
    return dict(zip(year_rows["indicator"], year_rows["target"]))


@callback(Output("quarterly-panel", "children"), Input("filter-period", "value"), Input("filter-area", "value"),
          Input("quarterly-count", "value"))
@guarded
def update_quarterly(period, area, count):
    table, chosen = _table_for(period, area, count)
    caption = _("Indicators by quarter, {area}, {first} to {last}").format(
        area=services().gazetteer.full_name(chosen.area, current_language()), first=table.columns[1],
        last=table.columns[-2])
    notes = []
    if not services().settings.effective_targets_file:
        notes.append(message(_("No targets file is configured (IMPACT_TARGETS_FILE): the target column is blank."),
                             "info"))
    elif chosen.area != NATIONAL:
        notes.append(message(_("The five-year plan's targets are set for Bangladesh as a whole, so the target "
                               "column is filled only when the area is Bangladesh."), "info"))
    return notes + [
        html_table(table, caption, "quarterly-table"),
        html.P(data_as_of_text(data_as_of_for(services().databases, chosen.scope, services().gazetteer),
                               services().settings.timezone.key), className="data-as-of"),
    ]


@callback(Output("quarterly-download", "data"), Output("quarterly-download-status", "children"),
          Input("quarterly-csv", "n_clicks"), Input("quarterly-xlsx", "n_clicks"),
          State("filter-period", "value"), State("filter-area", "value"), State("quarterly-count", "value"),
          prevent_initial_call=True)
def download_quarterly(_csv, _xlsx, period, area, count):
    prepared = _prepare_download(ctx.triggered_id, period, area, count)
    if isinstance(prepared, dict):
        return prepared, message(_("Prepared {filename}.").format(filename=prepared["filename"]), "info")
    return no_update, prepared


@guarded
def _prepare_download(button, period, area, count):
    """The download of exactly the table on screen (its numbers in ASCII digits), audit-logged; a plain message
    if it cannot be built."""
    file_format, media_type = FORMATS[button]
    table, chosen = _table_for(period, area, count)
    last = last_quarter(chosen.period, services().settings.fiscal_year_start).label
    filename = f"quarterly-indicators-{chosen.area}-{last}.{file_format}"
    audit_download(current_account(), f"quarterly_indicators.{file_format}",
                   {"period": chosen.period.label, "area": chosen.area, "quarters": len(table.columns) - 2})
    return dcc.send_bytes(table_bytes(download_table(table), file_format), filename, type=media_type)


clientside_callback(ClientsideFunction(namespace="impactPrint", function_name="print"),
                    Output("quarterly-print-done", "children"), Input("quarterly-print", "n_clicks"),
                    prevent_initial_call=True)
