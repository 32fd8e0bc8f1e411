"""The contract's machine-readable exports, written the same way by the CLI and the dashboard."""

from __future__ import annotations

import io
import json
import math
import re

import pandas as pd

from queries.definitions import INDICATORS

FORMATS = ("json", "csv", "xlsx")
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _plain(value):
    """JSON-ready scalars: NaN and pandas' missing values become null, whole floats stay floats."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _plain(value.item())
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


_WHOLE_NUMBER_COLUMNS = ("numerator", "denominator", "records")


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts; counts (numerators, denominators, count values, records) as whole numbers."""
    rows = []
    for row in frame.to_dict("records"):
        plain = {column: _plain(value) for column, value in row.items()}
        for column in _WHOLE_NUMBER_COLUMNS + (("value",) if _is_count(plain) else ()):
            if isinstance(plain.get(column), float) and plain[column].is_integer():
                plain[column] = int(plain[column])
        rows.append(plain)
    return rows


def _is_count(row: dict) -> bool:
    code = row.get("indicator")
    return code in INDICATORS and INDICATORS[code].kind == "count"


# C0 control characters other than tab, line feed and carriage return, and DEL: no reader needs them, and a
# workbook cannot hold them (openpyxl refuses a NUL byte).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A spreadsheet opening a CSV reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def printable(value):
    """Text without control characters (tab, line feed and carriage return kept); anything else unchanged."""
    return _CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def csv_cell(value):
    """Text a spreadsheet will not run: printable, and quoted with a leading apostrophe where it would start a
    formula, as OWASP advises. Numbers stay numbers."""
    text = printable(value)
    return "'" + text if isinstance(text, str) and text.startswith(FORMULA_TRIGGERS) else text


# Excel reads a CSV file as the computer's legacy code page unless it starts with this mark: Bangla and dashes
# then come out garbled. Other readers (pandas, R, Python's csv with utf-8-sig) skip it.
BYTE_ORDER_MARK = "\ufeff".encode("utf-8")


def csv_bytes(frame: pd.DataFrame, bom: bool = False) -> bytes:
    """The frame as UTF-8 CSV with RFC 4180's CRLF line ends (so a field holding a carriage return is quoted,
    not split), every text cell through `csv_cell`; with `bom`, it starts with BYTE_ORDER_MARK, for Excel."""
    text = frame.map(csv_cell).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    return BYTE_ORDER_MARK + text if bom else text


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with a sheet per frame (names cut to Excel's 31 characters). Text is printable and
    stored as text, never as a formula, so a cell reads exactly as the source wrote it."""
    if not sheets:
        raise ValueError("nothing to write: a workbook needs at least one sheet")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.map(printable).to_excel(writer, index=False, sheet_name=name[:31])
        for sheet in writer.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # openpyxl takes text starting with "=" for a formula
                        cell.data_type = "s"
    return buffer.getvalue()


def to_bytes(frame: pd.DataFrame, file_format: str, sheet_name: str = "indicators", bom: bool = False) -> bytes:
    _check_bom(file_format, bom)
    if file_format == "json":
        return (json.dumps(records(frame), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if file_format == "csv":
        return csv_bytes(pd.DataFrame(records(frame), columns=frame.columns), bom)
    if file_format == "xlsx":
        return workbook_bytes({sheet_name: pd.DataFrame(records(frame), columns=frame.columns)})
    raise ValueError(f"unknown format {file_format!r}: use one of {', '.join(FORMATS)}")


TABLE_COLUMNS = ["table", "row", "column", "value"]


def _check_bom(file_format: str, bom: bool) -> None:
    if bom and file_format != "csv":
        raise ValueError(f"a byte-order mark is for CSV files only, not {file_format}")


def tables_bytes(tables: list[dict], file_format: str, bom: bool = False) -> bytes:
    """A page's tables (`dashboard.components.tables_in`), cells exactly as the page shows them.

    JSON keeps each table whole; CSV has a line per cell (`table, row, column,
    value`, rows counted from 1); Excel has a sheet per table.
    """
    _check_bom(file_format, bom)
    if file_format == "json":
        return (json.dumps(tables, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if file_format == "csv":
        cells = [(t["table"], number, column, value) for t in tables
                 for number, row in enumerate(t["rows"], start=1) for column, value in zip(t["columns"], row)]
        return csv_bytes(pd.DataFrame(cells, columns=TABLE_COLUMNS), bom)
    if file_format == "xlsx":
        if not tables:
            raise ValueError("the page shows no table for this filter: a workbook needs at least one sheet")
        return workbook_bytes({t["table"]: pd.DataFrame(t["rows"], columns=t["columns"]) for t in tables})
    raise ValueError(f"unknown format {file_format!r}: use one of {', '.join(FORMATS)}")
