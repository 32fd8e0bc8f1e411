"""Writes hand-built rows into contract-shaped databases, for tests only.

The app itself never writes: these writable engines exist only in tests.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, insert

from queries import schema


def _typed(table, row: dict) -> dict:
    """Turn ISO strings into dates/datetimes for the column's type; a time with an offset is written as the UTC
    time it stands for (a `timestamp` column holds UTC)."""
    typed = {}
    for name, value in row.items():
        python_type = table.c[name].type.python_type
        if isinstance(value, str) and python_type is date:
            value = date.fromisoformat(value)
        elif isinstance(value, str) and python_type is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo:
                value = value.astimezone(timezone.utc).replace(tzinfo=None)
        typed[name] = value
    return typed


def write_database(url: str, rows: dict[str, list[dict]], tables=None) -> str:
    """Create the contract's tables at `url` and insert `rows` (table name -> rows)."""
    engine = create_engine(url)
    every_table = {**schema.cases_metadata.tables, **schema.referrals_metadata.tables}
    chosen = [every_table[name] for name in (tables or rows)]
    for table in chosen:
        table.create(engine, checkfirst=True)
    with engine.begin() as connection:
        for name, table_rows in rows.items():
            if table_rows:
                table = every_table[name]
                connection.execute(insert(table), [_typed(table, row) for row in table_rows])
    engine.dispose()
    return url


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
