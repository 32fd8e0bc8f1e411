"""Small-cell suppression for external audiences (donor and government).

Primary suppression hides counts 1..k-1, rates and percentages built on such
a count, and medians over fewer than k values. Complementary suppression then
hides the next smallest non-zero sibling wherever exactly one cell of a total
is hidden, so no hidden value can be recovered by subtraction; a rate or
percentage follows the count it is built on.
"""

from __future__ import annotations

import pandas as pd

from .definitions import INDICATORS
from .geography import Gazetteer


def is_small(count, k: int) -> bool:
    return count is not None and not pd.isna(count) and 1 <= count < k


def _primary(row: pd.Series, k: int) -> bool:
    kind = INDICATORS[row["indicator"]].kind
    if kind == "count":
        return is_small(row["numerator"], k)
    if kind == "median":
        return is_small(row["denominator"], k)
    return is_small(row["numerator"], k) or is_small(row["denominator"], k)


def _complement(rows: pd.DataFrame, hidden: pd.Series, sibling_keys: list[str]) -> bool:
    """Hide one more cell in every sibling set with exactly one hidden count; True if anything changed."""
    changed = False
    counts = rows[rows["indicator"].map(lambda code: INDICATORS[code].kind == "count")]
    for _, siblings in counts.groupby(sibling_keys, dropna=False):
        if len(siblings) < 2 or hidden[siblings.index].sum() != 1:
            continue
        candidates = siblings[~hidden[siblings.index] & (siblings["numerator"] > 0)]
        if not candidates.empty:
            hidden[candidates["numerator"].idxmin()] = True
            changed = True
    return changed


def _follow_counts(rows: pd.DataFrame, hidden: pd.Series, row_keys: list[str]) -> None:
    """A rate or percentage is hidden with the count it is derived from."""
    hidden_cells = set(map(tuple, rows.loc[hidden, ["indicator"] + row_keys].to_numpy().tolist()))
    for index, row in rows.iterrows():
        followed = INDICATORS[row["indicator"]].follows
        if any((code, *row[row_keys].tolist()) in hidden_cells for code in followed):
            hidden[index] = True


def suppress(rows: pd.DataFrame, k: int, gazetteer: Gazetteer, disaggregated: bool = False) -> pd.DataFrame:
    """Apply the contract's suppression rules to indicator rows; hidden rows keep no numbers."""
    rows = rows.copy()
    if rows.empty:
        return rows
    rows["parent"] = rows["area"].map(lambda code: gazetteer.areas[code].parent if code in gazetteer.areas else None)
    row_keys = ["area", "group"] if disaggregated else ["area"]
    sibling_sets = [["indicator", "parent"] + (["group"] if disaggregated else [])]
    if disaggregated:
        sibling_sets.append(["indicator", "area"])
    hidden = rows.apply(lambda row: _primary(row, k), axis=1).astype(bool)
    while any([_complement(rows, hidden, keys) for keys in sibling_sets]):
        pass
    _follow_counts(rows, hidden, row_keys)
    rows["suppressed"] = hidden
    rows.loc[hidden, ["value", "numerator", "denominator"]] = None
    return rows.drop(columns="parent")


def suppress_count_table(table: pd.DataFrame, count_columns: list[str], k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hide small counts in a table whose rows and columns add up to totals shown elsewhere.

    Returns (the table with hidden cells as None, a boolean mask of hidden cells
    over `count_columns`). Complementary suppression runs down each column and
    along each row, so neither a column total nor a row total reveals a hidden cell.
    """
    values = table[count_columns].astype("float64")
    hidden = values.apply(lambda column: column.map(lambda v: is_small(v, k))).astype(bool)
    changed = True
    while changed:
        changed = False
        lines = [(values[c], hidden[c], lambda label, c=c: (label, c)) for c in count_columns]
        lines += [(values.loc[i], hidden.loc[i], lambda label, i=i: (i, label)) for i in values.index]
        for line_values, line_hidden, cell in lines:
            if len(line_values) > 1 and line_hidden.sum() == 1:
                candidates = line_values[~line_hidden & (line_values > 0)]
                if not candidates.empty:
                    hidden.loc[cell(candidates.idxmin())] = True
                    changed = True
    shown = table.copy()
    for column in count_columns:
        shown[column] = shown[column].astype("object").where(~hidden[column], None)
    return shown, hidden
