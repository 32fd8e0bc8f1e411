"""A source whose tables are views without keys that repeat every row gives the numbers of the clean source, on
SQLite and on PostgreSQL, and the contract check names the repeated keys."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pandas as pd
import pytest
from sqlalchemy import create_engine, select, text

from impact_monitor.cli import main
from impact_monitor.demo_data import generate_demo
from queries import schema as s
from queries.db import Databases
from queries.indicators import IndicatorEngine
from queries.keys import KeyGuard, keyed_tables, one_row_per_key
from queries.periods import parse_period
from queries.scope import LEADERSHIP, Scope, make_filter
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS, REFERRALS_ROWS

CASE_TABLES = [name for name in s.cases_metadata.tables if name != "district_population"]
REFERRAL_TABLES = list(s.referrals_metadata.tables)


def _repeat_every_row(connection, tables: list[str]) -> None:
    """Each table becomes a view without keys over its rows twice over, as a join in a reporting view can."""
    for name in tables:
        connection.execute(text(f"ALTER TABLE {name} RENAME TO {name}_stored"))
        connection.execute(text(f"CREATE VIEW {name} AS SELECT * FROM {name}_stored "
                                f"UNION ALL SELECT * FROM {name}_stored"))


def _repeat_in_sqlite(path, tables: list[str]) -> None:
    engine = create_engine(sqlite_url(path))
    with engine.begin() as connection:
        _repeat_every_row(connection, tables)
    engine.dispose()


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory, geo_cache_dir):
    """The demo, and a copy of it whose every keyed table repeats each row."""
    clean = tmp_path_factory.mktemp("clean")
    generate_demo(clean, 600, 3, geo_cache_dir=geo_cache_dir)
    doubled = tmp_path_factory.mktemp("doubled")
    for name in ("cases.sqlite", "referrals.sqlite"):
        shutil.copy(clean / name, doubled / name)
    _repeat_in_sqlite(doubled / "cases.sqlite", CASE_TABLES)
    _repeat_in_sqlite(doubled / "referrals.sqlite", REFERRAL_TABLES)
    with sqlite3.connect(doubled / "cases.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM cases").fetchone()[0] == 2 * 600
    return clean, doubled


def _cli(folder, geo_cache_dir, monkeypatch, tmp_path, *args) -> bytes:
    """The command's output, run in this process (the command line itself is tested in test_cli)."""
    if not (folder / "geo").exists():
        shutil.copytree(geo_cache_dir, folder / "geo")
    for name, value in {"IMPACT_CASES_DB": sqlite_url(folder / "cases.sqlite"), "IMPACT_DATA_DIR": str(folder),
                        "IMPACT_REFERRALS_DB": sqlite_url(folder / "referrals.sqlite")}.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / f"{folder.name}.json"
    assert main([*args, "--out", str(out)]) == 0
    return out.read_bytes()


EXPORTS = [
    ("indicators", "--period", "2025", "--by", "district"),
    ("indicators", "--period", "2025-Q3", "--by", "division", "--role", "donor"),
    ("indicators", "--period", "2025-Q3", "--by", "upazila", "--area", "BD3033", "--role", "government",
     "--scope", "BD30"),
    ("prevalence",),
    *(("tables", "--page", page, "--period", "2025-Q3") for page in ("referrals", "justice", "survivors")),
]


@pytest.mark.parametrize("export", EXPORTS, ids=lambda export: " ".join(export))
def test_a_source_that_repeats_every_row_exports_the_clean_numbers(export, demo_pair, geo_cache_dir, monkeypatch,
                                                                   tmp_path):
    clean, doubled = demo_pair
    expected = json.loads(_cli(clean, geo_cache_dir, monkeypatch, tmp_path, *export))
    assert expected, "the clean demo has numbers to compare"
    assert json.loads(_cli(doubled, geo_cache_dir, monkeypatch, tmp_path, *export)) == expected


def test_the_check_names_the_repeated_keys(demo_pair, geo_cache_dir, monkeypatch, tmp_path):
    clean, doubled = demo_pair
    findings = json.loads(_cli(doubled, geo_cache_dir, monkeypatch, tmp_path, "quality", "--by", "rule"))
    repeated = {row["table"]: row["records"] for row in findings if row["rule"] == "duplicate_key"}
    with sqlite3.connect(clean / "cases.sqlite") as connection:
        cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
    assert repeated["cases"] == 2 * cases  # every row shares its key with its copy
    assert set(repeated) == set(CASE_TABLES) | set(REFERRAL_TABLES)
    clean_findings = json.loads(_cli(clean, geo_cache_dir, monkeypatch, tmp_path, "quality", "--by", "rule"))
    assert not [row for row in clean_findings if row["rule"] == "duplicate_key"]


@pytest.fixture(params=["sqlite", "postgresql"])
def clean_and_doubled(request, tmp_path):
    """The hand-built program twice: as written, and with every keyed table a view repeating each row."""
    if request.param == "sqlite":
        urls = [write_database(sqlite_url(tmp_path / f"{name}.sqlite"), {**CASES_ROWS, **REFERRALS_ROWS})
                for name in ("clean", "doubled")]
    else:
        factory = request.getfixturevalue("pg_url_factory")
        urls = [write_database(factory(), {**CASES_ROWS, **REFERRALS_ROWS}) for _ in range(2)]
    engine = create_engine(urls[1])
    with engine.begin() as connection:
        _repeat_every_row(connection, CASE_TABLES + REFERRAL_TABLES)
    engine.dispose()
    pairs = [Databases.from_urls(url, url) for url in urls]
    yield pairs
    for databases in pairs:
        databases.dispose()


@pytest.mark.parametrize("scope, by", [(LEADERSHIP, "district"), (Scope("donor"), "division")])
def test_indicators_count_each_key_once_on_both_engines(clean_and_doubled, gazetteer, scope, by):
    clean, doubled = (IndicatorEngine(databases, gazetteer) for databases in clean_and_doubled)
    for period in ("2026-Q1", "2026"):
        filter_ = make_filter(parse_period(period), "BD", by, scope, gazetteer)
        pd.testing.assert_frame_equal(doubled.compute(filter_), clean.compute(filter_))


def test_a_table_with_a_declared_key_is_read_as_it_is(clean_and_doubled):
    clean, doubled = clean_and_doubled
    assert KeyGuard(clean.cases, s.cases_metadata.tables.values()).repeated() == frozenset()
    assert {table.name for table in KeyGuard(doubled.cases, s.cases_metadata.tables.values()).repeated()} == set(
        CASE_TABLES)


def test_a_view_without_repeated_keys_is_read_as_it_is(tmp_path):
    url = write_database(sqlite_url(tmp_path / "c.sqlite"), CASES_ROWS)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE cases RENAME TO cases_stored"))
        connection.execute(text("CREATE VIEW cases AS SELECT * FROM cases_stored"))
    assert KeyGuard(engine, [s.cases]).repeated() == frozenset()
    engine.dispose()


def test_one_row_per_key_reads_only_the_columns_a_statement_names():
    c = s.cases.c
    statement = one_row_per_key(select(c.district_pcode).where(c.reported_on >= "2026-01-01"), {s.cases})
    sql = str(statement)
    assert "GROUP BY cases.case_id" in sql and "min(cases.reported_on)" in sql
    assert "case_ref" not in sql and "closed_on" not in sql
    assert keyed_tables(s.cases_metadata.tables.values()) == [s.cases_metadata.tables[name] for name in CASE_TABLES]
