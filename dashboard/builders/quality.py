"""Pure builders of the data-quality page: schema findings, rule counts, the district table, freshness.

The counts come scoped and suppressed from `queries.quality`, as the CLI
exports them; leadership also sees the check's own messages.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime

import pandas as pd
from dash import html

from queries.contract_check import Finding
from queries.geography import Gazetteer
from queries.publication import ProtectedCells
from queries.quality import UNKNOWN_DISTRICT, quality_counts
from queries.scope import Scope

from ..components import HIDDEN, data_table, message
from ..i18n import N_, _, current_language, day, digits, ngettext, number

SCHEMA_RULES = ("missing_table", "missing_column", "check_failed")
# Every rule of the check (`queries.contract_check.Finding`) in words; a rule not listed reads as its own code.
RULE_WORDS = {
    "missing_table": N_("missing table"), "missing_column": N_("missing column"), "check_failed": N_("check failed"),
    "unreadable_date": N_("unreadable date"), "missing_value": N_("missing required value"),
    "bad_value": N_("bad value"), "unknown_pcode": N_("unknown P-code"), "noncanonical_date": N_("noncanonical date"),
    "future_date": N_("future date"), "negative_duration": N_("negative duration"),
    "first_service_before_referral": N_("first service before referral"),
    "identified_before_report": N_("identified before report"), "age_out_of_range": N_("age out of range"),
    "verdict_without_complaint": N_("verdict without complaint"), "score_out_of_range": N_("score out of range"),
    "minors_above_individuals": N_("minors above individuals"), "negative_minors": N_("negative minors"),
    "non_positive_individuals": N_("non positive individuals"),
    "design_effect_below_1": N_("design effect below 1"), "duplicate_key": N_("duplicate key"),
    "duplicate_population": N_("duplicate population"), "non_positive_population": N_("non positive population"),
    "missing_age": N_("missing age"),
}
# The contract's databases and tables: English keeps the names the databases use, Bangla names them in words.
TABLE_NAMES = {
    "cases": N_("cases"), "victims": N_("victims"), "accused": N_("accused"), "legal_events": N_("legal_events"),
    "survivor_assessments": N_("survivor_assessments"), "district_population": N_("district_population"),
    "prevalence_studies": N_("prevalence_studies"), "reports": N_("reports"), "referrals": N_("referrals"),
}


def rule_words(rule: str) -> str:
    return _(RULE_WORDS[rule]) if rule in RULE_WORDS else rule.replace("_", " ")


def table_name(table: str) -> str:
    return _(TABLE_NAMES[table]) if table in TABLE_NAMES else table


def place_name(place: str) -> str:
    """A table, or a column written as "table.column", in the current language."""
    table, dot, column = place.partition(".")
    if not dot:
        return table_name(table)
    # Translators: a column of a table of the data contract, as in "victims.age_at_identification".
    return _("{table}.{column}").format(table=table_name(table), column=column)


# The check writes its messages in English (`queries.contract_check`): to show one in Bangla, it is read back into
# its parts with the template it was written from, then written again from the template's Bangla. The templates
# that quote examples come before those that do not, which would read the examples as part of the description.
_FINDING_MESSAGES = (
    N_("{where}: table (or view) is missing from the {database} database"),
    N_("{where}: column is missing from the {database} database"),
    N_("{where}: the database rejected the {rule} check ({error}); is the column of the contract's type?"),
    N_("{where}: {count} row {description} (e.g. {examples})"),
    N_("{where}: {count} rows {description} (e.g. {examples})"),
    N_("{where}: {count} row {description}"),
    N_("{where}: {count} rows {description}"),
)
_ALLOWED_VALUES = N_("with a value that is not one of: {values}")
_FIELD_PATTERNS = {"count": r"\d+"}


def _read_back(template: str, text: str) -> dict[str, str] | None:
    """The fields `template.format(**fields)` was given to write `text`; None when `text` was not written from it."""
    pattern = "".join(re.escape(literal) + (f"(?P<{name}>{_FIELD_PATTERNS.get(name, '.+?')})" if name else "")
                      for literal, name, _spec, _conversion in string.Formatter().parse(template))
    found = re.fullmatch(pattern, text, re.DOTALL)
    return found.groupdict() if found else None


def _description(text: str) -> str:
    listed = _read_back(_ALLOWED_VALUES, text)
    return _(_ALLOWED_VALUES).format(**listed) if listed else _(text)


def _written_again(template: str, fields: dict[str, str]) -> str:
    """`template` in the current language, filled with the fields read back, each in the current language."""
    shown = dict(fields, where=place_name(fields["where"]))
    if "database" in fields:
        shown["database"] = table_name(fields["database"])
    if "rule" in fields:
        shown["rule"] = rule_words(fields["rule"])
    if "count" in fields:
        shown["count"] = number(int(fields["count"]))
    if "description" in fields:
        shown["description"] = _description(fields["description"])
    return _(template).format(**shown)


def finding_text(finding: Finding) -> str:
    """The check's message about a finding in the current language; as the check wrote it if it cannot be read
    back (English is never rewritten)."""
    if current_language() == "en":
        return finding.message
    for template in _FINDING_MESSAGES:
        fields = _read_back(template, finding.message)
        if fields is not None:
            return _written_again(template, fields)
    return finding.message


def schema_panel(findings: list[Finding]) -> html.Section:
    """Missing tables and columns first and loud: every number on every page depends on them."""
    broken = [f for f in findings if f.rule in SCHEMA_RULES]
    if not broken:
        body = message(_("Every table and column of the data contract is present in both databases."), "info")
    else:
        body = html.Div([
            html.P(ngettext("{count} problem with the databases' structure: pages that need these tables or columns "
                            "cannot show their figures.",
                            "{count} problems with the databases' structure: pages that need these tables or "
                            "columns cannot show their figures.", len(broken)).format(count=number(len(broken)))),
            html.Ul([html.Li(finding_text(f)) for f in broken]),
        ], className="message message-error", role="alert")
    return html.Section([html.H3(_("Tables and columns")), body], id="quality-schema")


def findings_list(findings: list[Finding]) -> html.Section:
    """The check's own messages about bad values (leadership only: they quote example codes)."""
    values = [f for f in findings if f.rule not in SCHEMA_RULES]
    items = [html.Li(finding_text(f), className=f"finding finding-{f.severity}") for f in values]
    body = html.Ul(items) if items else message(_("No record breaks a rule of the data contract."), "info")
    return html.Section([html.H3(_("What the check found")), body], id="quality-findings")


