"""Small-cell suppression over everything an external audience can see: one protected set of cells per audience
and year, from which its pages and exports read every count.

A donor or government account can combine any numbers the app shows it: a
district with its upazilas, a total with its age bands, a year with its
quarters, a page with an export. Hiding cells table by table leaves such
combinations open, so suppression is decided once for all of them: the cells
of every page, download and export of the account (`universe.cells_of`), with
every relation between them (`cells.build_publication`), protected together
by `disclosure.protect`. A cell is hidden everywhere or nowhere, and the
numbers an external audience sees are the protected cells' own values, so
they cannot drift from the marks while the protection is reused
(IMPACT_PUBLICATION_TTL_S). Leadership reads the databases directly.
"""

from __future__ import annotations

import threading
import time as time_module
from dataclasses import dataclass
from datetime import datetime, time
from typing import Callable

import pandas as pd

from . import schema as s
from .cache import AggregateCache
from .cells import FUNNEL_MEASURES, SCORES, Family, build_publication, label
from .disclosure import HIDDEN, PUBLISHED, UNSHOWN, protect
from .periods import Period, store_key
from .scope import FilterError, Scope
from .universe import FamilyCube, cells_of, disaggregated_areas, family_cube, family_of
from .words import N_


# How a part of a withheld breakdown reads (zeros included): a reader knows only that it is a count.
WITHHELD = N_("withheld")


# What each indicator row shows of the cells.

_COUNT_MEASURE = {
    "cases_reported": "cases", "victims_identified": "victims", "minors_identified": "minors",
    "victims_brought_to_safety": "safe", "reports_received": "reports", "referrals_made": "referrals",
    "charge_sheets_filed": "charge_sheets", "accused_convicted": "convicted", "survivors_assessed": "assessed",
    "case_rate_per_100k_children": "cases",
}
_SHARE_MEASURES = {
    "referrals_within_target_pct": ("within_target", "referrals"), "cases_referred_pct": ("referred", "cases"),
    "conviction_rate_pct": ("convicted", "verdicts"), "survivors_restored_pct": ("restored", "assessed"),
}
_MEDIAN_MEASURE = {"referral_turnaround_median_days": "served", "referral_turnaround_p90_days": "served",
                   "median_days_complaint_to_verdict": "verdicts_with_complaint"}
_MINOR_BANDS = ("<12", "12-14", "15-17")


def indicator_cells(code: str, period: str, area: str, dimension: str = "", group: str = "") -> list[tuple]:
    """The labels of the counts an indicator row shows: a count itself, a percentage's numerator and
    denominator, a median's count of values, a rate's count (the child population is public). Minors in an
    adult age band show nothing: there are none, by definition."""
    if code in _COUNT_MEASURE:
        measures = (_COUNT_MEASURE[code],)
    else:
        measures = _SHARE_MEASURES.get(code) or (_MEDIAN_MEASURE[code],)
    cells = []
    for measure in measures:
        if measure == "minors" and dimension == "age_band":
            if group in _MINOR_BANDS:
                cells.append(label("victims", period, area, dimension, group))
            continue
        cells.append(label(measure, period, area, dimension, group))
    return cells


