"""The tables of today's state an external audience can see, protected together: pending cases, open referrals
and records that break a rule of the data contract.

They belong to no period, so they are protected apart from the periods'
cells (`publication`), with the same rules: every cell an audience can be
shown (`cells.build_publication`) and the relations between them, hidden by
`disclosure.protect`.

- Pending cases by time since the complaint, and open referrals waiting
  over 7 days by service and band: donors for Bangladesh and each division,
  government accounts for their own areas (as the pages' detail tables).
  External audiences see open referrals by service, not by district, and no
  oldest wait (one referral's own waiting time).
- Records that break a rule: donors nationally; government accounts by
  district of their scope and in total over it.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from . import justice, referral_flow
from .cache import AggregateCache
from .cells import build_publication, group_values, label, pending_bands, waiting_bands
from .contract_check import by_district_of, quality_frame
from .db import Databases
from .disclosure import Publication, Relation, protect
from .geography import NATIONAL, Gazetteer
from .publication import DecodedCells, ProtectedCells
from .scope import LEADERSHIP, AreaFilter, Scope, scope_districts
from .universe import detailed_areas, publication_areas

SCOPE_TOTAL = "scope"  # the area label of a government account's totals over its whole scope


class CurrentTables:
    """The protected cells of today's tables for each external audience, reused like the periods' ones."""

    def __init__(self, databases: Databases, gazetteer: Gazetteer, cache: AggregateCache, ttl_s: int,
                 threads: int = 1):
        self.databases, self.gazetteer, self.cache, self.ttl_s, self.threads = (databases, gazetteer, cache,
                                                                                  ttl_s, threads)
        self._decoded = DecodedCells(ttl_s)

    def cells(self, scope: Scope, today: date, as_of: datetime, k: int) -> ProtectedCells:
        key = ("current-cells", scope.cache_key, today.isoformat(), as_of.isoformat(), k)
        return self._decoded.get(key, lambda: ProtectedCells.from_frame(
            self.cache.get_or_compute(key, lambda: self._protected(scope, today, as_of, k).to_frame(),
                                      ttl_s=self.ttl_s), k))

    def _protected(self, scope: Scope, today: date, as_of: datetime, k: int) -> ProtectedCells:
        return protected_current_cells(self._pending(today), self._open(as_of), self._quality(today), scope,
                                       self.gazetteer, k)

    def _pending(self, today: date) -> pd.DataFrame:
        return justice.pending_cube(self.databases, self.gazetteer, today)

    def _open(self, as_of: datetime) -> pd.DataFrame:
        everywhere = AreaFilter(None, NATIONAL, "national", LEADERSHIP)
        return referral_flow.open_referrals_by_waiting_band(self.databases, self.gazetteer, everywhere, as_of)

    def _quality(self, today: date) -> pd.DataFrame:
        return by_district_of(self.quality_frame(today))

    def quality_frame(self, today: date) -> pd.DataFrame:
        """The whole contract check, cached for the day: it scans every table (the Data quality page reads it
        too)."""
        return self.cache.get_or_compute(("contract_quality", today.isoformat()),
                                         lambda: quality_frame(self.databases, self.gazetteer, today, self.threads))


def protected_current_cells(pending: pd.DataFrame, open_referrals: pd.DataFrame, quality: pd.DataFrame,
                            scope: Scope, gazetteer: Gazetteer, k: int) -> ProtectedCells:
    """Today's tables of `scope` with small-cell suppression over all of them: `pending` is
    `justice.pending_cube`'s frame, `open_referrals` `referral_flow.open_referrals_by_waiting_band`'s over
    every district, `quality` `contract_check.by_district_of`'s."""
    values = current_values(pending, open_referrals, quality, scope, gazetteer)
    publication = current_publication(values, scope, gazetteer)
    states = protect(publication, k, [cell in values for cell in publication.labels])
    return ProtectedCells(values, {cell: states[publication.index(cell)] for cell in values}, k)


def current_publication(values: dict[tuple, int], scope: Scope, gazetteer: Gazetteer,
                        shown: dict[tuple, int] | None = None) -> Publication:
    """The cells of today's tables with every relation between them (`cells.build_publication`, and a
    government account's totals over its scope); `shown` gives their states."""
    publication = build_publication(values, None, gazetteer, shown)
    if scope.role == "government":
        _relate_scope_totals(publication, values)
    return publication


def current_values(pending: pd.DataFrame, open_referrals: pd.DataFrame, quality: pd.DataFrame, scope: Scope,
                   gazetteer: Gazetteer) -> dict[tuple, int]:
    """label -> true value of every cell of today's tables `scope` can be shown, complete with zeros."""
    values: dict[tuple, int] = {}
    detailed = detailed_areas(scope, gazetteer)
    areas = [area for level in publication_areas(scope, gazetteer).values() for area in level
             if detailed is None or area in detailed]
    bands = [band for band, _, _ in referral_flow.WAITING_BANDS]
    for area in areas:
        districts = set(gazetteer.districts_within(area))
        in_area = pending[pending["area"].isin(districts)]
        per_band = in_area.groupby("band")["cases"].sum()
        for band in pending_bands():
            values[label("pending", "", area, "band", band)] = int(per_band.get(band, 0))
        values[label("pending", "", area)] = int(in_area["cases"].sum())
        waiting = open_referrals[open_referrals["district_pcode"].isin(districts)]
        per_service = waiting.groupby("service_type")[[*bands, "total"]].sum()
        for service in group_values("service"):
            row = per_service.loc[service] if service in per_service.index else None
            values[label("open", "", area, "service", service)] = int(row["total"]) if row is not None else 0
            for band in waiting_bands():
                values[label("open", "", area, "service_band", f"{service}|{band}")] = (
                    int(row[band]) if row is not None else 0)
    values |= _quality_values(quality, scope, gazetteer)
    return values


def _quality_values(quality: pd.DataFrame, scope: Scope, gazetteer: Gazetteer) -> dict[tuple, int]:
    rules = sorted({f"{table}|{rule}" for table, rule in zip(quality["table"], quality["rule"])})
    keyed = quality.assign(key=quality["table"] + "|" + quality["rule"])
    values = {}
    if scope.role == "government":
        districts = scope_districts(scope, gazetteer)
        mine = keyed[keyed["district_pcode"].isin(districts)]
        for district in districts:
            counts = mine[mine["district_pcode"] == district].groupby("key")["count"].sum()
            for rule in rules:
                values[label("quality", "", district, "rule", rule)] = int(counts.get(rule, 0))
        totals = mine.groupby("key")["count"].sum()
        area = SCOPE_TOTAL
    else:
        totals = keyed.groupby("key")["count"].sum()
        area = NATIONAL
    for rule in rules:
        values[label("quality", "", area, "rule", rule)] = int(totals.get(rule, 0))
    return values


def _relate_scope_totals(publication, values: dict[tuple, int]) -> None:
    """A government account's totals by rule are the sums of its districts' counts."""
    by_rule: dict[str, list[int]] = {}
    for cell in values:
        measure, _, area, dimension, group = cell
        if measure == "quality" and area != SCOPE_TOTAL:
            by_rule.setdefault(group, []).append(publication.index(cell))
    for rule, parts in by_rule.items():
        total = publication.index(label("quality", "", SCOPE_TOTAL, "rule", rule))
        publication.relate(Relation.total(total, parts, "records breaking a rule over the scope, by district"))
