"""Settings documented, read-only connections, periods, and the contract in code."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, inspect, text
from sqlalchemy.exc import DBAPIError

from impact_monitor.settings import ENVIRONMENT_VARIABLES, Settings, SettingsError
from queries import schema
from queries.db import Databases, DatabaseConfigError, make_engine
from queries.periods import CALENDARS, PeriodError, parse_period, quarter_containing, quarters_of, year_containing
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_environment_variable_is_in_the_readme():
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE))
    assert set(ENVIRONMENT_VARIABLES) <= documented, set(ENVIRONMENT_VARIABLES) - documented


def test_settings_reject_bad_values():
    with pytest.raises(SettingsError, match="IMPACT_SUPPRESS_BELOW"):
        Settings.from_env({"IMPACT_SUPPRESS_BELOW": "ten"})
    with pytest.raises(SettingsError, match="between 1 and 12"):
        Settings.from_env({"IMPACT_FISCAL_YEAR_START": "13"})
    with pytest.raises(SettingsError, match="both"):
        Settings.from_env({"IMPACT_CASES_DB": "sqlite:///x.db"})
    assert Settings.from_env({}).demo_mode


@pytest.mark.parametrize("text_, start, end", [
    ("2026-Q3", date(2026, 7, 1), date(2026, 10, 1)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1)),
    ("2026", date(2026, 1, 1), date(2027, 1, 1)),
])
def test_calendar_periods(text_, start, end):
    period = parse_period(text_)
    assert (period.start, period.end, period.label) == (start, end, text_)


def test_the_older_fiscal_labels_are_read_in_the_default_calendar_and_named_with_it():
    first = parse_period("FY2027-Q1", fiscal_year_start=7)
    assert (first.start, first.end, first.label) == (date(2026, 7, 1), date(2026, 10, 1), "BD-FY2027-Q1")
    third = parse_period("FY2027-Q3", fiscal_year_start=7)
    assert (third.start, third.end) == (date(2027, 1, 1), date(2027, 4, 1))
    assert quarter_containing(date(2026, 8, 15), 7).label == "BD-FY2027-Q1"
    assert first.previous().label == "BD-FY2026-Q4" and first.same_period_last_year().label == "BD-FY2026-Q1"
    assert parse_period("FY2027-Q1", fiscal_year_start=10).label == "US-FY2027-Q1"


@pytest.mark.parametrize("text_, start, end", [
    ("BD-FY2027-Q1", date(2026, 7, 1), date(2026, 10, 1)),
    ("BD-FY2027-Q4", date(2027, 4, 1), date(2027, 7, 1)),
    ("BD-FY2027", date(2026, 7, 1), date(2027, 7, 1)),
    ("US-FY2027-Q1", date(2026, 10, 1), date(2027, 1, 1)),
    ("US-FY2027-Q4", date(2027, 7, 1), date(2027, 10, 1)),
    ("US-FY2027", date(2026, 10, 1), date(2027, 10, 1)),
])
def test_every_calendar_is_read_at_once_whatever_the_deployment(text_, start, end):
    for default in (None, 7, 10):
        period = parse_period(text_, default)
        assert (period.start, period.end, period.label) == (start, end, text_)
    assert parse_period(text_.lower()).label == text_


def test_a_fiscal_year_moves_by_years_and_holds_its_quarters():
    year = parse_period("US-FY2027")
    assert year.shifted(-4).label == "US-FY2026" and year.numbered_year == 2027
    assert [q.label for q in quarters_of(year)] == ["US-FY2027-Q1", "US-FY2027-Q2", "US-FY2027-Q3", "US-FY2027-Q4"]
    assert year_containing(parse_period("2027-Q3"), CALENDARS["us-fiscal"]).label == "US-FY2027"
    assert year_containing(parse_period("2027-Q4"), CALENDARS["us-fiscal"]).label == "US-FY2028"
    assert parse_period("2026-Q3").in_calendar(CALENDARS["bd-fiscal"]).label == "BD-FY2027-Q1"
    with pytest.raises(PeriodError):
        parse_period("BD-FY2027").in_calendar(CALENDARS["calendar"])


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-07-01..2026-09-30", "Q3 2026", "2026-Q3'; DROP TABLE cases; --",
                                 "x" * 5000, None, 2026, "FY2027-Q1", "1200",
                                 "UK-FY2027-Q1", "BD-FY2027-Q5", "BDFY2027-Q1"])
def test_malformed_periods_are_refused_with_what_is_allowed(bad):
    with pytest.raises(PeriodError, match=r"2026|1990-2100"):
        parse_period(bad)


def _probe(engine):
    """A connection for hand-written SQL sent through the app's engine on purpose."""
    return engine.connect().execution_options(sql_audit_exempt=True)


