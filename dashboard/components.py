"""Pure builders of page parts shared by several pages: numbers, tables, messages."""

from __future__ import annotations

import html as html_text
import math
import string
from typing import Callable

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from impact_monitor.table_model import NOT_AVAILABLE, NOT_RELEASED, NOT_YET, Cell, Column, kind_of
from queries.definitions import INDICATORS, RELIABLE_EVENTS, UNRELIABLE_TEMPLATE
from queries.publication import WITHHELD

from .i18n import N_, _, number


# One mark for every hidden number: a mark that told counts hidden for being small from those hidden to protect
# them would tell a reader that the latter are at least k, and help work the former out. A part of a breakdown
# withheld as a whole reads WITHHELD, zeros included.
HIDDEN = N_("hidden")


def with_parts(text: str, **parts) -> list:
    """A translated sentence with components in its {placeholders} (a formula in <code>, a symbol in <var>):
    the list of its texts and components in order, for a Dash element's children."""
    pieces = []
    for literal, name, _spec, _conversion in string.Formatter().parse(text):
        if literal:
            pieces.append(literal)
        if name is not None:
            pieces.append(parts[name])
    return pieces


def chart_text(text: str) -> str:
    """Text for a Plotly label, escaped: Plotly renders a subset of HTML in labels (links, bold, line breaks),
    and text from a source database must read as written, never as a live link."""
    return html_text.escape(str(text), quote=False)


def format_value(value, kind: str, suppressed: bool = False, withheld: bool = False,
                 reliable: bool | None = None) -> str:
    """How a number reads on screen, in the current language; a hidden value reads HIDDEN, a withheld one
    WITHHELD, and an unreliable rate or percentage (`reliable` False: `definitions.reliable`) carries the
    UNRELIABLE mark."""
    if withheld:
        return _(WITHHELD)
    if suppressed:
        return _(HIDDEN)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "count":
        return number(int(round(value)))
    if kind == "percent":
        text = f"{number(value, 1)} %"
    elif kind == "median":
        return _("{days} days").format(days=number(value, 1))
    else:
        text = number(value, 1)
    return f"{text} ({unreliable_mark()})" if reliable is False else text


def cell_text(cell: Cell, column: Column) -> str:
    """A table model's cell as the screen shows it, in the current language."""
    kind = kind_of(cell, column)
    if kind == "text" and cell.mark is None:
        return "" if cell.value is None else str(cell.value)
    if cell.mark in (NOT_AVAILABLE, NOT_YET, NOT_RELEASED):
        return _(cell.mark)
    text = format_value(cell.value, kind, suppressed=cell.mark == HIDDEN, withheld=cell.mark == WITHHELD,
                        reliable=cell.reliable)
    return f"{text} ({cell.change})" if cell.change else text


def unreliable_mark() -> str:
    return _(UNRELIABLE_TEMPLATE).format(events=number(RELIABLE_EVENTS))


def row_text(row, kind: str) -> str:
    """An indicator export row's value as the screen shows it, marks included."""
    reliable = row.get("reliable")
    return format_value(row["value"], kind, bool(row["suppressed"]), bool(row["withheld"]),
                        None if reliable is None or reliable != reliable else bool(reliable))


# How a chart shows a number it may not show: its mark, written where the bar or point would be, in grey. A
# missing bar or a gap alone would read as zero.
MARK_COLOUR = "#595959"


def hidden_bar_marks(categories: list, marks: list[str | None], offsetgroup: str | None = None,
                     horizontal: bool = False) -> go.Bar | None:
    """A bar trace that writes the mark of each hidden or withheld value (`marks`: HIDDEN, WITHHELD or None per
    category) on the baseline, in the place of the bar it stands for: give it the `offsetgroup` of that bar's
    trace in a grouped chart. None when nothing is hidden."""
    places = [(category, _(mark)) for category, mark in zip(categories, marks) if mark]
    if not places:
        return None
    where, texts = [category for category, _mark in places], [text for _category, text in places]
    zeros = [0] * len(where)
    axes = {"y": where, "x": zeros, "orientation": "h"} if horizontal else {"x": where, "y": zeros}
    # Never shrunk to the bar's width: on a phone a narrow bar would shrink the mark past reading.
    return go.Bar(**axes, text=texts, textposition="outside", textangle=0 if horizontal else -90,
                  constraintext="none", textfont={"color": MARK_COLOUR, "size": 11}, marker_color=MARK_COLOUR,
                  offsetgroup=offsetgroup,
                  cliponaxis=False, showlegend=False, hovertemplate="%{text}<extra></extra>")


