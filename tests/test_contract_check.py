"""The contract check on small hand-made databases: exact counts per rule."""

from __future__ import annotations

import copy
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, column, create_engine, event, func, table

from queries import contract_check
from queries.cache import AggregateCache
from queries.contract_check import (
    Finding, check_schema, check_values, findings_of, quality_by_district, quality_frame, run_check,
)
from queries.db import Databases
from queries.geography import load_gazetteer
from queries.schema import cases_metadata, referrals_metadata

TODAY = date(2026, 11, 23)
DHAKA, DHAMRAI = "BD3026", "BD30260014"
CHATTOGRAM, ANWARA = "BD2015", "BD20150004"
IDENTIFYING_COLUMNS = ("full_name", "phone", "address")


def described(findings: list[Finding]) -> list[tuple]:
    """Each finding's fields and its message in English, as the command line prints it."""
    return [(f.database, f.table, f.column, f.rule, f.count, f.severity, f.message) for f in findings]


def clean_rows() -> dict[str, list[dict]]:
    """A small database that keeps every rule; a row's first value is its key for `edited`."""
    case = dict(case_ref=None, upazila_pcode=None, closed_on=None)
    victim = dict(brought_to_safety_on=None, full_name="Test Person", phone="01700000000", address="Test Road 1")
    referral = dict(report_id=None, case_ref=None, accepted_at=None, first_service_at=None, closed_at=None,
                    outcome=None)
    return {
        "cases": [
            {"case_id": "C1", **case, "case_ref": "REF-1", "case_type": "csec", "district_pcode": DHAKA,
             "upazila_pcode": DHAMRAI, "source": "police", "reported_on": date(2026, 1, 10),
             "closed_on": date(2026, 3, 1)},
            {"case_id": "C2", **case, "case_type": "osec", "district_pcode": DHAKA, "source": "hotline",
             "reported_on": date(2026, 2, 1)},
            {"case_id": "C3", **case, "case_type": "sex_trafficking", "district_pcode": CHATTOGRAM,
             "upazila_pcode": ANWARA, "source": "ngo", "reported_on": date(2026, 3, 5)},
            {"case_id": "C4", **case, "case_type": "child_labour", "district_pcode": CHATTOGRAM, "source": "ctc",
             "reported_on": date(2026, 4, 1)},
            # Reported today: not in the future.
            {"case_id": "C5", **case, "case_type": "other", "district_pcode": DHAKA, "source": "online",
             "reported_on": TODAY},
        ],
        "victims": [
            {"victim_id": "V1", **victim, "case_id": "C1", "sex": "female", "age_at_identification": 15,
             "identified_on": date(2026, 1, 10), "brought_to_safety_on": date(2026, 1, 11)},
            {"victim_id": "V2", **victim, "case_id": "C2", "sex": "male", "age_at_identification": 17,
             "identified_on": date(2026, 2, 3)},
            {"victim_id": "V3", **victim, "case_id": "C3", "sex": "female", "age_at_identification": 30,
             "identified_on": date(2026, 3, 6)},
        ],
        "accused": [
            {"accused_id": "A1", "case_id": "C1", "role": "trafficker"},
            {"accused_id": "A2", "case_id": "C3", "role": "customer"},
        ],
        "legal_events": [
            {"event_id": "E1", "case_id": "C1", "accused_id": "A1", "event_type": "complaint_filed",
             "event_on": date(2026, 1, 12)},
            {"event_id": "E2", "case_id": "C1", "accused_id": "A1", "event_type": "convicted",
             "event_on": date(2026, 6, 1)},
            {"event_id": "E3", "case_id": "C3", "accused_id": None, "event_type": "complaint_filed",
             "event_on": date(2026, 3, 10)},
        ],
        "survivor_assessments": [
            {"assessment_id": "S1", "victim_id": "V1", "assessed_on": date(2026, 2, 1), "domain": "safety",
             "score": 2},
            {"assessment_id": "S2", "victim_id": "V1", "assessed_on": date(2026, 2, 1),
             "domain": "legal_protection", "score": 4},
        ],
        "district_population": [
            {"district_pcode": DHAKA, "year": 2026, "population": 15_000_000, "child_population": 5_000_000},
            {"district_pcode": CHATTOGRAM, "year": 2026, "population": 9_000_000, "child_population": 3_000_000},
        ],
        "prevalence_studies": [
            {"study_id": "P1", "area_pcode": "BD", "area_name": "Bangladesh", "round": "baseline",
             "fieldwork_end": date(2024, 6, 30), "individuals_observed": 400, "minors_observed": 40},
            {"study_id": "P2", "area_pcode": "BD30", "area_name": "Dhaka", "round": "midline",
             "fieldwork_end": date(2025, 6, 30), "individuals_observed": 300, "minors_observed": 0},
            {"study_id": "P3", "area_pcode": DHAKA, "area_name": "Dhaka", "round": "endline",
             "fieldwork_end": date(2026, 6, 30), "individuals_observed": 200, "minors_observed": 200},
        ],
        "reports": [
            {"report_id": "R1", "received_at": datetime(2026, 1, 9, 10), "channel": "hotline", "category": "csec",
             "district_pcode": DHAKA, "case_ref": "REF-1"},
            # Received today: not in the future; no district: allowed.
            {"report_id": "R2", "received_at": datetime(2026, 11, 23, 10), "channel": "web", "category": "other",
             "district_pcode": None, "case_ref": None},
        ],
        "referrals": [
            {"referral_id": "F1", **referral, "report_id": "R1", "case_ref": "REF-1", "district_pcode": DHAKA,
             "service_type": "medical", "provider_type": "ngo", "urgency": "urgent",
             "referred_at": datetime(2026, 1, 10, 9), "accepted_at": datetime(2026, 1, 10, 10),
             "first_service_at": datetime(2026, 1, 10, 15), "closed_at": datetime(2026, 2, 1),
             "outcome": "completed"},
            {"referral_id": "F2", **referral, "district_pcode": CHATTOGRAM, "service_type": "legal_aid",
             "provider_type": "government", "urgency": "routine", "referred_at": datetime(2026, 3, 1, 8)},
        ],
    }


