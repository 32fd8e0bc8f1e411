"""What callbacks need: the app's services, the logged-in account's scope, and parsed filters.

Callbacks stay thin: they call `parse_filter` (which refuses bad or
out-of-scope input with a FilterError/PeriodError) and then `queries`.
"""

from __future__ import annotations

import functools
import logging
from datetime import date, timedelta
from typing import Callable


from impact_monitor.accounts import Account
from impact_monitor.services import Services
from queries.db import DatabaseError, describe_database_error
from queries.geography import Gazetteer
from queries.periods import (CALENDAR_YEAR, CALENDARS, Calendar, Period, PeriodError, parse_period, quarter_containing,
                             recent_quarters, year_containing)
from queries.scope import AreaFilter, FilterError, Scope, level_of, make_filter, make_scope

from .components import message
from .i18n import N_, _, current_language, day, period_name
from .security import current_account


_services: Services | None = None


def install_services(services: Services) -> None:
    global _services
    _services = services


def services() -> Services:
    if _services is None:
        raise RuntimeError("the dashboard's services are not installed: create the app with dashboard.app.create_app")
    return _services


def scope_of(account: Account) -> Scope:
    svc = services()
    return make_scope(account.role, account.scope, svc.gazetteer,
                      account.calendar or svc.settings.default_calendar.id)


def calendar_choices(scope: Scope) -> list[Calendar]:
    """The calendars a person may pick: any, for leadership; an external audience's own, which its periods are
    protected in."""
    if scope.suppressed:
        return [CALENDARS[scope.calendar]]
    return list(CALENDARS.values())


def opening_calendar(scope: Scope) -> Calendar:
    """The calendar the filter bar opens in: an external audience's own, else the deployment's default."""
    return CALENDARS[scope.calendar] if scope.suppressed else services().settings.default_calendar


def current_scope() -> Scope:
    """The logged-in account's scope: the only source of scope, whatever the browser sends."""
    return scope_of(current_account())


def parse_filter(period: object, area: object, by: str) -> AreaFilter:
    """A validated filter for the logged-in account."""
    svc = services()
    scope = current_scope()
    parsed_period = parse_period(period, svc.settings.fiscal_year_start)
    if not isinstance(area, str):
        raise FilterError("choose an area")
    return make_filter(parsed_period, area, by, scope, svc.gazetteer)


def parse_area_filter(period: object, area: object) -> AreaFilter:
    """A validated filter for the area itself: one row, at the area's own level."""
    return parse_filter(period, area, by=level_of(area, services().gazetteer))


def default_period(calendar: Calendar, today: date | None = None) -> Period:
    """The latest complete quarter, named in `calendar`: the current one is still filling up."""
    return quarter_containing(today or services().databases.today(), calendar.fiscal_year_start).previous()


def period_options(calendar: Calendar, today: date | None = None) -> list[dict]:
    """The last 16 quarters and the years that hold them, newest first, named in `calendar`."""
    today = today or services().databases.today()
    quarters = recent_quarters(today, 16, calendar.fiscal_year_start)
    years = sorted({year_containing(q, calendar) for q in quarters}, reverse=True)
    return ([{"label": period_text(q, today), "value": q.label} for q in reversed(quarters)]
            + [{"label": period_text(y, today), "value": y.label} for y in years])


def period_in_calendar(label: object, calendar: Calendar, today: date | None = None) -> str:
    """The filter's period named in another calendar: a quarter is the same quarter; a year becomes the year of
    `calendar` that holds its last quarter (the latest complete quarter when the label cannot be read)."""
    try:
        period = parse_period(label, services().settings.fiscal_year_start)
    except PeriodError:
        return default_period(calendar, today).label
    last_quarter = quarter_containing(period.end - timedelta(days=1), calendar.fiscal_year_start)
    return (last_quarter if period.kind == "quarter" else year_containing(last_quarter, calendar)).label


def period_text(period: Period, today: date) -> str:
    """A period as the filter and the printout name it: "Year 2026" for a year; a period still running marked
    "in progress, up to" today (its figures will grow)."""
    name = period_name(period.label)
    if period.kind == "year" and period.calendar.id == CALENDAR_YEAR and current_language() == "en":
        name = f"Year {period.label}"
    if period.start <= today < period.end:
        return _("{period} (in progress, up to {day})").format(period=name, day=day(today))
    return name


def area_options(scope: Scope) -> list[dict]:
    gazetteer = services().gazetteer
    if scope.role == "government":
        codes = []
        for area in scope.areas:
            codes.append(area)
            codes += [d for d in gazetteer.districts_within(area) if d != area]
    else:
        levels = ("national", "division") if scope.role == "donor" else ("national", "division", "district")
        codes = [a.pcode for level in levels for a in gazetteer.level(level)]
    return [{"label": _area_label(code), "value": code} for code in codes]


def _area_label(code: str) -> str:
    area = services().gazetteer.areas[code]
    prefix = {"national": "", "division": "", "district": "  · ", "upazila": "    · "}[area.level]
    name = area.name(current_language())
    return prefix + (_("{name} division").format(name=name) if area.level == "division" else name)


ROLE_NAMES = {"leadership": N_("program leadership"), "donor": N_("donor"), "government": N_("government partner")}


def account_name(scope: Scope, gazetteer: Gazetteer | None = None) -> str:
    """Who is signed in, in words: the role, and a government account's areas by name (from `gazetteer`, the
    app's by default)."""
    if scope.areas:  # a donor or leadership account names no area: no gazetteer needed
        gazetteer = gazetteer or services().gazetteer
    areas = ", ".join(gazetteer.full_name(code, current_language()) for code in scope.areas)
    return _(ROLE_NAMES[scope.role]) + (f", {areas}" if areas else "")


FILTER_ERRORS = (FilterError, PeriodError)
log = logging.getLogger("impact_monitor.callbacks")


def guarded(render: Callable) -> Callable:
    """Turn any failure of a callback into a plain message: never a traceback in the browser."""

    @functools.wraps(render)
    def wrapper(*args, **kwargs):
        try:
            return render(*args, **kwargs)
        except FILTER_ERRORS as error:
            return message(_(error.template).format(**error.params))
        except DatabaseError as error:
            log.warning("database error in %s: %s", render.__name__, error.__class__.__name__)
            return message(_(describe_database_error(error)), "error")
        except Exception:
            log.exception("callback %s failed", render.__name__)
            return message(_("Something went wrong while preparing this panel; it has been logged."), "error")

    return wrapper
