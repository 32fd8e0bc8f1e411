"""The indicator engine: every indicator of the contract, aggregated in the database.

Each family of indicators is one grouped query (not one query per area). A
family returns raw aggregates per area (and per disaggregation group); the
assembly turns them into the contract's export rows, fills areas with no
records; an external audience's counts and marks then come from its protected cells (`publication`).
"""

from __future__ import annotations

import contextvars
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Callable

import numpy as np
import pandas as pd
from sqlalchemy import Select, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.exc import DBAPIError

from . import schema as s
from .cache import AggregateCache
from .db import Databases, describe_database_error
from .definitions import AGE_BANDS, DISAGGREGATIONS, INDICATORS, Indicator, reliable
from .geography import NATIONAL, Gazetteer
from .periods import Period
from .publication import Publications
from .scope import LEADERSHIP, AreaFilter, FilterError, visible_areas
from .sqlparts import count_if, days_between_dates, percentile
from .where import Where

log = logging.getLogger("impact_monitor.indicators")
_ROW_COLUMNS = ["indicator", "period", "area", "value", "numerator", "denominator", "suppressed", "withheld"]
EXPORT_COLUMNS = _ROW_COLUMNS + ["reliable"]
GROUP_VALUES = {"case_type": s.CASE_TYPES, "sex": s.SEXES, "age_band": AGE_BANDS}
_REFERRAL_CHUNK = 5000


def _age_band(age_column):
    return case(
        (age_column.is_(None), "unknown"),
        (age_column < 12, "<12"),
        (age_column < 15, "12-14"),
        (age_column < 18, "15-17"),
        else_="18+",
    )


def _group_column(disaggregate: str | None):
    columns = {"case_type": s.cases.c.case_type, "sex": s.victims.c.sex,
               "age_band": _age_band(s.victims.c.age_at_identification)}
    return columns[disaggregate] if disaggregate else None


# The disaggregations each family's cube carries; the victim families also know the upazila of the case.
CUBE_DIMENSIONS = {"cases": ("case_type",), "cases_referred": ("case_type",), "legal": ("case_type",),
                   "victims": DISAGGREGATIONS, "survivors": DISAGGREGATIONS}
_CUBE_SEPARATOR = "|"


def _cube_group(family: str):
    """The upazila and the family's dimensions as one text key (one GROUP BY column, split again in pandas)."""
    key = func.coalesce(s.cases.c.upazila_pcode, "")
    for dimension in CUBE_DIMENSIONS[family]:
        key = key + literal(_CUBE_SEPARATOR) + func.coalesce(_group_column(dimension), "")
    return key


def _split_cube_group(family: str, frame: pd.DataFrame) -> pd.DataFrame:
    dimensions = CUBE_DIMENSIONS.get(family, ())
    if "grp" not in frame.columns:
        return frame.assign(upazila="")
    if frame.empty:
        return frame.drop(columns="grp").assign(**{column: pd.Series(dtype=str) for column in ("upazila", *dimensions)})
    parts = frame["grp"].astype(str).str.split(_CUBE_SEPARATOR, n=len(dimensions), expand=True, regex=False)
    parts.columns = ["upazila", *dimensions]
    return pd.concat([frame.drop(columns="grp"), parts], axis=1)


def _grouped(query: Select, period, key, group) -> Select:
    """The query grouped by period, area and (when disaggregated) group, as columns period, area, grp."""
    keys = [period.label("period"), key.label("area")]
    if group is not None:
        keys.append(group.label("grp"))
    return query.add_columns(*keys).group_by(*keys)