@dataclass
class ProtectedCells:
    """One audience's cells of one year: each with its value and the state it is shown in (PUBLISHED, HIDDEN, or
    UNSHOWN for a part of a breakdown withheld as a whole). For an audience shown released figures only, the cells
    are one released quarter's, with `medians` its released medians ((indicator, period, area, dimension, group)
    -> days, NaN where not available), or none, with `unreleased` naming the period that was not released (a year
    never is: releases are of quarters)."""

    values: dict[tuple, int]
    states: dict[tuple, int]
    k: int
    unreleased: frozenset[str] = frozenset()
    medians: dict[tuple, float] | None = None

    COLUMNS = ["measure", "period", "area", "dimension", "group", "value", "state"]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([(*cell, value, self.states[cell]) for cell, value in self.values.items()],
                            columns=self.COLUMNS)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, k: int) -> "ProtectedCells":
        cells = [tuple(row) for row in frame[cls.COLUMNS[:5]].itertuples(index=False, name=None)]
        return cls(dict(zip(cells, frame["value"].astype(int))), dict(zip(cells, frame["state"].astype(int))), k)

    def shown(self, cell: tuple) -> int | str | None:
        """The value as the audience sees it: WITHHELD for a part of a withheld breakdown, None when hidden (or
        not this audience's)."""
        if self.withheld(cell):
            return WITHHELD
        return None if self.hidden(cell) else self.values[cell]

    def hidden(self, cell: tuple) -> bool:
        """True for a hidden or withheld cell, and for one outside what this audience may be shown."""
        return self.states.get(cell, HIDDEN) != PUBLISHED

    def withheld(self, cell: tuple) -> bool:
        return self.states.get(cell) == UNSHOWN

    def not_released(self, period: str) -> bool:
        """True for a period this audience is shown released figures of, and that was not released."""
        return period in self.unreleased

    def indicator_row(self, code: str, period: str, area: str, dimension: str, group: str,
                      live_value, population) -> tuple[float | None, float | None, float | None, bool, bool]:
        """(value, numerator, denominator, suppressed, withheld) of an indicator row from the cells: withheld
        for a count that is part of a withheld breakdown. `live_value` is the median the databases give (a
        median is no count), `population` the public child population."""
        if self.not_released(period):
            return None, None, None, False, False  # not available: the period's figures were not released
        cells = indicator_cells(code, period, area, dimension, group)
        hidden = (None, None, None, True, False)
        if any(self.hidden(cell) for cell in cells):
            is_count = code in _COUNT_MEASURE and code != "case_rate_per_100k_children"
            return hidden[:4] + (is_count and self.withheld(cells[0]),)
        shown = [self.values[cell] for cell in cells]
        if code in _MEDIAN_MEASURE:
            count = shown[0]
            if 0 < count < self.k:
                return hidden
            median = live_value if self.medians is None else _number(
                self.medians.get((code, period, area, dimension, group)))
            return (median if count else None), None, count, False, False
        if code == "case_rate_per_100k_children":
            cases = shown[0]
            rate = 100_000.0 * cases / population if population else None
            return rate, cases, population, False, False
        if code in _SHARE_MEASURES:
            numerator, denominator = shown
            return (100.0 * numerator / denominator if denominator else None), numerator, denominator, False, False
        count = shown[0] if shown else 0
        return count, count, None, False, False


def protected_cells(cube, scope: Scope, gazetteer, k: int) -> ProtectedCells:
    """Every cell `scope` can be shown for the cube's year, with small-cell suppression over all of them."""
    values = cells_of(cube, scope, gazetteer)
    publication = build_publication(values, cube.family, gazetteer)
    shown = [cell in values for cell in publication.labels]
    states = protect(publication, k, shown)
    return ProtectedCells(values, {cell: states[publication.index(cell)] for cell in values}, k)


class DecodedCells:
    """The protected cells this process last read for a key, kept for the protection's own lifetime: the cache
    holds them as a frame, and a page asks for them in every callback."""

    def __init__(self, ttl_s: int):
        self.ttl_s = ttl_s
        self._entries: dict[tuple, tuple[float, ProtectedCells]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, read: Callable[[], ProtectedCells]) -> ProtectedCells:
        now = time_module.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry[0] > now:
                return entry[1]
        cells = read()
        if self.ttl_s:
            with self._lock:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                self._entries[key] = (now + self.ttl_s, cells)
        return cells


