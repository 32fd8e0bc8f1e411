"""The contract's machine-readable exports, written the same way by the CLI and the dashboard."""

from __future__ import annotations

import io
import json
import math

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


def to_bytes(frame: pd.DataFrame, file_format: str, sheet_name: str = "indicators") -> bytes:
    if file_format == "json":
        return (json.dumps(records(frame), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if file_format == "csv":
        return pd.DataFrame(records(frame), columns=frame.columns).to_csv(index=False).encode("utf-8")
    if file_format == "xlsx":
        buffer = io.BytesIO()
        pd.DataFrame(records(frame), columns=frame.columns).to_excel(buffer, index=False, sheet_name=sheet_name)
        return buffer.getvalue()
    raise ValueError(f"unknown format {file_format!r}: use one of {', '.join(FORMATS)}")


TABLE_COLUMNS = ["table", "row", "column", "value"]


def tables_bytes(tables: list[dict], file_format: str) -> bytes:
    """A page's tables (`dashboard.components.tables_in`), cells exactly as the page shows them.

    JSON keeps each table whole; CSV has a line per cell (`table, row, column,
    value`, rows counted from 1); Excel has a sheet per table.
    """
    if file_format == "json":
        return (json.dumps(tables, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if file_format == "csv":
        cells = [(t["table"], number, column, value) for t in tables
                 for number, row in enumerate(t["rows"], start=1) for column, value in zip(t["columns"], row)]
        return pd.DataFrame(cells, columns=TABLE_COLUMNS).to_csv(index=False).encode("utf-8")
    if file_format == "xlsx":
        if not tables:
            raise ValueError("the page shows no table for this filter: a workbook needs at least one sheet")
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer) as workbook:
            for t in tables:
                pd.DataFrame(t["rows"], columns=t["columns"]).to_excel(workbook, index=False,
                                                                        sheet_name=t["table"][:31])
        return buffer.getvalue()
    raise ValueError(f"unknown format {file_format!r}: use one of {', '.join(FORMATS)}")