class IndicatorEngine:
    """Computes indicator rows for a filter from the two read-only databases."""

    def __init__(self, databases: Databases, gazetteer: Gazetteer, cache: AggregateCache | None = None,
                 query_threads: int = 1, publication_ttl_s: int = 3600):
        self.databases = databases
        self.gazetteer = gazetteer
        self.cache = cache or AggregateCache(ttl_s=0)
        self.query_threads = query_threads
        self.publications = Publications(self, self.cache, publication_ttl_s)

    # Families: each returns raw aggregates keyed by period, area (and grp), in one query for all periods.

    def _cases(self, where: Where, group) -> pd.DataFrame:
        c = s.cases.c
        query = select(func.count().label("cases")).where(where.dated(c.reported_on),
                                                          where.condition(c.district_pcode, c.upazila_pcode))
        grouped = _grouped(query, where.period_of(c.reported_on), where.area_key(c.district_pcode, c.upazila_pcode),
                           group)
        return self._read(self.databases.cases, grouped)

    def _child_population(self, where: Where) -> pd.DataFrame:
        """Each period takes the child population of the calendar year it starts in. A district-year counts only
        with exactly one row and a positive child population: duplicates (a view without keys) and negative or
        zero figures are left out, as if missing, and counted by the contract check."""
        if where.has_upazila_detail:
            return pd.DataFrame(columns=["period", "area", "child_population"])
        p = s.district_population.c
        years = sorted({period.year for period in where.periods})
        usable = (select(p.district_pcode, p.year, func.min(p.child_population).label("child_population"))
                  .where(p.year.in_(bindparam(None, years, expanding=True, unique=True)),
                         where.condition(p.district_pcode))
                  .group_by(p.district_pcode, p.year)
                  .having(and_(func.count() == 1, func.min(p.child_population) > 0))
                  .subquery("usable_population"))
        key = where.area_key(usable.c.district_pcode)
        query = (select(usable.c.year, key.label("area"), func.sum(usable.c.child_population).label("child_population"))
                 .group_by(usable.c.year, key))
        by_year = self._read(self.databases.cases, query)
        periods = pd.DataFrame({"period": [period.label for period in where.periods],
                                "year": [period.year for period in where.periods]})
        return periods.merge(by_year, on="year").drop(columns="year")

    def _victims(self, where: Where, group) -> pd.DataFrame:
        """Identified and brought to safety are dated differently: one grouped query each."""
        v, c = s.victims.c, s.cases.c
        joined = s.victims.join(s.cases, c.case_id == v.case_id)
        key = where.area_key(c.district_pcode, c.upazila_pcode)
        in_area = where.condition(c.district_pcode, c.upazila_pcode)
        minor = v.age_at_identification.between(0, 17)
        identified = (select(func.count().label("victims"), count_if(minor).label("minors"))
                      .select_from(joined).where(where.dated(v.identified_on), in_area))
        safe = (select(func.count().label("safe"))
                .select_from(joined).where(where.dated(v.brought_to_safety_on), in_area))
        return _merge_on_keys(
            self._read(self.databases.cases, _grouped(identified, where.period_of(v.identified_on), key, group)),
            self._read(self.databases.cases, _grouped(safe, where.period_of(v.brought_to_safety_on), key, group)))

    def _reports(self, where: Where) -> pd.DataFrame:
        r = s.reports.c
        area_condition = where.condition(r.district_pcode)
        if where.filter.by == "national" and where.filter.area == NATIONAL:
            area_condition = or_(area_condition, r.district_pcode.is_(None))  # unknown district: national only
        query = select(func.count().label("reports")).where(where.dated(r.received_at), area_condition)
        grouped = _grouped(query, where.period_of(r.received_at), where.area_key(r.district_pcode), None)
        return self._read(self.databases.referrals, grouped)

    def _referrals(self, where: Where) -> pd.DataFrame:
        r, t = s.referrals.c, self.databases.timestamps
        waited = t.seconds_between(r.first_service_at, r.referred_at)
        served = t.not_before(r.first_service_at, r.referred_at)
        target = case((r.urgency == "urgent", s.URGENCY_TARGET_HOURS["urgent"] * 3600),
                      else_=s.URGENCY_TARGET_HOURS["routine"] * 3600)
        served_days = case((served, waited / 86400.0), else_=None)
        query = select(
            func.count().label("referrals"),
            count_if(served).label("served"),
            count_if(and_(served, waited <= target)).label("within_target"),
            percentile(served_days, 0.5).label("turnaround_median"),
            percentile(served_days, 0.9).label("turnaround_p90"),
        ).where(where.dated(r.referred_at), where.condition(r.district_pcode))
        grouped = _grouped(query, where.period_of(r.referred_at), where.area_key(r.district_pcode), None)
        return self._read(self.databases.referrals, grouped)

    def _legal(self, where: Where, group) -> pd.DataFrame:
        e, c = s.legal_events.c, s.cases.c
        dialect = self.databases.cases.dialect.name
        in_scope = where.condition(c.district_pcode, c.upazila_pcode)
        key = where.area_key(c.district_pcode, c.upazila_pcode)
        charge_sheets = (
            select(func.count(e.case_id.distinct()).label("charge_sheets"))
            .select_from(s.legal_events.join(s.cases, c.case_id == e.case_id))
            .where(e.event_type == "charge_sheet", where.dated(e.event_on), in_scope)
        )
        # An accused's verdict in a period: the earliest verdict event dated in it.
        verdict_period = where.period_of(e.event_on)
        verdicts = (
            select(e.accused_id, e.case_id, verdict_period.label("period"),
                   func.min(e.event_on).label("verdict_on"),
                   func.max(case((e.event_type == "convicted", 1), else_=0)).label("convicted"))
            .where(e.event_type.in_(("convicted", "acquitted")), where.dated(e.event_on),
                   e.accused_id.is_not(None))
            .group_by(e.accused_id, e.case_id, verdict_period)
            .subquery("verdicts")
        )
        # Only the cases with a verdict in the periods need their earliest complaint: far fewer than all.
        complaints = (
            select(e.case_id, func.min(e.event_on).label("complaint_on"))
            .where(e.event_type == "complaint_filed", e.case_id.in_(select(verdicts.c.case_id)))
            .group_by(e.case_id)
            .subquery("complaints")
        )
        days = days_between_dates(dialect, verdicts.c.verdict_on, complaints.c.complaint_on)
        accused_verdicts = (
            select(func.sum(verdicts.c.convicted).label("convicted"),
                   func.count().label("verdicts"),
                   func.count(complaints.c.complaint_on).label("verdicts_with_complaint"),
                   percentile(days, 0.5).label("complaint_to_verdict_median"))
            .select_from(verdicts.join(s.cases, c.case_id == verdicts.c.case_id)
                         .outerjoin(complaints, complaints.c.case_id == verdicts.c.case_id))
            .where(in_scope)
        )
        sheets = self._read(self.databases.cases, _grouped(charge_sheets, where.period_of(e.event_on), key, group))
        outcomes = self._read(self.databases.cases, _grouped(accused_verdicts, verdicts.c.period, key, group))
        return _merge_on_keys(sheets, outcomes)

    def _survivors(self, where: Where, group) -> pd.DataFrame:
        a, v, c = s.survivor_assessments.c, s.victims.c, s.cases.c
        # One pass over the periods' sessions: each knows its victim's latest session date in its period.
        session_period = where.period_of(a.assessed_on)
        sessions = (
            select(a.victim_id, a.assessed_on, session_period.label("period"),
                   func.min(a.score).label("lowest"),
                   func.count(a.domain.distinct()).label("domains"),
                   func.max(a.assessed_on).over(partition_by=[a.victim_id, session_period]).label("latest_on"))
            .where(where.dated(a.assessed_on), a.score.between(1, 4))
            .group_by(a.victim_id, a.assessed_on)
            .subquery("sessions")
        )
        latest = sessions.c.assessed_on == sessions.c.latest_on
        restored = and_(latest, sessions.c.lowest >= 3, sessions.c.domains == len(s.ASSESSMENT_DOMAINS))
        # Latest sessions are counted, not filtered: a filter on the window hides from PostgreSQL's planner how
        # many rows reach the joins, and it would then look each session's case up one by one.
        query = (
            select(count_if(latest).label("assessed"), count_if(restored).label("restored"))
            .select_from(
                sessions.join(s.victims, v.victim_id == sessions.c.victim_id)
                .join(s.cases, c.case_id == v.case_id))
            .where(where.condition(c.district_pcode, c.upazila_pcode))
        )
        grouped = _grouped(query, sessions.c.period, where.area_key(c.district_pcode, c.upazila_pcode), group)
        return self._read(self.databases.cases, grouped)

    def _cases_referred(self, where: Where, group) -> pd.DataFrame:
        c, r = s.cases.c, s.referrals.c
        in_filter = and_(where.dated(c.reported_on), where.condition(c.district_pcode, c.upazila_pcode))
        period, key = where.period_of(c.reported_on), where.area_key(c.district_pcode, c.upazila_pcode)
        if self.databases.same_database:
            has_referral = select(r.case_ref).where(r.case_ref == c.case_ref).exists()
            query = select(func.count().label("referred")).where(in_filter, has_referral)
            return self._read(self.databases.cases, _grouped(query, period, key, group))
        return self._cases_referred_across_databases(in_filter, period, key, group)

    def _cases_referred_across_databases(self, in_filter, period, key, group) -> pd.DataFrame:
        """Two servers: match case_ref values in the app, in chunks; counting stays in the databases."""
        c, r = s.cases.c, s.referrals.c
        refs_query = select(c.case_ref).distinct().where(in_filter, c.case_ref.is_not(None))
        with self.databases.cases.connect() as connection:
            case_refs = connection.execute(refs_query).scalars().all()
        parts = []
        for start in range(0, len(case_refs), _REFERRAL_CHUNK):
            chunk = case_refs[start:start + _REFERRAL_CHUNK]
            matched_query = select(r.case_ref).distinct().where(r.case_ref.in_(bindparam(None, chunk, expanding=True)))
            with self.databases.referrals.connect() as connection:
                matched = connection.execute(matched_query).scalars().all()
            if matched:
                count_query = select(func.count().label("referred")).where(
                    in_filter, c.case_ref.in_(bindparam(None, matched, expanding=True)))
                parts.append(self._read(self.databases.cases, _grouped(count_query, period, key, group)))
        keys = ["period", "area"] + (["grp"] if group is not None else [])
        if not parts:
            return pd.DataFrame(columns=keys + ["referred"])
        return pd.concat(parts).groupby(keys, as_index=False)["referred"].sum()

    @staticmethod
    def _read(engine, query: Select) -> pd.DataFrame:
        with engine.connect() as connection:
            result = connection.execute(query)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    # Assembly.

    def raw_aggregates(self, filter_: AreaFilter, families: set[str], disaggregate: str | None = None,
                       periods: tuple[Period, ...] | None = None) -> tuple[pd.DataFrame, set[str]]:
        """The named families' aggregates, one row per period and visible area (and group), zeros where no
        records; `periods` defaults to the filter's own.

        Returns the frame and the families it holds: a family a level cannot have
        (reports and referrals have no upazila) is left out. Only the families
        asked for are queried, so a missing table stops only its own indicators.
        """
        periods = periods or (filter_.period,)
        where = Where(filter_, self.gazetteer, periods, self.databases.timestamps)
        group = _group_column(disaggregate)
        available = {
            "victims": lambda: self._victims(where, group),
            "survivors": lambda: self._survivors(where, group),
        }
        if disaggregate in (None, "case_type"):
            available |= {
                "cases": lambda: self._cases(where, group),
                "legal": lambda: self._legal(where, group),
                "cases_referred": lambda: self._cases_referred(where, group),
                "population": lambda: self._population_for(where, disaggregate),
            }
        if disaggregate is None and not where.has_upazila_detail:
            available |= {"reports": lambda: self._reports(where), "referrals": lambda: self._referrals(where)}
        chosen = [name for name in available if name in families]
        frames = self._run_together([available[name] for name in chosen])
        raw = _merge_on_keys(*frames) if frames else pd.DataFrame(columns=["period", "area"])
        grid = _complete_grid(raw, [period.label for period in periods], visible_areas(filter_, self.gazetteer),
                              GROUP_VALUES[disaggregate] if disaggregate else None)
        return grid, set(chosen)

    def cube(self, periods: tuple[Period, ...], families: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
        """Every family's counts (and medians' counts of values) per period, district, upazila and every
        disaggregation at once, with the same definitions as the indicators: the finest grain that the pages
        and exports add up from. Periods must not overlap.

        Returns family -> frame with columns period, area (the district), upazila ("" where the family has
        none or the record has none), one column per dimension of CUBE_DIMENSIONS, then the family's
        measures; `reports_national` holds the national reports, which include those with no district.
        """
        everything = AreaFilter(periods[0], NATIONAL, "district", LEADERSHIP)
        where = Where(everything, self.gazetteer, periods, self.databases.timestamps)
        queries = {
            "cases": lambda: self._cases(where, _cube_group("cases")),
            "victims": lambda: self._victims(where, _cube_group("victims")),
            "survivors": lambda: self._survivors(where, _cube_group("survivors")),
            "legal": lambda: self._legal(where, _cube_group("legal")),
            "cases_referred": lambda: self._cases_referred(where, _cube_group("cases_referred")),
            "reports": lambda: self._reports(where),
            "reports_national": lambda: self._reports(Where(replace(everything, by="national"), self.gazetteer,
                                                            periods, self.databases.timestamps)),
        }
        chosen = [name for name in queries if families is None or name in families]
        frames = self._run_together([queries[name] for name in chosen])
        return {name: _split_cube_group(name, frame) for name, frame in zip(chosen, frames)}

    def _run_together(self, queries: list[Callable[[], pd.DataFrame]]) -> list[pd.DataFrame]:
        """The families' queries, up to `query_threads` at once (each on its own connection): the database
        works on one while another is sent; results in the order given, a failure raised as it was."""
        if self.query_threads < 2 or len(queries) < 2:
            return [query() for query in queries]
        with ThreadPoolExecutor(max_workers=self.query_threads) as pool:
            # Each query runs in a copy of the caller's context, so its log lines keep the request id.
            futures = [pool.submit(contextvars.copy_context().run, query) for query in queries]
            return [future.result() for future in futures]

    def _population_for(self, where: Where, disaggregate: str | None) -> pd.DataFrame:
        population = self._child_population(where)
        return _broadcast_groups(population, s.CASE_TYPES) if disaggregate == "case_type" else population

    def compute(self, filter_: AreaFilter, codes: tuple[str, ...] | None = None,
                disaggregate: str | None = None, suppress_below: int = 10) -> pd.DataFrame:
        """Export rows (the contract's columns, plus `group` when disaggregated) for the filter."""
        return self._cached_rows(filter_, (filter_.period,), codes, disaggregate, suppress_below)

    def compute_series(self, filter_: AreaFilter, periods: list[Period], codes: tuple[str, ...] | None = None,
                       suppress_below: int = 10) -> pd.DataFrame:
        """The same rows for several whole periods (a trend) in the order given, from one query per family
        for all of them: each period's rows equal `compute` for that period."""
        return self._cached_rows(filter_, tuple(periods), codes, None, suppress_below)

    def _cached_rows(self, filter_: AreaFilter, periods: tuple[Period, ...], codes: tuple[str, ...] | None,
                     disaggregate: str | None, suppress_below: int) -> pd.DataFrame:
        key = ("indicators", replace(filter_, period=periods[0]).cache_key, tuple(p.label for p in periods),
               codes, disaggregate, suppress_below, self.publications.version(filter_.scope, periods))
        rows = self.cache.get_or_compute(
            key, lambda: self._compute(filter_, periods, codes, disaggregate, suppress_below))
        return _with_reliability(rows)

    def _compute(self, filter_: AreaFilter, periods: tuple[Period, ...], codes: tuple[str, ...] | None,
                 disaggregate: str | None, suppress_below: int) -> pd.DataFrame:
        if disaggregate is not None and disaggregate not in GROUP_VALUES:
            raise FilterError("unknown disaggregation {name}: use {names}", name=repr(str(disaggregate)[:40]),
                              names=", ".join(GROUP_VALUES))
        wanted = [code for code in (codes or INDICATORS) if disaggregate is None
                  or disaggregate in INDICATORS[code].disaggregations]
        for code in wanted:
            if code not in INDICATORS:
                raise FilterError("unknown indicator {code}", code=repr(code[:40]))
        raw, computed = self.raw_aggregates(replace(filter_, scope=LEADERSHIP), _families_of(wanted), disaggregate,
                                            periods)
        raw = raw[raw["area"].isin(visible_areas(filter_, self.gazetteer))]
        rows = _indicator_rows(raw, [code for code in wanted if _families_of([code]) <= computed])
        if filter_.scope.suppressed and not rows.empty:
            # Counts and marks come from the audience's protected cells, decided for all its pages at once.
            rows = self.publications.protect_rows(rows, filter_.scope, periods, suppress_below, disaggregate)
        return rows.reset_index(drop=True)

    def compute_each_database(self, filter_: AreaFilter, codes: tuple[str, ...], suppress_below: int = 10,
                              periods: list[Period] | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
        """Rows (for the filter's period, or for each of `periods`) from every database that answers, and
        code -> why, in plain words, for the codes left out because theirs failed (down, a missing column, a
        timeout: `db.describe_database_error`).

        Lets a page keep its case figures while the referral database is down.
        """
        frames, unavailable = [], {}
        for group in _by_database(codes):
            try:
                frames.append(self.compute_series(filter_, periods or [filter_.period], group, suppress_below))
            except DBAPIError as error:
                log.warning("indicators unavailable", extra={"codes": group, "error": error.__class__.__name__})
                unavailable |= dict.fromkeys(group, describe_database_error(error))
        rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=EXPORT_COLUMNS)
        return rows, unavailable


_REFERRAL_DATABASE_FAMILIES = {"reports", "referrals", "cases_referred"}


def _by_database(codes: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Codes split by the database they need (cases_referred needs both: it goes with the referrals)."""
    referral = tuple(c for c in codes if INDICATORS[c].family in _REFERRAL_DATABASE_FAMILIES)
    case = tuple(c for c in codes if c not in referral)
    return [group for group in (case, referral) if group]


def _families_of(codes) -> set[str]:
    """The aggregate families the indicators need (the per-100,000 rate also needs the population)."""
    families = {INDICATORS[code].family for code in codes}
    if "case_rate_per_100k_children" in codes:
        families.add("population")
    return families


def _merge_on_keys(*frames: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    keys = ["period", "area"] + (["grp"] if any("grp" in f.columns for f in frames) else [])
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.merge(frame, on=[k for k in keys if k in frame.columns], how="outer")
    return merged


def _broadcast_groups(frame: pd.DataFrame, groups: tuple[str, ...]) -> pd.DataFrame:
    """Repeat an area-level frame (population) for every disaggregation group."""
    return frame.merge(pd.DataFrame({"grp": list(groups)}), how="cross")


_COUNT_COLUMNS = ("cases", "victims", "minors", "safe", "reports", "referrals", "served", "within_target",
                  "charge_sheets", "convicted", "verdicts", "verdicts_with_complaint", "assessed", "restored",
                  "referred")


def _complete_grid(raw: pd.DataFrame, periods: list[str], areas: list[str],
                   groups: tuple[str, ...] | None) -> pd.DataFrame:
    """One row per period and visible area (x group); counts 0 where no records; unknown groups dropped."""
    grid = pd.DataFrame({"period": periods}).merge(pd.DataFrame({"area": areas}), how="cross")
    keys = ["period", "area"]
    if groups is not None:
        grid = grid.merge(pd.DataFrame({"grp": list(groups)}), how="cross")
        keys.append("grp")
    complete = grid.merge(raw, on=keys, how="left")
    for column in _COUNT_COLUMNS:
        if column in complete.columns:
            complete[column] = pd.to_numeric(complete[column]).fillna(0).astype("int64")
    return complete


# Where each indicator's figures come from in one area's aggregates.
_COUNTS = {
    "cases_reported": "cases", "victims_identified": "victims", "minors_identified": "minors",
    "victims_brought_to_safety": "safe", "reports_received": "reports", "referrals_made": "referrals",
    "charge_sheets_filed": "charge_sheets", "accused_convicted": "convicted", "survivors_assessed": "assessed",
}
# (numerator, denominator, scale)
_SHARES = {
    "referrals_within_target_pct": ("within_target", "referrals", 100.0),
    "cases_referred_pct": ("referred", "cases", 100.0),
    "conviction_rate_pct": ("convicted", "verdicts", 100.0),
    "survivors_restored_pct": ("restored", "assessed", 100.0),
    "case_rate_per_100k_children": ("cases", "child_population", 100_000.0),
}
# (value, how many values it was taken from)
_MEDIANS = {
    "referral_turnaround_median_days": ("turnaround_median", "served"),
    "referral_turnaround_p90_days": ("turnaround_p90", "served"),
    "median_days_complaint_to_verdict": ("complaint_to_verdict_median", "verdicts_with_complaint"),
}


def _value_columns(indicator: Indicator, raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, numerator, denominator) of one indicator for every row of the aggregates, NaN where none: a share
    of a zero or unknown denominator has no value, nor a median of no values."""
    def column(name: str) -> np.ndarray:
        if name not in raw.columns:
            return np.full(len(raw), np.nan)
        return pd.to_numeric(raw[name], errors="coerce").to_numpy(dtype=float)

    code = indicator.code
    nothing = np.full(len(raw), np.nan)
    if code in _COUNTS:
        count = column(_COUNTS[code])
        return count, count, nothing
    if code in _SHARES:
        numerator_name, denominator_name, scale = _SHARES[code]
        numerator, denominator = column(numerator_name), column(denominator_name)
        known = ~np.isnan(numerator) & ~np.isnan(denominator) & (denominator != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(known, scale * numerator / denominator, np.nan)
        return value, numerator, denominator
    if code in _MEDIANS:
        value_name, count_name = _MEDIANS[code]
        count = column(count_name)
        value = np.where(~np.isnan(count) & (count != 0), column(value_name), np.nan)
        return value, nothing, count
    raise KeyError(code)


def _indicator_rows(raw: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """One row per aggregate row and indicator (each area's indicators together, in the order of `codes`): the
    export's columns, None where a figure is not available."""
    columns = _ROW_COLUMNS + (["group"] if "grp" in raw.columns else [])
    if raw.empty or not codes:
        return pd.DataFrame(columns=columns)
    frames = []
    for position, code in enumerate(codes):
        value, numerator, denominator = _value_columns(INDICATORS[code], raw)
        frame = pd.DataFrame({"indicator": code, "period": raw["period"].to_numpy(), "area": raw["area"].to_numpy(),
                              "value": value, "numerator": numerator, "denominator": denominator,
                              "suppressed": False, "withheld": False,
                              "_order": np.arange(len(raw)) * len(codes) + position})
        if "grp" in raw.columns:
            frame["group"] = raw["grp"].to_numpy()
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True).sort_values("_order", kind="stable")
    data = {name: rows[name].tolist() for name in columns}
    for name in ("value", "numerator", "denominator"):  # None, not NaN, where a figure is not available
        data[name] = [None if figure != figure else figure for figure in data[name]]
    return pd.DataFrame(data, columns=columns)


def _with_reliability(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with `reliable` after `withheld` (`definitions.reliable`: rates and percentages only, decided
    on the numerator the audience is shown)."""
    flags = [reliable(INDICATORS[code].kind, value, numerator)
             for code, value, numerator in zip(rows["indicator"], rows["value"], rows["numerator"])]
    rows = rows.drop(columns="reliable", errors="ignore")
    rows.insert(rows.columns.get_loc("withheld") + 1, "reliable", pd.Series(flags, index=rows.index, dtype=object))
    return rows