def mark_hidden_points(figure: go.Figure, positions: list, marks: list[str | None]) -> None:
    """Write the mark of each hidden point of a line chart (`marks` per x position) at the foot of the plot,
    above its x position: the line has a gap there, and the gap must not read as zero."""
    for position, mark in zip(positions, marks):
        if mark:
            figure.add_annotation(x=position, y=0, yref="paper", yanchor="bottom", text=_(mark), textangle=-90,
                                  showarrow=False, font={"color": MARK_COLOUR, "size": 11})


def hidden_note(k: int) -> html.P:
    """What the marks of protected numbers mean, for an external audience's pages."""
    return html.P([
        _("\u201c{hidden}\u201d: a count from 1 to {largest}, or a number that would let one be worked out from the "
          "others shown: another count beside it, or a percentage, rate or median built on it. "
          "\u201c{withheld}\u201d: a count in a breakdown hidden as a whole, zeros included (for example the four "
          "quarters of one area's year, or the areas inside one area). Every page and download hides the same "
          "numbers. ").format(hidden=_(HIDDEN), withheld=_(WITHHELD), largest=number(k - 1)),
        html.A(_("How small counts are protected"), href="/definitions#disclosure-control"), "."],
        className="note protection-note")


def message(text: str, kind: str = "warning") -> html.Div:
    """A plain-words message in place of a panel (bad filter, database down, nothing to show)."""
    return html.Div(text, className=f"message message-{kind}", role="alert" if kind == "error" else "status")


def scrolling(table: html.Table, caption: str) -> html.Div:
    """A table in a box of its own that scrolls sideways on a narrow screen (its first column stays), so the page
    itself never does; a keyboard can scroll it too (WCAG 2.1, 1.4.10 Reflow)."""
    return html.Div(table, className="table-scroll", role="region", tabIndex="0", **{"aria-label": caption})


def data_table(frame: pd.DataFrame, caption: str, table_id: str | None = None,
               numeric: tuple[str, ...] = (), classes: dict[str, Callable[[object], str | None]] | None = None
               ) -> html.Div:
    """An accessible HTML table: caption, column headers with scope, numbers right-aligned; in a box of its own
    that scrolls sideways on a narrow screen. `classes` maps a column to the class of each of its cells, from
    the cell's value (a status coloured by what it says)."""
    classes = classes or {}
    header = html.Thead(html.Tr([html.Th(str(c), scope="col") for c in frame.columns]))
    body = html.Tbody([
        html.Tr([
            (html.Th if i == 0 else html.Td)(
                "" if value is None else str(value),
                className="num" if column in numeric else classes[column](value) if column in classes else None,
                **({"scope": "row"} if i == 0 else {}))
            for i, (column, value) in enumerate(row.items())
        ])
        for _, row in frame.iterrows()
    ])
    return scrolling(html.Table([html.Caption(caption), header, body], className="data-table",
                                **({"id": table_id} if table_id else {})), caption)


def panel_section(title: str, panel_id: str, text: str) -> html.Section:
    """A titled page section whose panel a callback fills (with a loading indicator meanwhile)."""
    return html.Section([html.H3(title), html.P(text), dcc.Loading(html.Div(id=panel_id))],
                        className="panel", **{"aria-label": title})


def definition_link(code: str) -> html.A:
    label = _(INDICATORS[code].label)
    return html.A(label, href=f"/definitions#{code}", className="definition-link",
                  title=_("Definition of {indicator}").format(indicator=label))
