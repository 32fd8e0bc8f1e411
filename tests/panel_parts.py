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
