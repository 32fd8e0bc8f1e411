"""Copies a demo's SQLite databases into one PostgreSQL database, once (for the benchmark)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from queries import schema

_INDEXES = [
    ("cases", "reported_on"), ("cases", "district_pcode"), ("victims", "case_id"), ("victims", "identified_on"),
    ("victims", "brought_to_safety_on"), ("accused", "case_id"), ("legal_events", "case_id"),
    ("legal_events", "event_type, event_on"), ("legal_events", "case_id, event_type, event_on"),
    ("survivor_assessments", "victim_id"),
    ("survivor_assessments", "assessed_on"), ("reports", "received_at"), ("reports", "district_pcode"),
    ("referrals", "referred_at"), ("referrals", "district_pcode"), ("referrals", "case_ref"),
]


def _ready(admin, name: str, expected_cases: int) -> bool:
    with admin.connect() as connection:
        exists = connection.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).scalar()
    if not exists:
        return False
    url = make_url(str(admin.url)).set(database=name)
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)) as check:
        try:
            return check.execute("select rows from bench_loaded").fetchone()[0] == expected_cases
        except psycopg.Error:
            return False


def copy_demo_to_postgres(server_url: str, name: str, folder: Path) -> str:
    """The URL of database `name` holding the demo in `folder`; built with COPY unless already complete."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    expected = sqlite3.connect(folder / "cases.sqlite").execute("select count(*) from cases").fetchone()[0]
    url = make_url(server_url).set(database=name)
    if not _ready(admin, name, expected):
        print(f"copying {folder.name} into PostgreSQL database {name} ...", flush=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        writer = create_engine(url)
        schema.cases_metadata.create_all(writer)
        schema.referrals_metadata.create_all(writer)
        writer.dispose()
        _copy_tables(url.set(drivername="postgresql").render_as_string(hide_password=False), folder)
    admin.dispose()
    return url.render_as_string(hide_password=False)


def _copy_tables(dsn: str, folder: Path) -> None:
    sources = {**{t: "cases.sqlite" for t in schema.cases_metadata.tables},
               **{t: "referrals.sqlite" for t in schema.referrals_metadata.tables}}
    every_table = {**schema.cases_metadata.tables, **schema.referrals_metadata.tables}
    with psycopg.connect(dsn, autocommit=True) as target:
        for table_name, source_file in sources.items():
            columns = [c.name for c in every_table[table_name].columns]
            source = sqlite3.connect(folder / source_file)
            rows = source.execute(f"select {', '.join(columns)} from {table_name}")
            with target.cursor().copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            source.close()
        for table_name, columns in _INDEXES:
            target.execute(f"CREATE INDEX ON {table_name} ({columns})")
        target.execute("ANALYZE")
        count = target.execute("select count(*) from cases").fetchone()[0]
        target.execute(f"CREATE TABLE bench_loaded AS SELECT {count}::bigint AS rows")
