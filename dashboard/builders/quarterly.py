"""Pure builders of the quarterly indicators page: the table (indicators x quarters, plus the year's target),
the same table as CSV / Excel bytes, and its accessible HTML rendering.

Cells are the strings the screen shows: a suppressed cell reads "hidden" and the
hidden number is never read, so a download cannot hold more than the screen.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from dash import html

from impact_monitor.exports import csv_bytes, workbook_bytes
from queries.definitions import INDICATORS
from queries.periods import Period, quarter_containing

from ..components import definition_link, format_value, row_text, scrolling

INDICATOR_HEADING = "Indicator"
QUARTER_COUNTS = (4, 8)


def last_quarter(period: Period, fiscal_year_start: int | None = None) -> Period:
    """The chosen quarter, or the last quarter of a chosen (calendar) year, labelled as the deployment labels quarters."""
    if period.kind == "quarter":
        return period
    return quarter_containing(period.end - timedelta(days=1), fiscal_year_start)


def quarters_ending(period: Period, count: int, fiscal_year_start: int | None = None) -> list[Period]:
    """`count` consecutive quarters ending with `last_quarter(period)`, oldest first."""
    end = last_quarter(period, fiscal_year_start)
    return [end.shifted(-offset) for offset in range(count - 1, -1, -1)]


def target_heading(year: int) -> str:
    return f"Target {year}"


def quarterly_table(rows: pd.DataFrame, quarters: list[str], area: str, targets: dict[str, float],
                    target_year: int) -> pd.DataFrame:
    """One row per indicator (INDICATORS order), one column per quarter label, then the year's target.

    `rows` are the engine's export rows for those quarters, already suppressed;
    `targets` maps indicator code -> target of `target_year` (missing: blank).
    """
    own = rows[rows["area"] == area].set_index(["indicator", "period"])
    records = []
    for code, indicator in INDICATORS.items():
        record = {INDICATOR_HEADING: indicator.label}
        for label in quarters:
            if (code, label) in own.index:
                record[label] = row_text(own.loc[(code, label)], indicator.kind)
            else:
                record[label] = ""
        target = targets.get(code)
        record[target_heading(target_year)] = "" if target is None else format_value(target, indicator.kind)
        records.append(record)
    return pd.DataFrame(records, columns=[INDICATOR_HEADING, *quarters, target_heading(target_year)],
                        index=list(INDICATORS))


def table_bytes(table: pd.DataFrame, file_format: str) -> bytes:
    """Exactly the table's cells, as CSV (UTF-8 with a byte-order mark: a browser download is most often opened
    in Excel) or an Excel workbook."""
    if file_format == "csv":
        return csv_bytes(table, bom=True)
    if file_format == "xlsx":
        return workbook_bytes({"quarterly indicators": table})
    raise ValueError(f"unknown format {file_format!r}: use csv or xlsx")


def html_table(table: pd.DataFrame, caption: str, table_id: str) -> html.Div:
    """The table with each indicator's name linking to its definition; numbers right-aligned."""
    header = html.Thead(html.Tr([html.Th(column, scope="col") for column in table.columns]))
    body = html.Tbody([
        html.Tr([html.Th(definition_link(code), scope="row")]
                + [html.Td(value, className="num") for value in row.iloc[1:]])
        for code, row in table.iterrows()
    ])
    return scrolling(html.Table([html.Caption(caption), header, body], id=table_id,
                                className="data-table compact-table"), caption)


def data_as_of_text(latest: dict[str, dict[str, date | datetime | None]], zone: str) -> str:
    """ "Data as of (dates in Asia/Dhaka): cases database 2026-11-23; ..." from queries.data_as_of: each
    database's newest record, as a local date."""
    parts = []
    for database, columns in latest.items():
        days = [value.date() if isinstance(value, datetime) else value for value in columns.values() if value]
        parts.append(f"{database} database {max(days).isoformat()}" if days else f"{database} database: no records")
    return f"Data as of (dates in {zone}): " + "; ".join(parts) + "."
