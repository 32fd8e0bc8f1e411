"""Records that break the data contract's rules, as an audience may see them.

The data-quality page and `impact-monitor quality` both read these rows, so
they show the same numbers. Counts of records follow the scope: leadership
sees everything exactly; a donor sees national totals by table and rule; a
government account sees its own districts. External audiences get small-cell
suppression, with complementary suppression over the table they are shown in.
"""

from __future__ import annotations

import pandas as pd

from .geography import Gazetteer
from .privacy import suppress_count_table
from .scope import FilterError, Scope, scope_districts

UNKNOWN_DISTRICT = "unknown"  # records whose district is missing or not a known P-code
QUALITY_BY = ("rule", "district")
QUALITY_COLUMNS = ["table", "rule", "district", "records", "suppressed"]
_KEY_SEPARATOR = "\t"  # joins table and rule into one column label of the district pivot


def in_scope(by_district: pd.DataFrame, scope: Scope, gazetteer: Gazetteer) -> pd.DataFrame:
    """Government accounts keep only rows of their districts; rows with no known district are nobody's scope."""
    if scope.role != "government":
        return by_district
    return by_district[by_district["district_pcode"].isin(scope_districts(scope, gazetteer))]


def rule_totals(by_district: pd.DataFrame) -> pd.DataFrame:
    """Records breaking each rule, per table, summed over districts."""
    totals = by_district.groupby(["table", "rule"], as_index=False, sort=True)["count"].sum()
    return totals[totals["count"] > 0].reset_index(drop=True)


def check_grouping(by: str, scope: Scope) -> None:
    """Refuse a grouping that is unknown or not for this audience (before any scan of the databases)."""
    if by not in QUALITY_BY:
        raise FilterError(f"unknown grouping {str(by)[:40]!r}: use one of {', '.join(QUALITY_BY)}")
    if by == "district" and scope.role == "donor":
        raise FilterError("donor accounts see national totals by table and rule only, not districts")


def quality_counts(by_district: pd.DataFrame, scope: Scope, gazetteer: Gazetteer, by: str, k: int) -> pd.DataFrame:
    """QUALITY_COLUMNS rows: per table and rule (`district` None), or per table, rule and district.

    `by_district` is `contract_check.by_district_of`'s frame. Hidden counts are None with `suppressed` true.
    """
    check_grouping(by, scope)
    visible = in_scope(by_district, scope, gazetteer)
    return _by_rule(visible, scope, k) if by == "rule" else _by_district(visible, scope, k)


def _by_rule(visible: pd.DataFrame, scope: Scope, k: int) -> pd.DataFrame:
    totals = rule_totals(visible)
    hidden = pd.DataFrame(False, index=totals.index, columns=["count"])
    if scope.suppressed:
        _, hidden = suppress_count_table(totals, ["count"], k)
    return _frame([_row(row.table, row.rule, None, row.count, hidden.loc[row.Index, "count"])
                   for row in totals.itertuples()])


def _by_district(visible: pd.DataFrame, scope: Scope, k: int) -> pd.DataFrame:
    """Suppression runs over the district x (table, rule) table the page shows, rows in P-code order."""
    counted = visible[visible["count"] > 0]
    pivot = counted.assign(
        district=counted["district_pcode"].map(lambda code: code if isinstance(code, str) else UNKNOWN_DISTRICT),
        key=counted["table"] + _KEY_SEPARATOR + counted["rule"],
    ).pivot_table(index="district", columns="key", values="count", aggfunc="sum", fill_value=0)
    pivot = pivot.loc[sorted(pivot.index, key=lambda code: (code == UNKNOWN_DISTRICT, code))].astype("int64")
    hidden = pd.DataFrame(False, index=pivot.index, columns=pivot.columns)
    if scope.suppressed and len(pivot.columns):
        _, hidden = suppress_count_table(pivot, list(pivot.columns), k)
    return _frame([_row(*key.split(_KEY_SEPARATOR), district, pivot.loc[district, key], hidden.loc[district, key])
                   for district in pivot.index for key in pivot.columns if pivot.loc[district, key] > 0])


def _row(table: str, rule: str, district: str | None, count, hidden) -> dict:
    return {"table": table, "rule": rule, "district": district,
            "records": None if hidden else int(count), "suppressed": bool(hidden)}


def _frame(rows: list[dict]) -> pd.DataFrame:
    # object columns: None stays None (a missing district, a hidden count) instead of becoming NaN.
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS, dtype=object).astype({"suppressed": bool})
