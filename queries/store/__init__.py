"""The app's own store: the one database the app writes, for releases of a period's figures and narratives.

`IMPACT_APP_DB` is its SQLAlchemy URL: by default a SQLite file in IMPACT_DATA_DIR (owner-only permissions),
PostgreSQL in production. It holds aggregates and text, never a case-level row. Its schema is versioned with the
Alembic migrations beside this module: `migrate` applies them (`impact-monitor migrate`; the demo at start), and
`AppStore.open` refuses a store whose schema is not the code's, naming the command that brings it up to date.

Several gunicorn workers may write at once. On SQLite every write is one `BEGIN IMMEDIATE` transaction, so writers
queue (WAL lets readers go on); on PostgreSQL releases of one period queue behind a transaction-level advisory lock
on that period. A revision number is also unique per period, as a last guard. Either way a release and all its
figures land together or not at all.
"""

from __future__ import annotations

import hashlib
import io
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pandas as pd
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from .tables import narratives, release_cells, release_figures, releases

STORE_FILE = "app-store.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LANGUAGES = ("en", "bn")
MAX_NARRATIVE_CHARACTERS = 2000
FIGURE_COLUMNS = ("indicator", "area", "breakdown", "category", "numerator", "denominator", "value")
# Writers queue for a period, so a second attempt is needed only if the unique revision guard ever fires.
_RELEASE_ATTEMPTS = 3
# A constant key for PostgreSQL's advisory lock around migrations ("impact" in ASCII).
_MIGRATION_LOCK = 0x696D70616374


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says why in plain words."""


class StoreOutOfDate(StoreError):
    """The store's schema is not the one this code was written for."""


@dataclass(frozen=True)
class Release:
    """One release (revision) of a period's figures of one calendar."""

    id: int
    calendar: str
    period: str
    revision: int
    released_at: datetime  # UTC
    released_by: str
    provisional: bool
    app_version: str


@dataclass(frozen=True)
class Narrative:
    """One version of what leadership says about an indicator in a period (and an area, when `area` is set)."""

    id: int
    indicator: str
    calendar: str
    period: str
    area: str  # "" for the indicator as a whole
    language: str
    body: str  # "" when the narrative was taken away
    written_at: datetime  # UTC
    written_by: str


def default_store_url(data_dir: Path) -> str:
    """The SQLite file in the data folder that is the store when IMPACT_APP_DB is not set."""
    return f"sqlite:///{Path(data_dir) / STORE_FILE}"


def make_store_engine(url: str) -> Engine:
    """An engine for the store. A SQLite file is created owner-only (0600) before SQLite opens it, in WAL mode,
    waiting up to 30 s for a lock; a write transaction begins IMMEDIATE so that writers queue instead of failing.
    Raises StoreError for a URL that is neither SQLite nor PostgreSQL, or a folder that does not exist."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise StoreError(f"IMPACT_APP_DB must be a SQLite or PostgreSQL URL, not {parsed.get_backend_name()}")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if not database or database == ":memory:":
        raise StoreError("IMPACT_APP_DB: the store must be a file, not an in-memory database")
    path = Path(database)
    if not path.parent.is_dir():
        raise StoreError(f"IMPACT_APP_DB: the folder {path.parent} does not exist")
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's BEGIN below, not the driver's
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get("writing")
                                   else "BEGIN")

    return engine


def head_revision() -> str:
    """The schema revision this code is written for: the newest migration."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def schema_revision(connection: Connection) -> str | None:
    """The revision the store's schema is at; None for a store no migration has touched."""
    return MigrationContext.configure(connection).get_current_revision()


def migrate(url: str, to: str = "head") -> tuple[str | None, str]:
    """Apply every migration the store lacks, up to revision `to` (the newest by default); returns (the revision
    before, the revision after). Safe when
    several processes start at once: on SQLite the write lock, on PostgreSQL an advisory lock, lets one migrate
    while the others wait and then find nothing to do."""
    engine = make_store_engine(url)
    try:
        with engine.connect().execution_options(writing=True) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            before = schema_revision(connection)
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, to)
            return before, schema_revision(connection)
    finally:
        engine.dispose()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


