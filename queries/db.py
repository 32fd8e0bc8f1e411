"""Read-only database engines for the case and referral databases.

SQLite files are opened with `mode=ro`; PostgreSQL sessions start with
`default_transaction_read_only` and a statement timeout, so even a role that
could write cannot write through the app.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from . import schema
from .keys import KeyGuard
from .localtime import DEFAULT_TIMEZONE, Timestamps, load_zone, local_today, start_of_today
from .words import N_


class DatabaseConfigError(ValueError):
    """A database URL the app cannot use."""


class _PercentileCont:
    """SQLite aggregate reproducing PostgreSQL's percentile_cont(fraction) exactly.

    Values are collected inside SQLite's aggregate and interpolated linearly
    between the two closest ranks, as PostgreSQL does.
    """

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction: float | None = None

    def step(self, value, fraction) -> None:
        if value is not None:
            self.values.append(float(value))
            self.fraction = float(fraction)

    def finalize(self):
        return percentile_cont(self.values, self.fraction) if self.values else None


def percentile_cont(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


SQLITE_PERCENTILE_FUNCTION = "impact_percentile_cont"
# Marks every statement sent through the app's own engines (the SQL audit in the tests reads it).
APP_EXECUTION_OPTIONS = {"impact_monitor_app": True}


def _sqlite_read_only_url(url: str) -> str:
    parsed = make_url(url)
    database = parsed.database
    if not database or database == ":memory:":
        raise DatabaseConfigError(f"SQLite URL {url!r} must name a database file")
    # A missing file is not an error here: the app starts and says the database is unreachable.
    path = Path(database).resolve()
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def _register_sqlite_functions(dbapi_connection, _record) -> None:
    dbapi_connection.create_aggregate(SQLITE_PERCENTILE_FUNCTION, 2, _PercentileCont)


def _install_sqlite_statement_timeout(engine: Engine, timeout_s: int) -> None:
    """Abort a SQLite statement that runs longer than `timeout_s`, like PostgreSQL's statement_timeout."""

    @event.listens_for(engine, "before_cursor_execute")
    def _arm_deadline(connection, _cursor, _statement, _parameters, _context, _executemany):
        deadline = time.monotonic() + timeout_s
        connection.connection.dbapi_connection.set_progress_handler(
            lambda: 1 if time.monotonic() > deadline else 0, 100_000
        )


# Dashboard aggregates sort a quarter's rows (half a million assessment rows at 1,000,000 cases):
# enough work_mem keeps those sorts in memory, and JIT compilation costs more than it saves at this size.
PG_SESSION_TUNING = "-c work_mem=64MB -c jit=off"
# Every session reads and binds timestamps in UTC, whatever the server's or the database's TimeZone: a naive bound
# then compares right with `timestamp` (UTC) and `timestamptz` columns alike (see queries.localtime).
PG_SESSION_TIMEZONE = "-c timezone=UTC"


def make_engine(url: str, statement_timeout_s: int = 30) -> Engine:
    """A read-only engine for `url` (SQLite file or PostgreSQL)."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            _sqlite_read_only_url(url),
            poolclass=NullPool,
            connect_args={"check_same_thread": False},
            execution_options=APP_EXECUTION_OPTIONS,
        )
        event.listen(engine, "connect", _register_sqlite_functions)
        _install_sqlite_statement_timeout(engine, statement_timeout_s)
        return engine
    if backend == "postgresql":
        parsed = make_url(url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        options = (f"-c default_transaction_read_only=on -c statement_timeout={statement_timeout_s * 1000} "
                   f"{PG_SESSION_TUNING} {PG_SESSION_TIMEZONE}")
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
            pool_recycle=1800,
            execution_options=APP_EXECUTION_OPTIONS,
            connect_args={"options": options, "connect_timeout": 5, "application_name": "impact-monitor"},
        )
    raise DatabaseConfigError(f"unsupported database {backend!r}: use a SQLite file or PostgreSQL")


@dataclass(frozen=True)
class Databases:
    """The two engines the app reads (they may point at one database), and the program's time zone."""

    cases: Engine
    referrals: Engine
    same_database: bool
    zone: ZoneInfo = field(default_factory=lambda: load_zone(DEFAULT_TIMEZONE))

    @classmethod
    def from_urls(cls, cases_url: str, referrals_url: str, statement_timeout_s: int = 30,
                  zone: ZoneInfo | None = None) -> "Databases":
        cases = make_engine(cases_url, statement_timeout_s)
        same = make_url(cases_url) == make_url(referrals_url)
        referrals = cases if same else make_engine(referrals_url, statement_timeout_s)
        case_tables, referral_tables = schema.cases_metadata.tables.values(), schema.referrals_metadata.tables.values()
        if same:
            KeyGuard(cases, [*case_tables, *referral_tables]).install()
        else:
            KeyGuard(cases, case_tables).install()
            KeyGuard(referrals, referral_tables).install()
        return cls(cases=cases, referrals=referrals, same_database=same,
                   zone=zone or load_zone(DEFAULT_TIMEZONE))

    @property
    def timestamps(self) -> Timestamps:
        """SQL for the referral database's timestamps (the only timestamp columns of the contract)."""
        return Timestamps(self.referrals.dialect.name, self.zone)

    def timestamps_of(self, engine: Engine) -> Timestamps:
        return Timestamps(engine.dialect.name, self.zone)

    def today(self) -> date:
        """Today's date in the program's time zone."""
        return local_today(self.zone)

    def start_of_today(self) -> datetime:
        """The instant today began in the program's time zone (naive UTC)."""
        return start_of_today(self.zone)

    def dispose(self) -> None:
        self.cases.dispose()
        self.referrals.dispose()


# What every database failure raises through SQLAlchemy, for callers that must not import it.
DatabaseError = DBAPIError


def describe_database_error(error: DBAPIError) -> str:
    """A database failure in plain words for the people reading the dashboard."""
    original = str(getattr(error, "orig", error)).lower()
    if "statement timeout" in original or "canceling statement" in original or "interrupted" in original:
        return N_("This query took longer than the time limit and was cancelled. Try a smaller area or "
                  "period.")
    if "no such table" in original or "no such column" in original or "does not exist" in original:
        return N_("The database does not match the data contract (a table or column is missing); see Data "
                  "quality.")
    return N_("A database could not be reached or answered with an error; the other panels keep "
              "working.")


def ping(engine: Engine) -> bool:
    """True when the database answers now. A SQLite file is read, not just opened: `SELECT 1` answers on any
    file, and a corrupt, empty or non-database file must read as down (its schema version is 0 when it holds
    no table at all, and reading it fails when it is no database)."""
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                return connection.exec_driver_sql("PRAGMA schema_version").scalar_one() > 0
            connection.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # any failure means "not answering"; the caller reports it, never raises
        return False