class CellReleases:
    """The store's latest release holding cells of each period, read again only when something was released since:
    a page asks for it once per quarter and callback, and one cheap query (the newest release's id) then stands in
    for reading every release."""

    def __init__(self):
        self._newest: int | None = None
        self._latest: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def read(self, store) -> dict[tuple[str, str], int]:
        """{(calendar, period): release id}, as `AppStore.latest_cell_releases` gives it, current to this call."""
        newest = store.newest_release_id()
        with self._lock:
            if newest == self._newest:
                return self._latest
        latest = store.latest_cell_releases()
        with self._lock:
            self._newest, self._latest = newest, latest
        return latest


class Publications:
    """The protected cells of each external audience and year, built once and reused for `ttl_s` seconds (the
    aggregate cache's, so shared by workers through Redis).

    The roles in `released_only` (`show_released_only`) are shown released figures only: each quarter's cells
    are built from its latest release in `store`, never from the databases, so late records do not move what
    they were shown and no live figure sits beside a released one to be compared with it."""

    def __init__(self, engine, cache: AggregateCache, ttl_s: int):
        self.engine, self.cache, self.ttl_s = engine, cache, ttl_s
        self._decoded = DecodedCells(ttl_s)
        self.released_only: frozenset[str] = frozenset()
        self.store = None
        self._cell_releases = CellReleases()

    def show_released_only(self, roles: tuple[str, ...], store) -> None:
        """Show `roles` released figures only, from `store` (None: no store could be opened, so nothing is
        released)."""
        self.released_only, self.store = frozenset(roles), store
        self._cell_releases = CellReleases()

    def shows_released(self, scope: Scope) -> bool:
        return scope.role in self.released_only

    def released(self, scope: Scope, period: Period) -> bool:
        """False for a period the scope is shown released figures of and that was not released (a year never
        is); True otherwise."""
        return not self.shows_released(scope) or self._cell_releases_of((period,))[0] is not None

    def version(self, scope: Scope, periods: tuple[Period, ...]) -> tuple:
        """What the scope's figures of `periods` were read from: "live", or the release of each (a key part for
        anything cached from them)."""
        if not self.shows_released(scope):
            return ("live",)
        return self._cell_releases_of(periods)

    def cells(self, scope: Scope, period: Period, k: int, as_of: datetime | None = None) -> ProtectedCells:
        """The protected cells of the calendar year `period` lies in, waiting times measured to `as_of`
        (default: the start of today); for a role shown released figures only, those of the released quarter."""
        if self.shows_released(scope):
            return self._released_cells(scope, period, k)
        family = family_of(period)
        as_of = as_of or self.engine.databases.start_of_today()
        key = ("protected-cells", scope.cache_key, family.year, family.quarters, as_of.isoformat(), k)

        def build() -> pd.DataFrame:
            cube = family_cube(self.engine, family, as_of)
            return protected_cells(cube, scope, self.engine.gazetteer, k).to_frame()

        return self._decoded.get(key, lambda: ProtectedCells.from_frame(
            self.cache.get_or_compute(key, build, ttl_s=self.ttl_s), k))

    def _cell_releases_of(self, periods: tuple[Period, ...]) -> tuple[int | None, ...]:
        """For each period, the id of its latest release when it is a quarter's and holds cells; None for a year,
        a quarter never released, or one whose latest release was made before releases held cells (it counts as
        not released until it is released again)."""
        if self.store is None:
            return (None,) * len(periods)
        latest = self._cell_releases.read(self.store)
        return tuple(latest.get(store_key(period)) if period.kind == "quarter" else None for period in periods)

    def _released_cells(self, scope: Scope, period: Period, k: int) -> ProtectedCells:
        """A released quarter's cells, protected on their own: no relation ties two quarters once the year is not
        shown (its totals and distinct counts are not released), so each quarter's hidden cells are decided once
        and stay the same whatever is released after it."""
        release_id = self._cell_releases_of((period,))[0]
        if release_id is None:
            return ProtectedCells({}, {}, k, unreleased=frozenset({period.label}))
        key = ("released-cells", scope.cache_key, period.label, release_id, k)

        def build() -> pd.DataFrame:
            cube = released_cube(self.store.release_cells(release_id), period.label)
            return protected_cells(cube, scope, self.engine.gazetteer, k).to_frame()

        def read() -> ProtectedCells:
            cells = ProtectedCells.from_frame(self.cache.get_or_compute(key, build, ttl_s=self.ttl_s), k)
            cells.medians = released_medians(self.store.release_figures(release_id), period.label)
            return cells

        return self._decoded.get(key, read)

    def protect_rows(self, rows: pd.DataFrame, scope: Scope, periods: tuple[Period, ...], k: int,
                     disaggregate: str | None) -> pd.DataFrame:
        """Indicator export rows as `scope` sees them: counts from its protected cells, hidden ones empty."""
        check_disaggregation(scope, rows["area"].unique(), disaggregate)
        by_label = {period.label: self.cells(scope, period, k) for period in periods}
        protected = rows.copy()
        for column in ("value", "numerator", "denominator"):
            protected[column] = protected[column].astype("object")
        for index, row in rows.iterrows():
            group = row["group"] if disaggregate else ""
            protected.loc[index, ["value", "numerator", "denominator", "suppressed", "withheld"]] = list(
                by_label[row["period"]].indicator_row(row["indicator"], row["period"], row["area"], disaggregate or "",
                                                      group, _number(row["value"]), _number(row["denominator"])))
        return protected.astype({"suppressed": bool, "withheld": bool})


