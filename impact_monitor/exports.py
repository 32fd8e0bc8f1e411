"""The contract's machine-readable exports, written the same way by the CLI and the dashboard."""

from __future__ import annotations

import io
import json
import math
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font

from dashboard.i18n import _
from queries.definitions import INDICATORS, RELIABLE_EVENTS, UNRELIABLE_TEMPLATE

from .table_model import Cell, Column, Table, kind_of

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


# A page's table in a file (`impact_monitor.table_model`): the numbers the screen shows, to the digit the screen
# shows them (an unrounded percentage would tell more than the page does), stored as numbers with the screen's
# formats; a hidden cell holds its mark, in the language of the page; a notes block says what the file is.
DECIMALS = {"count": 0, "percent": 1, "rate": 1, "median": 1, "number": 1}
EXCEL_FORMATS = {"count": "#,##0", "percent": '0.0" %"', "rate": "#,##0.0", "median": "0.0", "number": "#,##0.0"}
# Marks a number resting on fewer than 20 events in a workbook, where the cell stays a number.
UNRELIABLE_SIGN = "\u2020"
# Beside a number that has moved since its quarter's release; a comment on the cell says by how much.
CHANGED_SIGN = "\u0394"


def file_value(cell: Cell, column: Column):
    """What a file holds for a cell: its mark's words when hidden, its number rounded as shown (a count whole),
    or its text."""
    kind = kind_of(cell, column)
    if cell.mark is not None:
        return _(cell.mark)
    if cell.value is None or kind == "text" or isinstance(cell.value, str):
        return printable(cell.value)
    if isinstance(cell.value, float) and math.isnan(cell.value):
        return None
    decimals = DECIMALS[kind]
    return int(round(cell.value)) if decimals == 0 else round(float(cell.value), decimals)


def _unreliable_cells(table: Table) -> list[str]:
    return [f"{row[0].value} / {column.heading}" for row in table.rows
            for column, cell in zip(table.columns, row) if cell.reliable is False]


