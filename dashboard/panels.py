"""The panels of the Referrals, Justice and Survivors pages, built from the services and a validated filter.

The page callbacks and `impact-monitor tables` both build them here, so an
export holds exactly the tables a page shows for the same filter and role.
Leadership's tables come from the databases; an external audience's from its
protected cells (`queries.publication`, `queries.current`), whose hidden
counts arrive as None. Waiting times and the age of pending cases are
measured at the start of today (UTC): every reading on one day agrees, and
the cache's daily key is exact rather than a few minutes stale.

A panel speaks the language it is given (`in_language`): a page passes the
request's, the export and the disclosure audit English.

Every table is also registered as a table source (`dashboard.table_view`), built
from the same frames as its panel: its CSV and Excel downloads and the command
line rebuild it from those, in the language being spoken.
"""

from __future__ import annotations

import functools
from typing import Callable

import pandas as pd

from impact_monitor.services import Services
from impact_monitor.table_model import Table
from queries import justice, publication, referral_flow, survivors
from queries.publication import ProtectedCells
from queries.scope import AreaFilter, FilterError
from queries.universe import detailed_areas

from .builders import justice as justice_build
from .builders import referrals as referrals_build
from .builders import survivors as survivors_build
from .components import message
from .i18n import N_, _, current_language, period_name, speaking
from .table_view import register_table_source

TREND_QUARTERS = 8


def cached(svc: Services, query: Callable[..., pd.DataFrame], filter_: AreaFilter, *args) -> pd.DataFrame:
    """A page query's frame through the aggregate cache, keyed by the filter (with its scope) and the day."""
    key = (query.__module__, query.__name__, filter_.cache_key, svc.databases.today().isoformat())
    return svc.cache.get_or_compute(key, lambda: query(svc.databases, svc.gazetteer, filter_, *args))


def in_language(panel: Callable[[Services, AreaFilter], object]) -> Callable[[Services, AreaFilter, str], object]:
    """`panel(svc, filter_, language)`: the panel built in `language`, words, numbers and names."""

    @functools.wraps(panel)
    def build(svc: Services, filter_: AreaFilter, language: str):
        with speaking(language):
            return panel(svc, filter_)

    return build


def _k(svc: Services) -> int:
    return svc.settings.suppress_below


def _detailed(svc: Services, filter_: AreaFilter) -> None:
    """Refuse a detail table of an area too small for the external audience (its cells are not protected)."""
    areas = detailed_areas(filter_.scope, svc.gazetteer)
    if areas is not None and filter_.area not in areas:
        names = ", ".join(svc.gazetteer.full_name(area, current_language()) for area in areas[:4])
        raise FilterError("{area}: this table is shown for {areas} only. Smaller areas hold too few people to "
                          "break it down safely; their indicators are on the District map and Quarterly indicators "
                          "pages.", area=svc.gazetteer.full_name(filter_.area, current_language()),
                          areas=names + (" …" if len(areas) > 4 else ""))


NOT_RELEASED = N_("{period} has not been released. This account is shown released figures only: each quarter "
                  "once leadership has released it, and no year (its quarters are released, not the year).")


def period_cells(svc: Services, filter_: AreaFilter) -> ProtectedCells | None:
    """An external audience's protected cells of the filter's period; None for leadership."""
    if not filter_.scope.suppressed:
        return None
    _detailed(svc, filter_)
    cells = svc.engine.publications.cells(filter_.scope, filter_.period, _k(svc), svc.databases.start_of_today())
    if cells.not_released(filter_.period.label):
        raise FilterError(NOT_RELEASED, period=period_name(filter_.period.label))
    return cells


def not_released_notes(svc: Services, scope, period) -> list:
    """A message saying `period` was not released, for an audience shown released figures only ([] otherwise,
    and for a released period)."""
    if svc.engine.publications.released(scope, period):
        return []
    return [message(_(NOT_RELEASED).format(period=period_name(period.label)), "info")]


def current_cells(svc: Services, filter_: AreaFilter) -> ProtectedCells | None:
    """An external audience's protected cells of today's tables; None for leadership."""
    if not filter_.scope.suppressed:
        return None
    _detailed(svc, filter_)
    return svc.current.cells(filter_.scope, svc.databases.today(), svc.databases.start_of_today(), _k(svc))


def page_params(filter_: AreaFilter) -> dict:
    """What a panel's tables are downloaded with: the filter's period and area, as the page's controls hold them."""
    return referrals_build.table_params(filter_.period.label, filter_.area)


# Referrals