def released_cube(frames: dict[str, pd.DataFrame], quarter: str) -> FamilyCube:
    """A cube of one released quarter from the cells its release froze, relabelled from the calendar-year label
    they are kept under to `quarter`, the label the audience reads it under. It has no year: a year's totals and
    distinct counts are not released."""
    frames = {name: frame.assign(period=quarter) for name, frame in frames.items()}
    national = frames.pop("reports_national")
    return FamilyCube(Family(f"{quarter} (year not released)", (quarter,)), frames, None, national)


def released_medians(figures: pd.DataFrame, quarter: str) -> dict[tuple, float]:
    """(indicator, quarter, area, breakdown, category) -> the released median, from a release's figures."""
    figures = figures[figures["indicator"].isin(list(_MEDIAN_MEASURE))]
    return {(row.indicator, quarter, row.area, row.breakdown, row.category): row.value
            for row in figures.itertuples(index=False)}


def check_disaggregation(scope: Scope, areas, disaggregate: str | None) -> None:
    """Refuse a disaggregation of areas the audience sees only as totals."""
    allowed = disaggregated_areas(scope)
    if disaggregate and allowed is not None:
        outside = sorted(set(areas) - set(allowed))
        if outside:
            raise FilterError("{role} accounts see counts by case type, sex or age band for {allowed} only, not for "
                              "{outside}: smaller areas hold too few people to break down safely",
                              role=scope.role, allowed=", ".join(allowed), outside=", ".join(outside[:3]))


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# The pages' tables, from the cells (None where hidden or withheld).

def volume_table(cells: ProtectedCells, period: str, area: str) -> pd.DataFrame:
    """Referrals made per service type (rows) and provider type, with each service's total."""
    rows = []
    for service in s.SERVICE_TYPES:
        row = {"service_type": service}
        for provider in s.PROVIDER_TYPES:
            row[provider] = cells.shown(label("referrals", period, area, "service_provider", f"{service}|{provider}"))
        row["total"] = cells.shown(label("referrals", period, area, "service", service))
        rows.append(row)
    return pd.DataFrame(rows, columns=["service_type", *s.PROVIDER_TYPES, "total"], dtype=object)


def within_target_table(cells: ProtectedCells, period: str, area: str) -> pd.DataFrame:
    return pd.DataFrame([{"urgency": urgency,
                          "referrals": cells.shown(label("referrals", period, area, "urgency", urgency)),
                          "within_target": cells.shown(label("within_target", period, area, "urgency", urgency))}
                         for urgency in s.URGENCIES], dtype=object)


