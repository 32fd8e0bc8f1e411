"""The synthetic demo: contract-valid, internally consistent, reproducible, built once."""

from __future__ import annotations

import csv
import hashlib
import re
import sqlite3
import tempfile
import threading
from datetime import date
from pathlib import Path

import pytest

from impact_monitor import demo_data
from impact_monitor.demo_data import ensure_demo, generate_demo
from queries import schema
from queries.geography import load_gazetteer
from queries.targets import IndicatorTargets, iptt_targets, load_plan, load_targets

GEO_CACHE = Path(tempfile.gettempdir()) / "impact-monitor-test-geo"
END = date(2026, 5, 17)  # mid-year: the current plan year is unfinished
PROGRAM_START = "2022-01-01"
CASES = 3000

CASE_TABLES = ("cases", "victims", "accused", "legal_events", "survivor_assessments", "district_population",
               "prevalence_studies")
REFERRAL_TABLES = ("reports", "referrals")


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(GEO_CACHE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo(tmp_path_factory.mktemp("demo"), CASES, seed=7, end=END, geo_cache_dir=GEO_CACHE)


def query(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def scalar(path: Path, sql: str):
    return query(path, sql)[0][0]


def column_names(path: Path, table: str) -> list[str]:
    return [row[1] for row in query(path, f"PRAGMA table_info({table})")]


def content_hash(summary) -> str:
    digest = hashlib.sha256()
    for path, tables in ((summary.cases_path, CASE_TABLES), (summary.referrals_path, REFERRAL_TABLES)):
        for table in tables:
            width = len(column_names(path, table))
            order = ", ".join(str(i) for i in range(1, width + 1))
            digest.update(repr(query(path, f"SELECT * FROM {table} ORDER BY {order}")).encode())
    digest.update(summary.targets_path.read_bytes())
    return digest.hexdigest()


# --- Files, tables, indexes ---------------------------------------------------------------------


def test_writes_every_table_and_reports_its_row_count(demo):
    assert set(demo.row_counts) == set(CASE_TABLES + REFERRAL_TABLES)
    for path, tables in ((demo.cases_path, CASE_TABLES), (demo.referrals_path, REFERRAL_TABLES)):
        for table in tables:
            assert scalar(path, f"SELECT count(*) FROM {table}") == demo.row_counts[table] > 0
    assert demo.row_counts["cases"] == CASES
    assert demo.seconds > 0
    assert not list(demo.cases_path.parent.glob("*.tmp"))


def test_tables_have_the_contract_columns_and_victims_carry_fake_identifying_data(demo):
    for path, metadata in ((demo.cases_path, schema.cases_metadata), (demo.referrals_path, schema.referrals_metadata)):
        for table in metadata.tables.values():
            extra = {"full_name", "phone", "address"} if table.name == "victims" else set()
            assert set(column_names(path, table.name)) == {c.name for c in table.columns} | extra
    missing = scalar(demo.cases_path, "SELECT count(*) FROM victims WHERE full_name IS NULL OR phone IS NULL "
                                      "OR address IS NULL")
    assert missing == 0
    name, phone, address = query(demo.cases_path, "SELECT full_name, phone, address FROM victims LIMIT 1")[0]
    assert name.startswith("Synthetic Person ")
    assert phone.startswith("+880-0000-")
    assert "Synthetic" in address


def test_indexes_cover_dates_districts_and_keys(demo):
    indexes = {row[0] for row in query(demo.cases_path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    indexes |= {row[0] for row in query(demo.referrals_path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    for expected in ("ix_cases_reported_on", "ix_cases_district_pcode", "ix_victims_case_id",
                     "ix_victims_identified_on", "ix_legal_events_event_on", "ix_legal_events_accused_id",
                     "ix_survivor_assessments_victim_id", "ix_reports_received_at", "ix_reports_case_ref",
                     "ix_referrals_referred_at", "ix_referrals_case_ref"):
        assert expected in indexes
    assert scalar(demo.cases_path, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == 1


# --- Contract validity ----------------------------------------------------------------------------


def test_districts_and_upazilas_come_from_the_gazetteer(demo, gazetteer):
    districts = set(gazetteer.district_codes)
    case_places = query(demo.cases_path, "SELECT DISTINCT district_pcode, upazila_pcode FROM cases")
    assert {district for district, _ in case_places} == districts  # all 64 appear
    for district, upazila in case_places:
        assert upazila is None or gazetteer.areas[upazila].parent == district
    assert scalar(demo.cases_path, "SELECT avg(upazila_pcode IS NULL) FROM cases") == pytest.approx(0.10, abs=0.03)
    for table in REFERRAL_TABLES:
        used = {row[0] for row in query(demo.referrals_path, f"SELECT DISTINCT district_pcode FROM {table}")}
        assert used - {None} <= districts
    population = query(demo.cases_path, "SELECT district_pcode, year FROM district_population")
    assert sorted(population) == sorted((d, y) for d in districts for y in range(2022, 2027))


@pytest.mark.parametrize(("table", "column"), sorted(schema.ALLOWED_VALUES))
def test_categories_use_only_allowed_values(demo, table, column):
    path = demo.referrals_path if table in REFERRAL_TABLES else demo.cases_path
    used = {row[0] for row in query(path, f"SELECT DISTINCT {column} FROM {table}")}
    assert used - {None} <= set(schema.ALLOWED_VALUES[(table, column)])


DATE_COLUMNS = {
    "cases": ("reported_on", "closed_on"),
    "victims": ("identified_on", "brought_to_safety_on"),
    "legal_events": ("event_on",),
    "survivor_assessments": ("assessed_on",),
    "prevalence_studies": ("fieldwork_end",),
}
TIMESTAMP_COLUMNS = {
    "reports": ("received_at",),
    "referrals": ("referred_at", "accepted_at", "first_service_at", "closed_at"),
}


def test_dates_and_timestamps_are_iso_text_within_the_program(demo):
    for table, columns in DATE_COLUMNS.items():
        for column in columns:
            malformed = scalar(demo.cases_path, f"SELECT count(*) FROM {table} WHERE {column} IS NOT date({column})"
                                                f" AND {column} IS NOT NULL")
            assert malformed == 0, (table, column)
            earliest = "2021-01-01" if table == "prevalence_studies" else PROGRAM_START
            low, high = query(demo.cases_path, f"SELECT min({column}), max({column}) FROM {table}")[0]
            assert earliest <= low and high <= END.isoformat(), (table, column)
    for table, columns in TIMESTAMP_COLUMNS.items():
        for column in columns:
            malformed = scalar(demo.referrals_path, f"SELECT count(*) FROM {table} WHERE {column} IS NOT "
                                                    f"datetime({column}) AND {column} IS NOT NULL")
            assert malformed == 0, (table, column)
            low, high = query(demo.referrals_path, f"SELECT min({column}), max({column}) FROM {table}")[0]
            # Timestamps stop where `end` begins, so none is in the future when end is today.
            assert f"{PROGRAM_START} 00:00:00" <= low and high < f"{END} 00:00:00", (table, column)


def test_case_and_victim_dates_are_in_order(demo):
    wrong = scalar(demo.cases_path, """
        SELECT count(*) FROM victims v JOIN cases c USING (case_id)
        WHERE v.identified_on < c.reported_on OR v.brought_to_safety_on < v.identified_on
           OR c.closed_on < v.identified_on OR c.closed_on < v.brought_to_safety_on""")
    assert wrong == 0
    delay = scalar(demo.cases_path, "SELECT max(julianday(identified_on) - julianday(reported_on)) "
                                    "FROM victims JOIN cases USING (case_id)")
    assert delay < 150


def test_legal_events_follow_each_other(demo):
    stage = """
        SELECT case_id, accused_id, {kind} AS d FROM legal_events WHERE event_type IN ({types})
        GROUP BY case_id, accused_id"""
    complaint = "(SELECT case_id, min(event_on) AS d FROM legal_events WHERE event_type = 'complaint_filed' " \
                "GROUP BY case_id)"
    charge = stage.format(kind="min(event_on)", types="'charge_sheet'")
    trial = stage.format(kind="min(event_on)", types="'trial_started'")
    verdict = stage.format(kind="min(event_on)", types="'convicted', 'acquitted', 'dismissed'")
    appeal = stage.format(kind="min(event_on)", types="'appeal_filed'")
    wrong = scalar(demo.cases_path, f"""
        SELECT count(*) FROM ({charge}) ch
        JOIN {complaint} co USING (case_id)
        LEFT JOIN ({trial}) t USING (case_id, accused_id)
        LEFT JOIN ({verdict}) v USING (case_id, accused_id)
        LEFT JOIN ({appeal}) a USING (case_id, accused_id)
        WHERE ch.d <= co.d OR t.d <= ch.d OR v.d <= t.d OR a.d <= v.d
           OR (v.d IS NOT NULL AND t.d IS NULL) OR (t.d IS NOT NULL AND ch.d IS NULL)""")
    assert wrong == 0
    orphans = scalar(demo.cases_path, """
        SELECT count(*) FROM legal_events e WHERE event_type <> 'complaint_filed' AND NOT EXISTS (
            SELECT 1 FROM legal_events c WHERE c.case_id = e.case_id AND c.event_type = 'complaint_filed'
            AND c.event_on <= e.event_on)""")
    assert orphans == 0
    assert scalar(demo.cases_path, "SELECT count(*) FROM legal_events WHERE event_type = 'complaint_filed' "
                                   "AND accused_id IS NOT NULL") == 0
    per_accused = scalar(demo.cases_path, """
        SELECT count(*) FROM legal_events e JOIN accused a USING (accused_id) WHERE a.case_id <> e.case_id""")
    assert per_accused == 0


def test_referral_timestamps_are_in_order(demo):
    wrong = scalar(demo.referrals_path, """
        SELECT count(*) FROM referrals
        WHERE accepted_at < referred_at OR first_service_at < referred_at OR first_service_at < accepted_at
           OR closed_at < first_service_at OR closed_at < referred_at OR closed_at < accepted_at
           OR (outcome IS NULL) <> (closed_at IS NULL)""")
    assert wrong == 0
    before_report = scalar(demo.referrals_path, """
        SELECT count(*) FROM referrals f JOIN reports r USING (report_id) WHERE f.referred_at < r.received_at""")
    assert before_report == 0


def test_case_refs_are_unique_and_link_the_two_databases(demo, tmp_path):
    refs = [row[0] for row in query(demo.cases_path, "SELECT case_ref FROM cases WHERE case_ref IS NOT NULL")]
    assert len(refs) == len(set(refs))
    assert all(re.fullmatch(r"CR-\d{6}", ref) for ref in refs)
    assert len(refs) / CASES == pytest.approx(0.9, abs=0.03)
    for table in REFERRAL_TABLES:
        linked = {row[0] for row in query(demo.referrals_path, f"SELECT DISTINCT case_ref FROM {table}")} - {None}
        assert linked and linked <= set(refs)
    missing_report = scalar(demo.referrals_path, """
        SELECT count(*) FROM referrals WHERE report_id IS NOT NULL
        AND report_id NOT IN (SELECT report_id FROM reports)""")
    assert missing_report == 0


def test_assessment_sessions_score_every_domain_and_improve(demo):
    assert query(demo.cases_path, "SELECT min(score), max(score) FROM survivor_assessments")[0] == (1, 4)
    incomplete = scalar(demo.cases_path, """
        SELECT count(*) FROM (SELECT victim_id, assessed_on FROM survivor_assessments
        GROUP BY 1, 2 HAVING count(*) <> 6 OR count(DISTINCT domain) <> 6)""")
    assert incomplete == 0
    mean_by_session = dict(query(demo.cases_path, """
        WITH s AS (SELECT victim_id, assessed_on, avg(score) AS score,
                   dense_rank() OVER (PARTITION BY victim_id ORDER BY assessed_on) AS session
                   FROM survivor_assessments GROUP BY 1, 2)
        SELECT session, avg(score) FROM s GROUP BY session"""))
    assert mean_by_session[1] < 2.2 and mean_by_session[3] > 2.8
    assessed = scalar(demo.cases_path, "SELECT count(DISTINCT victim_id) FROM survivor_assessments")
    assert assessed / demo.row_counts["victims"] == pytest.approx(0.35, abs=0.07)


def test_prevalence_studies_have_baselines_later_rounds_and_edge_cases(demo):
    rows = query(demo.cases_path, "SELECT area_pcode, round, individuals_observed, minors_observed "
                                  "FROM prevalence_studies")
    assert all(individuals > 0 and 0 <= minors <= individuals for _, _, individuals, minors in rows)
    rounds: dict[str, set[str]] = {}
    for area, round_, _, _ in rows:
        rounds.setdefault(area, set()).add(round_)
    assert all("baseline" in held for held in rounds.values())
    assert "BD" in rounds and any(len(held) > 1 for held in rounds.values())
    assert any(held == {"baseline"} for held in rounds.values())
    assert any(minors == 0 for _, round_, _, minors in rows if round_ != "baseline")
    names = dict(query(demo.cases_path, "SELECT area_pcode, area_name FROM prevalence_studies"))
    assert names["BD30"] == "Dhaka Division" and names["BD3026"] == "Dhaka"


def test_volumes_and_shares_look_like_a_real_program(demo):
    cases, referrals = demo.cases_path, demo.referrals_path
    per_year = dict(query(cases, "SELECT substr(reported_on, 1, 4), count(*) FROM cases GROUP BY 1"))
    assert per_year["2025"] > 1.5 * per_year["2022"]  # the program scales up
    top = query(cases, "SELECT district_pcode, count(*) FROM cases GROUP BY 1 ORDER BY 2 DESC LIMIT 1")[0][0]
    assert top in {"BD3026", "BD2015", "BD2022"}
    assert scalar(cases, "SELECT avg(sex = 'female') FROM victims") > 0.6
    assert scalar(cases, "SELECT avg(age_at_identification IS NULL) FROM victims") == pytest.approx(0.1, abs=0.03)
    assert scalar(cases, "SELECT avg(age_at_identification < 18) FROM victims "
                         "WHERE age_at_identification IS NOT NULL") > 0.6
    assert scalar(cases, "SELECT avg(closed_on IS NOT NULL) FROM cases") == pytest.approx(0.6, abs=0.1)
    assert scalar(cases, "SELECT avg(brought_to_safety_on IS NOT NULL) FROM victims") == pytest.approx(0.75, abs=0.07)
    convicted = scalar(cases, "SELECT avg(event_type = 'convicted') FROM legal_events "
                              "WHERE event_type IN ('convicted', 'acquitted', 'dismissed')")
    assert 0.3 <= convicted <= 0.5
    assert scalar(referrals, "SELECT avg(district_pcode IS NULL) FROM reports") == pytest.approx(0.15, abs=0.05)
    assert scalar(referrals, "SELECT avg(case_ref IS NOT NULL) FROM reports") == pytest.approx(0.6, abs=0.05)
    assert scalar(referrals, "SELECT avg(urgency = 'urgent') FROM referrals") == pytest.approx(0.3, abs=0.06)
    assert scalar(referrals, "SELECT avg(first_service_at IS NULL) FROM referrals") == pytest.approx(0.12, abs=0.05)
    delays = sorted(row[0] for row in query(referrals, "SELECT julianday(first_service_at) - julianday(referred_at) "
                                                       "FROM referrals WHERE first_service_at IS NOT NULL"))
    median, p90 = delays[len(delays) // 2], delays[int(len(delays) * 0.9)]
    assert 0.5 <= median <= 3 and 5 <= p90 <= 30


# --- Targets ----------------------------------------------------------------------------------------

REQUIRED_INDICATORS = (
    "cases_reported", "victims_identified", "victims_brought_to_safety", "reports_received", "referrals_made",
    "referrals_within_target_pct", "charge_sheets_filed", "accused_convicted", "conviction_rate_pct",
    "survivors_assessed", "survivors_restored_pct",
)


def test_targets_give_one_plausible_value_per_indicator_and_year(demo):
    with open(demo.targets_path, newline="", encoding="utf-8") as handle:
        assert csv.DictReader(handle).fieldnames == ["indicator", "year", "target", "calendar", "type"]
    rows = load_targets(demo.targets_path).to_dict("records")  # the calendar years' annual targets
    keys = [(row["indicator"], row["year"]) for row in rows]
    assert len(keys) == len(set(keys))
    targets = {key: row["target"] for key, row in zip(keys, rows)}
    for indicator in REQUIRED_INDICATORS:
        assert [targets[(indicator, year)] for year in range(2022, 2027)]
    assert {year for _, year in keys} == set(range(2022, 2027))
    assert all(value > 0 for value in targets.values())
    actual_2025 = scalar(demo.cases_path, "SELECT count(*) FROM cases WHERE reported_on LIKE '2025%'")
    assert 0.8 <= targets[("cases_reported", 2025)] / actual_2025 <= 1.3
    # The unfinished current year is planned for the whole year, above what has happened so far.
    so_far = scalar(demo.cases_path, "SELECT count(*) FROM cases WHERE reported_on LIKE '2026%'")
    assert targets[("cases_reported", 2026)] > 1.5 * so_far
    percents = [targets[("referrals_within_target_pct", year)] for year in range(2022, 2027)]
    assert percents == sorted(percents) and all(0 < p <= 100 for p in percents)


def test_targets_give_an_iptt_baselines_life_of_programme_and_fiscal_years(demo):
    plan = load_plan(demo.targets_path)
    annual = load_targets(demo.targets_path).set_index(["indicator", "year"])["target"]
    cases_2022 = scalar(demo.cases_path, "SELECT count(*) FROM cases WHERE reported_on LIKE '2022%'")
    bd_fy_2026 = iptt_targets(plan, "bd-fiscal", 2026)
    assert bd_fy_2026["cases_reported"] == IndicatorTargets(
        baseline=cases_2022, baseline_period="2022", life_of_programme=annual["cases_reported"].sum(),
        annual=bd_fy_2026["cases_reported"].annual, programme_start="BD-FY2023")
    # July 2025-June 2026: between the two calendar years' targets.
    assert annual[("cases_reported", 2025)] <= bd_fy_2026["cases_reported"].annual <= annual[("cases_reported", 2026)]
    assert bd_fy_2026["referrals_made"].baseline_period == "BD-FY2023"  # its own calendar's baseline
    assert bd_fy_2026["conviction_rate_pct"].life_of_programme == annual[("conviction_rate_pct", 2026)]
    us_fy_2024 = iptt_targets(plan, "us-fiscal", 2024)
    assert us_fy_2024["victims_identified"].programme_start == "US-FY2023"
    assert us_fy_2024["referrals_within_target_pct"].annual == round(0.25 * 65 + 0.75 * 70)
    assert set(plan["calendar"]) == {"calendar", "bd-fiscal", "us-fiscal"}
    assert set(plan["type"]) == {"annual", "baseline", "life-of-programme"}


# --- Reproducibility, atomicity, build once ------------------------------------------------------


def test_same_seed_gives_identical_content_and_another_seed_differs(tmp_path):
    first = generate_demo(tmp_path / "a", 400, seed=3, end=END, geo_cache_dir=GEO_CACHE)
    again = generate_demo(tmp_path / "b", 400, seed=3, end=END, geo_cache_dir=GEO_CACHE)
    other = generate_demo(tmp_path / "c", 400, seed=4, end=END, geo_cache_dir=GEO_CACHE)
    assert content_hash(first) == content_hash(again)
    assert content_hash(first) != content_hash(other)


def test_a_failed_build_leaves_no_partial_database(tmp_path, monkeypatch):
    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_data, "_prevalence_studies", fail)
    with pytest.raises(RuntimeError):
        generate_demo(tmp_path, 200, end=END, geo_cache_dir=GEO_CACHE)
    assert list(tmp_path.iterdir()) == []


def test_rejects_a_non_positive_case_count(tmp_path):
    with pytest.raises(ValueError):
        generate_demo(tmp_path, 0, geo_cache_dir=GEO_CACHE)


def test_ensure_demo_builds_once_and_then_reuses(tmp_path):
    out = tmp_path / "demo"
    assert ensure_demo(out, 200, geo_cache_dir=GEO_CACHE) == out
    files = [out / "cases.sqlite", out / "referrals.sqlite", out / "targets.csv"]
    built = [path.stat().st_mtime_ns for path in files]
    assert ensure_demo(out, 200, geo_cache_dir=GEO_CACHE) == out
    assert [path.stat().st_mtime_ns for path in files] == built


def test_ensure_demo_callers_starting_together_build_only_once(tmp_path, monkeypatch):
    builds = []
    real_generate = demo_data.generate_demo

    def counting_generate(*args, **kwargs):
        builds.append(1)
        return real_generate(*args, **kwargs)

    monkeypatch.setattr(demo_data, "generate_demo", counting_generate)
    out = tmp_path / "demo"
    callers = [threading.Thread(target=ensure_demo, args=(out, 200, GEO_CACHE)) for _ in range(3)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert len(builds) == 1
    assert (out / "cases.sqlite").exists()
