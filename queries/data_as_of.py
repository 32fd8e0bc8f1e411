"""How fresh each database is: the latest date of its main events.

A date after today is a data error (the contract check counts those), so it
never makes a database look fresher than it is. An account sees the freshness
of what it may read: a government account that of its own districts, and an
external audience the day only, never the time of one record.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Column, DateTime, Engine, func, inspect, select

from . import schema as s
from .db import Databases
from .geography import Gazetteer
from .scope import Scope, scope_districts
from .localtime import Timestamps, as_local, local_midnight
from .sqlparts import in_values

# The columns whose latest value tells when each database was last fed.
FRESHNESS_COLUMNS: dict[str, tuple[Column, ...]] = {
    "cases": (s.cases.c.reported_on, s.victims.c.identified_on, s.legal_events.c.event_on),
    "referrals": (s.reports.c.received_at, s.referrals.c.referred_at),
}


def _present(engine: Engine) -> set[tuple[str, str]]:
    """(table, column) of the tables and views the database has; a missing one is a schema finding."""
    inspector = inspect(engine)
    names = set(inspector.get_table_names()) | set(inspector.get_view_names())
    wanted = {column.table.name for columns in FRESHNESS_COLUMNS.values() for column in columns}
    return {(name, column["name"]) for name in names & wanted for column in inspector.get_columns(name)}


def _within(column: Column, districts: tuple[str, ...]):
    """The rows of `column`'s table in these districts: by its own district, or by its case's."""
    if "district_pcode" in column.table.c:
        return in_values(column.table.c.district_pcode, districts)
    return column.table.c.case_id.in_(select(s.cases.c.case_id).where(in_values(s.cases.c.district_pcode, districts)))


def _latest(engine: Engine, timestamps: Timestamps, columns: tuple[Column, ...], today: date,
            districts: tuple[str, ...] | None) -> dict[str, date | datetime | None]:
    """Latest value up to the end of today per column, of rows in `districts` (None: every row): a date, or a
    local time for a timestamp; None when the column is missing or has no such value. Values that are no real
    date or time are left out."""
    present = _present(engine)
    tomorrow = today + timedelta(days=1)
    latest: dict[str, date | datetime | None] = {}
    with engine.connect() as connection:
        for column in columns:
            key = f"{column.table.name}.{column.name}"
            if (column.table.name, column.name) not in present:
                latest[key] = None
                continue
            is_timestamp = isinstance(column.type, DateTime)
            ends = local_midnight(tomorrow, timestamps.zone) if is_timestamp else datetime.combine(tomorrow, time())
            instant = timestamps.instant(column)
            query = select(func.max(instant)).where(instant < timestamps.at(ends))
            if districts is not None:
                query = query.where(_within(column, districts))
            value = timestamps.read(connection.execute(query).scalar_one())
            latest[key] = None if value is None else as_local(value, timestamps.zone) if is_timestamp else value.date()
    return latest


def data_as_of(databases: Databases, today: date | None = None,
               districts: tuple[str, ...] | None = None) -> dict[str, dict[str, date | datetime | None]]:
    """{"cases": {"cases.reported_on": ..., ...}, "referrals": {"reports.received_at": ..., ...}}, of the rows in
    `districts` (None: every row, a record with no district included)."""
    today = today or databases.today()
    engines = {"cases": databases.cases, "referrals": databases.referrals}
    return {database: _latest(engines[database], databases.timestamps_of(engines[database]), columns, today,
                              districts)
            for database, columns in FRESHNESS_COLUMNS.items()}


def data_as_of_for(databases: Databases, scope: Scope, gazetteer: Gazetteer,
                   today: date | None = None) -> dict[str, dict[str, date | datetime | None]]:
    """`data_as_of` as `scope` may see it: a government account's own districts only; for an external
    audience, days (a time would date one record)."""
    districts = scope_districts(scope, gazetteer) if scope.role == "government" else None
    latest = data_as_of(databases, today, districts)
    if not scope.suppressed:
        return latest
    return {database: {column: value.date() if isinstance(value, datetime) else value
                       for column, value in columns.items()} for database, columns in latest.items()}
