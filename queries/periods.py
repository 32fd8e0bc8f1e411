"""Reporting periods: calendar or fiscal quarters, and years.

Only whole periods exist here: suppressed audiences must never be able to
ask for an arbitrary date range (two overlapping ranges would let them
recover hidden counts by differencing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .words import Refusal

_CALENDAR_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_FISCAL_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_FIRST_YEAR, _LAST_YEAR = 1990, 2100


class PeriodError(Refusal):
    """A period label that is malformed or not allowed."""


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

    def shifted(self, quarters: int) -> "Period":
        """The period `quarters` quarters later (earlier when negative); years move by 4 quarters."""
        if self.kind == "year":
            return year_period(self.start.year + quarters // 4)
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
    _check_year(year)
    return Period(date(year, 1, 1), date(year + 1, 1, 1), str(year), "year")


def quarter_starting(start: date, fiscal_year_start: int | None = None) -> Period:
    """The quarter that begins on `start`, labelled in the deployment's convention."""
    if fiscal_year_start is None:
        label = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    else:
        months_into_fiscal_year = (start.month - fiscal_year_start) % 12
        fiscal_year = start.year + (1 if start.month >= fiscal_year_start and fiscal_year_start != 1 else 0)
        label = f"FY{fiscal_year}-Q{months_into_fiscal_year // 3 + 1}"
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


def allowed_formats(fiscal_year_start: int | None) -> str:
    quarter = "a fiscal quarter like FY2027-Q1" if fiscal_year_start else "a quarter like 2026-Q3"
    return f"{quarter} or a year like 2026"


def parse_period(text: object, fiscal_year_start: int | None = None) -> Period:
    """Parse a period label; anything else (a date range, SQL, a huge string) is refused."""
    if not isinstance(text, str) or len(text) > 16:
        raise PeriodError("period must be {formats}", formats=allowed_formats(fiscal_year_start))
    label = text.strip().upper()
    if match := _YEAR.match(label):
        return year_period(int(match.group(1)))
    pattern = _FISCAL_QUARTER if fiscal_year_start else _CALENDAR_QUARTER
    match = pattern.match(label)
    if not match:
        raise PeriodError("{text} is not a period: use {formats}", text=repr(text),
                          formats=allowed_formats(fiscal_year_start))
    year, quarter = int(match.group(1)), int(match.group(2))
    _check_year(year)
    if fiscal_year_start is None:
        return quarter_starting(date(year, 3 * quarter - 2, 1))
    # FY{year} ends in calendar year `year`; it starts in `year - 1` unless it starts in January.
    fiscal_start = date(year - 1 if fiscal_year_start != 1 else year, fiscal_year_start, 1)
    return quarter_starting(_add_months(fiscal_start, 3 * (quarter - 1)), fiscal_year_start)


def recent_quarters(today: date, count: int, fiscal_year_start: int | None = None) -> list[Period]:
    """The last `count` quarters up to and including the one containing `today`, oldest first."""
    current = quarter_containing(today, fiscal_year_start)
    return [current.shifted(-offset) for offset in range(count - 1, -1, -1)]
