"""Properties over generated programs: areas add up, and SQLite and PostgreSQL agree on every indicator."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from queries import schema
from queries.db import Databases
from queries.definitions import INDICATORS
from queries.indicators import IndicatorEngine
from queries.localtime import DEFAULT_TIMEZONE
from queries.periods import parse_period
from queries.scope import LEADERSHIP, make_filter
from tests.builders import sqlite_url, write_database
from tests.conftest import PG_SERVER_URL

# Two divisions, five districts: enough for sums to mean something, small enough to be quick.
DISTRICTS = ["BD3026", "BD3033", "BD3029", "BD2015", "BD2022"]
PERIOD = parse_period("2026-Q2")
_DAY = st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 7, 31))
_DOMAINS = schema.ASSESSMENT_DOMAINS


def _local_day(stored: str) -> date:
    """The program's day of a stored timestamp: a naive one is a UTC instant (as the contract says)."""
    return datetime.fromisoformat(stored).replace(tzinfo=timezone.utc).astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()


def _when(day: date, seconds: int) -> str:
    return (datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)).isoformat(sep=" ")


@st.composite
def programs(draw):
    n_cases = draw(st.integers(1, 25))
    cases, victims, accused, events, assessments = [], [], [], [], []
    for i in range(n_cases):
        case_id = f"C{i}"
        cases.append(dict(case_id=case_id, case_ref=f"R{i}" if draw(st.booleans()) else None,
                          case_type=draw(st.sampled_from(schema.CASE_TYPES)),
                          district_pcode=draw(st.sampled_from(DISTRICTS)), upazila_pcode=None, source="police",
                          reported_on=draw(_DAY), closed_on=None))
        for v in range(draw(st.integers(0, 2))):
            victim_id = f"V{i}_{v}"
            victims.append(dict(victim_id=victim_id, case_id=case_id, sex=draw(st.sampled_from(schema.SEXES)),
                                age_at_identification=draw(st.one_of(st.none(), st.integers(5, 25))),
                                identified_on=draw(_DAY), brought_to_safety_on=draw(st.one_of(st.none(), _DAY))))
            for session in range(draw(st.integers(0, 2))):
                day = draw(_DAY)
                for domain in draw(st.sets(st.sampled_from(_DOMAINS), min_size=5)):
                    assessments.append(dict(assessment_id=f"S{i}_{v}_{session}_{domain}", victim_id=victim_id,
                                            assessed_on=day, domain=domain, score=draw(st.integers(1, 4))))
        if draw(st.booleans()):
            events.append(dict(event_id=f"E{i}c", case_id=case_id, accused_id=None, event_type="complaint_filed",
                               event_on=date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 500)))))
        for a in range(draw(st.integers(0, 2))):
            accused_id = f"A{i}_{a}"
            accused.append(dict(accused_id=accused_id, case_id=case_id, role="trafficker"))
            for kind in draw(st.lists(st.sampled_from(["charge_sheet", "convicted", "acquitted"]), max_size=2)):
                events.append(dict(event_id=f"E{i}_{a}_{len(events)}", case_id=case_id, accused_id=accused_id,
                                   event_type=kind, event_on=draw(_DAY)))
    referrals, reports = [], []
    for r in range(draw(st.integers(0, 25))):
        day, start = draw(_DAY), draw(st.integers(0, 86_399))
        wait = draw(st.one_of(st.none(), st.integers(0, 20 * 86_400)))
        referrals.append(dict(referral_id=f"F{r}", report_id=None,
                              case_ref=draw(st.one_of(st.none(), st.sampled_from([c["case_ref"] for c in cases]))),
                              district_pcode=draw(st.sampled_from(DISTRICTS)), service_type="medical",
                              provider_type="ngo", urgency=draw(st.sampled_from(schema.URGENCIES)),
                              referred_at=_when(day, start), accepted_at=None,
                              first_service_at=None if wait is None else _when(day, start + wait),
                              closed_at=None, outcome=None))
    for r in range(draw(st.integers(0, 15))):
        reports.append(dict(report_id=f"P{r}", received_at=_when(draw(_DAY), draw(st.integers(0, 86_399))),
                            channel="hotline", category="csec",
                            district_pcode=draw(st.one_of(st.none(), st.sampled_from(DISTRICTS))), case_ref=None))
    population = [dict(district_pcode=d, year=2026, population=1_000_000, child_population=draw(st.integers(1, 10**6)))
                  for d in DISTRICTS if draw(st.booleans())]
    return ({"cases": cases, "victims": victims, "accused": accused, "legal_events": events,
             "survivor_assessments": assessments, "district_population": population, "prevalence_studies": []},
            {"referrals": referrals, "reports": reports})


@pytest.fixture(scope="module")
def postgres_database(pg_admin_engine):
    """One throwaway PostgreSQL database for the module, emptied before each generated program."""
    name = f"impact_prop_{uuid.uuid4().hex[:10]}"
    with pg_admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    with pg_admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _replace_contents(url: str, rows: dict) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in [*schema.cases_metadata.sorted_tables, *schema.referrals_metadata.sorted_tables]:
            table.create(connection, checkfirst=True)
            connection.execute(table.delete())
    engine.dispose()
    write_database(url, rows)


def _all_rows(engine, gazetteer) -> dict:
    rows = {}
    for by in ("national", "division", "district"):
        frame = engine.compute(make_filter(PERIOD, "BD", by, LEADERSHIP, gazetteer))
        for record in frame.to_dict("records"):
            rows[(record["indicator"], record["area"])] = record
    return rows


def _number(value) -> float:
    return 0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _assert_children_add_up(rows: dict, gazetteer, unknown_district_reports: int) -> None:
    for code in INDICATORS:
        for parent, children in [("BD", ["BD30", "BD20"]), ("BD30", DISTRICTS[:3]), ("BD20", DISTRICTS[3:])]:
            for part in ("numerator", "denominator"):
                total = sum(_number(rows[(code, child)][part]) for child in children)
                if code == "reports_received" and parent == "BD" and part == "numerator":
                    total += unknown_district_reports
                assert _number(rows[(code, parent)][part]) == pytest.approx(total), (code, parent, part)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(program=programs())
def test_areas_add_up_and_engines_agree(program, tmp_path_factory, postgres_database, gazetteer):
    cases_rows, referral_rows = program
    folder = tmp_path_factory.mktemp("program")
    sqlite = Databases.from_urls(write_database(sqlite_url(folder / "c.sqlite"), cases_rows),
                                 write_database(sqlite_url(folder / "r.sqlite"), referral_rows))
    _replace_contents(postgres_database, {**cases_rows, **referral_rows})
    postgres = Databases.from_urls(postgres_database, postgres_database)
    try:
        lite = _all_rows(IndicatorEngine(sqlite, gazetteer), gazetteer)
        pg = _all_rows(IndicatorEngine(postgres, gazetteer), gazetteer)
    finally:
        sqlite.dispose()
        postgres.dispose()
    unknown = sum(1 for r in referral_rows["reports"] if r["district_pcode"] is None
                  and PERIOD.start <= _local_day(r["received_at"]) < PERIOD.end)
    _assert_children_add_up(lite, gazetteer, unknown)
    assert lite.keys() == pg.keys()
    for key, row in lite.items():
        for part in ("value", "numerator", "denominator"):
            assert _number(row[part]) == pytest.approx(_number(pg[key][part]), rel=1e-9, abs=1e-9), (key, part)
