"""Synthetic demo databases: shaped like a real program's data, fake in every row.

`generate_demo` writes the case database, the referral database (SQLite) and
the five-year plan targets (CSV) that /work/shared/data-contract.md describes,
for a program that runs five calendar years up to `end`. The shapes an
evaluator looks for are built in: caseloads that differ by district and grow
as the program rolls out in waves, seasonality, court cases that take years,
survivors whose assessment scores improve, referral delays with a long tail,
prevalence studies whose areas improve by very different amounts.

Everything is drawn with numpy over whole arrays (one seeded generator, so a
seed and an `end` give identical output) and written with sqlite3 in chunks.
Inside this module dates are int day numbers since 1970-01-01, timestamps int
seconds since 1970-01-01 UTC and categories int codes into the contract's
allowed-value tuples; NULL (-1) marks a missing number and '' a missing text.
They become SQL values only when written.
"""

from __future__ import annotations

import csv
import fcntl
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, Text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable

from queries import schema
from queries.geography import NATIONAL, Gazetteer, load_gazetteer
from queries.periods import BD_FISCAL, CALENDAR_YEAR, CALENDARS, US_FISCAL

NULL = -1
DAY_S = 86_400
BANGLADESH_UTC_OFFSET_S = 6 * 3600  # BST is UTC+6 all year
CHUNK_ROWS = 100_000
PROGRAM_YEARS = 5

CASES_FILE = "cases.sqlite"
REFERRALS_FILE = "referrals.sqlite"
TARGETS_FILE = "targets.csv"


@dataclass(frozen=True)
class DemoSummary:
    cases_path: Path
    referrals_path: Path
    targets_path: Path
    row_counts: dict[str, int]  # table name -> rows written
    seconds: float


# --- Public API ---------------------------------------------------------------------------------


def generate_demo(
    out_dir: Path,
    cases: int,
    seed: int = 1,
    end: date | None = None,
    geo_cache_dir: Path | None = None,
) -> DemoSummary:
    """Write cases.sqlite, referrals.sqlite and targets.csv into `out_dir`; nothing dated after `end`."""
    if cases < 1:
        raise ValueError(f"cases must be at least 1, not {cases}")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    calendar = _Calendar.ending(end or date.today())
    rng = np.random.default_rng(seed)
    gazetteer = load_gazetteer(geo_cache_dir)
    districts = _district_profile(gazetteer, rng)

    row_counts: dict[str, int] = {}
    with _atomic_path(out_dir / CASES_FILE) as path:
        case_data, victim_data, case_actuals = _write_case_database(
            path, rng, cases, districts, gazetteer, calendar, row_counts
        )
    with _atomic_path(out_dir / REFERRALS_FILE) as path:
        referral_actuals = _write_referral_database(path, rng, case_data, victim_data, districts, calendar, row_counts)
    with _atomic_path(out_dir / TARGETS_FILE) as path:
        _write_targets(path, rng, {**case_actuals, **referral_actuals}, districts, calendar)
    return DemoSummary(
        cases_path=out_dir / CASES_FILE,
        referrals_path=out_dir / REFERRALS_FILE,
        targets_path=out_dir / TARGETS_FILE,
        row_counts=row_counts,
        seconds=time.perf_counter() - started,
    )


def ensure_demo(out_dir: Path, cases: int, geo_cache_dir: Path | None = None) -> Path:
    """Build the seed-1 demo in `out_dir` unless it is already there; returns `out_dir`.

    A lock file serialises processes that start together (several web workers),
    so only the first builds and the others wait and reuse its files. A demo
    already there is only read (each file appears whole, by rename), so a
    read-only folder serves it.
    """
    out_dir = Path(out_dir)

    def complete() -> bool:
        return all((out_dir / name).exists() for name in (CASES_FILE, REFERRALS_FILE, TARGETS_FILE))

    if complete():
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".demo.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not complete():
                generate_demo(out_dir, cases, seed=1, geo_cache_dir=geo_cache_dir)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return out_dir


# --- Program calendar and where cases happen ------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    first_year: int
    first_day: int  # 1 January of the program's first year
    last_day: int  # `end`: no date after it

    @classmethod
    def ending(cls, end: date) -> "_Calendar":
        first_year = end.year - PROGRAM_YEARS + 1
        return cls(first_year, _day_number(date(first_year, 1, 1)), _day_number(end))

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.first_year + PROGRAM_YEARS))

    def progress(self, days: np.ndarray) -> np.ndarray:
        """0 at program start, 1 at `end`."""
        return np.clip((days - self.first_day) / (self.last_day - self.first_day + 1), 0, 1)

    @property
    def horizon_s(self) -> int:
        """Timestamps stay before `end` begins (UTC), so with end = today none lies in the future."""
        return self.last_day * DAY_S

    @property
    def days(self) -> np.ndarray:
        return np.arange(self.first_day, self.last_day + 1)

    def plan_days(self) -> np.ndarray:
        """Every day of the five plan years, including the rest of the current one."""
        return np.arange(self.first_day, _day_number(date(self.years[-1], 12, 31)) + 1)


def _day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


# Monsoon floods and displacement (June-September) raise vulnerability; reporting slows at year end.
MONTHLY_SEASONALITY = np.array([0.9, 0.9, 1.0, 1.05, 1.1, 1.15, 1.25, 1.2, 1.1, 0.95, 0.8, 0.75])
# Friday is the weekend in Bangladesh, Saturday half-staffed.
WEEKDAY_FACTOR = np.array([1.05, 1.05, 1.05, 1.05, 0.5, 0.8, 1.05])  # Monday first

# Districts that open in the program's first wave, with how much heavier their caseload is:
# the two metropolises, Cox's Bazar (camps and beach tourism), the Jashore/Satkhira border
# crossings to India, Khulna, Sylhet, and Rajbari (Daulatdia, the largest brothel).
HOTSPOT_WEIGHT = {
    "BD3026": 3.0, "BD2015": 2.5, "BD2022": 4.0, "BD4041": 3.0, "BD4087": 2.0,
    "BD4047": 2.0, "BD6091": 2.2, "BD3082": 2.5, "BD3067": 1.5,
}
# The second wave covers the rest of these divisions; the third, the remaining four.
SECOND_WAVE_DIVISIONS = ("BD20", "BD30", "BD40", "BD60")
# Years after program start when each wave's reporting reaches half its full level.
WAVE_RAMP_MIDPOINT_YEARS = (0.6, 1.6, 2.6)


def _daily_intensity(days: np.ndarray, first_day: int, wave: int) -> np.ndarray:
    """Relative reporting per day: a logistic roll-out ramp, then slower growth as awareness spreads,
    times the month's and the weekday's factors."""
    years_in = (days - first_day) / 365.25
    ramp = 0.12 + 0.88 / (1 + np.exp(-(years_in - WAVE_RAMP_MIDPOINT_YEARS[wave]) / 0.45))
    ramp *= 1 + 0.08 * years_in
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    return ramp * MONTHLY_SEASONALITY[month] * WEEKDAY_FACTOR[weekday]