def edited(edits: list[tuple[str, str, dict]]) -> dict[str, list[dict]]:
    """The clean rows with (table, key, changes) applied; an unknown key adds a copy of the table's first row."""
    rows = clean_rows()
    for table_name, key, changes in edits:
        table_rows = rows[table_name]
        row = next((r for r in table_rows if next(iter(r.values())) == key), None)
        if row is None:
            row = copy.deepcopy(table_rows[0])
            row[next(iter(row))] = key
            table_rows.append(row)
        row.update(changes)
    return rows


def _stored(value):
    """Dates and timestamps as SQLite stores them in the field: 'YYYY-MM-DD' and 'YYYY-MM-DD HH:MM:SS'."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat() if isinstance(value, date) else value


def _create(url: str, contract: MetaData, rows: dict, drop_columns: set[str], omit_tables: set[str]) -> None:
    """The contract's tables without constraints (a view has none), plus identifying columns and an extra table."""
    metadata = MetaData()
    Table("import_log", metadata, Column("id", Integer, primary_key=True), Column("note", Text))
    for contract_table in contract.tables.values():
        if contract_table.name in omit_tables:
            continue
        columns = [Column(c.name, c.type, primary_key=c.primary_key) for c in contract_table.columns
                   if f"{contract_table.name}.{c.name}" not in drop_columns]
        if contract_table.name == "victims":
            columns += [Column(name, Text) for name in IDENTIFYING_COLUMNS]
        Table(contract_table.name, metadata, *columns)
    engine = create_engine(url)
    with engine.begin() as conn:
        metadata.create_all(conn)
        for name in contract.tables.keys() - omit_tables:
            keys = [key for key in rows[name][0] if f"{name}.{key}" not in drop_columns]
            # Untyped: values reach the database as given, text timestamps included.
            target = table(name, *(column(key) for key in keys))
            conn.execute(target.insert(), [{key: _stored(row[key]) for key in keys} for row in rows[name]])
    engine.dispose()


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(Path(tempfile.gettempdir()) / "impact-monitor-test-geo")


@pytest.fixture(params=["sqlite-two-files", "sqlite-one-file"])
def database_urls(request, tmp_path) -> tuple[str, str]:
    """Writable URLs of an empty case and referral database (one file may hold both).

    For PostgreSQL, add a param returning two fresh databases or schemas made from a `pg_url` fixture.
    """
    cases_url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    if request.param == "sqlite-one-file":
        return cases_url, cases_url
    return cases_url, f"sqlite:///{tmp_path / 'referrals.sqlite'}"