class AppStore:
    """Releases and narratives in the app's own store. Every method raises StoreError with a plain message when
    the store refuses what was asked."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, apply_migrations: bool = False) -> "AppStore":
        """The store at `url`. A database with no table at all is a new store and gets the schema (a first
        start); with `apply_migrations` (the demo's start) any missing migration is applied. Raises StoreOutOfDate
        when the schema is not this code's: an older one asks for `impact-monitor migrate`; a newer or unknown
        one, or tables with no schema revision (another application's database), is refused, not guessed at."""
        engine = make_store_engine(url)
        try:
            with engine.connect() as connection:
                found, empty = schema_revision(connection), not inspect(connection).get_table_names()
            if apply_migrations or empty:
                found = migrate(url)[1]
        except BaseException:
            engine.dispose()
            raise
        wanted = head_revision()
        if found != wanted:
            engine.dispose()
            raise StoreOutOfDate(_out_of_date_message(make_url(url).render_as_string(hide_password=True),
                                                      found, wanted))
        return cls(engine)

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(writing=True) as connection, connection.begin():
            yield connection

    # Releases

    def record_release(self, calendar: str, period: str, figures: pd.DataFrame, released_by: str,
                       provisional: bool, app_version: str, at: datetime | None = None,
                       cells: dict[str, pd.DataFrame] | None = None) -> Release:
        """Freeze `figures` (columns FIGURE_COLUMNS, one row per indicator, area, breakdown and category; NaN for
        a value that is not available) as the next revision of `period`, with a quarter's `cells` (name -> frame
        of counts at their finest grain, `universe.quarter_frames`). The release, its figures and its cells are
        written in one transaction; two releases of one period at once get two revisions, in order."""
        missing = [name for name in FIGURE_COLUMNS if name not in figures.columns]
        if missing:
            raise StoreError(f"a release needs the columns {', '.join(missing)}")
        rows = _figure_rows(figures)
        for _attempt in range(_RELEASE_ATTEMPTS):
            try:
                with self._writing() as connection:
                    _queue_for_period(connection, calendar, period)
                    revision = 1 + connection.scalar(
                        select(func.coalesce(func.max(releases.c.revision), 0))
                        .where(releases.c.calendar == calendar, releases.c.period == period))
                    # Read after the previous revision was committed: revisions and their moments agree in order.
                    released_at = _utc(at or datetime.now(timezone.utc))
                    release_id = connection.execute(insert(releases).values(
                        calendar=calendar, period=period, revision=revision, released_at=released_at,
                        released_by=released_by, provisional=provisional, app_version=app_version,
                    ).returning(releases.c.id)).scalar_one()
                    if rows:
                        connection.execute(insert(release_figures), [{"release_id": release_id, **row} for row in rows])
                    if cells:
                        connection.execute(insert(release_cells), [
                            {"release_id": release_id, "name": name, "frame": frame.to_json(orient="split", index=False)}
                            for name, frame in cells.items()])
                return Release(release_id, calendar, period, revision, released_at, released_by, provisional,
                               app_version)
            except IntegrityError:
                continue  # another release of this period took the number first: the next one is free
        raise StoreError(f"{period} could not be released: too many releases of it at once; try again")

    def releases(self, calendar: str, period: str | None = None) -> list[Release]:
        """Every release of `calendar` (of one `period` when given), oldest first."""
        query = select(releases).where(releases.c.calendar == calendar)
        if period is not None:
            query = query.where(releases.c.period == period)
        with self.engine.connect() as connection:
            found = connection.execute(query.order_by(releases.c.period, releases.c.revision)).mappings().all()
        return [Release(**{**row, "released_at": _utc(row["released_at"]), "provisional": bool(row["provisional"])})
                for row in found]

    def latest_release(self, calendar: str, period: str) -> Release | None:
        """The newest revision of `period`, or None when it was never released."""
        found = self.releases(calendar, period)
        return found[-1] if found else None

    def release_figures(self, release_id: int, area: str | None = None) -> pd.DataFrame:
        """The figures of one release (of one `area` when given): FIGURE_COLUMNS, NaN where not available."""
        query = select(*[release_figures.c[name] for name in FIGURE_COLUMNS]).where(
            release_figures.c.release_id == release_id)
        if area is not None:
            query = query.where(release_figures.c.area == area)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(*[release_figures.c[n] for n in FIGURE_COLUMNS[:4]])).all()
        frame = pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))
        return frame.astype({"numerator": float, "denominator": float, "value": float})

    def newest_release_id(self) -> int | None:
        """The id of the newest release of any period (ids only grow), or None before the first: a cheap check of
        whether anything was released since a reading."""
        with self.engine.connect() as connection:
            return connection.scalar(select(func.max(releases.c.id)))

    def latest_cell_releases(self) -> dict[tuple[str, str], int]:
        """{(calendar, period): id of its latest release} for every period whose latest release froze a quarter's
        cells; a period whose latest release holds none (a year, or a release from before releases held cells) is
        left out."""
        newer = releases.alias("newer")
        latest = ~select(newer.c.id).where(newer.c.calendar == releases.c.calendar,
                                            newer.c.period == releases.c.period,
                                            newer.c.revision > releases.c.revision).exists()
        holds = select(release_cells.c.release_id).where(release_cells.c.release_id == releases.c.id).exists()
        query = select(releases.c.calendar, releases.c.period, releases.c.id).where(latest, holds)
        with self.engine.connect() as connection:
            return {(calendar, period): release_id for calendar, period, release_id in connection.execute(query)}

    def release_cells(self, release_id: int) -> dict[str, pd.DataFrame]:
        """The counts a quarter's release froze at their finest grain (name -> frame, as given to
        `record_release`); {} for a year's release, or one made before releases held cells."""
        query = select(release_cells.c.name, release_cells.c.frame).where(release_cells.c.release_id == release_id)
        with self.engine.connect() as connection:
            found = connection.execute(query).all()
        return {name: pd.read_json(io.StringIO(frame), orient="split", dtype=False,
                                          convert_dates=False) for name, frame in found}

    # Narratives

    def write_narrative(self, indicator: str, calendar: str, period: str, area: str, language: str, body: str,
                        written_by: str, at: datetime | None = None) -> Narrative:
        """A new version of the narrative of (indicator, calendar, period, area, language); an empty body takes
        it away. Earlier versions are kept. Raises StoreError for an unknown language or a body over
        MAX_NARRATIVE_CHARACTERS."""
        if language not in LANGUAGES:
            raise StoreError(f"a narrative is in {' or '.join(LANGUAGES)}, not {language!r}")
        body = body.strip()
        if len(body) > MAX_NARRATIVE_CHARACTERS:
            raise StoreError(f"a narrative holds at most {MAX_NARRATIVE_CHARACTERS} characters, not {len(body)}")
        written_at = _utc(at or datetime.now(timezone.utc))
        values = dict(indicator=indicator, calendar=calendar, period=period, area=area, language=language,
                      body=body, written_at=written_at, written_by=written_by)
        with self._writing() as connection:
            narrative_id = connection.execute(insert(narratives).values(**values)
                                              .returning(narratives.c.id)).scalar_one()
        return Narrative(narrative_id, **values)

    def narratives(self, calendar: str, period: str) -> list[Narrative]:
        """The narratives of a period as they stand: the newest version of each, those taken away left out."""
        newest = (select(func.max(narratives.c.id))
                  .where(narratives.c.calendar == calendar, narratives.c.period == period)
                  .group_by(narratives.c.indicator, narratives.c.area, narratives.c.language))
        query = select(narratives).where(narratives.c.id.in_(newest), narratives.c.body != "")
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(narratives.c.indicator, narratives.c.area,
                                                     narratives.c.language)).mappings().all()
        return [_narrative(row) for row in rows]

    def narrative_history(self, indicator: str, calendar: str, period: str, area: str,
                          language: str) -> list[Narrative]:
        """Every version of one narrative, oldest first, with who wrote it and when."""
        query = select(narratives).where(
            narratives.c.indicator == indicator, narratives.c.calendar == calendar, narratives.c.period == period,
            narratives.c.area == area, narratives.c.language == language).order_by(narratives.c.id)
        with self.engine.connect() as connection:
            return [_narrative(row) for row in connection.execute(query).mappings().all()]

    def dispose(self) -> None:
        self.engine.dispose()


