"""Pure builders of the data-quality page: schema findings, rule counts, the district table, freshness.

Quality counts are counts of records, so they follow the audience's scope:
leadership sees everything, with the check's messages; a donor sees national
totals by table and rule; a government account sees its own districts.
External audiences get small-cell suppression.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from dash import html

from queries.contract_check import Finding
from queries.geography import Gazetteer
from queries.privacy import suppress_count_table
from queries.scope import Scope, scope_districts

from ..components import data_table, message

UNKNOWN_DISTRICT = "unknown"
SCHEMA_RULES = ("missing_table", "missing_column", "check_failed")
_RULE_WORDS = {"unknown_pcode": "unknown P-code", "missing_value": "missing required value"}


def rule_words(rule: str) -> str:
    return _RULE_WORDS.get(rule, rule.replace("_", " "))


def schema_panel(findings: list[Finding]) -> html.Section:
    """Missing tables and columns first and loud: every number on every page depends on them."""
    broken = [f for f in findings if f.rule in SCHEMA_RULES]
    if not broken:
        body = message("Every table and column of the data contract is present in both databases.", "info")
    else:
        body = html.Div([
            html.P(f"{len(broken)} problem{'s' if len(broken) != 1 else ''} with the databases' structure: "
                   "pages that need these tables or columns cannot show their figures."),
            html.Ul([html.Li(f.message) for f in broken]),
        ], className="message message-error", role="alert")
    return html.Section([html.H3("Tables and columns"), body], id="quality-schema")


def findings_list(findings: list[Finding]) -> html.Section:
    """The check's own messages about bad values (leadership only: they quote example codes)."""
    values = [f for f in findings if f.rule not in SCHEMA_RULES]
    items = [html.Li(f.message, className=f"finding finding-{f.severity}") for f in values]
    body = html.Ul(items) if items else message("No record breaks a rule of the data contract.", "info")
    return html.Section([html.H3("What the check found"), body], id="quality-findings")


def in_scope(quality: pd.DataFrame, scope: Scope, gazetteer: Gazetteer) -> pd.DataFrame:
    """Government accounts keep only rows of their districts; rows with no known district are nobody's scope."""
    if scope.role != "government":
        return quality
    return quality[quality["district_pcode"].isin(scope_districts(scope, gazetteer))]


def rule_totals(quality: pd.DataFrame) -> pd.DataFrame:
    """Records breaking each rule, per table, summed over districts."""
    totals = quality.groupby(["table", "rule"], as_index=False, sort=True)["count"].sum()
    return totals[totals["count"] > 0].reset_index(drop=True)


def totals_table(totals: pd.DataFrame, suppressed: bool, k: int) -> pd.DataFrame:
    shown = pd.DataFrame({"Table": totals["table"], "Rule": totals["rule"].map(rule_words),
                          "Records": totals["count"]})
    if suppressed:
        shown, hidden = suppress_count_table(shown, ["Records"], k)
        shown["Records"] = _cells(shown["Records"], hidden["Records"], k)
    return shown


def _cells(values: pd.Series, hidden: pd.Series, k: int) -> list[str]:
    return [f"<{k}" if is_hidden else f"{int(value):,}" for value, is_hidden in zip(values, hidden)]


def district_pivot(quality: pd.DataFrame, gazetteer: Gazetteer, language: str) -> pd.DataFrame:
    """One row per district (no or unknown district as "unknown"), one column per table and rule."""
    rows = quality.assign(
        district=quality["district_pcode"].map(lambda code: UNKNOWN_DISTRICT if code is None else code),
        column=quality["table"] + ": " + quality["rule"].map(rule_words),
    )
    pivot = rows.pivot_table(index="district", columns="column", values="count", aggfunc="sum", fill_value=0)
    order = sorted(pivot.index, key=lambda code: (code == UNKNOWN_DISTRICT, gazetteer.name(code, language)))
    pivot = pivot.loc[order]
    names = [UNKNOWN_DISTRICT if code == UNKNOWN_DISTRICT else gazetteer.name(code, language) for code in pivot.index]
    frame = pivot.reset_index(drop=True).astype("int64")
    frame.columns.name = None
    frame.insert(0, "District", names)
    return frame


def district_table(pivot: pd.DataFrame, suppressed: bool, k: int) -> pd.DataFrame:
    counts = [c for c in pivot.columns if c != "District"]
    if not suppressed:
        return pivot.assign(**{c: pivot[c].map(lambda v: f"{v:,}") for c in counts})
    shown, hidden = suppress_count_table(pivot, counts, k)
    return shown.assign(**{c: _cells(shown[c], hidden[c], k) for c in counts})


def counts_panel(quality: pd.DataFrame, scope: Scope, gazetteer: Gazetteer, language: str, k: int) -> list:
    """Totals by table and rule for everyone; the district table for leadership and government."""
    visible = in_scope(quality, scope, gazetteer)
    totals = rule_totals(visible)
    if totals.empty:
        return [message("No record in your scope breaks a rule of the data contract.", "info")]
    parts = [data_table(totals_table(totals, scope.suppressed, k),
                        "Records that break a rule of the data contract, by table and rule",
                        "quality-totals", numeric=("Records",))]
    if scope.role != "donor":
        pivot = district_pivot(visible[visible["count"] > 0], gazetteer, language)
        table = district_table(pivot, scope.suppressed, k)
        parts.append(data_table(table, "Records that break a rule, by district (columns: table: rule)",
                                "quality-by-district", numeric=tuple(table.columns[1:])))
    if scope.suppressed:
        parts.append(html.P(f"Counts from 1 to {k - 1} are shown as <{k}, and so is the next smallest count "
                            "where one would otherwise reveal a hidden one.", className="note"))
    return parts


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "no dated records (the table is empty, or missing: see above)"
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def as_of_table(as_of: dict[str, dict[str, date | datetime | None]]) -> pd.DataFrame:
    """The latest date per database and column, as the data_as_of query gives it."""
    return pd.DataFrame(
        [(database, column, _when(value)) for database, columns in as_of.items() for column, value in columns.items()],
        columns=["Database", "Latest of", "Date"],
    )