def curve_intervals_table(cells: ProtectedCells, period: str, area: str, intervals: tuple[str, ...],
                          left_out: str) -> tuple[pd.DataFrame, int, int] | None:
    """(table, at risk at the start, left out): the referrals on the curve (those made, less the `left_out`
    interval's), and per interval of the curve up to the first one with a hidden count, the referrals first
    served in it and those followed no longer in it. The estimate at an interval's end depends on those
    intervals only, so it gives away nothing hidden. None when the referrals made, the left-out ones, or the
    first interval's counts, are hidden."""
    made = label("referrals", period, area)
    excluded = [label(measure, period, area, "interval", left_out) for measure in ("served", "censored")]
    if cells.hidden(made) or any(cells.hidden(cell) for cell in excluded):
        return None
    rows = []
    for interval in intervals:
        counts = [label(measure, period, area, "interval", interval) for measure in ("served", "censored")]
        if any(cells.hidden(cell) for cell in counts):
            break
        rows.append((interval, *(cells.values[cell] for cell in counts)))
    if not rows:
        return None
    left_out_count = sum(cells.values[cell] for cell in excluded)
    return (pd.DataFrame(rows, columns=["interval", "served", "censored"]), cells.values[made] - left_out_count,
            left_out_count)


def funnel_table(cells: ProtectedCells, period: str, area: str) -> pd.DataFrame:
    return pd.DataFrame({"step": ["complaint_filed", "charge_sheet", "trial_started", "verdict"],
                         "cases": [cells.shown(label(measure, period, area)) for measure in FUNNEL_MEASURES]},
                        dtype=object)


def followed_up(cells: ProtectedCells, period: str, area: str) -> int | None:
    return cells.shown(label("followed_up", period, area))


def score_counts_table(cells: ProtectedCells, period: str, area: str) -> pd.DataFrame:
    """moment, domain, score, victims (None when hidden), and each domain's total as score 0."""
    rows = []
    for moment, measure in (("first", "scores_first"), ("latest", "scores_latest")):
        for domain in s.ASSESSMENT_DOMAINS:
            for score in SCORES:
                rows.append((moment, domain, score,
                             cells.shown(label(measure, period, area, "domain_score", f"{domain}|{score}"))))
            rows.append((moment, domain, 0, cells.shown(label(measure, period, area, "domain", domain))))
    return pd.DataFrame(rows, columns=["moment", "domain", "score", "victims"])


def services_table(cells: ProtectedCells, period: str, area: str) -> pd.DataFrame:
    return pd.DataFrame({"service_type": list(s.SERVICE_TYPES),
                         "services": [cells.shown(label("services_delivered", period, area, "service", service))
                                      for service in s.SERVICE_TYPES]}, dtype=object)


# Today's tables, from the cells of `current.CurrentTables`.

def pending_row(cells: ProtectedCells, area: str) -> pd.Series:
    """The pending cases per band and in total (None where hidden), as `justice.pending_case_ages` gives them."""
    from .justice import PENDING_BANDS

    shown = {band: cells.shown(label("pending", "", area, "band", band)) for band, _ in PENDING_BANDS}
    return pd.Series({**shown, "total": cells.shown(label("pending", "", area))}, dtype=object)


def open_referrals_table(cells: ProtectedCells, area: str) -> pd.DataFrame:
    """Open referrals waiting over 7 days per service in the area (None where hidden), the columns of
    `referral_flow.open_referrals_by_waiting_band` with the area in place of the district and no oldest wait."""
    from .referral_flow import WAITING_BANDS

    rows = []
    for service in s.SERVICE_TYPES:
        row = {"district_pcode": area, "service_type": service}
        for band, _, _ in WAITING_BANDS:
            row[band] = cells.shown(label("open", "", area, "service_band", f"{service}|{band}"))
        row["total"] = cells.shown(label("open", "", area, "service", service))
        row["oldest_days"] = None
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)