def _queue_for_period(connection: Connection, calendar: str, period: str) -> None:
    """On PostgreSQL, wait for any other release of this period to commit (SQLite's write lock already does)."""
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"release:{calendar}:{period}".encode()).digest()[:8], "big",
                             signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _figure_rows(figures: pd.DataFrame) -> list[dict]:
    frame = figures.loc[:, list(FIGURE_COLUMNS)].astype(object)
    frame = frame.where(pd.notna(frame), None)
    rows = frame.to_dict("records")
    for row in rows:
        for name in ("numerator", "denominator", "value"):
            row[name] = None if row[name] is None else float(row[name])
        for name in ("breakdown", "category"):
            row[name] = row[name] or ""
    return rows


def _narrative(row) -> Narrative:
    return Narrative(**{**row, "written_at": _utc(row["written_at"])})


def _utc(moment: datetime) -> datetime:
    """A moment in UTC: SQLite gives back the naive UTC time it was given, PostgreSQL an aware one."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _out_of_date_message(where: str, found: str | None, wanted: str) -> str:
    if found is None:
        return (f"the database at {where} holds tables but no schema revision of the app's store: is it another "
                "application's database? Give IMPACT_APP_DB a database of its own")
    known = {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
    if found in known:
        return (f"the app's store at {where} is at schema revision {found}; this version needs {wanted}: "
                "back it up, then run `impact-monitor migrate`")
    return (f"the app's store at {where} is at schema revision {found}, which this version does not know (a newer "
            f"version wrote it?); it needs {wanted} and will not guess: run the version that wrote it")
