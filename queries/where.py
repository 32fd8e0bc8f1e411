"""Where a query's rows must lie: the filter's area and periods, and the keys that group rows by period and area."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DateTime, and_, bindparam, func, literal

from .geography import NATIONAL, Gazetteer
from .localtime import Timestamps
from .periods import Period
from .scope import AreaFilter, level_of
from .sqlparts import in_any_period, period_label


@dataclass(frozen=True)
class Where:
    """Restricts a family's rows to the filter's area and periods; keys rows by period and by area at `by`."""

    filter: AreaFilter
    gazetteer: Gazetteer
    series: tuple[Period, ...] = ()  # several periods at once; by default the filter's own
    timestamps: Timestamps | None = None  # how the database's timestamp columns fall in local periods

    @property
    def periods(self) -> tuple[Period, ...]:
        return self.series or (self.filter.period,)

    def districts(self) -> list[str]:
        return list(self.gazetteer.districts_within(self.filter.area))

    def area_key(self, district_column, upazila_column=None):
        by = self.filter.by
        if by == "national":
            return literal(NATIONAL)
        if by == "division":
            return func.substr(district_column, 1, 4)
        if by == "district":
            return district_column
        return upazila_column

    def condition(self, district_column, upazila_column=None):
        clauses = [district_column.in_(bindparam(None, self.districts(), expanding=True, unique=True))]
        if level_of(self.filter.area, self.gazetteer) == "upazila":
            clauses.append(upazila_column == bindparam(None, self.filter.area, unique=True))
        if self.filter.by == "upazila":
            clauses.append(upazila_column.is_not(None))
        return and_(*clauses)

    def dated(self, date_column):
        if isinstance(date_column.type, DateTime):
            return self.timestamps.in_any_period(date_column, self.periods)
        return in_any_period(date_column, self.periods)

    def period_of(self, date_column):
        if isinstance(date_column.type, DateTime):
            return self.timestamps.period_label(date_column, self.periods)
        return period_label(date_column, self.periods)

    @property
    def has_upazila_detail(self) -> bool:
        return self.filter.by == "upazila" or level_of(self.filter.area, self.gazetteer) == "upazila"
