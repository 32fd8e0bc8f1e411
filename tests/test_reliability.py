"""A database that goes away and comes back, a schema that drifts: clear messages, recovery without restart."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import Column, Date, MetaData, Table, Text, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.panel_parts import text_of
from dashboard.status import status_banner
from queries.db import Databases, ping
from queries.health import DatabaseMonitor
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.scope import LEADERSHIP, make_filter
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS, REFERRALS_ROWS
from tests.tcp_proxy import TcpProxy


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def proxied_referrals(pg_url, tmp_path):
    """Cases in SQLite; referrals in a real PostgreSQL reached through a proxy the test controls."""
    write_database(pg_url, REFERRALS_ROWS)
    target = make_url(pg_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    proxy.start()
    proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    cases = write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS)
    databases = Databases.from_urls(cases, proxied, statement_timeout_s=5)
    yield databases, proxy
    proxy.stop()
    databases.dispose()


@pytest.mark.postgres
def test_referral_database_goes_down_and_comes_back(proxied_referrals, gazetteer, caplog):
    databases, proxy = proxied_referrals
    engine = IndicatorEngine(databases, gazetteer)
    clock = Clock()
    monitor = DatabaseMonitor(databases, clock)
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "national", LEADERSHIP, gazetteer)
    assert [s.up for s in monitor.states()] == [True, True]
    before = engine.compute(filter_)

    proxy.stop()
    clock.now += 60
    with caplog.at_level("WARNING", logger="impact_monitor.databases"):
        states = monitor.states()
    assert [r.database for r in caplog.records if r.getMessage() == "database unreachable"] == ["referrals"]
    assert [s.up for s in states] == [True, False]
    banner = " ".join(text_of(line) for line in status_banner(states))
    assert "Referral database unreachable since" in banner and "retrying" in banner
    with pytest.raises(DBAPIError):
        engine.compute(filter_)
    cases_only = engine.compute(filter_, ("cases_reported", "victims_identified"))
    assert set(cases_only["indicator"]) == {"cases_reported", "victims_identified"}

    proxy.start()
    clock.now += 60
    assert [s.up for s in monitor.states()] == [True, True]
    assert status_banner(monitor.states()) == []
    after = engine.compute(filter_)
    assert after["value"].fillna(-1).tolist() == before["value"].fillna(-1).tolist()


def test_down_since_is_the_first_failure(tmp_path, gazetteer):
    databases = Databases.from_urls(sqlite_url(tmp_path / "nothing-here.sqlite"),
                                    sqlite_url(tmp_path / "nothing-here.sqlite"))
    clock = Clock()
    monitor = DatabaseMonitor(databases, clock)
    first = monitor.states()[0]
    clock.now += 600
    assert monitor.states(force=True)[0].down_since == first.down_since
    assert first.down_since == datetime.fromtimestamp(1_700_000_000, timezone.utc)
    assert not ping(databases.cases)


def test_schema_drift_is_named_and_unaffected_indicators_still_work(tmp_path, gazetteer, caplog):
    rows = {name: table_rows for name, table_rows in CASES_ROWS.items() if name != "survivor_assessments"}
    cases = write_database(sqlite_url(tmp_path / "cases.sqlite"), rows)
    engine_writer = create_engine(cases)
    Table("survivor_assessments", MetaData(), Column("assessment_id", Text), Column("victim_id", Text),
          Column("assessed_on", Date), Column("domain", Text)).create(engine_writer)   # no score column
    engine_writer.dispose()
    referrals = write_database(sqlite_url(tmp_path / "referrals.sqlite"), REFERRALS_ROWS)
    databases = Databases.from_urls(cases, referrals)
    with caplog.at_level("WARNING", logger="impact_monitor.databases"):
        states = DatabaseMonitor(databases).states()
    assert states[0].missing == ("survivor_assessments.score",)
    assert any(record.missing == ("survivor_assessments.score",) for record in caplog.records)
    banner = " ".join(text_of(line) for line in status_banner(states))
    assert "survivor_assessments.score" in banner
    # The contract's column names are written as code, the same in either language.
    assert [part.children for part in status_banner(states)[0].children if not isinstance(part, str)] == [
        "survivor_assessments.score"]
    engine = IndicatorEngine(databases, gazetteer)
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "national", LEADERSHIP, gazetteer)
    working = engine.compute(filter_, ("cases_reported", "referrals_made"))
    assert working.set_index("indicator")["value"].to_dict() == {"cases_reported": 4, "referrals_made": 5}
    _, unavailable = engine.compute_each_database(filter_, ("survivors_assessed", "referrals_made"))
    assert list(unavailable) == ["survivors_assessed"]
    assert "does not match the data contract (a table or column is missing)" in unavailable["survivors_assessed"]


def test_bad_records_are_excluded_by_rule_not_mixed_in(tmp_path, gazetteer):
    """A first service before its referral and a score outside 1-4 change no figure."""
    from tests.indicator_fixture import DOMAINS

    bad_referral = dict(REFERRALS_ROWS["referrals"][0], referral_id="BAD1", first_service_at="2026-01-09 08:00:00")
    bad_scores = [dict(assessment_id=f"BAD{d}", victim_id="V3", assessed_on="2026-03-30", domain=d, score=9)
                  for d in DOMAINS]
    clean = _engine(tmp_path / "clean", CASES_ROWS, REFERRALS_ROWS, gazetteer)
    dirty = _engine(tmp_path / "dirty",
                    {**CASES_ROWS, "survivor_assessments": CASES_ROWS["survivor_assessments"] + bad_scores},
                    {**REFERRALS_ROWS, "referrals": REFERRALS_ROWS["referrals"] + [bad_referral]}, gazetteer)
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "national", LEADERSHIP, gazetteer)
    codes = ("referral_turnaround_median_days", "referral_turnaround_p90_days", "survivors_assessed",
             "survivors_restored_pct")
    before = clean.compute(filter_, codes).set_index("indicator")
    after = dirty.compute(filter_, codes).set_index("indicator")
    for code in codes:
        assert after.loc[code, "value"] == before.loc[code, "value"], code
    made = dirty.compute(filter_, ("referrals_made", "referrals_within_target_pct")).set_index("indicator")
    assert made.loc["referrals_made", "value"] == 6                        # still a referral made
    assert made.loc["referrals_within_target_pct", "numerator"] == 3       # but not served within target


def _engine(folder, cases_rows, referral_rows, gazetteer) -> IndicatorEngine:
    folder.mkdir()
    return IndicatorEngine(Databases.from_urls(write_database(sqlite_url(folder / "c.sqlite"), cases_rows),
                                               write_database(sqlite_url(folder / "r.sqlite"), referral_rows)),
                           gazetteer)


def test_database_errors_are_told_in_plain_words():
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from queries.db import describe_database_error

    timeout = OperationalError("SELECT", {}, sqlite3.OperationalError("interrupted"))
    missing = OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: cases.case_ref"))
    down = OperationalError("SELECT", {}, sqlite3.OperationalError("unable to open database file"))
    assert "time limit" in describe_database_error(timeout)
    assert "data contract" in describe_database_error(missing)
    assert "could not be reached" in describe_database_error(down)


@pytest.mark.parametrize("content", [b"", b"this is a text file, not a database\n" * 40,
                                     b"SQLite format 3\x00" + bytes(range(256)) * 16],
                         ids=["empty", "not a database", "corrupt"])
def test_a_sqlite_file_that_holds_no_database_is_down(tmp_path, content):
    path = tmp_path / "cases.sqlite"
    path.write_bytes(content)
    databases = Databases.from_urls(sqlite_url(path), sqlite_url(path))
    try:
        assert not ping(databases.cases)
        assert not DatabaseMonitor(databases).states(force=True)[0].up
    finally:
        databases.dispose()


def test_a_sqlite_database_with_tables_is_up(tmp_path):
    url = write_database(sqlite_url(tmp_path / "cases.sqlite"), {"cases": []})
    databases = Databases.from_urls(url, url)
    try:
        assert ping(databases.cases)
    finally:
        databases.dispose()
