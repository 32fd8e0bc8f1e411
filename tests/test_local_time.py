"""The program's time zone: a timestamp belongs to the period its local date falls in, whatever the source stores
(ISO text with offsets in SQLite, `timestamp` or `timestamptz` in PostgreSQL under any server time zone), and the
same rows give the same periods and durations on both engines."""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from impact_monitor.settings import Settings, SettingsError
from queries import referral_flow, schema
from queries.db import Databases
from queries.indicators import IndicatorEngine
from queries.localtime import load_zone, local_midnight, local_today, start_of_today
from queries.periods import parse_period
from queries.releases import release_period
from queries.scope import LEADERSHIP, make_filter, make_scope
from queries.store import AppStore, default_store_url
from tests.builders import sqlite_url, write_database
from tests.conftest import REPO_ROOT

DHAKA_ZONE = load_zone("Asia/Dhaka")
DHAKA, GAZIPUR = "BD3026", "BD3033"


def test_local_midnight_comes_from_the_iana_database_not_a_fixed_offset():
    assert local_midnight(date(2026, 7, 1), DHAKA_ZONE) == datetime(2026, 6, 30, 18)
    # Bangladesh kept daylight saving time (UTC+7) from 19 June to 31 December 2009.
    assert local_midnight(date(2009, 7, 1), DHAKA_ZONE) == datetime(2009, 6, 30, 17)
    assert local_midnight(date(2010, 1, 1), DHAKA_ZONE) == datetime(2009, 12, 31, 18)


def test_today_and_its_start_are_local():
    evening_utc = datetime(2026, 6, 30, 19, 30, tzinfo=timezone.utc)  # 01:30 on 1 July in Dhaka
    assert local_today(DHAKA_ZONE, evening_utc) == date(2026, 7, 1)
    assert start_of_today(DHAKA_ZONE, evening_utc) == datetime(2026, 6, 30, 18)
    assert local_today(load_zone("UTC"), evening_utc) == date(2026, 6, 30)


def test_the_setting_defaults_to_dhaka_and_refuses_an_unknown_zone():
    assert Settings.from_env({}).timezone.key == "Asia/Dhaka"
    assert Settings.from_env({"IMPACT_TIMEZONE": "Asia/Kathmandu"}).timezone.key == "Asia/Kathmandu"
    with pytest.raises(SettingsError, match="IMPACT_TIMEZONE: 'Asia/Dacca-x' is not a time zone"):
        Settings.from_env({"IMPACT_TIMEZONE": "Asia/Dacca-x"})


# Referrals as a source system writes them, and the local quarter and hours to first service each must give.
# (referral id, referred_at as SQLite text, the same instant in UTC, first service text, its UTC, quarter, hours)
WRITTEN = [
    ("space, no offset (UTC)", "2026-06-30 17:59:59", datetime(2026, 6, 30, 17, 59, 59),
     "2026-06-30 18:59:59", datetime(2026, 6, 30, 18, 59, 59), "2026-Q2", 1.0),
    ("T and Z", "2026-06-30T18:00:00Z", datetime(2026, 6, 30, 18),
     "2026-07-01T06:00:00Z", datetime(2026, 7, 1, 6), "2026-Q3", 12.0),
    ("Dhaka offset", "2026-07-01 01:00:00+06:00", datetime(2026, 6, 30, 19),
     "2026-07-01 03:30:00+06:00", datetime(2026, 6, 30, 21, 30), "2026-Q3", 2.5),
    ("negative offset", "2026-06-30T12:59:00-05:00", datetime(2026, 6, 30, 17, 59),
     "2026-06-30T13:59:00-05:00", datetime(2026, 6, 30, 18, 59), "2026-Q2", 1.0),
    ("fractional seconds", "2026-07-15T10:00:00.250+06:00", datetime(2026, 7, 15, 4, 0, 0, 250000),
     "2026-07-15T10:30:00.250+06:00", datetime(2026, 7, 15, 4, 30, 0, 250000), "2026-Q3", 0.5),
    ("a bare date", "2026-07-02", datetime(2026, 7, 2),
     "2026-07-03", datetime(2026, 7, 3), "2026-Q3", 24.0),
]
UNREADABLE = ["2026-11-31 10:00:00", "2026-08-32 10:00:00", "2026-7-5", "2026-08-31 junk"]


