"""One row per key, whatever the source holds.

A source may expose the contract's tables as views without keys, and a view built on a join can repeat a row:
21 cases then read as 42, and every case joined to them counts twice. The contract names each table's key; the
app counts each key once. Where a table is seen to hold a key more than once, every statement the app sends
reads it through `one_row_per_key`: the table grouped by its key, each column taken as its least value (the
rows of one key agree in the usual case, a repeated row; where they disagree the result stays one row, and the
contract check names the key by rule `duplicate_key`).

Which tables need it is decided from the database itself: a declared primary key or unique index on the key
column guarantees one row per key and costs nothing; otherwise one grouped query per table finds out, and is
repeated at most every `RECHECK_S` seconds. Nothing is written to the source.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Column, Engine, Table, event, func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select, visitors
from sqlalchemy.sql.selectable import CompoundSelect

log = logging.getLogger("impact_monitor.keys")

# Execution option for statements that must see the rows as stored (the contract check counts repeated keys).
EVERY_ROW = "impact_monitor_every_row"
RECHECK_S = 300


def keyed_tables(tables) -> list[Table]:
    """The tables among `tables` whose contract key is a single column."""
    return [table for table in tables if len(table.primary_key.columns) == 1]


def key_of(table: Table) -> Column:
    return next(iter(table.primary_key.columns))


def one_row_per_key(statement, tables: set[Table]):
    """`statement` with each of `tables` read as one row per key: the table grouped by its key, each column the
    statement names taken as its least value (`min`, which skips nulls). Columns it does not name are not read."""
    named = {table: {key_of(table).name} for table in tables}
    for element in visitors.iterate(statement):
        if isinstance(element, Column) and element.table in named:
            named[element.table].add(element.name)
    replacements = {table: _grouped_by_key(table, names) for table, names in named.items()}

    def replace(element, **_):
        if isinstance(element, Column) and element.table in replacements:
            return replacements[element.table].c[element.name]
        return replacements.get(element) if isinstance(element, Table) else None

    return visitors.replacement_traverse(statement, {}, replace)


def _grouped_by_key(table: Table, names: set[str]):
    key = key_of(table)
    columns = [key] + [func.min(table.c[name]).label(name) for name in sorted(names - {key.name})]
    return select(*columns).group_by(key).subquery(table.name)


class KeyGuard:
    """Reads `tables` of `engine` one row per key wherever the database holds a key more than once."""

    def __init__(self, engine: Engine, tables, recheck_s: float = RECHECK_S, clock=time.monotonic):
        self.engine, self.tables = engine, keyed_tables(tables)
        self.recheck_s, self.clock = recheck_s, clock
        self._repeated: frozenset[Table] = frozenset()
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def install(self) -> "KeyGuard":
        event.listen(self.engine, "before_execute", self._adapt, retval=True)
        return self

    def repeated(self) -> frozenset[Table]:
        """The tables that hold some key more than once, as last checked."""
        with self._lock:
            now = self.clock()
            if self._checked_at is None or now - self._checked_at >= self.recheck_s:
                self._repeated = self._find_repeated()
                self._checked_at = now
            return self._repeated

    def _find_repeated(self) -> frozenset[Table]:
        try:
            with self.engine.connect().execution_options(**{EVERY_ROW: True}) as connection:
                database = inspect(connection)
                existing = set(database.get_table_names()) | set(database.get_view_names())
                found = frozenset(table for table in self.tables if table.name in existing
                                  and not _unique_by_declaration(database, table)
                                  and _holds_a_repeated_key(connection, table))
        except DBAPIError as error:
            # The statement that follows fails on its own and says why; counting stays as it was.
            log.warning("could not check keys", extra={"error": error.__class__.__name__})
            return self._repeated
        if found:
            log.warning("tables hold a key more than once: each key is counted once",
                        extra={"tables": sorted(table.name for table in found)})
        return found

    def _adapt(self, connection, statement, multiparams, params, execution_options):
        if (not isinstance(statement, (Select, CompoundSelect)) or execution_options.get(EVERY_ROW)
                or connection.get_execution_options().get(EVERY_ROW)):
            return statement, multiparams, params
        repeated = self.repeated()
        if not repeated:
            return statement, multiparams, params
        used = {element for element in visitors.iterate(statement) if isinstance(element, Table)} & repeated
        return (one_row_per_key(statement, used) if used else statement), multiparams, params


def _unique_by_declaration(database, table: Table) -> bool:
    """The database itself keeps the key unique: it is the primary key, or carries a unique index or constraint."""
    key = [key_of(table).name]
    if database.get_pk_constraint(table.name).get("constrained_columns") == key:
        return True
    if any(index.get("unique") and index.get("column_names") == key for index in database.get_indexes(table.name)):
        return True
    return any(constraint.get("column_names") == key for constraint in database.get_unique_constraints(table.name))


def _holds_a_repeated_key(connection, table: Table) -> bool:
    key = key_of(table)
    return connection.execute(select(key).group_by(key).having(func.count() > 1).limit(1)).first() is not None
