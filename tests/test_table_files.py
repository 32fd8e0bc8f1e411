"""A table model written to CSV and Excel: numbers as numbers, in the screen's formats and precision, hidden
cells as their marks, and a notes block; the same in the Bangla interface, with ASCII digits."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from dashboard.i18n import speaking
from dashboard.table_view import cell_text
from impact_monitor.exports import BYTE_ORDER_MARK, table_csv, table_workbook, tables_file
from impact_monitor.table_model import Cell, Column, Table

TABLE = Table(
    "referrals-by-service", "Referrals by service, Dhaka division, 2026-Q3",
    (Column("Service"), Column("Referrals", "count"), Column("Within target", "percent"),
     Column("Median days", "median")),
    ((Cell("Legal aid"), Cell(1234), Cell(71.4567), Cell(2.25)),
     (Cell("Shelter"), Cell(mark="hidden"), Cell(mark="hidden"), Cell(mark="hidden")),
     (Cell("=HYPERLINK(\"x\")"), Cell(12), Cell(41.66666, reliable=False), Cell(mark="withheld"))),
    notes=("Referrals are counted where the service is delivered.",))
CONTEXT = [("Area", "Dhaka division"), ("Period", "2026-Q3")]


def test_a_hidden_cell_cannot_carry_its_value():
    with pytest.raises(ValueError, match="never its value"):
        Cell(4, mark="hidden")


def test_the_workbook_holds_numbers_with_the_screen_formats_and_marks_as_text():
    book = openpyxl.load_workbook(io.BytesIO(table_workbook(TABLE, CONTEXT)))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["Service", "Referrals", "Within target", "Median days"]
    legal = sheet[2]
    assert (legal[1].value, legal[1].data_type, legal[1].number_format) == (1234, "n", "#,##0")
    assert (legal[2].value, legal[2].number_format) == (71.5, '0.0" %"')  # as the screen rounds it
    assert legal[3].value == 2.2 or legal[3].value == 2.3  # Python's rounding of the float 2.25
    assert [c.value for c in sheet[3]][1:] == ["hidden", "hidden", "hidden"]
    formula = sheet[4]
    assert formula[0].data_type == "s" and formula[0].value.startswith("=")  # text, never run
    assert formula[2].value == 41.7 and formula[2].number_format.endswith('" \u2020"') and formula[2].comment
    assert formula[3].value == "withheld"
    notes = {row[0].value: row[1].value for row in book["Notes"].iter_rows()}
    assert notes["Title"] == TABLE.title and notes["Area"] == "Dhaka division" and notes["Period"] == "2026-Q3"
    assert notes["Note"] == TABLE.notes[0]
    assert "unreliable: fewer than 20 events" in notes["Unreliable"]


def test_the_csv_has_the_table_then_its_notes_and_a_bom_only_when_asked():
    data = table_csv(TABLE, CONTEXT, bom=True)
    assert data.startswith(BYTE_ORDER_MARK) and not table_csv(TABLE, CONTEXT).startswith(BYTE_ORDER_MARK)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Service", "Referrals", "Within target", "Median days"]
    assert rows[1][:3] == ["Legal aid", "1234", "71.5"] and rows[2][1:] == ["hidden"] * 3
    assert rows[3][0] == "'=HYPERLINK(\"x\")"  # a formula trigger is quoted away
    assert rows[4] == ["", ""] and rows[5] == ["Notes", ""]
    assert ["Area", "Dhaka division"] in rows and ["Title", TABLE.title] in rows


def test_a_bangla_download_has_bangla_marks_and_ascii_digits():
    with speaking("bn"):
        rows = list(csv.reader(io.StringIO(table_csv(TABLE, CONTEXT).decode("utf-8"))))
        assert cell_text(Cell(1234), Column("x", "count")) == "১,২৩৪"
    assert rows[1][1] == "1234" and rows[2][1] == "গোপন" and rows[3][3] == "আটকে রাখা"
    assert any(row[0] == "শিরোনাম" for row in rows if row)


def test_a_page_s_tables_in_one_file_for_the_command_line():
    other = Table("referrals-by-urgency", "By urgency", (Column("Urgency"), Column("Referrals", "count")),
                  ((Cell("Urgent"), Cell(40)),))
    document = json.loads(tables_file([TABLE, other], "json", CONTEXT))
    assert document["notes"][0] == {"label": "Area", "text": "Dhaka division"}
    first = document["tables"][0]
    assert first["columns"][2] == {"heading": "Within target", "kind": "percent"}
    assert first["rows"][0] == ["Legal aid", 1234, 71.5, 2.2] and first["rows"][1][1:] == ["hidden"] * 3
    assert first["unreliable"] == ["=HYPERLINK(\"x\") / Within target"]
    rows = list(csv.reader(io.StringIO(tables_file([TABLE, other], "csv", CONTEXT).decode("utf-8"))))
    assert rows[0] == ["table", "row", "column", "value"]
    assert ["referrals-by-urgency", "1", "Referrals", "40"] in rows and ["Area", "Dhaka division", "", ""] in rows
    book = openpyxl.load_workbook(io.BytesIO(tables_file([TABLE, other], "xlsx", CONTEXT)))
    assert book.sheetnames == ["referrals-by-service", "referrals-by-urgency", "Notes"]
    assert book["referrals-by-urgency"]["B2"].value == 40 and book["referrals-by-urgency"]["B2"].data_type == "n"
    with pytest.raises(ValueError, match="needs at least one sheet"):
        tables_file([], "xlsx", CONTEXT)


def test_a_column_of_several_kinds_writes_each_cell_as_its_own_kind_reads():
    mixed = Table("by-indicator", "Indicators", (Column("Indicator"), Column("2026-Q1", "number")),
                  ((Cell("Cases reported"), Cell(12, kind="count")),
                   (Cell("Conviction rate"), Cell(41.66, kind="percent", reliable=False)),
                   (Cell("Median days"), Cell(mark="hidden", kind="median"))))
    sheet = openpyxl.load_workbook(io.BytesIO(table_workbook(mixed, CONTEXT))).worksheets[0]
    assert [(c.value, c.data_type, c.number_format) for c in (sheet["B2"], sheet["B3"])] == [
        (12, "n", "#,##0"), (41.7, "n", '0.0" %"" \u2020"')]
    assert sheet["B4"].value == "hidden"
    rows = list(csv.reader(io.StringIO(table_csv(mixed, CONTEXT).decode("utf-8"))))
    assert [row[1] for row in rows[1:4]] == ["12", "41.7", "hidden"]  # never 12.0
    document = json.loads(tables_file([mixed], "json", CONTEXT))["tables"][0]
    assert [row[1] for row in document["rows"]] == [12, 41.7, "hidden"]
    assert [row[1] for row in document["kinds"]] == ["count", "percent", "median"]
    assert [row[1] for row in document["shown"]] == ["12", "41.7 % (unreliable: fewer than 20 events)", "hidden"]
    with pytest.raises(ValueError, match="unknown cell kind"):
        Cell(3, kind="litres")