def _referral(referral_id: str, referred_at, first_service_at) -> dict:
    return dict(referral_id=referral_id, report_id=None, case_ref=None, district_pcode=DHAKA,
                service_type="medical", provider_type="ngo", urgency="routine", referred_at=referred_at,
                accepted_at=None, first_service_at=first_service_at, closed_at=None, outcome=None)


def _sqlite_referrals(tmp_path) -> str:
    """The referral table with its timestamps as text, exactly as written above."""
    url = write_database(sqlite_url(tmp_path / "referrals.sqlite"), {}, tables=["referrals", "reports"])
    rows = [_referral(name, referred, served) for name, referred, _, served, _, _, _ in WRITTEN]
    rows += [_referral(f"unreadable {n}", written, None) for n, written in enumerate(UNREADABLE)]
    with sqlite3.connect(tmp_path / "referrals.sqlite") as connection:
        connection.executemany(f"INSERT INTO referrals ({', '.join(rows[0])}) VALUES ({', '.join('?' * len(rows[0]))})",
                               [list(row.values()) for row in rows])
    return url


REFERRALS_DDL = """CREATE TABLE referrals (
    referral_id text PRIMARY KEY, report_id text, case_ref text, district_pcode text NOT NULL,
    service_type text NOT NULL, provider_type text NOT NULL, urgency text NOT NULL,
    referred_at {kind} NOT NULL, accepted_at {kind}, first_service_at {kind}, closed_at {kind}, outcome text)"""


def _postgres_referrals(pg_url_factory, kind: str) -> str:
    """The referral table with `timestamp` (UTC) or `timestamptz` columns, in a database whose own TimeZone is
    New York: a session that did not pin its zone would read and bind in it."""
    url = pg_url_factory()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"ALTER DATABASE {engine.url.database} SET timezone TO 'America/New_York'"))
        connection.execute(text(REFERRALS_DDL.format(kind=kind)))
        schema.referrals_metadata.tables["reports"].create(connection)  # empty: a release reads every table
        for name, _, referred, _, served, _, _ in WRITTEN:
            connection.execute(text(
                "INSERT INTO referrals (referral_id, district_pcode, service_type, provider_type, urgency, "
                "referred_at, first_service_at) VALUES (:name, :district, 'medical', 'ngo', 'routine', "
                f"CAST(:referred AS {kind}), CAST(:served AS {kind}))"),
                # Written as UTC text with its offset, so timestamptz stores the instant and timestamp its UTC.
                {"name": name, "district": DHAKA, "referred": f"{referred.isoformat()}+00:00",
                 "served": f"{served.isoformat()}+00:00"})
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite-text", "postgresql-timestamp", "postgresql-timestamptz"])
def referral_databases(request, tmp_path, tmp_path_factory):
    if request.param == "sqlite-text":
        referrals = _sqlite_referrals(tmp_path)
    else:
        referrals = _postgres_referrals(request.getfixturevalue("pg_url_factory"), request.param.split("-")[1])
    cases = write_database(sqlite_url(tmp_path_factory.mktemp("cases") / "cases.sqlite"), {},
                           tables=list(schema.cases_metadata.tables))  # every case table, empty
    databases = Databases.from_urls(cases, referrals, zone=DHAKA_ZONE)
    yield databases
    databases.dispose()


def _quarter_counts(databases, gazetteer) -> dict[str, int]:
    engine = IndicatorEngine(databases, gazetteer)
    periods = (parse_period("2026-Q2"), parse_period("2026-Q3"))
    series = engine.compute_series(make_filter(periods[0], "BD", "national", LEADERSHIP, gazetteer), periods,
                                   ("referrals_made",))
    return {row.period: int(row.value) for row in series.itertuples()}