@pytest.fixture
def build(database_urls):
    """Builds both databases from rows and opens them read-only, as the app does."""
    opened: list[Databases] = []

    def _build(rows: dict, drop_columns=(), omit_tables=()) -> Databases:
        for url, contract in zip(database_urls, (cases_metadata, referrals_metadata)):
            _create(url, contract, rows, set(drop_columns), set(omit_tables))
        dbs = Databases.from_urls(*database_urls)
        opened.append(dbs)
        return dbs

    yield _build
    for dbs in opened:
        dbs.dispose()


def counts(findings: list[Finding]) -> dict[tuple[str, str | None, str], int]:
    return {(f.table, f.column, f.rule): f.count for f in findings}


def quality_rows(dbs, gazetteer) -> list[tuple]:
    return list(quality_by_district(dbs, gazetteer, TODAY).itertuples(index=False, name=None))


def test_clean_databases_with_extra_columns_and_tables_have_no_findings(build, gazetteer):
    dbs = build(clean_rows())
    assert run_check(dbs, gazetteer, TODAY) == []
    frame = quality_by_district(dbs, gazetteer, TODAY)
    assert list(frame.columns) == ["table", "rule", "district_pcode", "count"]
    assert frame.empty


def test_missing_columns_are_errors_and_their_rules_are_skipped(build, gazetteer):
    rows = edited([("victims", "V2", {"identified_on": date(2026, 1, 30)})])
    dbs = build(rows, drop_columns={"cases.district_pcode", "referrals.urgency"})
    assert described(check_schema(dbs)) == [
        ("cases", "cases", "district_pcode", "missing_column", 0, "error",
         "cases.district_pcode: column is missing from the cases database"),
        ("referrals", "referrals", "urgency", "missing_column", 0, "error",
         "referrals.urgency: column is missing from the referrals database"),
    ]
    # Rules reaching a victim's case still run; with no district column they count under no district.
    assert counts(check_values(dbs, gazetteer, TODAY)) == {("victims", "identified_on", "identified_before_report"): 1}
    assert quality_rows(dbs, gazetteer) == [("victims", "identified_before_report", None, 1)]


def test_rows_sharing_a_district_and_year_are_counted(build, gazetteer):
    rows = clean_rows()
    rows["district_population"].append(dict(rows["district_population"][0], population=16_000_000))
    dbs = build(rows)
    assert counts(check_values(dbs, gazetteer, TODAY)) == {("district_population", "year", "duplicate_population"): 2}


def test_the_optional_design_effect_column_may_be_missing(build, gazetteer):
    dbs = build(clean_rows(), drop_columns={"prevalence_studies.design_effect"})
    assert run_check(dbs, gazetteer, TODAY) == []


def test_missing_tables_are_errors_and_the_other_tables_are_still_checked(build, gazetteer):
    rows = edited([("survivor_assessments", "S1", {"score": 5})])
    dbs = build(rows, omit_tables={"victims", "reports"})
    assert described(check_schema(dbs)) == [
        ("cases", "victims", None, "missing_table", 0, "error",
         "victims: table (or view) is missing from the cases database"),
        ("referrals", "reports", None, "missing_table", 0, "error",
         "reports: table (or view) is missing from the referrals database"),
    ]
    assert counts(check_values(dbs, gazetteer, TODAY)) == {("survivor_assessments", "score", "score_out_of_range"): 1}
    # Without victims an assessment cannot reach its case's district.
    assert quality_rows(dbs, gazetteer) == [("survivor_assessments", "score_out_of_range", None, 1)]


