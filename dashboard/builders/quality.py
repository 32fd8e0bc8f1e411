"""Pure builders of the data-quality page: schema findings, rule counts, the district table, freshness.

The counts come scoped and suppressed from `queries.quality`, as the CLI
exports them; leadership also sees the check's own messages.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from dash import html

from queries.contract_check import Finding
from queries.geography import Gazetteer
from queries.publication import ProtectedCells
from queries.quality import UNKNOWN_DISTRICT, quality_counts
from queries.scope import Scope

from ..components import HIDDEN, data_table, message

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


def _cell(records, suppressed: bool) -> str:
    return HIDDEN if suppressed else f"{int(records):,}"


def totals_table(totals: pd.DataFrame) -> pd.DataFrame:
    """`quality_counts(..., by="rule")` rows as text."""
    return pd.DataFrame({"Table": totals["table"], "Rule": totals["rule"].map(rule_words),
                         "Records": [_cell(r, s) for r, s in zip(totals["records"], totals["suppressed"])]})


def district_table(counts: pd.DataFrame, gazetteer: Gazetteer, language: str) -> pd.DataFrame:
    """`quality_counts(..., by="district")` rows as one row per district (by name, "unknown" last) and one
    column per table and rule; a rule a district does not break reads 0."""
    name = {code: UNKNOWN_DISTRICT if code == UNKNOWN_DISTRICT else gazetteer.name(code, language)
            for code in counts["district"]}
    labelled = counts.assign(column=counts["table"] + ": " + counts["rule"].map(rule_words),
                             text=[_cell(r, s) for r, s in zip(counts["records"], counts["suppressed"])])
    table = labelled.pivot(index="district", columns="column", values="text").fillna("0")
    order = sorted(table.index, key=lambda code: (code == UNKNOWN_DISTRICT, name[code]))
    table = table.loc[order, sorted(table.columns)].reset_index(drop=True)
    table.columns.name = None
    table.insert(0, "District", [name[code] for code in order])
    return table


def counts_panel(by_district: pd.DataFrame, scope: Scope, gazetteer: Gazetteer, language: str,
                 cells: ProtectedCells | None) -> list:
    """Totals by table and rule for everyone; the district table for leadership and government. `cells`: an
    external audience's protected cells of today's tables."""
    totals = quality_counts(by_district, scope, gazetteer, "rule", cells)
    if totals.empty:
        return [message("No record in your scope breaks a rule of the data contract.", "info")]
    parts = [data_table(totals_table(totals), "Records that break a rule of the data contract, by table and rule",
                        "quality-totals", numeric=("Records",))]
    if scope.role != "donor":
        table = district_table(quality_counts(by_district, scope, gazetteer, "district", cells), gazetteer, language)
        parts.append(data_table(table, "Records that break a rule, by district (columns: table: rule)",
                                "quality-by-district", numeric=tuple(table.columns[1:])))
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