def _insert_victim(engine):
    with _probe(engine) as connection, connection.begin():
        connection.execute(insert(schema.victims).values(victim_id="X", case_id="C1", sex="female",
                                                         identified_on=date(2026, 1, 1)))


def test_sqlite_engine_refuses_writes(tmp_path):
    url = write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS)
    engine = make_engine(url)
    with pytest.raises(DBAPIError, match="readonly"):
        _insert_victim(engine)
    with pytest.raises(DBAPIError):
        with _probe(engine) as connection, connection.begin():
            connection.execute(text("DELETE FROM cases"))
    with create_engine(url).connect() as writable:
        assert writable.execute(text("select count(*) from cases")).scalar() == len(CASES_ROWS["cases"])


def test_missing_sqlite_file_is_unreachable_not_created(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "absent.sqlite"))
    with pytest.raises(DBAPIError, match="unable to open"):
        engine.connect()
    assert not (tmp_path / "absent.sqlite").exists()
    with pytest.raises(DatabaseConfigError, match="file"):
        make_engine("sqlite://")


@pytest.mark.postgres
def test_postgresql_engine_refuses_writes_although_the_role_could_write(pg_url):
    write_database(pg_url, CASES_ROWS)
    with create_engine(pg_url).begin() as superuser:  # the same role writes fine without the app's engine
        superuser.execute(text("update cases set source = 'ngo' where case_id = 'C1'"))
    engine = make_engine(pg_url, statement_timeout_s=7)
    with pytest.raises(DBAPIError, match="read-only transaction"):
        _insert_victim(engine)
    with _probe(engine) as connection:
        assert connection.execute(text("show statement_timeout")).scalar() == "7s"
        assert connection.execute(text("show default_transaction_read_only")).scalar() == "on"
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_statement_timeout_cancels_and_the_next_query_works(pg_url):
    engine = make_engine(pg_url, statement_timeout_s=1)
    with pytest.raises(DBAPIError, match="statement timeout"):
        with _probe(engine) as connection:
            connection.execute(text("select pg_sleep(3)"))
    with engine.connect() as connection:
        assert connection.execute(text("select 1")).scalar() == 1
    engine.dispose()


def test_sqlite_statement_timeout_interrupts_a_long_query(tmp_path):
    url = write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS)
    engine = make_engine(url, statement_timeout_s=1)
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    with pytest.raises(DBAPIError, match="interrupted"):
        with _probe(engine) as connection:
            connection.execute(text(endless))
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from cases")).scalar() == len(CASES_ROWS["cases"])


def test_contract_tables_declare_no_identifying_column():
    every_column = {c.name for t in (*schema.cases_metadata.tables.values(),
                                     *schema.referrals_metadata.tables.values()) for c in t.columns}
    assert not every_column & {"full_name", "phone", "address"}


def test_same_url_shares_one_engine(tmp_path):
    url = write_database(sqlite_url(tmp_path / "all.sqlite"), CASES_ROWS)
    databases = Databases.from_urls(url, url)
    assert databases.same_database and databases.cases is databases.referrals
    assert "cases" in inspect(databases.cases).get_table_names()
