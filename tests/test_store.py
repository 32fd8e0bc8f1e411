"""The app's own store, on a SQLite file and on a real PostgreSQL server: its migrations, its refusal of a schema
it was not written for, releases with ordered revisions under concurrent writers, and narratives with history."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from types import SimpleNamespace
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from impact_monitor.services import attach_store
from impact_monitor.settings import Settings, SettingsError
from queries.publication import CellReleases, Publications
from queries.store import (FIGURE_COLUMNS, AppStore, StoreError, StoreOutOfDate, default_store_url, head_revision,
                           migrate)
from queries.store.tables import metadata

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=ENGINES)
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return default_store_url(tmp_path)
    url = request.getfixturevalue("pg_url")
    # A server whose clock is not UTC: times must still come back as the moment they were.
    database = make_url(url).database
    admin = request.getfixturevalue("pg_admin_engine")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{database}" SET timezone TO \'America/New_York\''))
    return url


def figures(count: int, seed: int) -> pd.DataFrame:
    """`count` figures whose values all carry `seed`, so a release mixing two writers' figures shows."""
    return pd.DataFrame({"indicator": [f"indicator_{i % 17}" for i in range(count)],
                         "area": [f"BD{i // 17:04d}" for i in range(count)],
                         "breakdown": ["sex" if i % 2 else "" for i in range(count)],
                         "category": ["female" if i % 2 else "" for i in range(count)],
                         "numerator": [float(seed)] * count, "denominator": [None] * count,
                         "value": [float(seed)] * count})


