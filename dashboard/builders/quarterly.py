"""Pure builders of the quarterly indicators page: the table (indicators x quarters, plus the year's target),
the same table as CSV / Excel bytes, and its accessible HTML rendering.

Cells are the strings the screen shows, in the current language: a suppressed cell reads "hidden" and the
hidden number is never read, so a download cannot hold more than the screen. A download keeps ASCII digits.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pandas as pd
from babel.dates import get_timezone_name
from dash import html

from impact_monitor.exports import csv_bytes, workbook_bytes
from queries.definitions import INDICATORS
from queries.periods import Period, quarter_containing

from ..components import definition_link, format_value, row_text, scrolling
from ..i18n import N_, _, current_language, day, digits, period_name

INDICATOR_HEADING = N_("Indicator")
QUARTER_COUNTS = (4, 8)
DATABASE_NAMES = {"cases": N_("Case database"), "referrals": N_("Referral database")}


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
    return _("Target {year}").format(year=digits(str(year)))


def quarterly_table(rows: pd.DataFrame, quarters: list[str], area: str, targets: dict[str, float],
                    target_year: int) -> pd.DataFrame:
    """One row per indicator (INDICATORS order), one column per quarter (headed by its name), then the year's
    target.

    `rows` are the engine's export rows for those quarters, already suppressed;
    `targets` maps indicator code -> target of `target_year` (missing: blank).
    """
    own = rows[rows["area"] == area].set_index(["indicator", "period"])
    indicator_heading, target_column = _(INDICATOR_HEADING), target_heading(target_year)
    records = []
    for code, indicator in INDICATORS.items():
        record = {indicator_heading: _(indicator.label)}
        for label in quarters:
            if (code, label) in own.index:
                record[period_name(label)] = row_text(own.loc[(code, label)], indicator.kind)
            else:
                record[period_name(label)] = ""
        target = targets.get(code)
        record[target_column] = "" if target is None else format_value(target, indicator.kind)
        records.append(record)
    return pd.DataFrame(records, columns=[indicator_heading, *map(period_name, quarters), target_column],
                        index=list(INDICATORS))


_BENGALI_NUMBER = re.compile(r"[০-৯]+(?:,[০-৯]+)*(?:\.[০-৯]+)?")
_ASCII_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def ascii_number(bengali: re.Match) -> str:
    """A number in Bengali digits as the English page writes it: a number grouped in lakhs (১২,৩৪,৫৬৭.৫) grouped in
    thousands (1,234,567.5); one written without grouping (a year) still without."""
    text = bengali.group().translate(_ASCII_DIGITS)
    if "," not in text:
        return text
    whole, _point, fraction = text.replace(",", "").partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def with_ascii_digits(text: str) -> str:
    return _BENGALI_NUMBER.sub(ascii_number, text)


def download_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a download holds it: its words as on screen, its numbers in ASCII digits with thousands
    grouped as in English, so that a spreadsheet reads them as numbers whatever the page's language."""
    return table.rename(columns=with_ascii_digits).map(with_ascii_digits)


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
        name = _(DATABASE_NAMES[database]) if database in DATABASE_NAMES else database
        parts.append(f"{name} {day(max(days))}" if days else _("{database}: no records").format(database=name))
    return _("Data as of (dates in {zone}): {databases}.").format(zone=zone_name(zone), databases="; ".join(parts))


def zone_name(zone: str) -> str:
    """The time zone as the reader knows it: its identifier in English (Asia/Dhaka), its name in Bangla."""
    return get_timezone_name(zone, locale="bn") if current_language() == "bn" else zone
