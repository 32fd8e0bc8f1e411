"""Pure builders of the data-quality page: schema findings, rule counts, the district table, freshness.

The counts come scoped and suppressed from `queries.quality`, as the CLI
exports them; leadership also sees the check's own messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable

import pandas as pd
from dash import html

from impact_monitor.services import Services
from impact_monitor.table_model import Cell, Column, Table
from queries.contract_check import Finding, by_district_of
from queries.data_as_of import data_as_of_for
from queries.geography import Gazetteer
from queries.publication import ProtectedCells
from queries.quality import UNKNOWN_DISTRICT, quality_counts
from queries.scope import AreaFilter, Scope

from ..components import HIDDEN, message, with_parts
from ..i18n import N_, _, current_language, day, digits, ngettext, number, zone_name
from ..table_view import model_table, register_table_source

PAGE = "data-quality"
TOTALS_TABLE, DISTRICT_TABLE, AS_OF_TABLE = "quality-totals", "quality-by-district", "quality-as-of"
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


def _place_parts(place: str) -> list:
    """`place_name`'s words, the column's name set as code: it is the contract's name in any language."""
    table, dot, column = place.partition(".")
    if not dot:
        return [table_name(table)]
    return with_parts(_("{table}.{column}"), table=table_name(table), column=html.Code(column))


def _field(name: str, value: str | int, fields: dict):
    """A field of a finding's message in the current language: names of tables and rules in words, numbers in
    the language's digits; the contract's codes (allowed values) as code and what the database holds or said
    (examples, an error's class) as sample text, as written."""
    if name == "where":
        return _place_parts(value)
    if name == "database":
        return table_name(value)
    if name == "rule":
        return rule_words(value)
    if name == "count":
        return number(int(value))
    if name == "description":
        return with_parts(_(value), **{other: _field(other, given, fields) for other, given in fields.items()
                                       if other != "description"})
    if name == "values":
        return html.Code(value)
    return html.Samp(str(value))


def _flat(pieces: list) -> list:
    return [piece for part in pieces for piece in (_flat(part) if isinstance(part, list) else [part])]


def finding_parts(finding: Finding) -> list:
    """The check's message about a finding in the current language, as a component's children: its template
    translated, each field written in the language (`queries.contract_check.Finding`)."""
    fields = dict(finding.params)
    parts = {name: _field(name, value, fields) for name, value in fields.items()}
    return _flat(with_parts(_(finding.template), **parts))


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
            html.Ul([html.Li(finding_parts(f)) for f in broken]),
        ], className="message message-error", role="alert")
    return html.Section([html.H3(_("Tables and columns")), body], id="quality-schema")


def findings_list(findings: list[Finding]) -> html.Section:
    """The check's own messages about bad values (leadership only: they quote example codes)."""
    values = [f for f in findings if f.rule not in SCHEMA_RULES]
    items = [html.Li(finding_parts(f), className=f"finding finding-{f.severity}") for f in values]
    body = html.Ul(items) if items else message(_("No record breaks a rule of the data contract."), "info")
    return html.Section([html.H3(_("What the check found")), body], id="quality-findings")


def _count(records, suppressed: bool) -> Cell:
    return Cell(mark=HIDDEN) if suppressed else Cell(int(records))


def totals_table(totals: pd.DataFrame) -> Table:
    """`quality_counts(..., by="rule")` rows: table and rule in words, records as a count or hidden."""
    return Table(TOTALS_TABLE, _("Records that break a rule of the data contract, by table and rule"),
                 (Column(_("Table")), Column(_("Rule")), Column(_("Records"), "count")),
                 tuple((Cell(table_name(row.table)), Cell(rule_words(row.rule)), _count(row.records, row.suppressed))
                       for row in totals.itertuples()))


