"""The count cells an audience can be shown for a year and its quarters, and the relations between them.

Every number on a page, in a download or in an export is one of these cells,
or is built from them (a percentage from its numerator and denominator, a
rate from a count and a population, a median's count of values). A cell's
label is (measure, period, area, dimension, group): ("victims", "2026-Q3",
"BD30", "age_band", "<12"); a total has dimension and group "".

The relations are what a reader can use to work a hidden count out, so they
must be exactly true of the data, no more and no less:

- a total is the sum of its groups (the groups of one dimension), plus the
  records whose code is none of the contract's (an unshown residual);
- an area is the sum of the areas inside it, plus the reports with no
  district (nationally) and the cases with no upazila (in a district);
- a year is the sum of its quarters for counts of events; a count of
  distinct people or cases over a year is at least that of each quarter and
  at most their sum;
- a subset (minors among victims, served among referrals...) plus its
  complement (unshown) is its set.

`build_publication` turns the true values of a role's cells into a
`disclosure.Publication` with these relations; unshown cells whose true value
is 0 are treated as published zeros, so the audit never counts on a reader
not knowing that there is nothing there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import schema as s
from .definitions import AGE_BANDS
from .disclosure import PUBLISHED, UNSHOWN, Publication, Relation
from .geography import NATIONAL, Gazetteer

MINOR_BANDS = ("<12", "12-14", "15-17")
FUNNEL_MEASURES = ("funnel_complaint", "funnel_charge_sheet", "funnel_trial", "funnel_verdict")
SCORE_MEASURES = ("scores_first", "scores_latest")
SCORES = (1, 2, 3, 4)
# Measures and dimensions that only the pages' detail tables show (and `impact-monitor tables` exports).
PAGE_MEASURES = (*FUNNEL_MEASURES, *SCORE_MEASURES, "followed_up", "services_delivered", "censored")
PAGE_DIMENSIONS = ("service", "service_provider", "urgency", "interval", "domain", "domain_score")


@dataclass(frozen=True)
class Measure:
    """A kind of count. `periods`: how a year relates to its quarters ("sum": a count of events, each in one
    quarter; "distinct": distinct people or cases, between the largest quarter and the sum; "at_most_sum":
    only at most the sum; "at_least_each": only at least each quarter). `within`: the measure this one is a
    subset of, in the same period, area and group (the first of several
    that has the cell's dimension). `upazila`: has upazila cells (totals only)."""

    name: str
    periods: str
    dimensions: tuple[str, ...] = ()
    within: str | tuple[str, ...] | None = None
    upazila: bool = False


_VICTIM = ("case_type", "sex", "age_band")
MEASURES: dict[str, Measure] = {m.name: m for m in [
    Measure("cases", "sum", ("case_type",), upazila=True),
    Measure("referred", "sum", ("case_type",), within="cases", upazila=True),
    Measure("victims", "sum", _VICTIM, upazila=True),
    Measure("minors", "sum", ("case_type", "sex"), within="victims", upazila=True),
    Measure("safe", "sum", _VICTIM, upazila=True),
    Measure("assessed", "distinct", _VICTIM, upazila=True),
    Measure("restored", "at_most_sum", _VICTIM, within="assessed", upazila=True),
    Measure("followed_up", "at_least_each", within="assessed"),
    Measure("charge_sheets", "distinct", ("case_type",), upazila=True),
    Measure("verdicts", "distinct", ("case_type",), upazila=True),
    Measure("convicted", "distinct", ("case_type",), within="verdicts", upazila=True),
    Measure("verdicts_with_complaint", "distinct", ("case_type",), within="verdicts", upazila=True),
    Measure("reports", "sum"),
    Measure("referrals", "sum", ("service", "service_provider", "urgency")),
    Measure("served", "sum", ("interval",), within="referrals"),
    Measure("within_target", "sum", ("urgency",), within=("served", "referrals")),
    Measure("censored", "sum", ("interval",)),
    Measure("services_delivered", "sum", ("service",)),
    *[Measure(name, "sum", within=FUNNEL_MEASURES[number - 1] if number else None)
      for number, name in enumerate(FUNNEL_MEASURES)],
    *[Measure(name, "at_most_sum", ("domain", "domain_score")) for name in SCORE_MEASURES],
    # Tables of today's state, not of a period: pending cases, open referrals, records that break a rule.
    Measure("pending", "none", ("band",)),
    Measure("open", "none", ("service", "service_band")),
    Measure("quality", "none"),
]}
# A group that is itself split further: (measure, dimension) -> (the finer dimension, its second part, and
# whether records can hold a code outside the contract's).
SUBDIVISIONS = {
    ("referrals", "service"): ("service_provider", s.PROVIDER_TYPES, True),
    ("open", "service"): ("service_band", None, False),
}


def curve_intervals() -> tuple[str, ...]:
    """The curve's intervals and the referrals it leaves out: together, every referral made."""
    from .referral_flow import CUBE_INTERVALS

    return CUBE_INTERVALS


def waiting_bands() -> tuple[str, ...]:
    from .referral_flow import WAITING_BANDS

    return tuple(band for band, _, _ in WAITING_BANDS)


def pending_bands() -> tuple[str, ...]:
    from .justice import PENDING_BANDS

    return tuple(band for band, _ in PENDING_BANDS)


def group_values(dimension: str) -> tuple[str, ...]:
    """The contract's values of a dimension, in display order."""
    return {
        "case_type": s.CASE_TYPES, "sex": s.SEXES, "age_band": AGE_BANDS, "service": s.SERVICE_TYPES,
        "service_provider": tuple(f"{a}|{b}" for a in s.SERVICE_TYPES for b in s.PROVIDER_TYPES),
        "urgency": s.URGENCIES, "interval": curve_intervals(), "domain": s.ASSESSMENT_DOMAINS,
        "domain_score": tuple(f"{d}|{score}" for d in s.ASSESSMENT_DOMAINS for score in SCORES),
        "band": pending_bands(), "service_band": tuple(f"{a}|{b}" for a in s.SERVICE_TYPES for b in waiting_bands()),
    }[dimension]


def label(measure: str, period: str, area: str, dimension: str = "", group: str = "") -> tuple:
    return (measure, period, area, dimension, group)


# Relations.

@dataclass(frozen=True)
class Family:
    """A year and its quarters: the periods whose cells are tied by relations."""

    year: str
    quarters: tuple[str, ...]

    @property
    def periods(self) -> tuple[str, ...]:
        return (*self.quarters, self.year)


def build_publication(values: dict[tuple, int], family: Family | None, gazetteer: Gazetteer,
                      shown: dict[tuple, int] | None = None) -> Publication:
    """A Publication of `values` (label -> true value, every cell the audience can be shown) with all the
    relations between them, unshown residuals and complements added; `family` is the year and quarters the
    cells' periods belong to (None for cells of today's state).

    `shown` gives a state per label (PUBLISHED, HIDDEN or UNSHOWN; absent:
    PUBLISHED); residuals and complements are UNSHOWN unless their true value
    is 0.
    """
    shown = shown or {}
    publication = Publication()
    for cell_label, value in values.items():
        publication.add(cell_label, value, shown.get(cell_label, PUBLISHED))
    builder = _Relations(publication, values, family, gazetteer)
    builder.groups()
    builder.areas()
    if family is not None:
        builder.years()
    builder.subsets()
    return publication


def _whole_of(measure: str, dimension: str) -> str | None:
    """The measure a cell of `measure` and `dimension` is a subset of, if any."""
    within = MEASURES[measure].within
    candidates = (within,) if isinstance(within, str) else (within or ())
    return next((whole for whole in candidates if not dimension or dimension in MEASURES[whole].dimensions), None)


class _Relations:
    def __init__(self, publication: Publication, values: dict, family: Family, gazetteer: Gazetteer):
        self.publication = publication
        self.values = values
        self.family = family
        self.gazetteer = gazetteer
        self.areas_of: dict[tuple, set[str]] = defaultdict(set)  # (measure, period, dimension, group) -> areas
        for measure, period, area, dimension, group in values:
            self.areas_of[(measure, period, dimension, group)].add(area)

    def _leftover(self, leftover_label: tuple, whole: tuple, parts: list[tuple]) -> list[tuple]:
        """The unshown remainder of a whole over its parts, as an extra part (a published zero when none)."""
        remainder = self.values[whole] - sum(self.values[part] for part in parts)
        if remainder < 0:
            raise ValueError(f"{whole} is smaller than the sum of its parts")
        self.publication.add(leftover_label, remainder, UNSHOWN if remainder else PUBLISHED)
        return [*parts, leftover_label]

    def _total(self, whole: tuple, parts: list[tuple], name: str, leftover: tuple | None = None) -> None:
        if leftover is not None:
            parts = self._leftover(leftover, whole, parts)
        index = self.publication.index
        self.publication.relate(Relation.total(index(whole), [index(part) for part in parts], name))

    def groups(self) -> None:
        """Totals against the groups of each dimension (a service against its providers, a domain against its
        scores); minors against the minor age bands of victims."""
        for cell_label in list(self.values):
            measure, period, area, dimension, group = cell_label
            if (measure, dimension) in SUBDIVISIONS:
                finer, seconds, strays = SUBDIVISIONS[(measure, dimension)]
                parts = [label(measure, period, area, finer, f"{group}|{second}")
                         for second in (seconds or waiting_bands())]
                self._total(cell_label, parts, f"{measure} of a {dimension} by {finer}",
                            label(measure, period, area, finer, f"{group}|(other)") if strays else None)
            if dimension == "domain":
                parts = [label(measure, period, area, "domain_score", f"{group}|{score}") for score in SCORES]
                self._total(cell_label, parts, f"{measure} of a domain by score")
            if dimension:
                continue
            for each in MEASURES[measure].dimensions:
                if each in ("service_provider", "domain_score", "service_band"):
                    continue
                parts = [label(measure, period, area, each, g) for g in group_values(each)]
                if parts[0] not in self.values:
                    continue
                exact = each in ("age_band", "interval", "band")
                self._total(cell_label, parts, f"{measure} by {each}",
                            None if exact else label(measure, period, area, each, "(other)"))
            if measure == "minors":
                bands = [label("victims", period, area, "age_band", band) for band in MINOR_BANDS]
                if bands[0] in self.values:
                    self._total(cell_label, bands, "minors are the minor age bands of victims")

    def areas(self) -> None:
        """An area against the areas inside it that the audience can be shown."""
        for (measure, period, dimension, group), areas in self.areas_of.items():
            for area in sorted(areas):  # a set of strings iterates in a per-process order: publications must not
                children = [child for child in self._children(area) if child in areas]
                if not children:
                    continue
                parent = label(measure, period, area, dimension, group)
                parts = [label(measure, period, child, dimension, group) for child in children]
                leftover = None
                if (measure == "reports" and area == NATIONAL) or self.gazetteer.areas[area].level == "district":
                    leftover = label(measure, period, f"{area}/none", dimension, group)
                self._total(parent, parts, f"{measure} of an area by the areas inside it", leftover)

    def _children(self, area: str) -> list[str]:
        return [child.pcode for child in self.gazetteer.children(area)]

    def years(self) -> None:
        """A year against its quarters, by the measure's kind of count."""
        index = self.publication.index
        year = self.family.year
        for cell_label in self.values:
            measure, period, area, dimension, group = cell_label
            if period != year:
                continue
            quarters = [label(measure, quarter, area, dimension, group) for quarter in self.family.quarters]
            if any(quarter not in self.values for quarter in quarters):
                continue
            kind = MEASURES[measure].periods
            name = f"{measure}: a year and its quarters"
            if kind == "sum":
                self.publication.relate(Relation.total(index(cell_label), [index(q) for q in quarters], name))
            if kind in ("distinct", "at_most_sum"):
                self.publication.relate(Relation.sum_at_most(index(cell_label), [index(q) for q in quarters], name))
            if kind in ("distinct", "at_least_each"):
                for quarter in quarters:
                    self.publication.relate(Relation.at_most(index(quarter), index(cell_label), name))

    def subsets(self) -> None:
        """A subset and its unshown complement make up its set; the time-to-first-service curve's intervals
        make up the served and the unserved."""
        for cell_label in list(self.values):
            measure, period, area, dimension, group = cell_label
            whole_measure = _whole_of(measure, dimension)
            if whole_measure is None:
                continue
            whole = label(whole_measure, period, area, dimension, group)
            if whole in self.values:
                complement = label(f"{whole_measure}-{measure}", period, area, dimension, group)
                self._total(whole, [cell_label], f"{measure} within {whole_measure}", complement)
            if measure == "served" and not dimension and whole in self.values:
                self._censored_are_unserved(period, area)
        for cell_label in list(self.values):
            measure, period, area, dimension, group = cell_label
            if measure in SCORE_MEASURES and dimension == "domain":
                whole = label("assessed", period, area)
                if whole in self.values:
                    complement = label(f"assessed-{measure}", period, area, dimension, group)
                    self._total(whole, [cell_label], f"{measure} of a domain within the survivors assessed",
                                complement)

    def _censored_are_unserved(self, period: str, area: str) -> None:
        unserved = label("referrals-served", period, area)
        parts = [label("censored", period, area, "interval", interval) for interval in curve_intervals()]
        if parts[0] in self.values:
            self._total(unserved, parts, "the curve's censored referrals are the unserved ones")
