"""Records that break the data contract's rules, as an audience may see them.

The data-quality page and `impact-monitor quality` both read these rows, so
they show the same numbers. Counts of records follow the scope: leadership
sees everything exactly; a donor sees national totals by table and rule; a
government account sees its own districts and its total over them. An
external audience's counts come from its protected cells of today's tables
(`current.CurrentTables`), decided with the rest of what it sees.
"""

from __future__ import annotations

import pandas as pd

from .current import SCOPE_TOTAL
from .disclosure import PUBLISHED
from .geography import NATIONAL, Gazetteer
from .publication import ProtectedCells
from .scope import FilterError, Scope, scope_districts
from .words import N_

UNKNOWN_DISTRICT = N_("unknown")  # records whose district is missing or not a known P-code
QUALITY_BY = ("rule", "district")
QUALITY_COLUMNS = ["table", "rule", "district", "records", "suppressed"]


def in_scope(by_district: pd.DataFrame, scope: Scope, gazetteer: Gazetteer) -> pd.DataFrame:
    """Government accounts keep only rows of their districts; rows with no known district are nobody's scope."""
    if scope.role != "government":
        return by_district
    return by_district[by_district["district_pcode"].isin(scope_districts(scope, gazetteer))]


def check_grouping(by: str, scope: Scope) -> None:
    """Refuse a grouping that is unknown or not for this audience (before any scan of the databases)."""
    if by not in QUALITY_BY:
        raise FilterError("unknown grouping {by}: use one of {groupings}", by=repr(str(by)[:40]),
                          groupings=", ".join(QUALITY_BY))
    if by == "district" and scope.role == "donor":
        raise FilterError("donor accounts see national totals by table and rule only, not districts")


def quality_counts(by_district: pd.DataFrame, scope: Scope, gazetteer: Gazetteer, by: str,
                   cells: ProtectedCells | None) -> pd.DataFrame:
    """QUALITY_COLUMNS rows: per table and rule (`district` None), or per table, rule and district.

    `by_district` is `contract_check.by_district_of`'s frame; `cells` an
    external audience's protected cells of today's tables (None for
    leadership). Hidden counts are None with `suppressed` true.
    """
    check_grouping(by, scope)
    if cells is not None:
        return _protected(cells, scope, gazetteer, by)
    visible = in_scope(by_district, scope, gazetteer)
    counted = visible[visible["count"] > 0]
    if by == "rule":
        totals = counted.groupby(["table", "rule"], as_index=False, sort=True)["count"].sum()
        return _frame([_row(row.table, row.rule, None, row.count, False) for row in totals.itertuples()])
    districts = counted["district_pcode"].map(lambda code: code if isinstance(code, str) else UNKNOWN_DISTRICT)
    totals = (counted.assign(district=districts).groupby(["table", "rule", "district"], as_index=False)["count"]
              .sum())
    return _frame([_row(row.table, row.rule, row.district, row.count, False)
                   for row in _district_order(totals).itertuples()])


def _protected(cells: ProtectedCells, scope: Scope, gazetteer: Gazetteer, by: str) -> pd.DataFrame:
    """Rows of every cell that holds records, or whose whole breakdown is withheld (zeros included: listing
    only those with records would tell which hold some)."""
    if by == "rule":
        areas = [SCOPE_TOTAL if scope.role == "government" else NATIONAL]
    else:
        areas = list(scope_districts(scope, gazetteer))
    rows = []
    for cell, value in sorted(cells.values.items()):
        measure, _, area, _, rule = cell
        if measure != "quality" or area not in areas or not (value > 0 or cells.withheld(cell)):
            continue
        table, rule_name = rule.split("|", 1)
        shown = cells.states[cell] == PUBLISHED
        rows.append(_row(table, rule_name, None if by == "rule" else area, value if shown else None, not shown))
    frame = _frame(rows)
    return frame if by == "rule" else _district_order(frame)


def _district_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Districts in P-code order with "unknown" last, then table and rule."""
    return (frame.assign(_unknown=frame["district"] == UNKNOWN_DISTRICT)
            .sort_values(["_unknown", "district", "table", "rule"]).drop(columns="_unknown").reset_index(drop=True))


def _row(table: str, rule: str, district: str | None, count, hidden) -> dict:
    return {"table": table, "rule": rule, "district": district,
            "records": None if hidden else int(count), "suppressed": bool(hidden)}


def _frame(rows: list[dict]) -> pd.DataFrame:
    # object columns: None stays None (a missing district, a hidden count) instead of becoming NaN.
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS, dtype=object).astype({"suppressed": bool})