VALUE_CASES = {
    "unknown case districts, 2 of 5": (
        [("cases", "C4", {"district_pcode": "BD9999"}), ("cases", "C5", {"district_pcode": "Dhaka"})],
        {("cases", "district_pcode", "unknown_pcode"): 2},
    ),
    "other unknown P-codes": (
        [("reports", "R1", {"district_pcode": "BD99"}),
         ("referrals", "F2", {"district_pcode": "BD20"}),  # a division, not a district
         ("district_population", CHATTOGRAM, {"district_pcode": "BD30"}),
         ("prevalence_studies", "P3", {"area_pcode": "BD302600"}),
         ("cases", "C3", {"upazila_pcode": DHAMRAI}),  # an upazila of Dhaka in a Chattogram case
         ("cases", "C2", {"upazila_pcode": "BD30269999"})],
        {("reports", "district_pcode", "unknown_pcode"): 1,
         ("referrals", "district_pcode", "unknown_pcode"): 1,
         ("district_population", "district_pcode", "unknown_pcode"): 1,
         ("prevalence_studies", "area_pcode", "unknown_pcode"): 1,
         ("cases", "upazila_pcode", "unknown_pcode"): 2},
    ),
    "values outside the lists": (
        [("cases", "C1", {"case_type": "CSEC"}), ("referrals", "F1", {"outcome": "done"}),
         ("victims", "V1", {"sex": "F"}), ("legal_events", "E2", {"event_type": "verdict"})],
        {("cases", "case_type", "bad_value"): 1, ("referrals", "outcome", "bad_value"): 1,
         ("victims", "sex", "bad_value"): 1, ("legal_events", "event_type", "bad_value"): 1},
    ),
    "missing required values": (
        [("referrals", "F2", {"referred_at": None}), ("cases", "C2", {"source": None}),
         ("legal_events", "E1", {"event_on": None})],
        {("referrals", "referred_at", "missing_value"): 1, ("cases", "source", "missing_value"): 1,
         ("legal_events", "event_on", "missing_value"): 1},
    ),
    "dates after today": (
        [("reports", "R1", {"received_at": datetime(2026, 11, 24, 1)}),
         ("cases", "C1", {"closed_on": date(2026, 11, 24)}),
         ("victims", "V2", {"brought_to_safety_on": date(2026, 12, 1)}),
         ("victims", "V3", {"identified_on": date(2026, 11, 24)}),
         ("referrals", "F1", {"closed_at": datetime(2026, 11, 24)}),
         ("prevalence_studies", "P1", {"fieldwork_end": date(2027, 1, 1)}),
         ("survivor_assessments", "S1", {"assessed_on": date(2026, 11, 24)}),
         ("legal_events", "E2", {"event_on": date(2026, 11, 30)})],
        {("reports", "received_at", "future_date"): 1, ("cases", "closed_on", "future_date"): 1,
         ("victims", "brought_to_safety_on", "future_date"): 1, ("victims", "identified_on", "future_date"): 1,
         ("referrals", "closed_at", "future_date"): 1, ("prevalence_studies", "fieldwork_end", "future_date"): 1,
         ("survivor_assessments", "assessed_on", "future_date"): 1, ("legal_events", "event_on", "future_date"): 1},
    ),
    "timestamps written with a T": (
        [("referrals", "F1", {"first_service_at": "2026-01-10T08:00:00"}),  # before its referral at 09:00
         ("referrals", "F2", {"first_service_at": "2026-03-01T08:30:00"}),  # after its referral at 08:00
         # Today is 2026-11-23 in Dhaka (UTC+6): it ends at 18:00 UTC.
         ("reports", "R1", {"received_at": "2026-11-23T18:00:01"}),
         ("reports", "R2", {"received_at": "2026-11-23T17:59:59"})],
        {("referrals", "first_service_at", "first_service_before_referral"): 1,
         ("reports", "received_at", "future_date"): 1,
         ("referrals", "first_service_at", "noncanonical_date"): 2, ("reports", "received_at", "noncanonical_date"): 2},
    ),
    "first service before referral": (
        [("referrals", "F2", {"first_service_at": datetime(2026, 2, 28, 23)})],
        {("referrals", "first_service_at", "first_service_before_referral"): 1},
    ),
    "negative durations": (
        [("referrals", "F1", {"accepted_at": datetime(2026, 1, 10, 8, 59), "closed_at": datetime(2026, 1, 9)}),
         ("cases", "C1", {"closed_on": date(2026, 1, 9)})],
        {("referrals", "accepted_at", "negative_duration"): 1, ("referrals", "closed_at", "negative_duration"): 1,
         ("cases", "closed_on", "negative_duration"): 1},
    ),
    "identified before the case was reported": (
        [("victims", "V2", {"identified_on": date(2026, 1, 30)})],
        {("victims", "identified_on", "identified_before_report"): 1},
    ),
    "missing ages": (
        [("victims", "V1", {"age_at_identification": None}), ("victims", "V2", {"age_at_identification": None})],
        {("victims", "age_at_identification", "missing_age"): 2},
    ),
    "ages out of range": (
        [("victims", "V1", {"age_at_identification": -1}), ("victims", "V2", {"age_at_identification": 121}),
         ("victims", "V3", {"age_at_identification": 120})],
        {("victims", "age_at_identification", "age_out_of_range"): 2},
    ),
    "verdicts without a complaint": (
        [("legal_events", "E4", {"case_id": "C3", "event_type": "acquitted"}),  # C3 has a complaint
         ("legal_events", "E5", {"case_id": "C2", "event_type": "convicted"}),
         ("legal_events", "E6", {"case_id": "C2", "event_type": "acquitted"}),
         ("legal_events", "E7", {"case_id": "C5", "event_type": "dismissed"})],
        {("legal_events", "event_type", "verdict_without_complaint"): 2},
    ),
    "scores outside 1 to 4": (
        [("survivor_assessments", "S1", {"score": 5}), ("survivor_assessments", "S3", {"score": 0}),
         ("survivor_assessments", "S4", {"score": 1})],
        {("survivor_assessments", "score", "score_out_of_range"): 2},
    ),
    "impossible prevalence counts": (
        [("prevalence_studies", "P3", {"minors_observed": 201}),
         ("prevalence_studies", "P1", {"minors_observed": -1}),
         ("prevalence_studies", "P2", {"individuals_observed": 0})],
        {("prevalence_studies", "minors_observed", "minors_above_individuals"): 1,
         ("prevalence_studies", "minors_observed", "negative_minors"): 1,
         ("prevalence_studies", "individuals_observed", "non_positive_individuals"): 1},
    ),
    "populations of 0 or fewer": (
        [("district_population", DHAKA, {"child_population": -5}),
         ("district_population", CHATTOGRAM, {"population": 0})],
        {("district_population", "child_population", "non_positive_population"): 2},
    ),
    "design effects below 1": (
        [("prevalence_studies", "P1", {"design_effect": 0.8}), ("prevalence_studies", "P2", {"design_effect": 1.0}),
         ("prevalence_studies", "P3", {"design_effect": 2.5})],
        {("prevalence_studies", "design_effect", "design_effect_below_1"): 1},
    ),
}


