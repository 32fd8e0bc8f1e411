"""Reporting periods: quarters and years of three calendars, all available at once.

- the calendar year (January-December): quarters `2026-Q3`, years `2026`;
- Bangladesh's fiscal year (July-June): `BD-FY2027-Q1` (July-September 2026), years `BD-FY2027`;
- the US government's fiscal year (October-September): `US-FY2027-Q1` (October-December 2026), years
  `US-FY2027`.

A fiscal year is named by the calendar year it ends in. A label names its calendar, since "FY2027-Q1" alone is a
different quarter in each fiscal calendar; the unprefixed `FY2027-Q1` of earlier versions is still read, in the
deployment's default calendar. Every calendar's quarters are calendar quarters under another name: a quarter is
the same dates, and so the same figures, whichever calendar names it.

Only whole periods exist here: suppressed audiences must never be able to
ask for an arbitrary date range (two overlapping ranges would let them
recover hidden counts by differencing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .words import N_, Refusal

_CALENDAR_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_NAMED_FISCAL = re.compile(r"^(BD|US)-FY(\d{4})(?:-Q([1-4]))?$")
_LEGACY_FISCAL_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_FIRST_YEAR, _LAST_YEAR = 1990, 2100


class PeriodError(Refusal):
    """A period label that is malformed or not allowed."""


@dataclass(frozen=True)
class Calendar:
    """A reporting calendar: the month its year starts, and how its labels begin."""

    id: str
    start_month: int
    prefix: str  # before "FY2027-Q1"; "" for the calendar year, whose labels are "2026-Q3"
    name: str  # for people (translated where shown)

    @property
    def fiscal_year_start(self) -> int | None:
        """The month a fiscal year starts; None for the calendar year."""
        return None if self.start_month == 1 else self.start_month


CALENDAR_YEAR, BD_FISCAL, US_FISCAL = "calendar", "bd-fiscal", "us-fiscal"
CALENDARS = {
    CALENDAR_YEAR: Calendar(CALENDAR_YEAR, 1, "", N_("Calendar year (January-December)")),
    BD_FISCAL: Calendar(BD_FISCAL, 7, "BD-", N_("Bangladesh fiscal year (July-June)")),
    US_FISCAL: Calendar(US_FISCAL, 10, "US-", N_("US government fiscal year (October-September)")),
}
_BY_START_MONTH = {calendar.start_month: calendar for calendar in CALENDARS.values()}
_BY_PREFIX = {calendar.prefix.rstrip("-"): calendar for calendar in CALENDARS.values() if calendar.prefix}


def calendar_named(calendar_id: object) -> Calendar:
    """The calendar with this id; PeriodError naming the known ones otherwise."""
    if isinstance(calendar_id, str) and calendar_id.strip().lower() in CALENDARS:
        return CALENDARS[calendar_id.strip().lower()]
    raise PeriodError("{calendar} is not a calendar: use {calendars}", calendar=repr(str(calendar_id)[:30]),
                      calendars=", ".join(CALENDARS))


def calendar_starting(fiscal_year_start: int | None) -> Calendar:
    """The calendar whose year starts in this month (None or 1: the calendar year)."""
    month = fiscal_year_start or 1
    if month not in _BY_START_MONTH:
        raise PeriodError("no calendar's year starts in month {month}: use {calendars}", month=month,
                          calendars=", ".join(CALENDARS))
    return _BY_START_MONTH[month]


@dataclass(frozen=True, order=True)
class Period:
    """A half-open date interval [start, end) with the label users see."""

    start: date
    end: date
    label: str
    kind: str  # "quarter" or "year"
    fiscal_year_start: int | None = None

    @property
    def year(self) -> int:
        """The calendar year whose population a rate uses: the year the period starts in."""
        return self.start.year

    @property
    def calendar(self) -> Calendar:
        return calendar_starting(self.fiscal_year_start)

    @property
    def numbered_year(self) -> int:
        """The number of the calendar's year this period lies in: a fiscal year is named by the year it ends in."""
        start_month = self.calendar.start_month
        return self.start.year + (1 if start_month != 1 and self.start.month >= start_month else 0)

    def in_calendar(self, calendar: Calendar) -> "Period":
        """This quarter as `calendar` names it (the same dates); a year must already be of that calendar."""
        if self.kind == "quarter":
            return quarter_starting(self.start, calendar.fiscal_year_start)
        if self.calendar != calendar:
            raise PeriodError("{period} is a year of another calendar than the {calendar}", period=self.label,
                              calendar=calendar.name)
        return self

    def shifted(self, quarters: int) -> "Period":
        """The period `quarters` quarters later (earlier when negative); years move by 4 quarters."""
        if self.kind == "year":
            return year_of(self.calendar, self.numbered_year + quarters // 4)
        month_index = self.start.year * 12 + self.start.month - 1 + 3 * quarters
        start = date(month_index // 12, month_index % 12 + 1, 1)
        return quarter_starting(start, self.fiscal_year_start)

    def previous(self) -> "Period":
        return self.shifted(-1)

    def same_period_last_year(self) -> "Period":
        return self.shifted(-4)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _check_year(year: int) -> None:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise PeriodError("year {year} is outside {first}-{last}", year=year, first=_FIRST_YEAR, last=_LAST_YEAR)


def year_period(year: int) -> Period:
    """The calendar year `year`."""
    return year_of(CALENDARS[CALENDAR_YEAR], year)


def year_of(calendar: Calendar, year: int) -> Period:
    """Year `year` of `calendar`: a fiscal year is named by the calendar year it ends in (BD-FY2027 is July
    2026-June 2027)."""
    _check_year(year)
    if calendar.fiscal_year_start is None:
        return Period(date(year, 1, 1), date(year + 1, 1, 1), str(year), "year")
    start = date(year - 1, calendar.start_month, 1)
    return Period(start, _add_months(start, 12), f"{calendar.prefix}FY{year}", "year", calendar.fiscal_year_start)


def year_containing(period: Period, calendar: Calendar) -> Period:
    """The year of `calendar` that holds `period` (a quarter, or a year of that calendar)."""
    return year_of(calendar, period.in_calendar(calendar).numbered_year)


def quarters_of(year: Period) -> tuple[Period, ...]:
    """The four quarters of a year, in order."""
    return tuple(quarter_starting(_add_months(year.start, 3 * index), year.fiscal_year_start) for index in range(4))


def quarter_starting(start: date, fiscal_year_start: int | None = None) -> Period:
    """The quarter that begins on `start`, labelled in the calendar whose year starts in `fiscal_year_start`."""
    if fiscal_year_start is None or fiscal_year_start == 1:
        return Period(start, _add_months(start, 3), f"{start.year}-Q{(start.month - 1) // 3 + 1}", "quarter")
    calendar = calendar_starting(fiscal_year_start)
    months_into_fiscal_year = (start.month - fiscal_year_start) % 12
    fiscal_year = start.year + (1 if start.month >= fiscal_year_start else 0)
    label = f"{calendar.prefix}FY{fiscal_year}-Q{months_into_fiscal_year // 3 + 1}"
    return Period(start, _add_months(start, 3), label, "quarter", fiscal_year_start)


def quarter_containing(day: date, fiscal_year_start: int | None = None) -> Period:
    offset = 1 if fiscal_year_start is None else fiscal_year_start
    months_since_quarter_start = (day.month - offset) % 3
    return quarter_starting(_add_months(date(day.year, day.month, 1), -months_since_quarter_start), fiscal_year_start)


def contiguous_span(periods) -> tuple[date, date] | None:
    """(start, end) of the periods when each follows the one before (in order of time), else None: then one
    range on a date column covers them all, and its index serves."""
    ordered = sorted(periods)
    if all(earlier.end == later.start for earlier, later in zip(ordered, ordered[1:])):
        return ordered[0].start, ordered[-1].end
    return None


def allowed_formats(fiscal_year_start: int | None = None) -> str:
    legacy = ", FY2027-Q1 (the default fiscal calendar)" if fiscal_year_start not in (None, 1) else ""
    return f"a quarter like 2026-Q3, BD-FY2027-Q1 or US-FY2027-Q1{legacy}, or a year like 2026, BD-FY2027 or US-FY2027"


def parse_period(text: object, fiscal_year_start: int | None = None) -> Period:
    """Parse a period label of any calendar; an unprefixed `FY2027-Q1` is read in the calendar whose year starts
    in `fiscal_year_start` (the deployment's default). Anything else (a date range, SQL, a huge string) is
    refused."""
    if not isinstance(text, str) or len(text) > 16:
        raise PeriodError("period must be {formats}", formats=allowed_formats(fiscal_year_start))
    label = text.strip().upper()
    if match := _YEAR.match(label):
        return year_period(int(match.group(1)))
    if match := _CALENDAR_QUARTER.match(label):
        year, quarter = int(match.group(1)), int(match.group(2))
        _check_year(year)
        return quarter_starting(date(year, 3 * quarter - 2, 1))
    if match := _NAMED_FISCAL.match(label):
        calendar, year, quarter = _BY_PREFIX[match.group(1)], int(match.group(2)), match.group(3)
    elif (match := _LEGACY_FISCAL_QUARTER.match(label)) and fiscal_year_start not in (None, 1):
        calendar, year, quarter = calendar_starting(fiscal_year_start), int(match.group(1)), match.group(2)
    else:
        raise PeriodError("{text} is not a period: use {formats}", text=repr(text),
                          formats=allowed_formats(fiscal_year_start))
    fiscal_year = year_of(calendar, year)
    return fiscal_year if quarter is None else quarters_of(fiscal_year)[int(quarter) - 1]


def recent_quarters(today: date, count: int, fiscal_year_start: int | None = None) -> list[Period]:
    """The last `count` quarters up to and including the one containing `today`, oldest first."""
    current = quarter_containing(today, fiscal_year_start)
    return [current.shifted(-offset) for offset in range(count - 1, -1, -1)]


def store_key(period: Period) -> tuple[str, str]:
    """(calendar id, label) under which the store keeps a period's releases and narratives. A quarter is the
    same dates in every calendar, so it is kept once, under its calendar-year label ("2026-Q3" for BD-FY2027-Q1
    and US-FY2026-Q4 alike); a year is kept under its own calendar."""
    if period.kind == "quarter":
        return quarter_starting(period.start).calendar.id, quarter_starting(period.start).label
    return period.calendar.id, period.label
