"""Who may see which areas, and the typed filter every query takes.

Scope comes from the logged-in account (or the CLI's --role/--scope), never
from a value a browser sends; a filter outside it is refused here, before any
SQL is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .geography import NATIONAL, Gazetteer
from .periods import CALENDAR_YEAR, Period, calendar_named
from .words import Refusal

ROLES = ("leadership", "donor", "government")
LEVELS = ("national", "division", "district", "upazila")
_PCODE = re.compile(r"^BD(\d{2}(\d{2}(\d{4})?)?)?$")


class FilterError(Refusal):
    """A filter value that is malformed, unknown or outside the account's scope."""


@dataclass(frozen=True)
class Scope:
    role: str
    areas: tuple[str, ...] = ()  # divisions or districts, for government accounts
    # The calendar an external audience sees every period in: a quarter is protected together with the year that
    # holds it, so one audience must see one calendar's years (leadership sees any).
    calendar: str = CALENDAR_YEAR

    @property
    def suppressed(self) -> bool:
        """External audiences get small-cell suppression."""
        return self.role != "leadership"

    @property
    def cache_key(self) -> str:
        return f"{self.role}:{','.join(sorted(self.areas))}" + (f":{self.calendar}" if self.suppressed else "")


LEADERSHIP = Scope("leadership")


@dataclass(frozen=True)
class AreaFilter:
    """Rows at level `by` inside `area`, for `period`, as `scope` may see them."""

    period: Period
    area: str
    by: str
    scope: Scope

    @property
    def cache_key(self) -> str:
        return f"{self.period.label}|{self.area}|{self.by}|{self.scope.cache_key}"


def make_scope(role: str, areas: tuple[str, ...] | list[str], gazetteer: Gazetteer,
               calendar: str = CALENDAR_YEAR) -> Scope:
    """A validated scope; `calendar` is the one an external audience reports in."""
    calendar_named(calendar)
    if role not in ROLES:
        raise FilterError("unknown role {role}: use one of {roles}", role=repr(role), roles=", ".join(ROLES))
    areas = tuple(areas)
    if role == "government":
        if not areas:
            raise FilterError("a government account needs at least one division or district in its scope")
        for code in areas:
            if gazetteer.areas.get(code) is None or gazetteer.areas[code].level not in ("division", "district"):
                raise FilterError("scope {code} is not a division or district P-code", code=repr(code))
    elif areas:
        raise FilterError("a {role} account has no area scope", role=role)
    return Scope(role, areas, calendar)


def reporting_period(period: Period, scope: Scope) -> Period:
    """The period as `scope` sees it: for an external audience, a quarter named in its calendar; a year of
    another calendar is refused (its total, set against the audience's own years, would undo their protection)."""
    if not scope.suppressed or period.calendar.id == scope.calendar:
        return period
    calendar = calendar_named(scope.calendar)
    if period.kind == "year":
        raise FilterError("this account reports in the {calendar}: choose one of its years, not {period}",
                          calendar=calendar.name, period=period.label)
    return period.in_calendar(calendar)


def level_of(pcode: str, gazetteer: Gazetteer) -> str:
    if not isinstance(pcode, str) or not _PCODE.match(pcode) or pcode not in gazetteer.areas:
        raise FilterError("{code} is not a known area: use BD, a division, district or upazila P-code",
                          code=repr(str(pcode)[:40]))
    return gazetteer.areas[pcode].level


def default_area(scope: Scope) -> str:
    return scope.areas[0] if scope.role == "government" else NATIONAL


def visible_levels(scope: Scope) -> tuple[str, ...]:
    if scope.role == "donor":
        return ("national", "division")
    if scope.role == "government":
        return ("division", "district", "upazila")
    return LEVELS


def check_area_in_scope(area: str, scope: Scope, gazetteer: Gazetteer) -> None:
    level = level_of(area, gazetteer)
    if level not in visible_levels(scope):
        raise FilterError("{role} accounts see {levels} areas only, not {level}s", role=scope.role,
                          levels=" and ".join(visible_levels(scope)), level=level)
    if scope.role == "government" and not any(gazetteer.contains(allowed, area) for allowed in scope.areas):
        raise FilterError("area {area} is outside this account's scope ({scope})", area=area,
                          scope=", ".join(scope.areas))


def make_filter(period: Period, area: str, by: str, scope: Scope, gazetteer: Gazetteer) -> AreaFilter:
    """Validate an area and grouping against the scope; refuse anything else with a clear message."""
    if by not in LEVELS:
        raise FilterError("unknown grouping {by}: use one of {levels}", by=repr(str(by)[:40]), levels=", ".join(LEVELS))
    check_area_in_scope(area, scope, gazetteer)
    if by not in visible_levels(scope):
        raise FilterError("{role} accounts cannot group by {by}", role=scope.role, by=by)
    if LEVELS.index(by) < LEVELS.index(level_of(area, gazetteer)):
        raise FilterError("cannot group {area} ({level}) by the larger {by} level", area=area,
                          level=level_of(area, gazetteer), by=by)
    return AreaFilter(reporting_period(period, scope), area, by, scope)


def visible_areas(filter_: AreaFilter, gazetteer: Gazetteer) -> list[str]:
    """P-codes of the rows at level `by` inside the filter's area that the scope may see."""
    if filter_.by == "national":
        return [NATIONAL]
    candidates = [a.pcode for a in gazetteer.level(filter_.by) if gazetteer.contains(filter_.area, a.pcode)]
    if filter_.scope.role == "government":
        candidates = [c for c in candidates if _inside_any(c, filter_.scope.areas, gazetteer)]
    return candidates


def _inside_any(pcode: str, scope_areas: tuple[str, ...], gazetteer: Gazetteer) -> bool:
    # A division row is visible to a government account only when the whole division is in scope.
    return any(gazetteer.contains(allowed, pcode) for allowed in scope_areas)


def study_area_visible(area: str, scope: Scope, gazetteer: Gazetteer) -> bool:
    """A prevalence study area: leadership sees every one; a donor national and divisions; government its own."""
    if scope.role == "leadership":
        return True
    if scope.role == "donor":
        return area == NATIONAL or (area in gazetteer.areas and gazetteer.areas[area].level == "division")
    return any(gazetteer.contains(allowed, area) for allowed in scope.areas)


def scope_districts(scope: Scope, gazetteer: Gazetteer) -> tuple[str, ...]:
    """Every district whose data the scope may read."""
    if scope.role != "government":
        return gazetteer.district_codes
    return tuple(sorted({d for area in scope.areas for d in gazetteer.districts_within(area)}))