@dataclass(frozen=True)
class _Districts:
    codes: np.ndarray  # the 64 district P-codes, sorted
    weights: np.ndarray  # relative caseload
    wave: np.ndarray  # roll-out wave 0..2
    upazila_codes: np.ndarray  # all upazilas, grouped by district in `codes` order
    upazila_start: np.ndarray  # index of each district's first upazila
    upazila_count: np.ndarray

    def intensity(self, days: np.ndarray, first_day: int) -> np.ndarray:
        """National reporting per day: the waves' curves weighted by their districts' caseloads."""
        wave_weight = np.bincount(self.wave, weights=self.weights, minlength=3)
        return sum(wave_weight[w] * _daily_intensity(days, first_day, w) for w in range(3))


def _district_profile(gazetteer: Gazetteer, rng: np.random.Generator) -> _Districts:
    codes = np.array(gazetteer.district_codes)
    population = np.array([DISTRICT_POPULATION_2022_M[code] for code in codes])
    hotspot = np.array([HOTSPOT_WEIGHT.get(code, 1.0) for code in codes])
    # Caseload grows less than proportionally with population; the lognormal factor makes
    # neighbouring districts of the same size differ as much as they do in real case data.
    weights = population**0.8 * hotspot * rng.lognormal(0.0, 0.5, len(codes))
    second_wave = np.array([code[:4] in SECOND_WAVE_DIVISIONS for code in codes])
    wave = np.where(hotspot > 1, 0, np.where(second_wave, 1, 2))
    upazilas = [[area.pcode for area in gazetteer.children(code)] for code in codes]
    count = np.array([len(group) for group in upazilas])
    return _Districts(
        codes=codes,
        weights=weights / weights.sum(),
        wave=wave,
        upazila_codes=np.array([code for group in upazilas for code in group]),
        upazila_start=np.concatenate([[0], np.cumsum(count)[:-1]]),
        upazila_count=count,
    )


def _sample_days(rng: np.random.Generator, intensity: np.ndarray, first_day: int, size: int) -> np.ndarray:
    cumulative = np.cumsum(intensity)
    return first_day + np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")


# --- Small sampling helpers -----------------------------------------------------------------------


