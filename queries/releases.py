"""Releasing a period: every indicator for every area, with each disaggregation, frozen in the app's store.

A release holds the exact, unprotected figures (numerators and denominators included) as leadership sees them;
suppression is applied per role when a release is read, as it is to live figures. Releasing a period again makes a
revision; history is kept (`queries.store`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd

from .indicators import GROUP_VALUES, IndicatorEngine
from .geography import Gazetteer
from .periods import Period, quarter_starting, store_key
from .scope import LEADERSHIP, LEVELS, make_filter
from .store import FIGURE_COLUMNS, AppStore, Release
from .universe import quarter_frames
from .words import N_, Refusal



class ReleaseRefused(Refusal):
    """A release that was not made, with the reason in plain words."""


def period_figures(engine: IndicatorEngine, gazetteer: Gazetteer, period: Period) -> pd.DataFrame:
    """Every indicator for the nation and every division, district and upazila, in total and by each
    disaggregation its definition allows: FIGURE_COLUMNS, one row per (indicator, area, breakdown, category),
    NaN where a value is not available. About 76,000 rows for the 17 indicators and Bangladesh's areas."""
    frames = []
    for level in LEVELS:
        filter_ = make_filter(period, "BD", level, LEADERSHIP, gazetteer)
        for breakdown in (None, *GROUP_VALUES):
            rows = engine.compute(filter_, disaggregate=breakdown)
            frames.append(pd.DataFrame({
                "indicator": rows["indicator"], "area": rows["area"], "breakdown": breakdown or "",
                "category": rows["group"] if breakdown else "", "numerator": rows["numerator"],
                "denominator": rows["denominator"], "value": rows["value"]}))
    figures = pd.concat(frames, ignore_index=True)
    # The nation is every level's parent: its row comes once, from the national level.
    return figures.drop_duplicates(subset=list(FIGURE_COLUMNS[:4]), keep="first")[list(FIGURE_COLUMNS)]


def release_period(store: AppStore, engine: IndicatorEngine, gazetteer: Gazetteer, period: Period, today: date,
                   released_by: str, app_version: str, provisional: bool = False) -> Release:
    """Freeze `period` as its next revision: its figures and, for a quarter, its counts at their finest grain (from
    which audiences shown released figures only get theirs). A period that has not ended by `today` is refused,
    unless `provisional` says it is released early on purpose (its release is marked so)."""
    if period.end > today and not provisional:
        raise ReleaseRefused(N_("{period} has not ended (its last day is {last}): it can be released only as "
                                "provisional."), period=period.label, last=(period.end - timedelta(days=1)).isoformat())
    figures = period_figures(engine, gazetteer, period)
    cells = None
    if period.kind == "quarter":
        # Kept under the quarter's calendar-year label, as the release itself (`store_key`).
        cells = quarter_frames(engine, (quarter_starting(period.start),), engine.databases.start_of_today())
    return store.record_release(*store_key(period), figures, released_by,
                                provisional=period.end > today, app_version=app_version, cells=cells)


def unchanged_since_revision_before(store: AppStore, release: Release) -> bool:
    """True when a revision's figures, every area's, equal those of the revision it follows (False for a first
    release)."""
    before = [earlier for earlier in store.releases(release.calendar, release.period)
              if earlier.revision == release.revision - 1]
    return bool(before) and store.release_figures(before[0].id).equals(store.release_figures(release.id))


def quarter_releases(store: AppStore | None, quarters: Iterable[Period]) -> dict[str, list[Release]]:
    """{quarter label (the given periods' own): its releases, oldest first} for the quarters released at least
    once; {} without a store."""
    if store is None:
        return {}
    found = {quarter.label: store.releases(*store_key(quarter)) for quarter in quarters}
    return {label: releases for label, releases in found.items() if releases}


def changed_since_release(released: pd.DataFrame, live: pd.DataFrame) -> pd.DataFrame:
    """The indicators whose total differs now from the release: columns indicator, released, live (values; NaN
    where not available), in `live`'s order. `released` is a release's figures of one area (FIGURE_COLUMNS);
    `live` has the engine's columns indicator and value, for the same area and period. A value that was not
    available then and is now (or the other way) has changed too."""
    totals = released[released["breakdown"].eq("")].set_index("indicator")["value"]
    then = live["indicator"].map(totals)
    now = live["value"].astype(float)
    differs = ~((then.isna() & now.isna()) | ((then - now).abs() < 1e-9))
    return pd.DataFrame({"indicator": live["indicator"], "released": then, "live": now})[differs.to_numpy()]
