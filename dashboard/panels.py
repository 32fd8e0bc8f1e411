"""The panels of the Referrals, Justice and Survivors pages, built from the services and a validated filter.

The page callbacks and `impact-monitor tables` both build them here, so an
export holds exactly the tables a page shows for the same filter and role.
Waiting times and the age of pending cases are measured at the start of
today (UTC): every reading on one day agrees, and the cache's daily key is
exact rather than a few minutes stale.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Callable

import pandas as pd

from impact_monitor.services import Services
from queries import justice, referral_flow, survivors
from queries.scope import AreaFilter

from .builders import justice as justice_build
from .builders import referrals as referrals_build
from .builders import survivors as survivors_build

TREND_QUARTERS = 8


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def start_of_today() -> datetime:
    """Midnight UTC today, naive like the referral database's timestamps."""
    return datetime.combine(today_utc(), time())


def cached(svc: Services, query: Callable[..., pd.DataFrame], filter_: AreaFilter, *args) -> pd.DataFrame:
    """A page query's frame through the aggregate cache, keyed by the filter (with its scope) and the day."""
    key = (query.__module__, query.__name__, filter_.cache_key, today_utc().isoformat())
    return svc.cache.get_or_compute(key, lambda: query(svc.databases, svc.gazetteer, filter_, *args))


def _k(svc: Services) -> int:
    return svc.settings.suppress_below


# Referrals

def referral_volume(svc: Services, filter_: AreaFilter, _language: str) -> list:
    table = cached(svc, referral_flow.volume_by_service_and_provider, filter_)
    return referrals_build.volume_panel(table, filter_.scope.suppressed, _k(svc))


def referral_turnaround(svc: Services, filter_: AreaFilter, _language: str) -> list:
    referral_flow.require_districts(filter_, svc.gazetteer)
    quarters = referrals_build.trend_quarters(filter_.period, TREND_QUARTERS, svc.settings.fiscal_year_start)
    series = svc.engine.compute_series(filter_, quarters, referrals_build.TREND_CODES, suppress_below=_k(svc))
    return referrals_build.turnaround_panel(series, filter_.area, _k(svc))


def referral_within_target(svc: Services, filter_: AreaFilter, _language: str) -> list:
    frame = cached(svc, referral_flow.within_target_by_urgency, filter_)
    return referrals_build.within_target_panel(frame, filter_.scope.suppressed, _k(svc))


def referral_waiting(svc: Services, filter_: AreaFilter, _language: str) -> list:
    counts = cached(svc, referral_flow.waiting_day_counts, filter_, start_of_today())
    return referrals_build.waiting_curve_panel(referral_flow.kaplan_meier(counts), filter_.scope.suppressed, _k(svc))


def open_referrals(svc: Services, filter_: AreaFilter, language: str) -> list:
    frame = cached(svc, referral_flow.open_referrals_by_waiting_band, filter_, start_of_today())
    names = {code: svc.gazetteer.areas[code].name(language or "en")
             for code in frame["district_pcode"] if code in svc.gazetteer.areas}
    return referrals_build.open_referrals_panel(frame, names, filter_.scope.suppressed, _k(svc))


# Justice

def justice_funnel(svc: Services, filter_: AreaFilter, _language: str) -> list:
    frame = cached(svc, justice.complaint_funnel, filter_, today_utc())
    return justice_build.funnel_panel(frame, filter_.scope.suppressed, _k(svc))


def justice_trends(svc: Services, filter_: AreaFilter, _language: str) -> list:
    quarters = referrals_build.trend_quarters(filter_.period, TREND_QUARTERS, svc.settings.fiscal_year_start)
    codes = justice_build.COUNT_CODES + justice_build.RATE_CODES + justice_build.MEDIAN_CODES
    series = svc.engine.compute_series(filter_, quarters, codes, suppress_below=_k(svc))
    return justice_build.trends_panel(series, filter_.area, _k(svc))


def justice_pending(svc: Services, filter_: AreaFilter, _language: str) -> list:
    frame = cached(svc, justice.pending_case_ages, filter_, today_utc())
    return justice_build.pending_panel(frame, filter_.scope.suppressed, _k(svc))


# Survivors

def survivor_headline(svc: Services, filter_: AreaFilter, _language: str):
    rows = svc.engine.compute(filter_, survivors_build.HEADLINE_CODES, suppress_below=_k(svc))
    followed_up = int(cached(svc, survivors.victims_followed_up, filter_).iloc[0]["victims"])
    return survivors_build.headline_panel(rows, filter_.area, followed_up, filter_.scope.suppressed, _k(svc))


def survivor_domains(svc: Services, filter_: AreaFilter, _language: str) -> list:
    counts = cached(svc, survivors.score_counts, filter_)
    return survivors_build.domains_panel(counts, filter_.scope.suppressed, _k(svc))


def survivor_services(svc: Services, filter_: AreaFilter, _language: str) -> list:
    frame = cached(svc, survivors.services_delivered, filter_)
    return survivors_build.services_panel(frame, filter_.scope.suppressed, _k(svc))


# Each page's panels in the order the page shows them.
PAGE_PANELS: dict[str, tuple[Callable[[Services, AreaFilter, str], object], ...]] = {
    "referrals": (referral_volume, referral_turnaround, referral_within_target, referral_waiting, open_referrals),
    "justice": (justice_funnel, justice_trends, justice_pending),
    "survivors": (survivor_headline, survivor_domains, survivor_services),
}