def district_table(counts: pd.DataFrame, gazetteer: Gazetteer, language: str) -> Table:
    """`quality_counts(..., by="district")` rows as one row per district (by name, "unknown" last) and one
    column per table and rule; a rule a district does not break reads 0."""
    name = {code: _(UNKNOWN_DISTRICT) if code == UNKNOWN_DISTRICT else gazetteer.name(code, language)
            for code in counts["district"]}
    cells = {(row.district, f"{table_name(row.table)}: {rule_words(row.rule)}"): _count(row.records, row.suppressed)
             for row in counts.itertuples()}
    headings = sorted({heading for _district, heading in cells})
    districts = sorted(name, key=lambda code: (code == UNKNOWN_DISTRICT, name[code]))
    return Table(DISTRICT_TABLE, _("Records that break a rule, by district (columns: table: rule)"),
                 (Column(_("District")), *(Column(heading, "count") for heading in headings)),
                 tuple((Cell(name[code]), *(cells.get((code, heading), Cell(0)) for heading in headings))
                       for code in districts))


def counts_panel(by_district: pd.DataFrame, scope: Scope, gazetteer: Gazetteer, language: str,
                 cells: ProtectedCells | None, params: dict) -> list:
    """Totals by table and rule for everyone; the district table for leadership and government. `cells`: an
    external audience's protected cells of today's tables; `params`: what the downloads are built with."""
    totals = quality_counts(by_district, scope, gazetteer, "rule", cells)
    if totals.empty:
        return [message(_("No record in your scope breaks a rule of the data contract."), "info")]
    parts = [model_table(totals_table(totals), params)]
    if scope.role != "donor":
        counts = quality_counts(by_district, scope, gazetteer, "district", cells)
        parts.append(model_table(district_table(counts, gazetteer, language), params))
    return parts


def _when(value: date | datetime | None) -> str:
    """A date as the page writes it (ISO in English, Bengali digits in Bangla); a time in the program's zone."""
    if value is None:
        return _("no dated records (the table is empty, or missing: see above)")
    if isinstance(value, datetime):
        return f"{day(value.date())} {digits(value.strftime('%H:%M'))}"
    return day(value)


def as_of_table(as_of: dict[str, dict[str, date | datetime | None]], zone: str) -> Table:
    """The latest date per database and column, as the data_as_of query gives it; `zone` is the program's."""
    return Table(AS_OF_TABLE, _("Latest date per database and column (times in {zone})").format(zone=zone_name(zone)),
                 (Column(_("Database")), Column(_("Latest of")), Column(_("Date"))),
                 tuple((Cell(table_name(database)), Cell(place_name(column)), Cell(_when(value)))
                       for database, columns in as_of.items() for column, value in columns.items()))


# The tables built again for their downloads, for the account asking (never more than its page shows it).

def check_frame(svc: Services) -> pd.DataFrame:
    """Today's whole contract check (`contract_check.quality_frame`), cached for the day."""
    return svc.current.quality_frame(svc.databases.today())


def protected_cells(svc: Services, scope: Scope) -> ProtectedCells | None:
    """An external audience's protected cells of today's tables; None for leadership."""
    if not scope.suppressed:
        return None
    return svc.current.cells(scope, svc.databases.today(), svc.databases.start_of_today(),
                             svc.settings.suppress_below)


def _build_counts(by: str) -> Callable[[Services, AreaFilter, dict], Table]:
    def build(svc: Services, chosen: AreaFilter, _params: dict) -> Table:
        # quality_counts refuses a donor the districts, as the page never shows them one.
        counts = quality_counts(by_district_of(check_frame(svc)), chosen.scope, svc.gazetteer, by,
                                protected_cells(svc, chosen.scope))
        if by == "rule":
            return totals_table(counts)
        return district_table(counts, svc.gazetteer, current_language())
    return build


def build_as_of(svc: Services, chosen: AreaFilter, _params: dict) -> Table:
    return as_of_table(data_as_of_for(svc.databases, chosen.scope, svc.gazetteer), svc.settings.timezone.key)


register_table_source(TOTALS_TABLE, PAGE, _build_counts("rule"))
register_table_source(DISTRICT_TABLE, PAGE, _build_counts("district"))
register_table_source(AS_OF_TABLE, PAGE, build_as_of)