def notes_block(table: Table, context: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The file's notes, as (label, text) lines: its title, where and when it comes from, its own notes, and
    the values that rest on too few events."""
    lines = [(_("Title"), table.title), *context]
    lines += [(_("Note"), note) for note in table.notes]
    lines += [(_("Unreliable"), f"{where}: {unreliable_words()}") for where in _unreliable_cells(table)]
    return lines


def unreliable_words() -> str:
    return _(UNRELIABLE_TEMPLATE).format(events=RELIABLE_EVENTS)


def table_csv(table: Table, context: list[tuple[str, str]], bom: bool = False) -> bytes:
    """The table as CSV (header, then a line per row; numbers in ASCII digits), then an empty line and the
    notes block, a (label, text) line each."""
    frame = _csv_frame([[file_value(cell, column) for column, cell in zip(table.columns, row)]
                        for row in table.rows], [column.heading for column in table.columns])
    notes = _csv_frame([["", ""], [_("Notes"), ""], *notes_block(table, context)], ["label", "text"])
    body = frame.to_csv(index=False, lineterminator="\r\n")
    text = body + notes.to_csv(index=False, header=False, lineterminator="\r\n")
    return (BYTE_ORDER_MARK if bom else b"") + text.encode("utf-8")


def table_workbook(table: Table, context: list[tuple[str, str]]) -> bytes:
    """The table as an Excel workbook: the table's sheet (a header row, then numbers as numbers with the
    screen's formats; an unreliable one marked with UNRELIABLE_SIGN in its format and a comment), and a Notes
    sheet."""
    return tables_workbook([table], context)


def tables_workbook(tables: list[Table], context: list[tuple[str, str]]) -> bytes:
    """A sheet per table (named by its id when several), then one Notes sheet of them all."""
    if not tables:
        raise ValueError("the page shows no table for this filter: a workbook needs at least one sheet")
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        _write_sheet(book.create_sheet(_sheet_title(table.title if len(tables) == 1 else table.table_id)), table)
    notes = book.create_sheet(_sheet_title(_("Notes")))
    lines = context + [line for table in tables for line in notes_block(table, [])]
    for label, text in lines:
        notes.append([printable(label), printable(text)])
        notes.cell(notes.max_row, 1).font = Font(bold=True)
    _fit_columns(notes)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet, table: Table) -> None:
    sheet.append([column.heading for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([file_value(cell, column) for column, cell in zip(table.columns, row)])
        for column, cell, written in zip(table.columns, row, sheet[sheet.max_row]):
            _format_cell(written, kind_of(cell, column), cell)
    sheet.freeze_panes = "B2"
    _fit_columns(sheet)


def tables_file(tables: list[Table], file_format: str, context: list[tuple[str, str]], bom: bool = False) -> bytes:
    """A page's tables in one file, as the command line writes them: JSON keeps each table whole (its columns
    with their kinds, rows of numbers, texts and marks, notes) beside the context; CSV has a line per cell
    (`table, row, column, value`, rows counted from 1) and then the notes; Excel a sheet per table and Notes."""
    _check_bom(file_format, bom)
    if file_format == "xlsx":
        return tables_workbook(tables, context)
    if file_format == "json":
        document = {"notes": [{"label": label, "text": text} for label, text in context],
                    "tables": [_table_document(table) for table in tables]}
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if file_format == "csv":
        cells = [(table.table_id, number, column.heading, file_value(cell, column))
                 for table in tables for number, row in enumerate(table.rows, start=1)
                 for column, cell in zip(table.columns, row)]
        notes = [("", "", "", ""), (_("Notes"), "", "", ""),
                 *[(label, text, "", "") for label, text in context + [line for table in tables
                                                                       for line in notes_block(table, [])]]]
        frame = _csv_frame(cells + notes, TABLE_COLUMNS)
        return (BYTE_ORDER_MARK if bom else b"") + frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    raise ValueError(f"unknown format {file_format!r}: use one of {', '.join(FORMATS)}")


def _csv_frame(rows: list, columns: list[str]) -> pd.DataFrame:
    """Rows of file values ready for CSV, each cell through `csv_cell`, each kept as it is: a column of counts
    and rates writes a count 12, never 12.0 (pandas would make the column floats)."""
    return pd.DataFrame([[csv_cell(value) for value in row] for row in rows], columns=columns, dtype=object)


def _table_document(table: Table) -> dict:
    """A table in a JSON file: `rows` of typed values (numbers as numbers, rounded as shown; a hidden cell its
    mark's words), `shown` the same cells as the page writes them, and `kinds` how each cell's number reads."""
    from dashboard.components import cell_text  # the screen's words; the other exports need no Dash

    return {"table": table.table_id, "title": table.title,
            "columns": [{"heading": column.heading, "kind": column.kind} for column in table.columns],
            "rows": [[file_value(cell, column) for column, cell in zip(table.columns, row)]
                     for row in table.rows],
            "kinds": [[kind_of(cell, column) for column, cell in zip(table.columns, row)] for row in table.rows],
            "shown": [[cell_text(cell, column) for column, cell in zip(table.columns, row)]
                      for row in table.rows],
            "unreliable": _unreliable_cells(table), "notes": list(table.notes)}


def _format_cell(written, kind: str, cell: Cell) -> None:
    if written.data_type == "f":  # openpyxl takes text starting with "=" for a formula
        written.data_type = "s"
    if cell.mark is not None:
        written.alignment = Alignment(horizontal="right")
    elif isinstance(written.value, str) and (len(written.value) > _WIDEST_COLUMN or "\n" in written.value):
        # Wrapped inside its column (at most _WIDEST_COLUMN wide), its lines kept, as the page shows it.
        written.alignment = Alignment(wrap_text=True, vertical="top")
    elif kind in EXCEL_FORMATS and isinstance(written.value, (int, float)):
        written.number_format = EXCEL_FORMATS[kind]
        comments = []
        if cell.reliable is False:
            written.number_format += f'" {UNRELIABLE_SIGN}"'
            comments.append(unreliable_words())
        if cell.change:
            written.number_format += f'" {CHANGED_SIGN}"'
            comments.append(cell.change)
        if comments:
            written.comment = Comment("\n".join(comments), "impact-monitor")


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "table"


_WIDEST_COLUMN = 60  # characters


def _fit_columns(sheet) -> None:
    for cells in sheet.columns:
        longest = max(len(str(cell.value)) if cell.value is not None else 0 for cell in cells)
        sheet.column_dimensions[cells[0].column_letter].width = min(_WIDEST_COLUMN, max(10, longest + 2))
