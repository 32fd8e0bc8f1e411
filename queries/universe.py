"""The true values of every count cell an audience can be shown for a year and its quarters.

One cube per year is read from the databases at the finest grain (period,
district, upazila, every disaggregation), for everyone; each audience's cells
are added up from it for the areas, levels and breakdowns it can see:

- donors: Bangladesh and the divisions; disaggregations (case type, sex, age
  band) for Bangladesh only;
- government accounts: their divisions or districts, the districts inside
  them and those districts' upazilas (totals only); disaggregations for the
  account's own areas only;
- the pages' detail tables (referrals by service and provider, urgency, the
  time-to-first-service curve's intervals, services delivered, the justice
  funnel, survivors' scores): donors for Bangladesh and each division,
  government accounts for their own areas.

Cross-classified counts and detail tables below those levels are too small
to show safely in a program of this size: protecting them would hide most of
the totals above them (measured on the 20,000-case demo: a government
account's districts' detail tables alone made protection eight times
slower and hid half of the district totals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from . import justice, referral_flow, survivors
from .cells import FUNNEL_MEASURES, MEASURES, PAGE_DIMENSIONS, PAGE_MEASURES, SCORE_MEASURES, Family, group_values, label
from .definitions import DISAGGREGATIONS
from .geography import NATIONAL, Gazetteer
from .localtime import as_local
from .periods import Period, parse_period, quarters_of, year_containing
from .scope import Scope


def family_of(period: Period) -> Family:
    """The year of the period's own calendar that holds it, and that year's quarters: the periods protected
    together. An audience must see every period in one calendar (`dashboard.context` sees to it), or one quarter
    would be protected twice, differently."""
    year = year_containing(period, period.calendar)
    return Family(year.label, tuple(quarter.label for quarter in quarters_of(year)))


def family_periods(family: Family) -> tuple[tuple[Period, ...], Period]:
    year = parse_period(family.year)
    return quarters_of(year), year


def publication_areas(scope: Scope, gazetteer: Gazetteer) -> dict[str, list[str]]:
    """level -> the areas of that level the scope can be shown (upazilas only for government accounts)."""
    if scope.role == "donor":
        return {"national": [NATIONAL], "division": list(gazetteer.division_codes)}
    if scope.role == "government":
        divisions = [a for a in scope.areas if gazetteer.areas[a].level == "division"]
        districts = sorted({d for a in scope.areas for d in gazetteer.districts_within(a)})
        upazilas = [u.pcode for d in districts for u in gazetteer.children(d)]
        return {"division": divisions, "district": districts, "upazila": upazilas}
    return {"national": [NATIONAL], "division": list(gazetteer.division_codes),
            "district": list(gazetteer.district_codes), "upazila": list(gazetteer.upazila_codes)}


def disaggregated_areas(scope: Scope) -> tuple[str, ...] | None:
    """The areas whose counts an audience can see by case type, sex and age band (None: every area)."""
    if scope.role == "donor":
        return (NATIONAL,)
    if scope.role == "government":
        return scope.areas
    return None


def detailed_areas(scope: Scope, gazetteer: Gazetteer) -> tuple[str, ...] | None:
    """The areas whose detail tables (referrals by service, urgency and time to first service, services
    delivered, the justice funnel, survivors' scores) an audience can see (None: every area)."""
    if scope.role == "donor":
        return (NATIONAL, *gazetteer.division_codes)
    if scope.role == "government":
        return scope.areas
    return None


# The cube of one year, for everyone: counts per period, district, upazila and group.

@dataclass
class FamilyCube:
    family: Family
    quarters: dict[str, pd.DataFrame]  # family -> frame over the year's quarters
    year: dict[str, pd.DataFrame] | None  # the families of distinct counts, over the whole year (None: not known)
    reports_national: pd.DataFrame


def quarter_frames(engine, quarters: tuple[Period, ...], as_of: datetime) -> dict[str, pd.DataFrame]:
    """The counts of each of `quarters` at their finest grain (a frame per family of counts, reports_national
    included, each with a `period` column of the quarters' labels); waiting times measured to `as_of` (naive UTC, the start of a local
    day), steps of the justice funnel reached by that local day, as leadership's funnel counts them."""
    databases, gazetteer = engine.databases, engine.gazetteer
    # The UTC date of a local midnight east of UTC is the day before: the funnel would miss today's events.
    local_day = as_local(as_of, databases.zone).date()
    frames = engine.cube(quarters, families=("cases", "victims", "survivors", "legal", "cases_referred",
                                             "reports", "reports_national"))
    return frames | {
        "referral_flow": referral_flow.referral_cube(databases, gazetteer, quarters, as_of),
        "services": survivors.services_cube(databases, gazetteer, quarters),
        "funnel": justice.funnel_cube(databases, gazetteer, quarters, local_day),
        "survivor_tables": survivors.survivor_cube(databases, gazetteer, quarters),
    }


def family_cube(engine, family: Family, as_of: datetime) -> FamilyCube:
    """The counts of the family's year and quarters, as `quarter_frames` reads them."""
    quarters, year = family_periods(family)
    by_quarter = quarter_frames(engine, quarters, as_of)
    by_year = engine.cube((year,), families=("survivors", "legal"))
    year_cube = {name: by_year[name] for name in ("survivors", "legal")}
    year_cube["survivor_tables"] = survivors.survivor_cube(engine.databases, engine.gazetteer, (year,))
    return FamilyCube(family, by_quarter, year_cube, by_quarter.pop("reports_national"))


def cells_of(cube: FamilyCube, scope: Scope, gazetteer: Gazetteer) -> dict[tuple, int]:
    """label -> true value of every cell `scope` can be shown for the cube's year, complete with zeros."""
    return _Universe(cube, scope, gazetteer).build()


class _Universe:
    def __init__(self, cube: FamilyCube, scope: Scope, gazetteer: Gazetteer):
        self.cube = cube
        self.gazetteer = gazetteer
        self.areas = publication_areas(scope, gazetteer)
        self.disaggregated = disaggregated_areas(scope)
        self.detailed = detailed_areas(scope, gazetteer)
        self.values: dict[tuple, int] = {}

    def build(self) -> dict[tuple, int]:
        q, y = self.cube.quarters, self.cube.year
        self.add(q["cases"], {"cases": "cases"}, ("case_type",), upazila=True)
        self.add(q["cases_referred"], {"referred": "referred"}, ("case_type",), upazila=True)
        self.add(q["victims"], {"victims": "victims", "safe": "safe"}, ("case_type", "sex", "age_band"), upazila=True)
        self.add(q["victims"], {"minors": "minors"}, ("case_type", "sex"), upazila=True)
        for source in (q, y) if y is not None else (q,):
            over_year = source is y
            self.add(source["survivors"], {"assessed": "assessed", "restored": "restored"},
                     ("case_type", "sex", "age_band"), upazila=True, over_year=over_year)
            self.add(source["legal"], {m: m for m in ("charge_sheets", "verdicts", "convicted",
                                                      "verdicts_with_complaint")},
                     ("case_type",), upazila=True, over_year=over_year)
            self._survivor_tables(source["survivor_tables"], over_year)
        self.add(q["reports"], {"reports": "reports"}, ())
        self._national_reports()
        self._referral_flow(q["referral_flow"])
        services = q["services"].rename(columns={"service_type": "service"})
        self.add(services, {"services_delivered": "services"}, ("service",))
        self._funnel(q["funnel"])
        return self.values

    # Rolling the finest grain up to every area.

    def add(self, frame: pd.DataFrame, measures: dict[str, str], dimensions: tuple[str, ...], upazila=False,
            over_year=False) -> None:
        """Cells of `measures` (measure -> column of `frame`) for every area, total and group. A frame over
        the quarters also gives the year as their sum (counts of events); one `over_year` gives the year's
        own cells (counts of distinct people or cases, which do not add up over quarters)."""
        frame = frame.copy()
        frame["division"] = frame["area"].str[:4]
        family = self.cube.family
        periods = (family.year,) if over_year else family.quarters
        # A cube with no year of its own (a released quarter) has no year cells at all.
        sums_to_year = (not over_year and self.cube.year is not None
                        and MEASURES[next(iter(measures))].periods == "sum")
        for measure, column in measures.items():
            frame[column] = pd.to_numeric(frame[column]).fillna(0)
            for dimension in ("", *dimensions):
                for level in self.areas:
                    areas = self._areas_for(level, measure, dimension, upazila)
                    if not areas:
                        continue
                    self._level_cells(frame, measure, column, dimension, level, areas, periods)
                    if sums_to_year:
                        self._year_as_sum(measure, dimension, areas)

    def _areas_for(self, level: str, measure: str, dimension: str, upazila: bool) -> list[str]:
        """The areas of a level that have cells of this measure and dimension for this audience."""
        if level == "upazila" and not (upazila and not dimension and MEASURES[measure].upazila):
            return []
        areas = self.areas[level]
        if dimension in DISAGGREGATIONS and self.disaggregated is not None:
            return [area for area in areas if area in self.disaggregated]
        if (measure in PAGE_MEASURES or dimension in PAGE_DIMENSIONS) and self.detailed is not None:
            return [area for area in areas if area in self.detailed]
        return areas

    def _level_cells(self, frame, measure, column, dimension, level, areas, periods) -> None:
        key = {"national": None, "division": "division", "district": "area", "upazila": "upazila"}[level]
        keys = ["period"] + ([key] if key else []) + ([dimension] if dimension else [])
        sums = frame.groupby(keys, sort=False)[column].sum() if len(frame) else pd.Series(dtype=float)
        found = {(k,) if not isinstance(k, tuple) else k: v for k, v in sums.items()}
        groups = group_values(dimension) if dimension else ("",)
        for period in periods:
            for area in areas:
                for group in groups:
                    index = (period,) + ((area,) if key else ()) + ((group,) if dimension else ())
                    self.values[label(measure, period, area, dimension, group)] = int(found.get(index, 0))

    def _year_as_sum(self, measure: str, dimension: str, areas: list[str]) -> None:
        family = self.cube.family
        for area in areas:
            for group in (group_values(dimension) if dimension else ("",)):
                cells = [label(measure, quarter, area, dimension, group) for quarter in family.quarters]
                if all(cell in self.values for cell in cells):
                    self.values[label(measure, family.year, area, dimension, group)] = sum(
                        self.values[cell] for cell in cells)

    def _national_reports(self) -> None:
        if NATIONAL not in self.areas.get("national", ()):
            return
        national = dict(zip(self.cube.reports_national["period"], self.cube.reports_national["reports"]))
        for quarter in self.cube.family.quarters:
            self.values[label("reports", quarter, NATIONAL)] = int(national.get(quarter, 0))
        if self.cube.year is not None:
            self._year_as_sum("reports", "", [NATIONAL])

    def _referral_flow(self, flow: pd.DataFrame) -> None:
        flow = flow.assign(service=flow["service_type"],
                           service_provider=flow["service_type"] + "|" + flow["provider_type"])
        self.add(flow, {"referrals": "referrals"}, ("service", "service_provider", "urgency"))
        served = flow[flow["served"] == 1]
        self.add(served, {"served": "referrals"}, ("interval",))
        self.add(flow[flow["within_target"] == 1], {"within_target": "referrals"}, ("urgency",))
        self.add(flow[flow["served"] == 0], {"censored": "referrals"}, ("interval",))
        for cell in [c for c in self.values if c[0] == "censored" and not c[3]]:
            del self.values[cell]  # the unserved total is the complement of the served: not a cell of its own

    def _funnel(self, funnel: pd.DataFrame) -> None:
        for step, measure in enumerate(FUNNEL_MEASURES):
            reached = funnel[funnel["furthest"] >= step]
            self.add(reached, {measure: "cases"}, ())

    def _survivor_tables(self, tables: pd.DataFrame, over_year: bool) -> None:
        followed = tables[tables["moment"] == "all"]
        self.add(followed, {"followed_up": "victims"}, (), over_year=over_year)
        for moment, measure in zip(("first", "latest"), SCORE_MEASURES):
            scores = tables[tables["moment"] == moment]
            scores = scores.assign(domain_score=scores["domain"] + "|" + scores["score"].astype(str))
            self.add(scores, {measure: "victims"}, ("domain", "domain_score"), over_year=over_year)
            for cell in [c for c in self.values if c[0] == measure and not c[3]]:
                del self.values[cell]  # a score table has no grand total on any page


