"""Pure builders of page parts shared by several pages: numbers, tables, messages."""

from __future__ import annotations

import math

import pandas as pd
from dash import dcc, html

from queries.definitions import INDICATORS


def format_value(value, kind: str, suppressed: bool = False, suppress_below: int = 10) -> str:
    """How a number reads on screen; hidden values say only that they are small."""
    if suppressed:
        return f"<{suppress_below}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "count":
        return f"{int(round(value)):,}"
    if kind == "percent":
        return f"{value:.1f} %"
    if kind == "median":
        return f"{value:.1f} days"
    return f"{value:,.1f}"


def indicator_value(row: pd.Series, suppress_below: int) -> str:
    return format_value(row["value"], INDICATORS[row["indicator"]].kind, bool(row["suppressed"]), suppress_below)


def message(text: str, kind: str = "warning") -> html.Div:
    """A plain-words message in place of a panel (bad filter, database down, nothing to show)."""
    return html.Div(text, className=f"message message-{kind}", role="alert" if kind == "error" else "status")


def data_table(frame: pd.DataFrame, caption: str, table_id: str | None = None,
               numeric: tuple[str, ...] = ()) -> html.Table:
    """An accessible HTML table: caption, column headers with scope, numbers right-aligned."""
    header = html.Thead(html.Tr([html.Th(str(c), scope="col") for c in frame.columns]))
    body = html.Tbody([
        html.Tr([
            (html.Th if i == 0 else html.Td)(
                "" if value is None else str(value),
                className="num" if column in numeric else None,
                **({"scope": "row"} if i == 0 else {}))
            for i, (column, value) in enumerate(row.items())
        ])
        for _, row in frame.iterrows()
    ])
    return html.Table([html.Caption(caption), header, body], className="data-table",
                      **({"id": table_id} if table_id else {}))


def text_of(component) -> str:
    """The text a component shows, as a browser would read it from its children."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return "".join(text_of(child) for child in component)
    return text_of(getattr(component, "children", None))


def _listed(children) -> list:
    return list(children) if isinstance(children, (list, tuple)) else [children]


def tables_in(component) -> list[dict]:
    """Every table with an id inside a component tree: {table, caption, columns, rows}, all cells as shown."""
    if isinstance(component, (list, tuple)):
        return [table for child in component for table in tables_in(child)]
    if isinstance(component, html.Table) and getattr(component, "id", None):
        return [_table_cells(component)]
    children = getattr(component, "children", None)
    return [] if children is None or isinstance(children, (str, int, float)) else tables_in(children)


def _table_cells(table: html.Table) -> dict:
    parts = {type(part).__name__: part for part in _listed(table.children)}
    header, body = _listed(parts["Thead"].children), _listed(parts["Tbody"].children)
    return {"table": table.id, "caption": text_of(parts.get("Caption")),
            "columns": [text_of(cell) for row in header for cell in _listed(row.children)],
            "rows": [[text_of(cell) for cell in _listed(row.children)] for row in body]}


def panel_section(title: str, panel_id: str, text: str) -> html.Section:
    """A titled page section whose panel a callback fills (with a loading indicator meanwhile)."""
    return html.Section([html.H3(title), html.P(text), dcc.Loading(html.Div(id=panel_id))],
                        className="panel", **{"aria-label": title})


def definition_link(code: str) -> html.A:
    return html.A(INDICATORS[code].label, href=f"/definitions#{code}", className="definition-link",
                  title=f"Definition of {INDICATORS[code].label}")