def volume_frame(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    cells = period_cells(svc, filter_)
    return (cached(svc, referral_flow.volume_by_service_and_provider, filter_) if cells is None
            else publication.volume_table(cells, filter_.period.label, filter_.area))


@in_language
def referral_volume(svc: Services, filter_: AreaFilter) -> list:
    return referrals_build.volume_panel(volume_frame(svc, filter_), page_params(filter_))


def turnaround_series(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    referral_flow.require_districts(filter_, svc.gazetteer)
    quarters = referrals_build.trend_quarters(filter_.period, TREND_QUARTERS, filter_.period.fiscal_year_start)
    return svc.engine.compute_series(filter_, quarters, referrals_build.TREND_CODES, suppress_below=_k(svc))


@in_language
def referral_turnaround(svc: Services, filter_: AreaFilter) -> list:
    return referrals_build.turnaround_panel(turnaround_series(svc, filter_), filter_.area, page_params(filter_))


def within_target_frame(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    cells = period_cells(svc, filter_)
    return (cached(svc, referral_flow.within_target_by_urgency, filter_) if cells is None
            else publication.within_target_table(cells, filter_.period.label, filter_.area))


@in_language
def referral_within_target(svc: Services, filter_: AreaFilter) -> list:
    return referrals_build.within_target_panel(within_target_frame(svc, filter_), page_params(filter_))


def waiting_curve(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    """Leadership's Kaplan-Meier curve."""
    counts = cached(svc, referral_flow.waiting_hour_counts, filter_, svc.databases.start_of_today())
    return referral_flow.kaplan_meier(counts)


def waiting_intervals(svc: Services, filter_: AreaFilter, cells: ProtectedCells):
    """An external audience's interval counts of the curve (None where too few to show)."""
    return publication.curve_intervals_table(cells, filter_.period.label, filter_.area, referral_flow.CURVE_INTERVALS,
                                             referral_flow.LEFT_OUT)


@in_language
def referral_waiting(svc: Services, filter_: AreaFilter) -> list:
    cells = period_cells(svc, filter_)
    if cells is None:
        return referrals_build.waiting_curve_panel(waiting_curve(svc, filter_), page_params(filter_))
    return referrals_build.interval_curve_panel(waiting_intervals(svc, filter_, cells), page_params(filter_))


def waiting_table(svc: Services, filter_: AreaFilter):
    cells = period_cells(svc, filter_)
    if cells is None:
        return referrals_build.waiting_curve_table(waiting_curve(svc, filter_))
    return referrals_build.interval_curve_table(waiting_intervals(svc, filter_, cells))


def open_frame(svc: Services, filter_: AreaFilter) -> tuple[pd.DataFrame, dict[str, str]]:
    """Today's open referrals per group, and the names of their districts."""
    cells = current_cells(svc, filter_)
    if cells is None:
        frame = cached(svc, referral_flow.open_referrals_by_waiting_band, filter_,
                       svc.databases.start_of_today())
    else:
        frame = publication.open_referrals_table(cells, filter_.area)
    names = {code: svc.gazetteer.full_name(code, current_language())
             for code in frame["district_pcode"] if code in svc.gazetteer.areas}
    return frame, names


@in_language
def open_referrals(svc: Services, filter_: AreaFilter) -> list:
    frame, names = open_frame(svc, filter_)
    return referrals_build.open_referrals_panel(frame, names, filter_.scope.suppressed, page_params(filter_))


# Justice

def funnel_frame(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    cells = period_cells(svc, filter_)
    return (cached(svc, justice.complaint_funnel, filter_, svc.databases.today()) if cells is None
            else publication.funnel_table(cells, filter_.period.label, filter_.area))


@in_language
def justice_funnel(svc: Services, filter_: AreaFilter) -> list:
    return justice_build.funnel_panel(funnel_frame(svc, filter_), page_params(filter_))


def justice_series(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    quarters = referrals_build.trend_quarters(filter_.period, TREND_QUARTERS, filter_.period.fiscal_year_start)
    codes = justice_build.COUNT_CODES + justice_build.RATE_CODES + justice_build.MEDIAN_CODES
    return svc.engine.compute_series(filter_, quarters, codes, suppress_below=_k(svc))


@in_language
def justice_trends(svc: Services, filter_: AreaFilter) -> list:
    return justice_build.trends_panel(justice_series(svc, filter_), filter_.area, page_params(filter_))


def pending_row(svc: Services, filter_: AreaFilter) -> pd.Series:
    cells = current_cells(svc, filter_)
    return (cached(svc, justice.pending_case_ages, filter_, svc.databases.today()).iloc[0] if cells is None
            else publication.pending_row(cells, filter_.area))


@in_language
def justice_pending(svc: Services, filter_: AreaFilter) -> list:
    return justice_build.pending_panel(pending_row(svc, filter_), page_params(filter_))


# Survivors

def followed_up(svc: Services, filter_: AreaFilter) -> int | None | str:
    """The survivors with two or more sessions in the period, as the headline shows it: None when hidden,
    `survivors_build.NOT_OFFERED` where the audience is not given it."""
    if not filter_.scope.suppressed:
        return int(cached(svc, survivors.victims_followed_up, filter_).iloc[0]["victims"])
    if filter_.area in detailed_areas(filter_.scope, svc.gazetteer):
        return publication.followed_up(period_cells(svc, filter_), filter_.period.label, filter_.area)
    return survivors_build.NOT_OFFERED  # a detail figure, shown for the audience's larger areas only


@in_language
def survivor_headline(svc: Services, filter_: AreaFilter):
    rows = svc.engine.compute(filter_, survivors_build.HEADLINE_CODES, suppress_below=_k(svc))
    area_name = svc.gazetteer.full_name(filter_.area, current_language())
    return survivors_build.headline_panel(rows, filter_.area, area_name, followed_up(svc, filter_))


def score_counts(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    cells = period_cells(svc, filter_)
    return (survivors_build.with_totals(cached(svc, survivors.score_counts, filter_)) if cells is None
            else publication.score_counts_table(cells, filter_.period.label, filter_.area))


@in_language
def survivor_domains(svc: Services, filter_: AreaFilter) -> list:
    return survivors_build.domains_panel(score_counts(svc, filter_), page_params(filter_))


def services_frame(svc: Services, filter_: AreaFilter) -> pd.DataFrame:
    cells = period_cells(svc, filter_)
    return (cached(svc, survivors.services_delivered, filter_) if cells is None
            else publication.services_table(cells, filter_.period.label, filter_.area))


@in_language
def survivor_services(svc: Services, filter_: AreaFilter) -> list:
    return survivors_build.services_panel(services_frame(svc, filter_), page_params(filter_))


# Each page's panels in the order the page shows them.
PAGE_PANELS: dict[str, tuple[Callable[[Services, AreaFilter, str], object], ...]] = {
    "referrals": (referral_volume, referral_turnaround, referral_within_target, referral_waiting, open_referrals),
    "justice": (justice_funnel, justice_trends, justice_pending),
    "survivors": (survivor_headline, survivor_domains, survivor_services),
}


# The tables each panel draws, in the order it draws them (the registered sources below build them again).
PANEL_TABLES: dict[Callable, tuple[str, ...]] = {
    referral_volume: ("referrals-volume-table",), referral_turnaround: ("referrals-turnaround-table",),
    referral_within_target: ("referrals-within-target-table",), referral_waiting: ("referrals-waiting-table",),
    open_referrals: ("referrals-open-table",),
    justice_funnel: ("justice-funnel-table",), justice_trends: ("justice-trends-table",),
    justice_pending: ("justice-pending-table",),
    survivor_headline: (),
    survivor_domains: ("survivors-means-table", "survivors-scores-first-table", "survivors-scores-latest-table"),
    survivor_services: ("survivors-services-table",),
}


def _scores(moment: str) -> Callable[[Services, AreaFilter, dict], Table]:
    def build(svc: Services, filter_: AreaFilter, _params: dict) -> Table:
        return survivors_build.scores_table(survivors_build.score_tables(score_counts(svc, filter_))[moment], moment)
    return build


# How each table is built again for its downloads and the command line, in the order the pages show them: from
# the same frames as the panel, in the language being spoken. None of them reads a control besides the period and
# the area, so `params` is not read.
TABLE_SOURCES: dict[str, tuple[tuple[str, Callable[[Services, AreaFilter, dict], Table]], ...]] = {
    "referrals": (
        ("referrals-volume-table", lambda svc, f, _p: referrals_build.volume_table(volume_frame(svc, f))),
        ("referrals-turnaround-table",
         lambda svc, f, _p: referrals_build.turnaround_table(turnaround_series(svc, f), f.area)),
        ("referrals-within-target-table",
         lambda svc, f, _p: referrals_build.within_target_table(within_target_frame(svc, f))),
        ("referrals-waiting-table", lambda svc, f, _p: waiting_table(svc, f)),
        ("referrals-open-table",
         lambda svc, f, _p: referrals_build.open_referrals_table(*open_frame(svc, f), f.scope.suppressed)),
    ),
    "justice": (
        ("justice-funnel-table", lambda svc, f, _p: justice_build.funnel_table(funnel_frame(svc, f))),
        ("justice-trends-table", lambda svc, f, _p: justice_build.trends_table(justice_series(svc, f), f.area)),
        ("justice-pending-table", lambda svc, f, _p: justice_build.pending_table(pending_row(svc, f))),
    ),
    "survivors": (
        ("survivors-means-table", lambda svc, f, _p: survivors_build.means_table(score_counts(svc, f))),
        ("survivors-scores-first-table", _scores("first")),
        ("survivors-scores-latest-table", _scores("latest")),
        ("survivors-services-table", lambda svc, f, _p: survivors_build.services_table(services_frame(svc, f))),
    ),
}


def _register_sources() -> None:
    for page, sources in TABLE_SOURCES.items():
        for table_id, build in sources:
            register_table_source(table_id, page, build)


_register_sources()