@pytest.mark.parametrize(("edits", "expected"), VALUE_CASES.values(), ids=VALUE_CASES.keys())
def test_each_value_rule_counts_exactly_its_rows(build, gazetteer, edits, expected):
    dbs = build(edited(edits))
    assert check_schema(dbs) == []
    assert counts(check_values(dbs, gazetteer, TODAY)) == expected


def test_unreadable_dates_are_counted_on_sqlite(build, gazetteer):
    dbs = build(edited([("cases", "C5", {"reported_on": "last week"}), ("referrals", "F2", {"referred_at": ""})]))
    assert counts(check_values(dbs, gazetteer, TODAY)) == {
        ("cases", "reported_on", "unreadable_date"): 1,
        ("referrals", "referred_at", "unreadable_date"): 1,
    }


def test_messages_quote_at_most_three_codes(build, gazetteer):
    dbs = build(edited([("cases", "C4", {"district_pcode": "BD9999"}), ("cases", "C5", {"district_pcode": "Dhaka"}),
                        *(("victims", key, {"sex": sex}) for key, sex in (("V1", "F"), ("V2", "M"), ("V3", "X"))),
                        ("victims", "V4", {"sex": "W"})]))
    by_rule = {(f.table, f.rule): f for f in check_values(dbs, gazetteer, TODAY)}
    assert described([by_rule["cases", "unknown_pcode"]]) == [(
        "cases", "cases", "district_pcode", "unknown_pcode", 2, "warning",
        "cases.district_pcode: 2 rows with a P-code that is not one of Bangladesh's 64 districts"
        " (e.g. 'BD9999', 'Dhaka')")]
    # The message as a template and its fields, for the interface to write in its language.
    assert by_rule["victims", "bad_value"].params == (
        ("where", "victims.sex"), ("count", 4), ("description", "with a value that is not one of: {values}"),
        ("values", "female, male, other, unknown"), ("examples", "'F', 'M', 'W'"))
    assert by_rule["victims", "bad_value"].message == (
        "victims.sex: 4 rows with a value that is not one of: female, male, other, unknown (e.g. 'F', 'M', 'W')")


def test_one_row_is_singular_and_missing_age_is_information(build, gazetteer):
    dbs = build(edited([("victims", "V1", {"age_at_identification": None})]))
    assert described(check_values(dbs, gazetteer, TODAY)) == [
        ("cases", "victims", "age_at_identification", "missing_age", 1, "info",
         "victims.age_at_identification: 1 row with no age (not counted as minors)"),
    ]


