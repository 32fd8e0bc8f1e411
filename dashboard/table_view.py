"""A `Table` (impact_monitor.table_model) on the page, with its own CSV and Excel downloads.

Every table a page shows comes with two buttons. A download rebuilds the table from the source that drew it
(`register_table_source`), with the parameters the page drew it with (kept beside it, and checked again against
the signed-in account's scope), and writes the same typed cells: never text read back from the page. The
command line (`impact-monitor tables`) builds a page's tables from the same sources, and the disclosure audit
reads them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

import dash
from dash import MATCH, Input, Output, State, ctx, dcc, html, no_update

from impact_monitor.exports import MEDIA_TYPES, table_csv, table_workbook
from impact_monitor.services import Services
from impact_monitor.table_model import Cell, Column, Table, kind_of
from queries.scope import AreaFilter, Scope
from queries.data_as_of import data_as_of_for

from .components import cell_text, message, scrolling
from .context import account_name, current_scope, guarded, parse_area_filter, period_text, services
from .i18n import _, current_language
from .print_header import data_as_of_line
from .security import audit_download, current_account

@dataclass(frozen=True)
class TableSource:
    """How a page builds one of its tables: `build(services, filter, params)`, where `params` are the page's
    own controls besides the period and area (a dict as kept beside the table); `controls` are those controls
    with the values the page starts with (the command line's defaults)."""

    table_id: str
    page: str
    build: Callable[[Services, AreaFilter, dict], Table]
    controls: dict = field(default_factory=dict)


_SOURCES: dict[str, TableSource] = {}


def register_table_source(table_id: str, page: str, build: Callable[[Services, AreaFilter, dict], Table],
                          controls: dict | None = None) -> None:
    """Say how the table `table_id` of `page` is built, so that its downloads and the command line build it;
    `controls`: the page's own controls the build reads, with the values the page starts with."""
    _SOURCES[table_id] = TableSource(table_id, page, build, dict(controls or {}))


def _register_every_source() -> None:
    """Import every module that registers tables (the panels and the builders), so that a process that shows no
    page (the command line, the audit) knows them all too."""
    from . import builders

    importlib.import_module(f"{__package__}.panels")
    for module in pkgutil.iter_modules(builders.__path__):
        importlib.import_module(f"{builders.__name__}.{module.name}")


def sources_of(page: str) -> list[TableSource]:
    """The tables of `page`, in the order they were registered (the order the page shows them)."""
    return [source for source in every_source() if source.page == page]


def every_source() -> list[TableSource]:
    """Every table any page offers for download."""
    _register_every_source()
    return list(_SOURCES.values())


def _cell(cell: Cell, column: Column, first: bool):
    text = cell_text(cell, column)
    content = html.A(text, href=cell.href) if cell.href else text
    return (html.Th if first else html.Td)(content, className=None if kind_of(cell, column) == "text" else "num",
                                           **({"scope": "row"} if first else {}))


def model_table(table: Table, params: dict, classes: dict[int, Callable[[Cell], str | None]] | None = None
                ) -> html.Div:
    """The table with its caption and notes, in a box that scrolls on its own on a narrow screen, and its CSV and
    Excel downloads; `params` are what built it (kept for the downloads); `classes` maps a column's position to
    the class of each of its cells (a status coloured by what it says). A prose column's cells are wide enough to
    read."""
    classes = {**{i: _narrative_class for i, column in enumerate(table.columns) if column.prose}, **(classes or {})}
    header = html.Thead(html.Tr([html.Th(column.heading, scope="col") for column in table.columns]))
    body = html.Tbody([
        html.Tr([_with_class(_cell(cell, column, i == 0), classes[i](cell) if i in classes else None)
                 for i, (column, cell) in enumerate(zip(table.columns, row))])
        for row in table.rows
    ])
    grid = html.Table([html.Caption(table.title), header, body], id=table.table_id, className="data-table")
    return html.Div([scrolling(grid, table.title),
                     *[html.P(note, className="note table-note") for note in table.notes],
                     download_buttons(table.table_id, params)], className="model-table")


def _narrative_class(_cell: Cell) -> str:
    return "narrative"


def _with_class(cell, class_name: str | None):
    if class_name:
        cell.className = " ".join(filter(None, (cell.className, class_name)))
    return cell


def download_buttons(table_id: str, params: dict) -> html.Div:
    return html.Div([
        html.Button(_("Download CSV"), id={"type": "table-csv", "table": table_id}, n_clicks=0, type="button"),
        html.Button(_("Download Excel"), id={"type": "table-xlsx", "table": table_id}, n_clicks=0, type="button"),
        dcc.Store(id={"type": "table-params", "table": table_id}, data=params),
        dcc.Download(id={"type": "table-file", "table": table_id}),
        html.Div(id={"type": "table-download-status", "table": table_id}, role="status", className="no-print"),
    ], className="download-bar no-print")


def file_context(params: dict) -> list[tuple[str, str]]:
    """The notes block's context of a file the signed-in account downloads (`context_of`)."""
    return context_of(services(), current_scope(), parse_area_filter(params.get("period"), params.get("area")))


def context_of(svc: Services, scope: Scope, chosen: AreaFilter) -> list[tuple[str, str]]:
    """The notes block's context of a file, as (label, text) lines in the current language: area, period,
    account, data as of, the protection rule, where the definitions are, and the synthetic-data flag in demo
    mode."""
    today = svc.databases.today()
    lines = [(_("Area"), svc.gazetteer.full_name(chosen.area, current_language())),
             (_("Period"), period_text(chosen.period, today)), (_("Signed in as"), account_name(scope, svc.gazetteer)),
             (_("Data as of"), data_as_of_line(data_as_of_for(svc.databases, scope, svc.gazetteer, today),
                                               svc.settings.timezone.key, labelled=False))]
    if scope.suppressed:
        lines.append((_("Protection"), _("Counts from 1 to {largest} are hidden, with any number that would let "
                                         "one be worked out; see Definitions, disclosure control.")
                      .format(largest=svc.settings.suppress_below - 1)))
    lines.append((_("Definitions"), _("Each indicator's definition is on the Definitions page of the dashboard.")))
    if svc.settings.demo_mode:
        lines.append((_("Demo"), _("Synthetic demo data: no real person is described here.")))
    return lines


def download_table(_csv, _xlsx, params):
    prepared = _prepare(ctx.triggered_id, params or {})
    if isinstance(prepared, dict):
        return prepared, message(_("Prepared {file}.").format(file=prepared["filename"]), "info")
    return no_update, prepared


def install_downloads(app: dash.Dash) -> None:
    """The download buttons of every table. Registered on `app` itself: Dash's global `callback` reaches only the
    first app made in a process."""
    app.callback(Output({"type": "table-file", "table": MATCH}, "data"),
                 Output({"type": "table-download-status", "table": MATCH}, "children"),
                 Input({"type": "table-csv", "table": MATCH}, "n_clicks"),
                 Input({"type": "table-xlsx", "table": MATCH}, "n_clicks"),
                 State({"type": "table-params", "table": MATCH}, "data"), prevent_initial_call=True)(download_table)


@guarded
def _prepare(button: dict, params: dict):
    table_id, file_format = button["table"], "csv" if button["type"] == "table-csv" else "xlsx"
    if table_id not in _SOURCES:
        return message(_("This table cannot be downloaded."), "error")
    chosen = parse_area_filter(params.get("period"), params.get("area"))
    table = _SOURCES[table_id].build(services(), chosen, params)
    context = file_context(params)
    content = table_csv(table, context, bom=True) if file_format == "csv" else table_workbook(table, context)
    audit_download(current_account(), f"{table_id}.{file_format}", params)
    filename = f"{table_id}-{chosen.area}-{chosen.period.label}.{file_format}"
    return dcc.send_bytes(content, filename, type=MEDIA_TYPES[file_format])
