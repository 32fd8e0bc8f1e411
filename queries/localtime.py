"""The program's own time: periods and "today" in its time zone, timestamps compared as instants.

A deployment names its time zone (`IMPACT_TIMEZONE`, an IANA name, default
Asia/Dhaka). A date column holds a local date already. A timestamp belongs to
the period in which its local date falls in that zone: a referral made at
01:00 on 1 July in Dhaka (19:00 UTC on 30 June) belongs to July's quarter.
Local midnights come from the IANA database (zoneinfo, with tzdata), never a
fixed offset: Asia/Dhaka kept daylight saving time in 2009.

Period bounds are bound as instants (UTC), so indexes on the columns serve
them. How a timestamp is read:

- PostgreSQL: `timestamp` columns hold UTC; `timestamptz` columns are
  instants. Every session's TimeZone is pinned to UTC (`queries.db`), so a
  bound given as a UTC timestamp compares right with both, whatever the
  server's or the database's setting.
- SQLite: ISO 8601 text, with a space or `T`, fractional seconds, and `Z` or
  an offset (`+06:00`, `-05:00`), or a bare date; no offset means UTC. The
  instant is SQLite's `julianday`, which applies the offset. Text that is no
  real time (`2026-11-31`, `2026-08-32 10:00`, `2026-7-5`, a prefix followed
  by junk) has no instant and is left out of every figure.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import DateTime, Float, Integer, Text, and_, bindparam, case, cast, func, literal, or_, type_coerce
from sqlalchemy.sql.expression import ColumnElement

from .periods import contiguous_span

DEFAULT_TIMEZONE = "Asia/Dhaka"
_UNIX_EPOCH_JULIAN_DAY = 2440587.5
DAY_S = 86400
HOUR_S = 3600
# A timestamp's own written date is within a day of its UTC date, which is within a day of the program's local
# date: a text range this much wider than the period lets SQLite's index on the text find every candidate.
_TEXT_MARGIN = timedelta(days=2)


class TimeZoneError(ValueError):
    """A time zone name the IANA database does not know."""


def load_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`; TimeZoneError with the name when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeZoneError(f"{name!r} is not a time zone of the IANA database (like Asia/Dhaka or UTC)") from None


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant `day` starts in `zone`, as a naive UTC datetime (how bounds are bound)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def local_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    """Today's date in `zone`."""
    return (now or datetime.now(timezone.utc)).astimezone(zone).date()


def start_of_today(zone: ZoneInfo, now: datetime | None = None) -> datetime:
    """The instant today began in `zone`, naive UTC: waiting times and ages are measured to it, so every
    reading on one local day agrees."""
    return local_midnight(local_today(zone, now), zone)


def as_local(instant: datetime, zone: ZoneInfo) -> datetime:
    """A UTC instant (naive means UTC) as a naive local datetime in `zone`."""
    aware = instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)
    return aware.astimezone(zone).replace(tzinfo=None)


def sqlite_real_day(column) -> ColumnElement[bool]:
    """SQLite: the text's first ten characters are a day that exists. julianday() takes day 01-31 of any month
    ('2026-11-31' reads as 1 December); the day it gives must be the day written."""
    written_day = func.substr(column, 1, 10)
    return func.date(func.julianday(written_day)) == written_day


class Timestamps:
    """SQL for timestamp columns on one database's dialect, with periods in the program's time zone.

    Every comparison and duration goes through `instant`, so the same rows give
    the same periods and durations on SQLite and PostgreSQL."""

    def __init__(self, dialect: str, zone: ZoneInfo):
        self.dialect, self.zone = dialect, zone

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def instant(self, column) -> ColumnElement:
        """The column as a comparable instant; NULL for SQLite text that is no real time."""
        if not self.sqlite:
            return column
        return case((sqlite_real_day(column), func.julianday(column)), else_=None)

    def at(self, moment: datetime) -> ColumnElement:
        """A naive UTC instant as a bound value comparable with `instant`."""
        if self.sqlite:
            seconds = moment.replace(tzinfo=timezone.utc).timestamp()
            return bindparam(None, _UNIX_EPOCH_JULIAN_DAY + seconds / DAY_S, type_=Float(), unique=True)
        return bindparam(None, moment, type_=DateTime(), unique=True)

    def read(self, value) -> datetime | None:
        """An `instant` the database returned, as a naive UTC datetime."""
        if value is None:
            return None
        if self.sqlite:  # a Julian day number, a double: precise to the millisecond, as SQLite's own functions
            milliseconds = round((value - _UNIX_EPOCH_JULIAN_DAY) * DAY_S * 1000)
            return datetime(1970, 1, 1) + timedelta(milliseconds=milliseconds)
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        return datetime.combine(value, time())  # a date

    def not_before(self, later, earlier) -> ColumnElement[bool]:
        return self.instant(later) >= self.instant(earlier)

    def seconds_between(self, later, earlier) -> ColumnElement:
        """Seconds from `earlier` to `later` columns (to the millisecond), NULL when either is unreadable."""
        return self.seconds_from(self.instant(later), self.instant(earlier))

    def seconds_from(self, later_instant, earlier_instant) -> ColumnElement:
        """Seconds between two instants already read (`instant` or `at`). On SQLite, rounded to the
        millisecond: a difference of Julian day doubles is not exact, and exactly 24 hours must stay 86400."""
        if self.sqlite:
            return func.round((later_instant - earlier_instant) * float(DAY_S), 3)
        return func.extract("epoch", later_instant - earlier_instant)

    def in_range(self, column, start: date, end: date) -> ColumnElement[bool]:
        """The column's local date is on or after `start` and before `end`."""
        exact = self._exactly_in(column, start, end)
        if not self.sqlite:
            return exact
        text = type_coerce(column, Text)
        written = and_(text >= literal((start - _TEXT_MARGIN).isoformat(), Text),
                       text < literal((end + _TEXT_MARGIN).isoformat(), Text))
        return and_(written, exact)

    def in_period(self, column, period) -> ColumnElement[bool]:
        return self.in_range(column, period.start, period.end)

    def in_any_period(self, column, periods) -> ColumnElement[bool]:
        """In one of the periods: one range when they follow each other."""
        span = contiguous_span(periods)
        return self.in_range(column, *span) if span else or_(*(self.in_period(column, p) for p in sorted(periods)))

    def period_label(self, column, periods) -> ColumnElement:
        """The label of the period the column's local date falls in (periods do not overlap)."""
        if len(periods) == 1:
            return literal(periods[0].label)
        return case(*((self._exactly_in(column, period.start, period.end), period.label) for period in periods))

    def _exactly_in(self, column, start: date, end: date) -> ColumnElement[bool]:
        """From local midnight starting `start` to the one starting `end`, on the instant itself."""
        return and_(self.instant(column) >= self.at(local_midnight(start, self.zone)),
                    self.instant(column) < self.at(local_midnight(end, self.zone)))

    def whole_days(self, seconds) -> ColumnElement:
        """Completed days in a duration, rounded down on both engines: the one rule for days."""
        return self._floor(seconds / float(DAY_S))

    def whole_hours(self, seconds) -> ColumnElement:
        """Completed hours in a duration, rounded down on both engines."""
        return self._floor(seconds / float(HOUR_S))

    def _floor(self, value) -> ColumnElement:
        # SQLite's CAST truncates toward zero and PostgreSQL's rounds: floor is neither.
        if not self.sqlite:
            return cast(func.floor(value), Integer)
        truncated = cast(value, Integer)
        return truncated - case((value < truncated, 1), else_=0)
