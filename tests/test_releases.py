"""Releasing a period: every indicator for every area frozen with its exact numerator and denominator, checked
against the hand-computed program on SQLite and PostgreSQL sources and stores; revisions; early releases."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date

import pytest

from queries.cache import AggregateCache
from queries.db import Databases
from queries.definitions import INDICATORS
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.releases import ReleaseRefused, release_period, store_key
from queries.store import AppStore, default_store_url
from tests.builders import sqlite_url, write_database
from tests.conftest import GEO_CACHE
from tests.indicator_fixture import CASES_ROWS, EXPECTED, REFERRALS_ROWS
from tests.test_indicators import _same

QUARTER = parse_period("2026-Q1")
AFTER_THE_QUARTER = date(2026, 5, 1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sources_and_store(request, tmp_path, gazetteer):
    """The hand-built program and an empty store, both on one engine kind."""
    if request.param == "sqlite":
        databases = Databases.from_urls(write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS),
                                        write_database(sqlite_url(tmp_path / "referrals.sqlite"), REFERRALS_ROWS))
        store_url = default_store_url(tmp_path)
    else:
        factory = request.getfixturevalue("pg_url_factory")
        source = write_database(factory(), {**CASES_ROWS, **REFERRALS_ROWS})
        databases, store_url = Databases.from_urls(source, source), factory()
    store = AppStore.open(store_url)
    # As the app runs it: aggregates cached, so a revision of the same figures reads them once.
    yield IndicatorEngine(databases, gazetteer, AggregateCache(ttl_s=300), query_threads=2), store
    store.dispose()
    databases.dispose()


def test_a_release_freezes_every_indicator_for_every_area_exactly(sources_and_store, gazetteer):
    engine, store = sources_and_store
    release = release_period(store, engine, gazetteer, QUARTER, AFTER_THE_QUARTER, "leadership", "test")
    assert (release.calendar, release.period, release.revision, release.provisional) == (
        "calendar", "2026-Q1", 1, False)
    figures = store.release_figures(release.id)
    totals = figures[figures["breakdown"] == ""].set_index(["indicator", "area"])
    for indicator, areas in EXPECTED.items():
        for area, (value, numerator, denominator) in areas.items():
            kept = totals.loc[(indicator, area)]
            assert _same(kept["value"], value), (indicator, area, kept["value"], value)
            assert _same(kept["numerator"], numerator) and _same(kept["denominator"], denominator), (indicator, area)
    # Every indicator for the nation, all 8 divisions, 64 districts and, where its records know it (reports and
    # referrals have no upazila), every upazila.
    areas_per_indicator = totals.reset_index().groupby("indicator")["area"].nunique().to_dict()
    without_upazila = {"reports", "referrals"}
    assert areas_per_indicator == {
        code: 1 + 8 + 64 + (0 if definition.family in without_upazila else len(gazetteer.upazila_codes))
        for code, definition in INDICATORS.items()}
    assert not figures.duplicated(["indicator", "area", "breakdown", "category"]).any()
    assert list(figures.columns) == ["indicator", "area", "breakdown", "category", "numerator", "denominator",
                                     "value"]  # aggregates only: no identifying column, no case-level row
    # Each disaggregation an indicator allows is frozen with its categories; none it does not allow.
    by_sex = figures[(figures["breakdown"] == "sex") & (figures["area"] == "BD")]
    assert set(by_sex["indicator"]) == {code for code, d in INDICATORS.items() if "sex" in d.disaggregations}
    minors = figures[(figures["breakdown"] == "age_band") & (figures["area"] == "BD")
                     & (figures["indicator"] == "victims_identified")].set_index("category")["value"]
    assert minors.sum() == EXPECTED["victims_identified"]["BD"][0]


def test_an_early_release_is_provisional_and_releasing_again_is_a_revision(sources_and_store, gazetteer):
    engine, store = sources_and_store
    during = date(2026, 3, 31)
    with pytest.raises(ReleaseRefused, match="2026-Q1 has not ended \\(its last day is 2026-03-31\\)"):
        release_period(store, engine, gazetteer, QUARTER, during, "leadership", "test")
    assert store.releases("calendar") == []
    early = release_period(store, engine, gazetteer, QUARTER, during, "leadership", "test", provisional=True)
    final = release_period(store, engine, gazetteer, QUARTER, AFTER_THE_QUARTER, "director", "test",
                           provisional=True)
    assert (early.revision, early.provisional) == (1, True)
    assert (final.revision, final.provisional) == (2, False)  # asked for, but the period had ended
    assert store.releases("calendar", "2026-Q1") == [early, final]  # history kept
    assert store.latest_release("calendar", "2026-Q1") == final
    assert store.release_figures(early.id).equals(store.release_figures(final.id))


@pytest.mark.parametrize("label, key", [
    ("2026-Q3", ("calendar", "2026-Q3")), ("BD-FY2027-Q1", ("calendar", "2026-Q3")),
    ("US-FY2026-Q4", ("calendar", "2026-Q3")), ("US-FY2027-Q1", ("calendar", "2026-Q4")),
    ("2026", ("calendar", "2026")), ("BD-FY2027", ("bd-fiscal", "BD-FY2027")), ("US-FY2027", ("us-fiscal", "US-FY2027")),
])
def test_a_quarter_is_kept_once_whichever_calendar_names_it(label, key):
    assert store_key(parse_period(label)) == key


def test_the_command_line_releases_a_period_and_audits_it(tmp_path):
    write_database(sqlite_url(tmp_path / "cases.sqlite"), CASES_ROWS)
    write_database(sqlite_url(tmp_path / "referrals.sqlite"), REFERRALS_ROWS)
    env = {**os.environ, "IMPACT_DATA_DIR": str(tmp_path), "IMPACT_CASES_DB": sqlite_url(tmp_path / "cases.sqlite"),
           "IMPACT_REFERRALS_DB": sqlite_url(tmp_path / "referrals.sqlite")}
    shutil.copytree(GEO_CACHE, tmp_path / "geo")
    command = [sys.executable, "-m", "impact_monitor.cli", "release", "--period", "2026-Q1", "--as", "data team"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("released 2026-Q1 (calendar) as revision 1, at 20")
    audit = [json.loads(json.loads(line)["message"]) for line in done.stderr.splitlines()
             if '"logger": "impact_monitor.audit"' in line]
    assert [(a["what"], a["who"], a["period"], a["revision"]) for a in audit] == [
        ("release", "data team", "2026-Q1", 1)]
    store = AppStore.open(default_store_url(tmp_path))
    assert [r.released_by for r in store.releases("calendar", "2026-Q1")] == ["data team"]
    store.dispose()
    future = subprocess.run([*command[:-4], "--period", "2100-Q1"], capture_output=True, text=True, env=env,
                            timeout=300)
    assert future.returncode == 2 and "2100-Q1 has not ended" in future.stderr and "provisional" in future.stderr

