"""The `impact-monitor` command: exports equal the engine's numbers; bad input gets a message."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Column, Date, MetaData, Table, Text, create_engine

from tests.builders import sqlite_url, write_database
from tests.conftest import GEO_CACHE
from tests.indicator_fixture import CASES_ROWS, DHAKA, EXPECTED, REFERRALS_ROWS


@pytest.fixture
def environment(tmp_path, gazetteer):
    cases = write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS)
    referrals = write_database(sqlite_url(tmp_path / "referrals.sqlite"), REFERRALS_ROWS)
    data_dir = tmp_path / "data"
    (data_dir / "geo").mkdir(parents=True)
    for cached in GEO_CACHE.glob("*.json"):
        (data_dir / "geo" / cached.name).write_bytes(cached.read_bytes())
    return {**os.environ, "IMPACT_CASES_DB": cases, "IMPACT_REFERRALS_DB": referrals,
            "IMPACT_DATA_DIR": str(data_dir)}


def run(environment, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "impact_monitor.cli", *args], env=environment,
                          capture_output=True, timeout=120)


def test_json_export_has_the_contract_rows_and_hand_computed_values(environment):
    result = run(environment, "indicators", "--period", "2026-Q1", "--by", "district")
    assert result.returncode == 0, result.stderr.decode()
    rows = json.loads(result.stdout)
    assert set(rows[0]) == {"indicator", "period", "area", "value", "numerator", "denominator", "suppressed",
                            "withheld", "reliable"}
    by_key = {(r["indicator"], r["area"]): r for r in rows}
    assert by_key[("cases_reported", DHAKA)]["value"] == EXPECTED["cases_reported"][DHAKA][0] == 3
    assert by_key[("cases_reported", DHAKA)]["denominator"] is None
    assert by_key[("conviction_rate_pct", DHAKA)]["numerator"] == 1
    assert by_key[("conviction_rate_pct", DHAKA)]["denominator"] == 2
    assert by_key[("conviction_rate_pct", DHAKA)]["reliable"] is False  # 1 event: fewer than 20
    assert by_key[("cases_reported", DHAKA)]["reliable"] is None  # the flag is for rates and percentages only


def test_csv_and_xlsx_carry_the_same_numbers(environment, tmp_path):
    as_json = json.loads(run(environment, "indicators", "--period", "2026-Q1").stdout)
    as_csv = pd.read_csv(io.BytesIO(run(environment, "indicators", "--period", "2026-Q1", "--format", "csv").stdout))
    out = tmp_path / "export.xlsx"
    assert run(environment, "indicators", "--period", "2026-Q1", "--format", "xlsx", "--out", str(out)).returncode == 0
    as_xlsx = pd.read_excel(out)
    for frame in (as_csv, as_xlsx):
        assert list(frame.columns) == ["indicator", "period", "area", "value", "numerator", "denominator",
                                       "suppressed", "withheld", "reliable"]
        for record, (_, row) in zip(as_json, frame.iterrows()):
            assert record["indicator"] == row["indicator"]
            assert (record["value"] is None and pd.isna(row["value"])) or record["value"] == pytest.approx(row["value"])


def test_donor_export_is_suppressed_and_government_scoped(environment):
    donor = json.loads(run(environment, "indicators", "--period", "2026-Q1", "--by", "division",
                           "--role", "donor").stdout)
    dhaka_cases = next(r for r in donor if r["indicator"] == "cases_reported" and r["area"] == "BD30")
    assert dhaka_cases["suppressed"] and dhaka_cases["value"] is None and dhaka_cases["numerator"] is None
    refused = run(environment, "indicators", "--period", "2026-Q1", "--by", "district", "--role", "donor")
    assert refused.returncode == 2 and b"donor" in refused.stderr
    government = json.loads(run(environment, "indicators", "--period", "2026-Q1", "--by", "district",
                                "--role", "government", "--scope", "BD30", "--area", "BD30").stdout)
    assert {r["area"] for r in government} <= {f"BD30{n}" for n in range(10, 100)}
    outside = run(environment, "indicators", "--period", "2026-Q1", "--by", "district", "--role", "government",
                  "--scope", "BD30", "--area", "BD20")
    assert outside.returncode == 2 and b"outside" in outside.stderr


@pytest.mark.parametrize("args, words", [
    (("--period", "2026-13-01"), b"2026-Q3"),
    (("--period", "2026-Q1", "--area", "BD9999"), b"not a known area"),
    (("--period", "2026-Q1", "--area", "BD30; DROP TABLE cases"), b"not a known area"),
])
def test_bad_input_gets_a_message_not_a_traceback(environment, args, words):
    result = run(environment, "indicators", *args)
    assert result.returncode == 2
    assert words in result.stderr and b"Traceback" not in result.stderr


def test_prevalence_export(environment):
    rows = json.loads(run(environment, "prevalence").stdout)
    assert [r["area"] for r in rows] == ["BD", "BD30"]
    assert rows[0]["benchmark_met"] is True and rows[0]["latest_round"] == "endline"


@pytest.mark.parametrize("role_args, areas", [
    (("--role", "donor"), ["BD", "BD30"]),
    (("--role", "government", "--scope", "BD30"), ["BD30"]),
    (("--role", "government", "--scope", "BD20"), []),
])
def test_prevalence_export_keeps_to_the_role_and_scope(environment, role_args, areas):
    rows = json.loads(run(environment, "prevalence", *role_args).stdout)
    assert [r["area"] for r in rows] == areas


def test_prevalence_export_refuses_a_bad_scope(environment):
    result = run(environment, "prevalence", "--role", "government", "--scope", "BD30' OR 1=1")
    assert result.returncode == 2
    assert b"not a division or district" in result.stderr and b"Traceback" not in result.stderr


def test_quality_export_counts_each_broken_rule_for_the_audience(environment):
    totals = json.loads(run(environment, "quality").stdout)
    assert [(r["table"], r["rule"], r["records"]) for r in totals] == [
        ("cases", "unknown_pcode", 1), ("legal_events", "verdict_without_complaint", 1),
        ("victims", "identified_before_report", 2), ("victims", "missing_age", 1)]
    by_district = json.loads(run(environment, "quality", "--by", "district").stdout)
    summed = {}
    for row in by_district:
        summed[(row["table"], row["rule"])] = summed.get((row["table"], row["rule"]), 0) + row["records"]
    assert summed == {(r["table"], r["rule"]): r["records"] for r in totals}
    assert {r["district"] for r in by_district} == {"BD2015", DHAKA, "unknown"}

    donor = json.loads(run(environment, "quality", "--role", "donor").stdout)
    assert [(r["records"], r["suppressed"]) for r in donor] == [(None, True)] * 4  # every total is below 10
    dhaka = pd.read_csv(io.BytesIO(run(environment, "quality", "--role", "government", "--scope", "BD30", "--by",
                                       "district", "--format", "csv").stdout))
    assert list(dhaka.columns) == ["table", "rule", "district", "records", "suppressed"]
    assert dhaka[["rule", "district", "suppressed"]].values.tolist() == [
        ["identified_before_report", DHAKA, True], ["missing_age", DHAKA, True]]
    assert dhaka["records"].isna().all()


def test_quality_export_refuses_districts_to_a_donor(environment):
    result = run(environment, "quality", "--role", "donor", "--by", "district")
    assert result.returncode == 2
    assert b"national totals by table and rule only" in result.stderr and b"Traceback" not in result.stderr


def test_tables_export_writes_each_registered_table_model_in_every_format(environment, tmp_path):
    from dashboard.table_view import sources_of

    args = ("tables", "--page", "justice", "--period", "2026-Q1", "--area", DHAKA)
    result = run(environment, *args)
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(result.stdout)
    notes = {note["label"]: note["text"] for note in document["notes"]}
    assert notes["Period"] == "2026-Q1" and notes["Signed in as"] == "program leadership"
    tables = document["tables"]
    assert [t["table"] for t in tables] == [source.table_id for source in sources_of("justice")]
    funnel = tables[0]
    assert [column["heading"] for column in funnel["columns"]] == ["Step", "Cases", "Drop-off from the step before"]
    assert [column["kind"] for column in funnel["columns"]] == ["text", "count", "percent"]
    assert [row[0] for row in funnel["rows"]] == ["Complaint filed", "Charge sheet", "Trial started",
                                                  "Verdict (convicted or acquitted)"]
    cases = [row[1] for row in funnel["rows"]]
    assert all(type(value) is int for value in cases)  # numbers as numbers, each as the page writes it
    assert [row[1] for row in funnel["shown"]] == [f"{value:,}" for value in cases]

    cells = pd.read_csv(io.BytesIO(run(environment, *args, "--format", "csv").stdout), dtype=str, keep_default_na=False)
    assert list(cells.columns) == ["table", "row", "column", "value"]
    table_cells = cells[cells["table"].isin([t["table"] for t in tables])]
    assert len(table_cells) == sum(len(t["rows"]) * len(t["columns"]) for t in tables)
    assert table_cells[(table_cells["table"] == "justice-funnel-table") & (table_cells["column"] == "Cases")][
        "value"].tolist() == [str(value) for value in cases]
    assert ["Period", "2026-Q1"] in cells[["table", "row"]].values.tolist()  # the notes block, after the cells

    out = tmp_path / "justice.xlsx"
    assert run(environment, *args, "--format", "xlsx", "--out", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [t["table"] for t in tables] + ["Notes"]
    written = [[cell.value for cell in row] for row in book["justice-funnel-table"].iter_rows(min_row=2)]
    assert [row[:2] for row in written] == [row[:2] for row in funnel["rows"]]
    assert all(row[1].data_type == "n" for row in book["justice-funnel-table"].iter_rows(min_row=2))


def test_tables_export_takes_the_page_s_own_controls(environment):
    from dashboard.builders import district_map, quarterly
    from impact_monitor.cli import MEASURES, QUARTER_COUNTS

    assert MEASURES == (district_map.COUNT, district_map.RATE) and QUARTER_COUNTS == quarterly.QUARTER_COUNTS
    base = ("tables", "--period", "2026-Q1")
    four, eight = (json.loads(run(environment, *base, "--page", "quarterly-indicators", *more).stdout)["tables"][0]
                   for more in ((), ("--quarters", "8")))
    assert [len(t["columns"]) for t in (four, eight)] == [1 + 4 + 1, 1 + 8 + 1]  # indicator, quarters, target
    counted = json.loads(run(environment, *base, "--page", "district-map").stdout)["tables"][0]
    assert counted["columns"][-1] == {"heading": "Cases reported", "kind": "count"}  # the page's first indicator
    rates = json.loads(run(environment, *base, "--page", "district-map", "--indicator", "victims_identified",
                           "--measure", "rate").stdout)["tables"][0]
    assert rates["columns"][-1] == {"heading": "Victims identified per 100,000 children", "kind": "rate"}
    wrong = run(environment, *base, "--page", "district-map", "--indicator", "no_such_indicator")
    assert wrong.returncode == 0 and b"district-map-table: Choose an indicator and a measure." in wrong.stderr
    foreign = run(environment, *base, "--page", "justice", "--quarters", "8")
    assert foreign.returncode == 2 and b"the justice page has no control --quarters" in foreign.stderr
    unknown = run(environment, *base, "--page", "nowhere")
    assert unknown.returncode == 2 and b"use one of" in unknown.stderr and b"Traceback" not in unknown.stderr


def test_an_empty_table_list_exports_as_its_notes_and_refuses_a_workbook():
    from impact_monitor.exports import tables_file

    context = [("Period", "2026-Q1")]
    assert json.loads(tables_file([], "json", context)) == {"notes": [{"label": "Period", "text": "2026-Q1"}],
                                                           "tables": []}
    assert tables_file([], "csv", context).decode().splitlines()[:3] == ["table,row,column,value", ",,,", "Notes,,,"]
    with pytest.raises(ValueError, match="no table"):
        tables_file([], "xlsx", context)


def test_tables_export_keeps_to_the_scope(environment):
    result = run(environment, "tables", "--page", "survivors", "--period", "2026-Q1", "--role", "government",
                 "--scope", DHAKA, "--area", "BD2015")
    assert result.returncode == 2
    assert b"outside this account's scope" in result.stderr and b"Traceback" not in result.stderr


def test_check_names_a_dropped_column_and_fails(environment, tmp_path):
    clean = run(environment, "check")
    assert clean.returncode == 0, clean.stdout.decode()
    broken = tmp_path / "broken.sqlite"
    engine = create_engine(sqlite_url(broken))
    Table("cases", MetaData(), Column("case_id", Text), Column("case_type", Text), Column("district_pcode", Text),
          Column("source", Text), Column("reported_on", Date), Column("closed_on", Date),
          Column("upazila_pcode", Text)).create(engine)
    engine.dispose()
    result = run({**environment, "IMPACT_CASES_DB": sqlite_url(broken)}, "check")
    assert result.returncode == 1
    assert b"case_ref" in result.stdout and b"victims" in result.stdout


def test_csv_has_a_byte_order_mark_only_when_asked(environment):
    plain = run(environment, "indicators", "--period", "2026-Q1", "--format", "csv")
    marked = run(environment, "indicators", "--period", "2026-Q1", "--format", "csv", "--bom")
    assert not plain.stdout.startswith(b"\xef\xbb\xbf") and marked.stdout == b"\xef\xbb\xbf" + plain.stdout
    refused = run(environment, "indicators", "--period", "2026-Q1", "--bom")
    assert refused.returncode == 2 and b"byte-order mark is for CSV files only" in refused.stderr