def test_the_migrations_build_exactly_the_tables_the_code_uses(store_url):
    assert migrate(store_url) == (None, head_revision())
    engine = create_engine(store_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []
    assert migrate(store_url) == (head_revision(), head_revision())  # nothing left to do


def test_an_empty_database_becomes_a_store_and_another_s_or_a_newer_schema_is_refused(store_url):
    AppStore.open(store_url).dispose()  # a first start: no table at all
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    with pytest.raises(StoreOutOfDate, match="f00dfeed, which this version does not know.*will not guess"):
        AppStore.open(store_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    with pytest.raises(StoreOutOfDate, match="another application's database"):
        AppStore.open(store_url)


def test_a_store_migrations_behind_asks_for_migration_until_it_is_migrated(store_url):
    assert migrate(store_url, to="0001") == (None, "0001")  # as the version before narratives left it
    with pytest.raises(StoreOutOfDate, match="at schema revision 0001; this version needs 0003: back it up, then "
                                             "run `impact-monitor migrate`"):
        AppStore.open(store_url)
    assert migrate(store_url) == ("0001", "0003")
    store = AppStore.open(store_url)
    assert store.narratives("calendar", "2026-Q3") == []
    store.dispose()


def test_the_demo_applies_the_migrations_at_start(store_url):
    store = AppStore.open(store_url, apply_migrations=True)
    assert store.releases("calendar") == []
    store.dispose()


def test_a_sqlite_store_is_readable_by_its_owner_only(tmp_path):
    store = AppStore.open(default_store_url(tmp_path), apply_migrations=True)
    store.record_release("calendar", "2026-Q3", figures(3, 1), "leadership", False, "test")
    store.dispose()
    for path in tmp_path.glob("app-store.sqlite*"):  # the file, and WAL's companions while they exist
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path


def test_a_url_that_is_no_store_is_refused_plainly(tmp_path):
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        AppStore.open("mysql://localhost/x")
    with pytest.raises(StoreError, match="does not exist"):
        AppStore.open(f"sqlite:///{tmp_path / 'missing' / 'store.sqlite'}")


def test_a_release_keeps_its_figures_exactly_and_its_moment_in_utc(store_url):
    store = AppStore.open(store_url, apply_migrations=True)
    moment = datetime(2026, 10, 1, 3, 30, tzinfo=timezone(timedelta(hours=6)))  # 21:30 UTC the day before
    frame = pd.DataFrame([
        {"indicator": "cases_reported", "area": "BD", "breakdown": "", "category": "", "numerator": 9_007_199_254_740_991,
         "denominator": None, "value": 9_007_199_254_740_991},
        {"indicator": "cases_per_100k", "area": "BD30", "breakdown": "sex", "category": "female", "numerator": 7,
         "denominator": 2_345_678, "value": 7 / 2_345_678 * 100_000},
        {"indicator": "median_days_to_service", "area": "BD30", "breakdown": None, "category": None,
         "numerator": None, "denominator": None, "value": float("nan")},  # not available, which is not 0
    ])
    release = store.record_release("us-fiscal", "USFY2027-Q1", frame, "leadership", True, "0.1.0", at=moment)
    assert release.released_at == datetime(2026, 9, 30, 21, 30, tzinfo=timezone.utc)
    [kept] = store.releases("us-fiscal", "USFY2027-Q1")
    assert kept == release and kept.provisional
    back = store.release_figures(release.id).set_index(["indicator", "area"])
    assert back.loc[("cases_reported", "BD"), "numerator"] == 9_007_199_254_740_991  # 2**53 - 1: exact
    assert back.loc[("cases_per_100k", "BD30"), "value"] == 7 / 2_345_678 * 100_000
    assert back.loc[("cases_per_100k", "BD30"), "category"] == "female"
    median = back.loc[("median_days_to_service", "BD30")]
    assert pd.isna(median["value"]) and median["breakdown"] == "" and median["category"] == ""
    assert list(store.release_figures(release.id).columns) == list(FIGURE_COLUMNS)
    assert store.releases("calendar") == []  # another calendar's periods are its own
    store.dispose()


def test_the_latest_release_holding_cells_is_read_per_period_and_again_after_each_release(store_url):
    store = AppStore.open(store_url, apply_migrations=True)
    cells = {"cases": pd.DataFrame({"period": ["2026"], "district_pcode": ["BD3026"], "cases": [4]})}
    latest = CellReleases()
    assert store.newest_release_id() is None and latest.read(store) == {}

    old = store.record_release("calendar", "2026-Q1", figures(2, 1), "leadership", False, "0.1")  # no cells
    first = store.record_release("calendar", "2026-Q2", figures(2, 2), "leadership", False, "0.2", cells=cells)
    assert latest.read(store) == {("calendar", "2026-Q2"): first.id}
    assert store.release_cells(first.id)["cases"].equals(cells["cases"])

    revision = store.record_release("calendar", "2026-Q2", figures(2, 3), "leadership", False, "0.2", cells=cells)
    assert latest.read(store) == {("calendar", "2026-Q2"): revision.id}, "read again once something was released"
    store.record_release("calendar", "2026-Q2", figures(2, 4), "leadership", False, "0.1")  # an old version's, no cells
    again = store.record_release("calendar", "2026-Q1", figures(2, 5), "leadership", False, "0.2", cells=cells)
    assert latest.read(store) == {("calendar", "2026-Q1"): again.id}, (
        "a period whose latest release holds no cells counts as not released; an older one's cells are not read")
    assert store.newest_release_id() == again.id > old.id
    store.dispose()


def _release_many(url: str, writer: int, times: int, count: int) -> None:
    store = AppStore.open(url)
    for time in range(times):
        store.record_release("calendar", "2026-Q3", figures(count, writer * 100 + time), f"writer {writer}",
                             False, "test")
    store.dispose()


def _migrate_and_open(url: str) -> str:
    store = AppStore.open(url, apply_migrations=True)
    store.dispose()
    return head_revision()


def test_several_workers_migrating_at_once_all_start(store_url):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.map(_migrate_and_open, [store_url] * 4) == [head_revision()] * 4


def test_writers_releasing_one_period_at_once_get_ordered_revisions_never_a_mixed_one(store_url):
    writers, times, count = 4, 3, 400
    AppStore.open(store_url, apply_migrations=True).dispose()
    processes = [multiprocessing.get_context("spawn").Process(target=_release_many,
                                                              args=(store_url, writer, times, count))
                 for writer in range(writers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    store = AppStore.open(store_url)
    released = store.releases("calendar", "2026-Q3")
    assert [release.revision for release in released] == list(range(1, writers * times + 1))
    assert [r.released_at for r in released] == sorted(r.released_at for r in released)
    for release in released:
        kept = store.release_figures(release.id)
        assert len(kept) == count and kept["value"].nunique() == 1, release  # one writer's figures, all of them
    seeds = sorted(store.release_figures(r.id)["value"].iloc[0] for r in released)
    assert seeds == sorted(float(w * 100 + t) for w in range(writers) for t in range(times))
    store.dispose()


def test_a_narrative_keeps_every_version_and_shows_the_newest(store_url):
    store = AppStore.open(store_url, apply_migrations=True)
    key = ("cases_reported", "bd-fiscal", "BDFY2027-Q1")
    store.write_narrative(*key, "", "en", "  Fewer reports: the hotline was down in August.  ", "leadership")
    store.write_narrative(*key, "", "bn", "কম প্রতিবেদন: আগস্টে হটলাইন বন্ধ ছিল।", "leadership")
    store.write_narrative(*key, "BD30", "en", "=HYPERLINK(\"http://x\") <script>", "leadership")
    store.write_narrative(*key, "", "en", "Fewer reports: the hotline was down for 12 days in August.", "director")
    shown = {(n.area, n.language): n for n in store.narratives("bd-fiscal", "BDFY2027-Q1")}
    assert shown[("", "en")].body == "Fewer reports: the hotline was down for 12 days in August."
    assert shown[("", "en")].written_by == "director"
    assert shown[("", "bn")].body == "কম প্রতিবেদন: আগস্টে হটলাইন বন্ধ ছিল।"
    assert shown[("BD30", "en")].body == "=HYPERLINK(\"http://x\") <script>"  # kept as written; outputs neutralise
    history = store.narrative_history(*key, "", "en")
    assert [n.body for n in history] == ["Fewer reports: the hotline was down in August.",
                                         "Fewer reports: the hotline was down for 12 days in August."]
    assert [n.written_by for n in history] == ["leadership", "director"]
    store.write_narrative(*key, "BD30", "en", "", "leadership")  # taken away
    assert ("BD30", "en") not in {(n.area, n.language) for n in store.narratives("bd-fiscal", "BDFY2027-Q1")}
    assert len(store.narrative_history(*key, "BD30", "en")) == 2
    store.dispose()


@pytest.mark.parametrize("language, body, refusal", [("fr", "Bonjour", "en or bn"),
                                                     ("en", "x" * 2001, "at most 2000 characters")])
def test_a_narrative_in_another_language_or_too_long_is_refused(tmp_path, language, body, refusal):
    store = AppStore.open(default_store_url(tmp_path), apply_migrations=True)
    with pytest.raises(StoreError, match=refusal):
        store.write_narrative("cases_reported", "calendar", "2026-Q3", "", language, body, "leadership")
    assert store.narrative_history("cases_reported", "calendar", "2026-Q3", "", language) == []
    store.dispose()


def _command(data_dir, *arguments, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "impact_monitor.cli", *arguments], capture_output=True, text=True,
                          env={**os.environ, "IMPACT_DATA_DIR": str(data_dir), **env}, timeout=120)


def test_the_command_line_migrates_and_says_what_it_did(tmp_path):
    first = _command(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith(f"schema revision none -> {head_revision()}")
    again = _command(tmp_path, "migrate")
    assert again.stdout.strip().endswith(f"schema revision {head_revision()}, already up to date")
    refused = _command(tmp_path, "migrate", IMPACT_APP_DB="sqlite:////no/such/folder/store.sqlite")
    assert refused.returncode == 2 and refused.stderr == (
        "impact-monitor: IMPACT_APP_DB: the folder /no/such/folder does not exist\n")


def _services_of(**env: str) -> SimpleNamespace:
    """What `attach_store` reads and sets of the app's services: its settings, its store, the publications that
    read released figures from it."""
    return SimpleNamespace(settings=Settings.from_env(env), store=None, store_problem=None,
                           engine=SimpleNamespace(publications=Publications(None, None, 0)))


def test_the_app_stops_at_start_on_a_store_behind_its_schema(store_url, tmp_path):
    migrate(store_url, to="0001")
    services = _services_of(IMPACT_DATA_DIR=str(tmp_path), IMPACT_APP_DB=store_url,
                            IMPACT_CASES_DB="sqlite:///x", IMPACT_REFERRALS_DB="sqlite:///x")
    with pytest.raises(SettingsError, match="IMPACT_APP_DB: .*run `impact-monitor migrate`"):
        attach_store(services)


def test_the_demo_migrates_its_store_at_start(tmp_path):
    migrate(default_store_url(tmp_path), to="0001")
    services = _services_of(IMPACT_DATA_DIR=str(tmp_path), IMPACT_DONOR_FIGURES="released")
    attach_store(services)
    assert services.store is not None and services.store_problem is None
    assert services.engine.publications.store is services.store  # donors' figures are read from its releases
    assert services.engine.publications.released_only == {"donor"}
    services.store.dispose()

