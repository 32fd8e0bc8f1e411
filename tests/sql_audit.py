"""Records the SQL the app's engines send and finds statements that read what they must not."""

from __future__ import annotations

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine

from queries import schema

IDENTIFYING = ("full_name", "phone", "address")
# Set on a connection by a test that sends hand-written SQL through the app's engine on purpose
# (to prove a write fails, or a timeout cancels): not the app's own SQL.
EXEMPT = "sql_audit_exempt"
_IDENTIFIER = re.compile(r'"?\b([a-z_][a-z0-9_]*)\b"?')
# Words that may appear in the app's SQL besides the contract's tables and columns.
_SQL_WORDS = {
    "select", "from", "where", "and", "or", "not", "in", "is", "null", "as", "on", "join", "left", "outer", "inner",
    "group", "by", "order", "having", "limit", "offset", "distinct", "count", "sum", "min", "max", "avg", "case",
    "when", "then", "else", "end", "cast", "integer", "float", "real", "numeric", "text", "date", "between", "exists",
    "union", "all", "like", "escape", "asc", "desc", "with", "recursive", "over", "partition", "within",
    "percentile_cont", "impact_percentile_cont", "substr", "strftime", "julianday", "extract", "epoch", "coalesce",
    "floor", "round", "abs", "lower", "upper", "length", "true", "false", "anon_1", "anon_2", "anon_3", "interval",
    "double", "precision", "any", "show", "timestamp", "now", "current_date", "date_trunc", "day", "days", "nulls",
    "first", "last", "current_timestamp", "pg_sleep", "values", "cross", "full", "right", "lateral", "filter",
    "string_agg", "array_agg", "trim", "replace", "typeof", "datetime", "least", "greatest", "bigint", "varchar",
    "character", "varying", "without", "time", "zone", "pg_catalog", "current_schema", "version", "standard_conforming_strings",
    "pragma", "schema_version", "glob",
}


def _contract_names() -> set[str]:
    names = set()
    for table in (*schema.cases_metadata.tables.values(), *schema.referrals_metadata.tables.values()):
        names.add(table.name)
        names.update(column.name for column in table.columns)
    return names


class SqlAudit:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.count = 0

    def _record(self, connection, _cursor, statement, _parameters, _context, _executemany):
        options = connection.get_execution_options()
        if options.get("impact_monitor_app") and not options.get(EXEMPT):
            self.count += 1
            if len(self.statements) < 200_000:
                self.statements.append(statement)

    def start(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._record)

    def stop(self) -> None:
        if event.contains(Engine, "before_cursor_execute", self._record):
            event.remove(Engine, "before_cursor_execute", self._record)

    def violations(self) -> list[str]:
        return sorted({problem for statement in set(self.statements) for problem in check_statement(statement)})


def _is_schema_introspection(lowered: str) -> bool:
    """SQLAlchemy's inspector reading the catalog (the contract check): no row data is read."""
    return lowered.lstrip().startswith("pragma") or any(
        catalog in lowered for catalog in ("sqlite_master", "pg_catalog.", "information_schema."))


def check_statement(statement: str) -> list[str]:
    """Problems of one statement: identifying columns, SELECT *, names outside the contract."""
    lowered = statement.lower()
    if _is_schema_introspection(lowered):
        return []
    problems = [f"names {column}: {statement[:120]}" for column in IDENTIFYING if re.search(rf"\b{column}\b", lowered)]
    if re.search(r"select\s+(distinct\s+)?\*|\.\*", lowered):
        problems.append(f"SELECT *: {statement[:120]}")
    without_literals = re.sub(r"'[^']*'", "''", lowered)
    without_literals = re.sub(r'\bas\s+"[^"]*"', "", without_literals)      # quoted labels the query defines
    without_literals = re.sub(r"\b[a-z_][a-z0-9_]*\s*\(", "(", without_literals)  # function names
    without_params = re.sub(r"%\(\w+\)s|:\w+|__\[postcompile_\w+\]", "", without_literals)
    allowed = _contract_names() | _SQL_WORDS
    for name in set(_IDENTIFIER.findall(without_params)):
        if name not in allowed and not re.fullmatch(r"(anon|param)_\d+|[a-z_]+_\d+", name) \
                and not _is_alias(name, without_params):
            problems.append(f"names {name!r} outside the contract: {statement[:120]}")
    return problems


def _is_alias(name: str, statement: str) -> bool:
    """A label the statement itself defines (`AS name`)."""
    return re.search(rf"\bas\s+\"?{re.escape(name)}\b", statement) is not None