def _cell(records, suppressed: bool) -> str:
    return _(HIDDEN) if suppressed else number(int(records))


def totals_table(totals: pd.DataFrame) -> pd.DataFrame:
    """`quality_counts(..., by="rule")` rows as text."""
    return pd.DataFrame({_("Table"): totals["table"].map(table_name), _("Rule"): totals["rule"].map(rule_words),
                         _("Records"): [_cell(r, s) for r, s in zip(totals["records"], totals["suppressed"])]})


def district_table(counts: pd.DataFrame, gazetteer: Gazetteer, language: str) -> pd.DataFrame:
    """`quality_counts(..., by="district")` rows as one row per district (by name, "unknown" last) and one
    column per table and rule; a rule a district does not break reads 0."""
    name = {code: _(UNKNOWN_DISTRICT) if code == UNKNOWN_DISTRICT else gazetteer.name(code, language)
            for code in counts["district"]}
    labelled = counts.assign(column=counts["table"].map(table_name) + ": " + counts["rule"].map(rule_words),
                             text=[_cell(r, s) for r, s in zip(counts["records"], counts["suppressed"])])
    table = labelled.pivot(index="district", columns="column", values="text").fillna(number(0))
    order = sorted(table.index, key=lambda code: (code == UNKNOWN_DISTRICT, name[code]))
    table = table.loc[order, sorted(table.columns)].reset_index(drop=True)
    table.columns.name = None
    table.insert(0, _("District"), [name[code] for code in order])
    return table


def counts_panel(by_district: pd.DataFrame, scope: Scope, gazetteer: Gazetteer, language: str,
                 cells: ProtectedCells | None) -> list:
    """Totals by table and rule for everyone; the district table for leadership and government. `cells`: an
    external audience's protected cells of today's tables."""
    totals = quality_counts(by_district, scope, gazetteer, "rule", cells)
    if totals.empty:
        return [message(_("No record in your scope breaks a rule of the data contract."), "info")]
    parts = [data_table(totals_table(totals), _("Records that break a rule of the data contract, by table and rule"),
                        "quality-totals", numeric=(_("Records"),))]
    if scope.role != "donor":
        table = district_table(quality_counts(by_district, scope, gazetteer, "district", cells), gazetteer, language)
        parts.append(data_table(table, _("Records that break a rule, by district (columns: table: rule)"),
                                "quality-by-district", numeric=tuple(table.columns[1:])))
    return parts


def _when(value: date | datetime | None) -> str:
    if value is None:
        return _("no dated records (the table is empty, or missing: see above)")
    if isinstance(value, datetime):
        return f"{day(value.date())} {digits(value.strftime('%H:%M'))}"
    return day(value)


def as_of_table(as_of: dict[str, dict[str, date | datetime | None]]) -> pd.DataFrame:
    """The latest date per database and column, as the data_as_of query gives it."""
    return pd.DataFrame(
        [(table_name(database), place_name(column), _when(value))
         for database, columns in as_of.items() for column, value in columns.items()],
        columns=[_("Database"), _("Latest of"), _("Date")],
    )