def _categorical(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category index per row of a (rows x categories) array of weights."""
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(len(cumulative)) * cumulative[:, -1]
    return np.minimum((draws[:, None] >= cumulative).sum(axis=1), weights.shape[1] - 1)


def _choice(rng: np.random.Generator, weights: dict, size: int) -> np.ndarray:
    """The dict's keys, drawn with its values as weights."""
    p = np.array(list(weights.values()), dtype=float)
    return np.array(list(weights))[rng.choice(len(p), size=size, p=p / p.sum())]


def _draw(rng: np.random.Generator, allowed: tuple[str, ...], shares: dict[str, float], size: int) -> np.ndarray:
    """Codes into the contract's allowed values, drawn with {label: share} (absent labels: never)."""
    p = _codes(allowed, shares)
    return rng.choice(len(allowed), size=size, p=p / p.sum())


def _codes(allowed: tuple[str, ...], shares: dict[str, float]) -> np.ndarray:
    """Shares in the contract's order of allowed values."""
    return np.array([shares.get(label, 0.0) for label in allowed])


def _lognormal_days(rng: np.random.Generator, median: float, sigma: float, size: int) -> np.ndarray:
    """Whole days, at least 1, with a long right tail."""
    return np.ceil(median * rng.lognormal(0.0, sigma, size)).astype(np.int64)


def _after(rng, previous: np.ndarray, delay: np.ndarray, probability, last: int) -> np.ndarray:
    """previous + delay for the rows where previous happened, the draw succeeds and the result is not after `last`."""
    happens = (previous != NULL) & (rng.random(len(previous)) < probability)
    result = np.where(happens, previous + delay, NULL)
    result[result > last] = NULL  # would lie in the future: has not happened yet
    return result


def _ids(prefix: str, count: int) -> np.ndarray:
    width = max(6, len(str(count)))
    return prefix + np.strings.zfill(np.arange(1, count + 1).astype(str), width)


def _labels(allowed: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    """Text for codes; NULL codes become '' (missing)."""
    return np.array(list(allowed) + [""])[codes]  # code -1 picks the trailing ''


def _group_rank(group_sizes: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each group of rows laid out group after group."""
    starts = np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    return np.arange(group_sizes.sum()) - starts


def _local_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds after local midnight, mostly in office and evening hours."""
    hourly = np.array([1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 11, 10, 9, 8, 7, 6, 5, 4, 2, 1], float)
    hour = rng.choice(24, size=size, p=hourly / hourly.sum())
    return hour * 3600 + rng.integers(0, 3600, size)


def _utc_timestamp(days: np.ndarray, local_seconds: np.ndarray, calendar: _Calendar) -> np.ndarray:
    """UTC seconds of a local time, not before the program starts (early-morning BST is the previous UTC day)."""
    return np.maximum(days * DAY_S + local_seconds - BANGLADESH_UTC_OFFSET_S, calendar.first_day * DAY_S)


def _group_cumsum(values: np.ndarray, group_sizes: np.ndarray) -> np.ndarray:
    """Running totals restarting at each group of rows laid out group after group (no empty groups)."""
    totals = np.cumsum(values)
    starts = np.cumsum(group_sizes) - group_sizes
    return totals - np.repeat(totals[starts] - values[starts], group_sizes)


# --- Case database --------------------------------------------------------------------------------

CASE_TYPE_SHARES = {"csec": 0.30, "osec": 0.07, "sex_trafficking": 0.27,
                    "labour_trafficking": 0.12, "child_labour": 0.16, "other": 0.08}
# Source shares per case type, columns in CASE_SOURCES order (police, ctc, hotline, ngo, online, other).
SOURCE_BY_TYPE = np.array([
    [0.30, 0.15, 0.22, 0.25, 0.03, 0.05],  # csec
    [0.15, 0.02, 0.20, 0.08, 0.50, 0.05],  # osec
    [0.30, 0.25, 0.15, 0.22, 0.03, 0.05],  # sex_trafficking
    [0.25, 0.25, 0.18, 0.22, 0.03, 0.07],  # labour_trafficking
    [0.15, 0.20, 0.25, 0.30, 0.02, 0.08],  # child_labour
    [0.25, 0.15, 0.20, 0.25, 0.05, 0.10],  # other
])
# Sex shares per case type, columns in SEXES order (female, male, other, unknown).
SEX_BY_TYPE = np.array([
    [0.92, 0.05, 0.01, 0.02],
    [0.80, 0.17, 0.01, 0.02],
    [0.90, 0.07, 0.01, 0.02],
    [0.35, 0.62, 0.00, 0.03],
    [0.40, 0.57, 0.00, 0.03],
    [0.70, 0.26, 0.01, 0.03],
])
AGE_WEIGHTS = {8: 1, 9: 1, 10: 2, 11: 3, 12: 5, 13: 9, 14: 12, 15: 14, 16: 14, 17: 12,
               18: 6, 19: 5, 20: 4, 21: 3, 22: 2, 23: 2, 24: 1, 25: 1}
ACCUSED_PER_CASE = {0: 0.22, 1: 0.38, 2: 0.22, 3: 0.12, 4: 0.06}
ROLE_SHARES = {"trafficker": 0.35, "establishment_owner": 0.20, "customer": 0.15, "facilitator": 0.22, "other": 0.08}
# Assessment domains in ASSESSMENT_DOMAINS order: safety comes back first, income last.
DOMAIN_OFFSET = np.array([0.4, -0.2, -0.1, -0.5, 0.1, 0.3])


@dataclass(frozen=True)
class _CaseData:
    """What the referral database needs to know about the cases."""
    district: np.ndarray  # index into _Districts.codes
    case_type: np.ndarray
    reported: np.ndarray
    case_ref: np.ndarray  # '' when the case has none


@dataclass(frozen=True)
class _VictimData:
    case: np.ndarray  # index of the victim's case
    identified: np.ndarray


def _write_case_database(path, rng, n, districts, gazetteer, calendar, row_counts):
    """Writes every table of the case database; returns what later steps need and the yearly actuals."""
    tables = _case_tables()
    with _sqlite_build(path, tables) as conn:
        case_data, case_columns = _cases(rng, n, districts, calendar)
        victim_columns, victim_data = _victims(rng, case_data, case_columns["case_id"], calendar)
        case_columns["closed_on"] = _closed_on(rng, case_data, victim_data, victim_columns, calendar)
        row_counts["cases"] = _insert(conn, tables["cases"], case_columns)
        row_counts["victims"] = _insert(conn, tables["victims"], victim_columns)

        accused_case = np.repeat(np.arange(n), _choice(rng, ACCUSED_PER_CASE, n))
        accused_ids = _ids("A-", len(accused_case))
        row_counts["accused"] = _insert(conn, tables["accused"], {
            "accused_id": accused_ids,
            "case_id": case_columns["case_id"][accused_case],
            "role": _labels(schema.ACCUSED_ROLES, _draw(rng, schema.ACCUSED_ROLES, ROLE_SHARES, len(accused_case))),
        })
        event_columns, legal_actuals = _legal_events(rng, case_data, accused_case, calendar)
        event_columns["case_id"] = case_columns["case_id"][event_columns.pop("case")]
        event_columns["accused_id"] = np.append(accused_ids, "")[event_columns.pop("accused")]  # NULL picks ''

        row_counts["legal_events"] = _insert(conn, tables["legal_events"], event_columns)
        del event_columns, accused_ids

        assessment_columns, survivors_assessed = _assessments(rng, victim_columns, calendar)
        row_counts["survivor_assessments"] = _insert(conn, tables["survivor_assessments"], assessment_columns)
        del assessment_columns

        row_counts["district_population"] = _insert(
            conn, tables["district_population"], _district_population(districts.codes, calendar.years)
        )
        row_counts["prevalence_studies"] = _insert(
            conn, tables["prevalence_studies"], _prevalence_studies(rng, gazetteer, calendar)
        )
    actuals = {
        "cases_reported": _per_year(case_data.reported, calendar),
        "victims_identified": _per_year(victim_data.identified, calendar),
        "minors_identified": _per_year(
            victim_data.identified[(victim_columns["age_at_identification"] != NULL)
                                   & (victim_columns["age_at_identification"] < 18)], calendar),
        "victims_brought_to_safety": _per_year(victim_columns["brought_to_safety_on"], calendar),
        "survivors_assessed": survivors_assessed,
        **legal_actuals,
    }
    return case_data, victim_data, actuals


def _case_tables() -> dict[str, Table]:
    """The contract's case tables, with the synthetic identifying columns the app must never read."""
    metadata = MetaData()
    tables = {name: table.to_metadata(metadata) for name, table in schema.cases_metadata.tables.items()}
    for name in ("full_name", "phone", "address"):
        tables["victims"].append_column(Column(name, Text))
    return tables


def _cases(rng, n, districts: _Districts, calendar: _Calendar) -> tuple[_CaseData, dict]:
    district, reported = _case_places_and_days(rng, n, districts, calendar)
    case_type = _case_types(rng, district, reported, districts, calendar)
    source = _categorical(rng, SOURCE_BY_TYPE[case_type])
    upazila = districts.upazila_start[district] + (rng.random(n) * districts.upazila_count[district]).astype(np.int64)
    upazila_codes = np.where(rng.random(n) < 0.10, "", districts.upazila_codes[upazila])
    has_ref = rng.random(n) < 0.90
    case_ref = np.full(n, "", dtype=f"<U{3 + max(6, len(str(n)))}")
    case_ref[has_ref] = _ids("CR-", int(has_ref.sum()))
    columns = {
        "case_id": _ids("C-", n),
        "case_ref": case_ref,
        "case_type": _labels(schema.CASE_TYPES, case_type),
        "district_pcode": districts.codes[district],
        "upazila_pcode": upazila_codes,
        "source": _labels(schema.CASE_SOURCES, source),
        "reported_on": reported,
    }
    return _CaseData(district, case_type, reported, case_ref), columns


def _case_places_and_days(rng, n, districts: _Districts, calendar: _Calendar):
    """District and report day per case, in date order, every district at least once."""
    days = calendar.days
    wave_curves = [_daily_intensity(days, calendar.first_day, wave) for wave in range(3)]
    mass = districts.weights * np.array([wave_curves[w].sum() for w in districts.wave])
    district = rng.choice(len(mass), size=n, p=mass / mass.sum())
    if n >= len(mass):
        district[rng.choice(n, size=len(mass), replace=False)] = np.arange(len(mass))
    reported = np.empty(n, dtype=np.int64)
    for wave, curve in enumerate(wave_curves):
        in_wave = districts.wave[district] == wave
        reported[in_wave] = _sample_days(rng, curve, calendar.first_day, int(in_wave.sum()))
    order = np.argsort(reported, kind="stable")
    return district[order], reported[order]


def _case_types(rng, district, reported, districts: _Districts, calendar: _Calendar) -> np.ndarray:
    """Each district has its own mix; online exploitation grows over the years as phones spread."""
    base = _codes(schema.CASE_TYPES, CASE_TYPE_SHARES)
    district_mix = rng.dirichlet(base * 40, size=len(districts.codes))
    weights = district_mix[district]
    weights[:, schema.CASE_TYPES.index("osec")] *= 1 + 1.5 * calendar.progress(reported)
    return _categorical(rng, weights)


def _victims(rng, cases: _CaseData, case_ids: np.ndarray, calendar: _Calendar) -> tuple[dict, _VictimData]:
    n_cases = len(cases.reported)
    case = np.repeat(np.arange(n_cases), rng.choice([1, 2, 3], size=n_cases, p=[0.78, 0.15, 0.07]))
    # Most victims are identified the day the case is reported, others within weeks.
    delay = np.where(rng.random(len(case)) < 0.45, 0, 1 + np.floor(rng.exponential(10, len(case))).astype(np.int64))
    identified = cases.reported[case] + delay
    kept = identified <= calendar.last_day
    case, identified = case[kept], identified[kept]
    n = len(case)

    age = _choice(rng, AGE_WEIGHTS, n)
    age[rng.random(n) < 0.10] = NULL
    to_safety = np.where(rng.random(n) < 0.35, 0, _lognormal_days(rng, 8, 0.8, n))
    number = np.strings.zfill(np.arange(1, n + 1).astype(str), max(6, len(str(n))))
    columns = {
        "victim_id": _ids("V-", n),
        "case_id": case_ids[case],
        "sex": _labels(schema.SEXES, _categorical(rng, SEX_BY_TYPE[cases.case_type[case]])),
        "age_at_identification": age,
        "identified_on": identified,
        "brought_to_safety_on": _after(rng, identified, to_safety, 0.78, calendar.last_day),
        "full_name": "Synthetic Person " + number,
        "phone": "+880-0000-" + number,
        "address": "House " + number + ", Synthetic Road, Nowhere",
    }
    return columns, _VictimData(case, identified)


def _closed_on(rng, cases: _CaseData, victims: _VictimData, victim_columns: dict, calendar: _Calendar):
    """Most cases close within months, never before their victims are identified and safe."""
    n = len(cases.reported)
    latest_victim_day = cases.reported.copy()
    np.maximum.at(latest_victim_day, victims.case, victims.identified)
    np.maximum.at(latest_victim_day, victims.case, victim_columns["brought_to_safety_on"])
    return _after(rng, latest_victim_day, _lognormal_days(rng, 150, 0.8, n), 0.75, calendar.last_day)


def _legal_events(rng, cases: _CaseData, accused_case: np.ndarray, calendar: _Calendar):
    """Complaint, arrest, charge sheet, trial, verdict and appeal, each following the one before.

    Investigations take months and trials years, so recent cases rarely have a verdict.
    Charge sheet, trial and verdict are case-level dates recorded on each charged accused.
    """
    n, m, last = len(cases.reported), len(accused_case), calendar.last_day
    has_accused = np.bincount(accused_case, minlength=n) > 0
    complaint_delay = np.where(rng.random(n) < 0.5, 0, 1 + np.floor(rng.exponential(5, n)).astype(np.int64))
    complaint = _after(rng, cases.reported, complaint_delay, np.where(has_accused, 0.92, 0.45), last)
    # A later complaint (new accused, amended facts); indicators use the earliest.
    second_complaint = _after(rng, complaint, rng.integers(30, 241, n), 0.08, last)
    charge = _after(rng, np.where(has_accused, complaint, NULL), _lognormal_days(rng, 150, 0.6, n), 0.75, last)
    trial = _after(rng, charge, _lognormal_days(rng, 200, 0.6, n), 0.85, last)
    verdict_day = _after(rng, trial, _lognormal_days(rng, 420, 0.6, n), 0.92, last)

    named = rng.random(m) < 0.85  # accused named on the charge sheet

    def on_sheet(per_case: np.ndarray) -> np.ndarray:
        return np.where(named, per_case[accused_case], NULL)

    arrest = _after(rng, complaint[accused_case], np.floor(rng.exponential(20, m)).astype(np.int64), 0.55, last)
    accused_verdict_day = on_sheet(verdict_day)
    verdict = _verdict_types(rng, accused_verdict_day, calendar)
    appeal_chance = np.where(verdict == schema.LEGAL_EVENT_TYPES.index("convicted"), 0.35, 0.12)
    appeal = _after(rng, np.where(verdict == schema.LEGAL_EVENT_TYPES.index("dismissed"), NULL, accused_verdict_day),
                    15 + np.floor(rng.exponential(30, m)).astype(np.int64), appeal_chance, last)

    case_index, accused_index = np.arange(n), np.arange(m)
    code = schema.LEGAL_EVENT_TYPES.index
    parts = [
        (case_index, np.full(n, NULL), code("complaint_filed"), complaint),
        (case_index, np.full(n, NULL), code("complaint_filed"), second_complaint),
        (accused_case, accused_index, code("arrest"), arrest),
        (accused_case, accused_index, code("charge_sheet"), on_sheet(charge)),
        (accused_case, accused_index, code("trial_started"), on_sheet(trial)),
        (accused_case, accused_index, verdict, accused_verdict_day),
        (accused_case, accused_index, code("appeal_filed"), appeal),
    ]
    case_of, accused_of, event_type, day = (
        np.concatenate([np.broadcast_to(part[i], (len(part[0]),)) for part in parts]) for i in range(4)
    )
    happened = day != NULL
    case_of, accused_of, event_type, day = case_of[happened], accused_of[happened], event_type[happened], day[happened]
    order = np.lexsort((event_type, accused_of, case_of, day))
    columns = {
        "event_id": _ids("E-", len(order)),
        "case": case_of[order],
        "accused": accused_of[order],
        "event_type": _labels(schema.LEGAL_EVENT_TYPES, event_type[order]),
        "event_on": day[order],
    }
    charge_sheet = event_type == code("charge_sheet")
    actuals = {
        "charge_sheets_filed": _distinct_per_year(case_of[charge_sheet], day[charge_sheet], calendar),
        "accused_convicted": _per_year(day[event_type == code("convicted")], calendar),
    }
    return columns, actuals


def _verdict_types(rng, verdict_day: np.ndarray, calendar: _Calendar) -> np.ndarray:
    """Convicted, acquitted or dismissed; convictions rise as prosecutors get program support."""
    m = len(verdict_day)
    convicted_share = 0.30 + 0.14 * calendar.progress(verdict_day)
    weights = np.stack([convicted_share, 0.86 - convicted_share, np.full(m, 0.14)], axis=1)
    code = schema.LEGAL_EVENT_TYPES.index
    verdict_codes = np.array([code("convicted"), code("acquitted"), code("dismissed")])
    return verdict_codes[_categorical(rng, weights)]


def _assessments(rng, victims: dict, calendar: _Calendar) -> tuple[dict, dict[int, float]]:
    """1-4 quarterly-ish sessions for about a third of victims, mostly those in shelter care.

    Scores start mostly at 1-2 and improve session by session, at a pace that differs by domain.
    """
    safe = victims["brought_to_safety_on"] != NULL
    assessed = rng.random(len(safe)) < np.where(safe, 0.45, 0.05)
    victim = np.flatnonzero(assessed)
    sessions = rng.choice([1, 2, 3, 4], size=len(victim), p=[0.30, 0.30, 0.22, 0.18])
    victim = np.repeat(victim, sessions)
    session = _group_rank(sessions)
    anchor = np.where(safe[victim], victims["brought_to_safety_on"][victim], victims["identified_on"][victim])
    gap = np.where(session == 0, 10 + np.floor(rng.exponential(25, len(victim))),
                   75 + np.floor(rng.exponential(60, len(victim)))).astype(np.int64)
    day = anchor + _group_cumsum(gap, sessions)
    held = day <= calendar.last_day  # sessions are in date order, so this drops trailing future ones
    victim, session, day = victim[held], session[held], day[held]

    domains = len(schema.ASSESSMENT_DOMAINS)
    progress = 1.4 + 0.85 * session + rng.normal(0, 0.4, len(victim))  # victims differ in how fast they recover
    noise = rng.normal(0, 0.5, len(victim) * domains)
    latent = np.repeat(progress, domains) + np.tile(DOMAIN_OFFSET, len(victim)) + noise
    columns = {
        "assessment_id": _ids("S-", len(victim) * domains),
        "victim_id": victims["victim_id"][np.repeat(victim, domains)],
        "assessed_on": np.repeat(day, domains),
        "domain": np.tile(np.array(schema.ASSESSMENT_DOMAINS), len(victim)),
        "score": np.clip(np.rint(latent), 1, 4).astype(np.int64),
    }
    return columns, _distinct_per_year(victim, day, calendar)


# District populations in millions, rounded from the 2022 census; synthetic data needs only
# the right magnitudes. Growth per year: 1.2 %, faster around the capital.
DISTRICT_POPULATION_2022_M = {
    "BD1004": 1.01, "BD1006": 2.57, "BD1009": 1.93, "BD1042": 0.66, "BD1078": 1.73, "BD1079": 1.20,
    "BD2003": 0.48, "BD2012": 3.31, "BD2013": 2.64, "BD2015": 9.17, "BD2019": 6.21, "BD2022": 2.82,
    "BD2030": 1.65, "BD2046": 0.71, "BD2051": 1.94, "BD2075": 3.63, "BD2084": 0.65,
    "BD3026": 14.73, "BD3029": 2.16, "BD3033": 5.26, "BD3035": 1.30, "BD3048": 3.27, "BD3054": 1.29,
    "BD3056": 1.56, "BD3059": 1.63, "BD3067": 3.91, "BD3068": 2.58, "BD3082": 1.19, "BD3086": 1.29,
    "BD3093": 4.04,
    "BD4001": 1.61, "BD4018": 1.23, "BD4041": 3.08, "BD4044": 2.01, "BD4047": 2.61, "BD4050": 2.15,
    "BD4055": 1.03, "BD4057": 0.71, "BD4065": 0.79, "BD4087": 2.20,
    "BD4539": 2.50, "BD4561": 5.90, "BD4572": 2.32, "BD4589": 1.55,
    "BD5010": 3.73, "BD5038": 0.96, "BD5064": 2.78, "BD5069": 1.86, "BD5070": 1.84, "BD5076": 2.91,
    "BD5081": 2.92, "BD5088": 3.36,
    "BD5527": 3.32, "BD5532": 2.56, "BD5549": 2.33, "BD5552": 1.43, "BD5573": 1.99, "BD5577": 1.18,
    "BD5585": 3.17, "BD5594": 1.55,
    "BD6036": 2.36, "BD6058": 2.12, "BD6090": 2.70, "BD6091": 3.86,
}
FAST_GROWING = {"BD3026": 0.022, "BD3033": 0.025, "BD3067": 0.02}
# Share of under-18s by division (higher fertility in Sylhet and Mymensingh), lower in the capital.
CHILD_SHARE_BY_DIVISION = {"BD10": 0.38, "BD20": 0.40, "BD30": 0.37, "BD40": 0.35,
                           "BD45": 0.41, "BD50": 0.37, "BD55": 0.39, "BD60": 0.42}
CHILD_SHARE_OVERRIDE = {"BD3026": 0.31, "BD3033": 0.33, "BD3067": 0.33}


def _district_population(codes: np.ndarray, years: tuple[int, ...]) -> dict:
    """Every district x program year; the same for every seed, like a census projection."""
    district = np.repeat(codes, len(years))
    year = np.tile(np.array(years), len(codes))
    base = np.array([DISTRICT_POPULATION_2022_M[code] * 1e6 for code in district])
    growth = np.array([FAST_GROWING.get(code, 0.012) for code in district])
    population = np.rint(base * (1 + growth) ** (year - 2022)).astype(np.int64)
    child_share = np.array([CHILD_SHARE_OVERRIDE.get(code, CHILD_SHARE_BY_DIVISION[code[:4]]) for code in district])
    child_share = child_share - 0.002 * (year - 2022)  # fertility keeps falling
    return {
        "district_pcode": district,
        "year": year,
        "population": population,
        "child_population": np.rint(population * child_share).astype(np.int64),
    }


# Study areas: baseline share of minors among people in the commercial sex trade, and how
# much it falls by the latest round (None: no later round yet; 1.0: no minor found).
PREVALENCE_AREAS = (
    (NATIONAL, 0.32, 0.62),
    ("BD30", 0.35, 0.72),
    ("BD20", 0.30, 0.50),
    ("BD40", 0.28, 0.33),
    ("BD3026", 0.42, 0.88),
    ("BD2022", 0.45, 0.86),
    ("BD2015", 0.33, 0.52),
    ("BD4041", 0.38, 0.44),
    ("BD6091", 0.26, 0.04),
    ("BD4047", 0.30, None),
    ("BD3093", 0.22, 1.0),
)
ROUND_YEARS = {"baseline": 0, "midline": 2, "endline": 4}
MIDLINE_SHARE_OF_REDUCTION = 0.55


def _prevalence_studies(rng, gazetteer: Gazetteer, calendar: _Calendar) -> dict:
    """Baseline, midline (about two years on) and endline (four years on) rounds held before `end`."""
    rows = []
    for area, baseline_share, reduction in PREVALENCE_AREAS:
        baseline_day = calendar.first_day - int(rng.integers(0, 300)) + 90
        held = [(name, baseline_day + int(round(years * 365.25)) + int(rng.integers(-45, 46)))
                for name, years in ROUND_YEARS.items()]
        held = [(name, day) for name, day in held if day <= calendar.last_day]
        if reduction is None:
            held = held[:1]
        for index, (name, day) in enumerate(held):
            individuals = int(rng.integers(150, 601))
            if index == 0:
                share = baseline_share
            else:
                achieved = reduction if index == len(held) - 1 else reduction * MIDLINE_SHARE_OF_REDUCTION
                share = baseline_share * (1 - achieved)
            rows.append((f"PS-{area}-{name}", area, _area_name(gazetteer, area), name, day,
                         individuals, int(round(individuals * share))))
    columns = ("study_id", "area_pcode", "area_name", "round", "fieldwork_end", "individuals_observed",
               "minors_observed")
    return {name: np.array(values) for name, values in zip(columns, zip(*rows))}


def _area_name(gazetteer: Gazetteer, pcode: str) -> str:
    """Divisions share names with their capital district: say which one is meant."""
    name = gazetteer.name(pcode)
    return f"{name} Division" if gazetteer.areas[pcode].level == "division" else name


# --- Referral database ----------------------------------------------------------------------------

CHANNEL_SHARES = {"hotline": 0.42, "web": 0.12, "mobile_app": 0.10, "ctc": 0.18, "walk_in": 0.12, "other": 0.06}
UNLINKED_CATEGORY_SHARES = {"csec": 0.22, "child_trafficking": 0.20, "child_labour": 0.22,
                            "labour_trafficking": 0.12, "sex_trafficking": 0.12, "other": 0.12}
# The report category an intake officer records for each case type (CASE_TYPES order).
CATEGORY_FOR_CASE_TYPE = ("csec", "csec", "sex_trafficking", "labour_trafficking", "child_labour", "other")
FIRST_SERVICE_SHARES = {"medical": 0.30, "psychosocial": 0.25, "legal_aid": 0.10, "shelter": 0.25,
                        "repatriation": 0.06, "family_reintegration": 0.02, "education": 0.01, "livelihood": 0.01}
LATER_SERVICE_SHARES = {"medical": 0.08, "psychosocial": 0.20, "legal_aid": 0.22, "shelter": 0.05,
                        "repatriation": 0.03, "family_reintegration": 0.17, "education": 0.12, "livelihood": 0.13}
URGENT_SHARE_BY_SERVICE = np.array([0.55, 0.25, 0.12, 0.5, 0.3, 0.05, 0.02, 0.02])  # SERVICE_TYPES order
PROVIDER_SHARES = {"government": 0.40, "ngo": 0.52, "other": 0.08}
SERVED_OUTCOMES = {"completed": 0.84, "transferred": 0.10, "declined": 0.06}
UNSERVED_OUTCOMES = {"no_contact": 0.55, "declined": 0.45}
NATIONAL_SHELTER_DISTRICT = "BD3026"


@dataclass(frozen=True)
class _Reports:
    received_at: np.ndarray
    district: np.ndarray  # index into _Districts.codes, NULL when unknown
    case: np.ndarray  # index of the linked case, NULL when none


def _write_referral_database(path, rng, cases: _CaseData, victims: _VictimData, districts, calendar, row_counts):
    metadata = MetaData()
    tables = {name: table.to_metadata(metadata) for name, table in schema.referrals_metadata.tables.items()}
    with _sqlite_build(path, tables) as conn:
        reports, report_columns = _reports(rng, cases, districts, calendar)
        row_counts["reports"] = _insert(conn, tables["reports"], report_columns)
        referral_columns = _referrals(rng, reports, report_columns["report_id"], cases, victims, districts, calendar)
        row_counts["referrals"] = _insert(conn, tables["referrals"], referral_columns)
    referred_day = referral_columns["referred_at"] // DAY_S
    return {
        "reports_received": _per_year(reports.received_at // DAY_S, calendar),
        "referrals_made": _per_year(referred_day, calendar),
    }


def _reports(rng, cases: _CaseData, districts: _Districts, calendar: _Calendar) -> tuple[_Reports, dict]:
    """About 1.3 reports per case; 60 % concern a registered case, usually received just before it."""
    total = round(1.3 * len(cases.reported))
    linked = round(0.6 * total)
    with_ref = np.flatnonzero(cases.case_ref != "")
    case = rng.choice(with_ref, size=linked if len(with_ref) else 0)
    lead = np.where(rng.random(len(case)) < 0.6, 0, 1 + np.floor(rng.exponential(2, len(case))).astype(np.int64))
    linked_day = np.maximum(cases.reported[case] - lead, calendar.first_day)
    linked_district = np.where(rng.random(len(case)) < 0.05, NULL, cases.district[case])

    unlinked = total - len(case)
    national_intensity = districts.intensity(calendar.days, calendar.first_day)
    unlinked_day = _sample_days(rng, national_intensity, calendar.first_day, unlinked)
    unlinked_district = np.where(rng.random(unlinked) < 0.27, NULL,
                                 rng.choice(len(districts.codes), size=unlinked, p=districts.weights))

    day = np.concatenate([linked_day, unlinked_day])
    received_at = _utc_timestamp(day, _local_seconds(rng, total), calendar)
    case = np.concatenate([case, np.full(unlinked, NULL)])
    district = np.concatenate([linked_district, unlinked_district])
    category = _report_categories(rng, cases, case)
    channel = _report_channels(rng, day, calendar)

    order = np.argsort(received_at, kind="stable")
    order = order[received_at[order] < calendar.horizon_s]
    reports = _Reports(received_at[order], district[order], case[order])
    columns = {
        "report_id": _ids("R-", len(order)),
        "received_at": reports.received_at,
        "channel": _labels(schema.REPORT_CHANNELS, channel[order]),
        "category": _labels(schema.REPORT_CATEGORIES, category[order]),
        "district_pcode": np.append(districts.codes, "")[reports.district],
        "case_ref": np.append(cases.case_ref, "")[reports.case],
    }
    return reports, columns


def _report_categories(rng, cases: _CaseData, case: np.ndarray) -> np.ndarray:
    """Linked reports mostly carry their case's type; intake misclassifies one in five."""
    category_of_type = np.array([schema.REPORT_CATEGORIES.index(c) for c in CATEGORY_FOR_CASE_TYPE])
    random_category = _draw(rng, schema.REPORT_CATEGORIES, UNLINKED_CATEGORY_SHARES, len(case))
    faithful = (case != NULL) & (rng.random(len(case)) < 0.8)
    return np.where(faithful, category_of_type[cases.case_type[case]], random_category)


def _report_channels(rng, day: np.ndarray, calendar: _Calendar) -> np.ndarray:
    """The mobile app, launched with the program, gains users year by year."""
    weights = np.tile(_codes(schema.REPORT_CHANNELS, CHANNEL_SHARES), (len(day), 1))
    weights[:, schema.REPORT_CHANNELS.index("mobile_app")] *= 0.3 + 1.6 * calendar.progress(day)
    return _categorical(rng, weights)


def _referrals(rng, reports: _Reports, report_ids, cases: _CaseData, victims: _VictimData, districts, calendar):
    """About 1.5 referrals per victim of a reported case, plus referrals of reports without a case."""
    first_report = np.full(len(cases.reported), np.iinfo(np.int64).max)
    linked = np.flatnonzero(reports.case != NULL)
    np.minimum.at(first_report, reports.case[linked], linked)
    reported_victims = np.flatnonzero(first_report[victims.case] < len(reports.received_at))
    per_victim = rng.poisson(1.5, len(reported_victims))
    victim = np.repeat(reported_victims, per_victim)
    nth = _group_rank(per_victim)
    case = victims.case[victim]
    report = first_report[case]
    # First referral within hours of identification (never before the report), later ones over weeks.
    identified_at = _utc_timestamp(victims.identified[victim], _local_seconds(rng, len(victim)), calendar)
    lag_s = np.where(nth == 0, 3600 * rng.lognormal(np.log(3), 0.8, len(victim)),
                     DAY_S * (1 + rng.exponential(12, len(victim))))
    case_referred_at = np.maximum(identified_at, reports.received_at[report]) + lag_s.astype(np.int64)

    without_case = np.flatnonzero(reports.case == NULL)
    extra = rng.choice(without_case, size=min(len(without_case), round(0.25 * len(victim))), replace=False)
    extra_referred_at = reports.received_at[extra] + (3600 * rng.lognormal(np.log(4), 1.0, len(extra))).astype(np.int64)
    walk_in = rng.random(len(extra)) < 0.2  # walked straight into a service: no report on file
    extra_report = np.where(walk_in, NULL, extra)
    extra_district = np.where(reports.district[extra] == NULL,
                              rng.choice(len(districts.codes), size=len(extra), p=districts.weights),
                              reports.district[extra])

    referred_at = np.concatenate([case_referred_at, extra_referred_at])
    report_of = np.concatenate([report, extra_report])
    case_of = np.concatenate([case, np.full(len(extra), NULL)])
    district = np.concatenate([cases.district[case], extra_district])
    later = np.concatenate([nth > 0, np.zeros(len(extra), bool)])
    return _referral_columns(rng, referred_at, report_of, case_of, district, later, report_ids, cases, districts,
                             calendar)


def _referral_columns(rng, referred_at, report, case, district, later, report_ids, cases, districts, calendar):
    n = len(referred_at)
    service = np.where(later, _draw(rng, schema.SERVICE_TYPES, LATER_SERVICE_SHARES, n),
                       _draw(rng, schema.SERVICE_TYPES, FIRST_SERVICE_SHARES, n))
    urgent = rng.random(n) < URGENT_SHARE_BY_SERVICE[service]
    national_shelter = np.isin(service, [schema.SERVICE_TYPES.index(s) for s in ("shelter", "repatriation")])
    to_capital = national_shelter & (rng.random(n) < 0.3)
    district_codes = np.where(to_capital, NATIONAL_SHELTER_DISTRICT, districts.codes[district])
    accepted_at, first_service_at, closed_at, outcome = _referral_progress(rng, referred_at, urgent, calendar)

    kept = referred_at < calendar.horizon_s
    order = np.flatnonzero(kept)[np.argsort(referred_at[kept], kind="stable")]
    return {
        "referral_id": _ids("F-", len(order)),
        "report_id": np.append(report_ids, "")[report[order]],
        "case_ref": np.append(cases.case_ref, "")[case[order]],
        "district_pcode": district_codes[order],
        "service_type": _labels(schema.SERVICE_TYPES, service[order]),
        "provider_type": _labels(schema.PROVIDER_TYPES, _draw(rng, schema.PROVIDER_TYPES, PROVIDER_SHARES, n)[order]),
        "urgency": np.where(urgent[order], "urgent", "routine"),
        "referred_at": referred_at[order],
        "accepted_at": accepted_at[order],
        "first_service_at": first_service_at[order],
        "closed_at": closed_at[order],
        "outcome": _labels(schema.REFERRAL_OUTCOMES, outcome[order]),
    }


def _referral_progress(rng, referred_at: np.ndarray, urgent: np.ndarray, calendar: _Calendar):
    """Acceptance, first service (long-tailed delay, urgent faster, quicker as the program matures), closure."""
    n, horizon = len(referred_at), calendar.horizon_s
    median_hours = np.where(urgent, 11.0, 53.0) * (1.35 - 0.6 * calendar.progress(referred_at / DAY_S))
    service_delay = (3600 * median_hours * rng.lognormal(0.0, 1.4, n)).astype(np.int64)
    to_be_served = rng.random(n) < 0.89
    first_service_at = np.where(to_be_served, referred_at + service_delay, NULL)
    first_service_at[first_service_at >= horizon] = NULL  # not yet served

    acceptance_delay = np.where(to_be_served, service_delay * rng.uniform(0.05, 0.5, n),
                                3600 * rng.lognormal(np.log(5), 1.0, n)).astype(np.int64)
    accepted_at = np.where(rng.random(n) < 0.93, referred_at + acceptance_delay, NULL)
    accepted_at[accepted_at >= horizon] = NULL

    served = first_service_at != NULL
    declined_unserved = ~to_be_served & (rng.random(n) < 0.7)
    closing_delay = np.where(served, DAY_S * rng.lognormal(np.log(25), 0.8, n),
                             DAY_S * (7 + rng.exponential(20, n))).astype(np.int64)
    closed_at = np.where(served & (rng.random(n) < 0.9), first_service_at + closing_delay,
                         np.where(declined_unserved, referred_at + closing_delay, NULL))
    closed_at = np.where(closed_at != NULL, np.maximum(closed_at, accepted_at), NULL)  # closes after acceptance
    closed_at[closed_at >= horizon] = NULL  # still open
    served_outcome = _draw(rng, schema.REFERRAL_OUTCOMES, SERVED_OUTCOMES, n)
    unserved_outcome = _draw(rng, schema.REFERRAL_OUTCOMES, UNSERVED_OUTCOMES, n)
    outcome = np.where(closed_at == NULL, NULL, np.where(served, served_outcome, unserved_outcome))
    return accepted_at, first_service_at, closed_at, outcome


# --- Targets --------------------------------------------------------------------------------------

# Plan values for percentage indicators, one per program year: modest at first, then rising.
PERCENT_TARGETS = {
    "referrals_within_target_pct": (60, 65, 70, 75, 80),
    "conviction_rate_pct": (40, 42, 44, 46, 48),
    "survivors_restored_pct": (5, 10, 15, 20, 25),
}


def _per_year(days: np.ndarray, calendar: _Calendar) -> dict[int, float]:
    years = _year_of(days[days != NULL])
    return {year: float((years == year).sum()) for year in calendar.years}


def _distinct_per_year(entity: np.ndarray, days: np.ndarray, calendar: _Calendar) -> dict[int, float]:
    """Per year, how many distinct entities (cases, victims) have a dated row in it."""
    years = _year_of(days)
    distinct_years = np.unique(entity.astype(np.int64) * 10_000 + years) % 10_000
    return {year: float((distinct_years == year).sum()) for year in calendar.years}


# Rows an Indicator Performance Tracking Table reads besides the calendar years' targets. A baseline is the count
# of the programme's first year (there are no records before it); a life-of-programme target is the sum of the
# years' targets (a percentage: the last year's); a fiscal year's target is its calendar years' share of theirs.
BASELINE_INDICATORS = ("cases_reported", "victims_identified", "referrals_made")
LIFE_OF_PROGRAMME_INDICATORS = ("cases_reported", "victims_identified", "referrals_made",
                                "referrals_within_target_pct", "conviction_rate_pct")
FISCAL_PLANS = {BD_FISCAL: ("cases_reported", "referrals_made", "conviction_rate_pct"),
                US_FISCAL: ("victims_identified", "referrals_within_target_pct")}
FISCAL_BASELINES = {BD_FISCAL: ("referrals_made",)}  # beside its calendar-year baseline: the IPTT prefers its own


def _write_targets(path: Path, rng, actuals: dict[str, dict[int, float]], districts, calendar: _Calendar) -> None:
    """Counts: what the program actually does per year, give or take, rounded like a plan would be.

    Each indicator's plan is a little ambitious or a little cautious overall (0.95-1.15 x actual),
    varies +-5 % by year, and never plans fewer than the year before: the program is scaling up.
    Then the rows of `_tracking_rows`: baselines, life-of-programme targets and fiscal years' targets.
    """
    years = calendar.years
    plans: dict[str, dict[int, float]] = {}
    for indicator, per_year in actuals.items():
        expected = _annualise(per_year, districts, calendar)
        ambition = rng.uniform(0.95, 1.15) * rng.uniform(0.95, 1.05, len(years))
        plan = np.maximum.accumulate([expected[year] * factor for year, factor in zip(years, ambition)])
        plans[indicator] = {year: _round_target(value) for year, value in zip(years, plan)}
    for indicator, values in PERCENT_TARGETS.items():
        plans[indicator] = dict(zip(years, values))
    rows = [(indicator, year, value, CALENDAR_YEAR, "annual")
            for indicator, plan in plans.items() for year, value in plan.items()]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator", "year", "target", "calendar", "type"])
        writer.writerows(rows + _tracking_rows(plans, actuals, calendar))


def _tracking_rows(plans: dict[str, dict[int, float]], actuals: dict[str, dict[int, float]],
                   calendar: _Calendar) -> list[tuple]:
    """(indicator, year, target, calendar, type) rows of baselines, life-of-programme targets and fiscal years'
    annual targets, from the calendar years' plans and the counts that happened."""
    first, last = calendar.years[0], calendar.years[-1]
    rows = [(code, first, int(actuals[code][first]), CALENDAR_YEAR, "baseline") for code in BASELINE_INDICATORS]
    for fiscal, codes in FISCAL_BASELINES.items():
        rows += [(code, first + 1, round(_fiscal_share(actuals[code], fiscal, first + 1)), fiscal, "baseline")
                 for code in codes]
    for code in LIFE_OF_PROGRAMME_INDICATORS:
        total = plans[code][last] if code in PERCENT_TARGETS else sum(plans[code].values())
        rows.append((code, last, total, CALENDAR_YEAR, "life-of-programme"))
    for fiscal, codes in FISCAL_PLANS.items():
        # Fiscal years that lie wholly within the programme's calendar years.
        rows += [(code, year, _fiscal_target(plans[code], fiscal, year, code in PERCENT_TARGETS), fiscal, "annual")
                 for code in codes for year in calendar.years[1:]]
    return rows


def _fiscal_share(per_year: dict[int, float], fiscal: str, year: int) -> float:
    """A fiscal year's part of two calendar years' values, month by month: BD-FY2027 is half of 2026's and half
    of 2027's; US-FY2027 a quarter of 2026's and three quarters of 2027's."""
    months_in_earlier_year = 13 - CALENDARS[fiscal].start_month
    return (months_in_earlier_year * per_year[year - 1] + (12 - months_in_earlier_year) * per_year[year]) / 12


def _fiscal_target(plan: dict[int, float], fiscal: str, year: int, percentage: bool) -> int:
    """A fiscal year's target: the months' share of a count's plan, or the months' mean of a percentage's."""
    value = _fiscal_share(plan, fiscal, year)
    return round(value) if percentage else _round_target(value)


def _annualise(per_year: dict[int, float], districts: _Districts, calendar: _Calendar) -> dict[int, float]:
    """The current, unfinished year is planned from the previous one and the expected growth."""
    current, previous = calendar.years[-1], calendar.years[-2]
    if calendar.last_day == _day_number(date(current, 12, 31)):
        return per_year
    days = calendar.plan_days()
    curve = districts.intensity(days, calendar.first_day)
    year = _year_of(days)
    growth = curve[year == current].sum() / curve[year == previous].sum()
    return {**per_year, current: per_year[previous] * growth}


def _round_target(value: float) -> int:
    """Two significant figures, at least 1: plans use round numbers."""
    if value < 1:
        return 1
    step = 10 ** max(0, int(np.floor(np.log10(value))) - 1)
    return int(max(1, round(value / step) * step))


# --- Writing SQLite -------------------------------------------------------------------------------

# Columns the dashboard filters or joins on. Primary keys and unique columns have their own index.
INDEXED_COLUMNS = (
    "reported_on", "identified_on", "brought_to_safety_on", "event_on", "assessed_on", "received_at",
    "referred_at", "district_pcode", "case_id", "victim_id", "accused_id", "case_ref", "report_id",
)


@contextmanager
def _atomic_path(final: Path) -> Iterator[Path]:
    """A temporary path next to `final`, renamed onto it only if the block succeeds."""
    handle, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    temporary.chmod(0o644)  # mkstemp makes it private; the app may run as another user
    try:
        yield temporary
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _sqlite_build(path: Path, tables: dict[str, Table]) -> Iterator[sqlite3.Connection]:
    """Creates the tables, yields for inserts, then adds the indexes and statistics."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # No journal and no fsync: a failed build is thrown away whole by _atomic_path.
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
                           "PRAGMA temp_store=MEMORY;")
        for table in tables.values():
            conn.execute(str(CreateTable(table).compile(dialect=sqlite_dialect.dialect())))
        conn.execute("BEGIN")
        yield conn
        for table in tables.values():
            for column in INDEXED_COLUMNS:
                if column in table.c and not (table.c[column].primary_key or table.c[column].unique):
                    conn.execute(f"CREATE INDEX ix_{table.name}_{column} ON {table.name} ({column})")
        if "legal_events" in tables:  # indicators pick an event type within a period, or a case's complaint
            conn.execute("CREATE INDEX ix_legal_events_type_on ON legal_events (event_type, event_on)")
            conn.execute("CREATE INDEX ix_legal_events_case_type_on ON legal_events (case_id, event_type, event_on)")
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _insert(conn: sqlite3.Connection, table: Table, columns: dict[str, np.ndarray]) -> int:
    """Inserts whole numpy columns, converted to SQL values one chunk at a time to bound memory."""
    names = list(columns)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    rows = len(columns[names[0]])
    for start in range(0, rows, CHUNK_ROWS):
        values = [_sql_values(table.c[name], columns[name][start:start + CHUNK_ROWS]) for name in names]
        conn.executemany(sql, zip(*values))
    return rows


def _sql_values(column: Column, chunk: np.ndarray) -> list:
    """Dates as 'YYYY-MM-DD', timestamps as 'YYYY-MM-DD HH:MM:SS' (UTC), NULL / '' as None."""
    if isinstance(column.type, (Date, DateTime)):
        missing = chunk == NULL
        text = _timestamp_text(chunk) if isinstance(column.type, DateTime) else _date_text(chunk)
    elif isinstance(column.type, Integer):
        missing = chunk == NULL
        text = chunk
    else:
        missing = chunk == ""
        text = chunk
    values = text.astype(object)
    values[missing] = None
    return values.tolist()


def _date_text(days: np.ndarray, separator: str = "") -> np.ndarray:
    """Looks each day up in the labels of the chunk's span of days, which is fast."""
    present = days[days != NULL]
    low = int(present.min()) if len(present) else 0
    high = int(present.max()) if len(present) else 0
    labels = np.datetime_as_string(np.arange(low, high + 1).astype("datetime64[D]")) + separator
    return labels[np.clip(days - low, 0, high - low)]


def _timestamp_text(seconds: np.ndarray) -> np.ndarray:
    present = seconds != NULL
    days = np.where(present, seconds // DAY_S, NULL)
    return _date_text(days, " ") + _time_of_day_labels()[seconds % DAY_S]


@cache
def _time_of_day_labels() -> np.ndarray:
    """'HH:MM:SS' for every second of a day."""
    second = np.arange(DAY_S)
    hours, minutes, seconds = (np.strings.zfill(part.astype(str), 2)
                               for part in (second // 3600, second // 60 % 60, second % 60))
    return hours + ":" + minutes + ":" + seconds