def test_quality_by_district_counts_per_district(build, gazetteer):
    dbs = build(edited([
        ("cases", "C4", {"district_pcode": "BD9999"}), ("cases", "C5", {"district_pcode": "Dhaka"}),
        ("cases", "C6", {"case_ref": None, "reported_on": date(2026, 11, 24), "closed_on": date(2026, 11, 25)}),
        ("survivor_assessments", "S1", {"score": 5}),
        ("survivor_assessments", "S3", {"victim_id": "V3", "score": 0}),
        ("referrals", "F2", {"outcome": "done"}),
        ("victims", "V1", {"age_at_identification": None}),
        ("victims", "V4", {"case_id": "C404", "age_at_identification": None}),  # its case does not exist
        ("prevalence_studies", "P3", {"minors_observed": 201}),
        ("prevalence_studies", "P1", {"minors_observed": -1}),
    ]))
    frame = quality_by_district(dbs, gazetteer, TODAY)
    assert str(frame["count"].dtype) == "int64"
    assert list(frame.itertuples(index=False, name=None)) == [
        ("cases", "future_date", DHAKA, 2),  # reported_on and closed_on of one case
        ("cases", "unknown_pcode", None, 2),
        ("prevalence_studies", "minors_above_individuals", DHAKA, 1),
        ("prevalence_studies", "negative_minors", None, 1),
        ("referrals", "bad_value", CHATTOGRAM, 1),
        ("survivor_assessments", "score_out_of_range", CHATTOGRAM, 1),
        ("survivor_assessments", "score_out_of_range", DHAKA, 1),
        ("victims", "missing_age", DHAKA, 1),
        ("victims", "missing_age", None, 1),
    ]


def test_a_rule_the_database_rejects_is_reported_and_the_others_still_run(build, gazetteer, monkeypatch):
    score = next(rule for rule in contract_check._RULES if rule.code == "score_out_of_range")
    rejected = contract_check._Rule(score.table, "score", "broken", "never counted",
                                    lambda ctx: func.no_such_function(score.table.c.score) > 0)
    monkeypatch.setattr(contract_check, "_RULES", [rejected, score])
    dbs = build(edited([("survivor_assessments", "S1", {"score": 5})]))
    findings = check_values(dbs, gazetteer, TODAY)
    assert [(f.rule, f.count, f.severity) for f in findings] == [("check_failed", 0, "error"),
                                                                 ("score_out_of_range", 1, "warning")]
    assert findings[0].message == ("survivor_assessments.score: the database rejected the broken check "
                                   "(OperationalError); is the column of the contract's type?")


def test_identifying_columns_are_never_named_in_a_query(build, gazetteer):
    dbs = build(edited([("victims", "V1", {"sex": "F", "age_at_identification": None})]))
    statements: list[str] = []
    for engine in {dbs.cases, dbs.referrals}:
        event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_: statements.append(sql))
    run_check(dbs, gazetteer, TODAY)
    quality_by_district(dbs, gazetteer, TODAY)
    assert any("victims" in sql for sql in statements)
    assert not [sql for sql in statements if any(name in sql for name in IDENTIFYING_COLUMNS)]
    assert not [sql for sql in statements if "SELECT *" in sql.upper()]


def test_findings_read_back_from_the_cached_check_keep_their_template_and_fields(build, gazetteer):
    """The check is cached as JSON for the day: its findings come back whole, their messages' fields included."""
    dbs = build(edited([("cases", "C4", {"district_pcode": "BD9999"}), ("victims", "V1", {"sex": "F"})]),
                drop_columns={"referrals.urgency"})
    cache = AggregateCache(ttl_s=300)
    first = findings_of(cache.get_or_compute(("check",), lambda: quality_frame(dbs, gazetteer, TODAY)))
    again = findings_of(cache.get_or_compute(("check",), lambda: pytest.fail("computed twice")))
    assert again == first == run_check(dbs, gazetteer, TODAY)
    assert {f.rule for f in again} == {"missing_column", "unknown_pcode", "bad_value"}
    assert [f.message for f in again if f.rule == "unknown_pcode"] == [
        "cases.district_pcode: 1 row with a P-code that is not one of Bangladesh's 64 districts (e.g. 'BD9999')"]
