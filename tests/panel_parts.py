"""Reading a panel's parts as the page gets them: its charts (each under its title) and the parameters its
tables are downloaded with."""

from __future__ import annotations

from dash import dcc, html

PARAMS = {"period": "2026-Q1", "area": "BD"}


def walk(component):
    """Every component of a tree, depth first."""
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from walk(child)
        return
    yield component
    children = getattr(component, "children", None)
    if children is not None and not isinstance(children, (str, int, float)):
        yield from walk(children)


def figures(parts) -> list:
    return [part.figure for part in walk(parts) if isinstance(part, dcc.Graph)]


def chart_titles(parts) -> list[str]:
    """The title above each chart, in order."""
    return [part.children for part in walk(parts) if isinstance(part, html.H4)]


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


def tables_in(parts) -> list[dict]:
    """Every table with an id in a panel's parts as the page draws them: {table, caption, columns, rows}, each
    cell's text as a browser reads it. For checking the drawing against its table model: the app itself never
    reads its tables back."""
    tables = []
    for part in walk(parts):
        if isinstance(part, html.Table) and getattr(part, "id", None):
            pieces = {type(piece).__name__: piece for piece in _listed(part.children)}
            header, body = _listed(pieces["Thead"].children), _listed(pieces["Tbody"].children)
            tables.append({"table": part.id, "caption": text_of(pieces.get("Caption")),
                           "columns": [text_of(cell) for row in header for cell in _listed(row.children)],
                           "rows": [[text_of(cell) for cell in _listed(row.children)] for row in body]})
    return tables