def test_a_timestamp_falls_in_the_quarter_of_its_local_date(referral_databases, gazetteer):
    expected = {"2026-Q2": 0, "2026-Q3": 0}
    for *_, quarter, _ in WRITTEN:
        expected[quarter] += 1
    assert _quarter_counts(referral_databases, gazetteer) == expected


def test_hours_to_first_service_are_the_same_on_every_engine(referral_databases, gazetteer):
    filter_ = make_filter(parse_period("2026-Q3"), "BD", "national", LEADERSHIP, gazetteer)
    counts = referral_flow.waiting_hour_counts(referral_databases, gazetteer, filter_, datetime(2026, 11, 1))
    q3_hours = [hours for *_, quarter, hours in WRITTEN if quarter == "2026-Q3"]
    assert sorted(counts.loc[counts["served"] > 0, "hour"].repeat(counts["served"])) == sorted(
        int(hours) for hours in q3_hours)
    median = IndicatorEngine(referral_databases, gazetteer).compute(filter_, ("referral_turnaround_median_days",))
    assert median.iloc[0]["value"] == pytest.approx(statistics.median(q3_hours) / 24)


def test_text_that_is_no_real_time_is_in_no_period_and_counted_by_the_check(tmp_path, gazetteer):
    from queries.contract_check import check_values

    referrals = _sqlite_referrals(tmp_path)
    databases = Databases.from_urls(referrals, referrals, zone=DHAKA_ZONE)
    try:
        yearly = IndicatorEngine(databases, gazetteer).compute(
            make_filter(parse_period("2026"), "BD", "national", LEADERSHIP, gazetteer), ("referrals_made",))
        assert int(yearly.iloc[0]["value"]) == len(WRITTEN)  # the year is the sum of its quarters
        findings = {(f.column, f.rule): f.count for f in check_values(databases, gazetteer, date(2026, 11, 30))
                    if f.table == "referrals"}
        assert findings[("referred_at", "unreadable_date")] == len(UNREADABLE)
    finally:
        databases.dispose()


def test_the_app_refuses_to_start_with_an_unknown_zone_in_one_line(tmp_path):
    env = {**os.environ, "IMPACT_TIMEZONE": "Mars/Olympus", "IMPACT_DATA_DIR": str(tmp_path)}
    started = subprocess.run([sys.executable, "app.py"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert started.returncode == 1
    assert started.stderr.strip() == ("impact-monitor: IMPACT_TIMEZONE: 'Mars/Olympus' is not a time zone of the "
                                      "IANA database (like Asia/Dhaka or UTC)")


def test_a_release_and_the_figures_read_from_it_keep_each_timestamp_in_its_local_quarter(referral_databases,
                                                                                         gazetteer, tmp_path):
    """The released path (a quarter's counts frozen in the store, and a donor's figures rebuilt from them) on
    every kind of source, a `timestamptz` column under a New York server included."""
    expected = {"2026-Q2": 0, "2026-Q3": 0}
    for *_, quarter, _ in WRITTEN:
        expected[quarter] += 1
    engine = IndicatorEngine(referral_databases, gazetteer)
    store = AppStore.open(default_store_url(tmp_path), apply_migrations=True)
    try:
        released = {}
        for label in expected:
            release = release_period(store, engine, gazetteer, parse_period(label), date(2026, 10, 1), "leadership",
                                     "test")
            figures = store.release_figures(release.id, "BD")
            released[label] = int(figures.loc[figures["indicator"].eq("referrals_made") & figures["breakdown"].eq(""),
                                              "value"].item())
        assert released == expected
        engine.publications.show_released_only(("donor",), store)
        donor = make_scope("donor", (), gazetteer)
        periods = tuple(parse_period(label) for label in expected)
        series = engine.compute_series(make_filter(periods[0], "BD", "national", donor, gazetteer), periods,
                                       ("referrals_made",), suppress_below=1)
        assert {row.period: int(row.value) for row in series.itertuples()} == expected
    finally:
        store.dispose()
