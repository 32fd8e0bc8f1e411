"""How fresh each database is: the latest date of its main events.

A date after today is a data error (the contract check counts those), so it
never makes a database look fresher than it is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Column, Engine, func, inspect, select

from . import schema as s
from .db import Databases
from .sqlparts import date_param

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


def _latest(engine: Engine, columns: tuple[Column, ...], today: date) -> dict[str, date | datetime | None]:
    """Latest value up to the end of today per column; None when the column is missing or has no such value."""
    present = _present(engine)
    tomorrow = today + timedelta(days=1)
    latest: dict[str, date | datetime | None] = {}
    with engine.connect() as connection:
        for column in columns:
            key = f"{column.table.name}.{column.name}"
            if (column.table.name, column.name) not in present:
                latest[key] = None
                continue
            query = select(func.max(column)).where(column < date_param(tomorrow))
            latest[key] = connection.execute(query).scalar_one()
    return latest


def data_as_of(databases: Databases, today: date | None = None) -> dict[str, dict[str, date | datetime | None]]:
    """{"cases": {"cases.reported_on": ..., ...}, "referrals": {"reports.received_at": ..., ...}}."""
    today = today or date.today()
    engines = {"cases": databases.cases, "referrals": databases.referrals}
    return {database: _latest(engines[database], columns, today) for database, columns in FRESHNESS_COLUMNS.items()}
