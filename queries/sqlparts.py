"""Small SQL building blocks that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, and_, bindparam, case, func, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from .db import SQLITE_PERCENTILE_FUNCTION
from .localtime import sqlite_real_day
from .periods import Period, contiguous_span


class percentile(FunctionElement):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY value): exact on both engines."""

    type = Float()
    inherit_cache = True
    name = "percentile"

    def __init__(self, value, fraction: float):
        self.fraction = fraction
        super().__init__(value, literal(fraction, Float()))


@compiles(percentile)
def _percentile_postgresql(element, compiler, **kw):
    value, fraction = list(element.clauses)
    return (
        f"percentile_cont({compiler.process(fraction, **kw)}) "
        f"WITHIN GROUP (ORDER BY {compiler.process(value, **kw)})"
    )


@compiles(percentile, "sqlite")
def _percentile_sqlite(element, compiler, **kw):
    value, fraction = list(element.clauses)
    return f"{SQLITE_PERCENTILE_FUNCTION}({compiler.process(value, **kw)}, {compiler.process(fraction, **kw)})"


def date_param(day: date) -> ColumnElement:
    # Typed as Date so SQLite compares 'YYYY-MM-DD' text, which orders correctly
    # against both date and 'YYYY-MM-DD HH:MM:SS' timestamp text.
    return bindparam(None, day, type_=Date(), unique=True)


class real_date(FunctionElement):
    """True where a date column holds a real day. PostgreSQL's date type holds nothing else; SQLite keeps any
    text, and compares it as text: `2026-11-31` would fall in November, and `2026-7-5` in its year but in no
    quarter. Such text is in no period (the contract check counts it)."""

    type = Boolean()
    inherit_cache = True
    name = "real_date"


@compiles(real_date)
def _real_date_postgresql(element, compiler, **kw):
    return "true"


@compiles(real_date, "sqlite")
def _real_date_sqlite(element, compiler, **kw):
    column = list(element.clauses)[0]
    # julianday() refuses junk after a date and unpadded numbers; sqlite_real_day refuses day 31 of a 30-day month.
    return compiler.process(and_(func.julianday(column).is_not(None), sqlite_real_day(column)), **kw)


def in_period(column, period: Period) -> ColumnElement:
    return in_range(column, period.start, period.end)


def in_range(column, start: date, end: date) -> ColumnElement:
    """start <= column < end, for a real day (a range on the column first, so its index serves)."""
    return and_(column >= date_param(start), column < date_param(end), real_date(column))


def in_any_period(column, periods: tuple[Period, ...]) -> ColumnElement:
    """Dated in one of the periods: one range when they follow each other, so an index on the date serves it."""
    span = contiguous_span(periods)
    return in_range(column, *span) if span else or_(*(in_period(column, period) for period in sorted(periods)))


def period_label(column, periods: tuple[Period, ...]) -> ColumnElement:
    """The label of the period a date falls in (periods do not overlap). Reuse the one object in
    SELECT and GROUP BY: PostgreSQL matches them by their parameters."""
    if len(periods) == 1:
        return literal(periods[0].label)
    return case(*((in_period(column, period), period.label) for period in periods))


def days_between_dates(dialect: str, later, earlier) -> ColumnElement:
    """Days from `earlier` to `later` dates."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier


def in_values(column, values) -> ColumnElement:
    """column IN (values), as one expanding parameter."""
    return column.in_(bindparam(None, list(values), expanding=True, unique=True))


def count_if(condition) -> ColumnElement:
    """The number of rows for which `condition` holds (a SUM of a CASE: portable, unlike FILTER)."""
    return func.sum(case((condition, 1), else_=0))
