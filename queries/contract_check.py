"""Checks a deployment's databases against the data contract and counts bad values.

Every value check is one aggregate COUNT in the database, grouped by
district, so no record leaves it; the only values quoted back in messages
are codes (enum values, P-codes) of the offending rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Callable, Iterator

import pandas as pd
from sqlalchemy import (
    Column, Connection, Date, DateTime, Engine, Table, and_, case, false, func, inspect, or_, select,
    tuple_,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from queries import schema as s
from queries.db import Databases
from queries.geography import NATIONAL, Gazetteer
from queries.keys import EVERY_ROW, key_of, keyed_tables
from queries.localtime import Timestamps, local_midnight
from queries.words import N_

DATABASE_METADATA = {"cases": s.cases_metadata, "referrals": s.referrals_metadata}
_CONTRACT_TABLES: dict[str, Table] = {**s.cases_metadata.tables, **s.referrals_metadata.tables}
_EXAMPLE_LIMIT = 3
# A garbage "code" may be free text someone typed; quote only its start.
_EXAMPLE_MAX_CHARS = 24
_PLAIN_DATE = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
_PLAIN_TIMESTAMP = _PLAIN_DATE + " [0-9][0-9]:[0-9][0-9]:[0-9][0-9]"


# A finding's message: an English template marked for the interface's catalogue, filled from the finding's `params`.
# Its fields: `where` ("table" or "table.column"), `database`, `rule` (a rule's code), `error` (the database
# error's class), `count` (rows), `description` (a rule's own template, which may take `values`), `values` (the
# allowed codes, listed), `examples` (codes quoted from the offending rows, listed).
MISSING_TABLE = N_("{where}: table (or view) is missing from the {database} database")
MISSING_COLUMN = N_("{where}: column is missing from the {database} database")
CHECK_FAILED = N_("{where}: the database rejected the {rule} check ({error}); is the column of the contract's type?")
ROWS_QUOTED = (N_("{where}: {count} row {description} (e.g. {examples})"),
               N_("{where}: {count} rows {description} (e.g. {examples})"))
ROWS = (N_("{where}: {count} row {description}"), N_("{where}: {count} rows {description}"))
ALLOWED_VALUES = N_("with a value that is not one of: {values}")


@dataclass(frozen=True)
class Finding:
    """One broken contract rule. `rule` codes: missing_table, missing_column, check_failed (schema, "error");
    unreadable_date ("error": a value no figure can use);
    missing_value, bad_value, unknown_pcode, noncanonical_date, future_date, negative_duration,
    first_service_before_referral, identified_before_report, age_out_of_range, verdict_without_complaint,
    score_out_of_range, minors_above_individuals, negative_minors, non_positive_individuals,
    design_effect_below_1, duplicate_key, duplicate_population, non_positive_population ("warning");
    missing_age ("info": allowed by the contract, but such victims never count as minors).

    `template` and `params` are its message (see MISSING_TABLE and the others above): `message` writes it in
    English for the command line; the interface translates the template and writes each field in its language."""

    database: str  # "cases" or "referrals"
    table: str
    column: str | None
    rule: str
    count: int  # rows affected; 0 for schema findings
    severity: str  # "error" (schema broken, check failed), "warning" (bad values) or "info"
    template: str
    params: tuple[tuple[str, str | int], ...]  # (field, value) pairs, hashable and in a fixed order

    @property
    def message(self) -> str:
        """The message in English, as the command line prints it."""
        fields = dict(self.params)
        if "description" in fields:
            fields["description"] = fields["description"].format(**fields)
        return self.template.format(**fields)


@dataclass(frozen=True)
class _Context:
    """What a rule's condition depends on besides the tables."""

    gazetteer: Gazetteer
    today: date  # in the program's time zone
    timestamps: Timestamps

    def earlier(self, first: ColumnElement, second: ColumnElement) -> ColumnElement[bool]:
        return self.timestamps.instant(first) < self.timestamps.instant(second)

    def in_future(self, column: ColumnElement) -> ColumnElement[bool]:
        """Dated after today: a timestamp from the local midnight ending today, a date from tomorrow's."""
        tomorrow = self.today + timedelta(days=1)
        if isinstance(column.type, DateTime):
            starts = local_midnight(tomorrow, self.timestamps.zone)
        else:  # a date's instant is its midnight UTC on SQLite, the date itself on PostgreSQL
            starts = datetime.combine(tomorrow, time())
        return self.timestamps.instant(column) >= self.timestamps.at(starts)

    def unreadable(self, column: ColumnElement) -> ColumnElement[bool]:
        """Text SQLite stores that is no real date or time (`2026-11-31`, a prefix and junk); PostgreSQL's
        types rule it out."""
        if not self.timestamps.sqlite:
            return false()
        return and_(column.is_not(None), self.timestamps.instant(column).is_(None))

    def noncanonical(self, column: ColumnElement) -> ColumnElement[bool]:
        """Text SQLite reads as a date or time, but not in the plain form: 'YYYY-MM-DD' for a date,
        'YYYY-MM-DD HH:MM:SS' (UTC, fractions of a second allowed) for a timestamp. A `T`, an offset or `Z`, or
        a bare date in a timestamp column is read right, and worth fixing at the source."""
        if not self.timestamps.sqlite:
            return false()
        if isinstance(column.type, DateTime):
            plain = or_(column.op("GLOB", is_comparison=True)(_PLAIN_TIMESTAMP),
                        and_(column.op("GLOB", is_comparison=True)(_PLAIN_TIMESTAMP + ".[0-9]*"),
                             ~func.substr(column, 21).op("GLOB", is_comparison=True)("*[^0-9]*")))
        else:
            plain = column.op("GLOB", is_comparison=True)(_PLAIN_DATE)
        return and_(self.timestamps.instant(column).is_not(None), ~plain)

    @property
    def study_areas(self) -> tuple[str, ...]:
        return (NATIONAL, *self.gazetteer.division_codes, *self.gazetteer.district_codes)

    @property
    def upazila_districts(self) -> list[tuple[str, str]]:
        return [(code, self.gazetteer.areas[code].parent) for code in self.gazetteer.upazila_codes]


Condition = Callable[[_Context], ColumnElement[bool]]


@dataclass(frozen=True)
class _Rule:
    table: Table
    column: str | None
    code: str
    description: str  # completes "<n> rows ...": a template, which may name the allowed {values}
    condition: Condition
    severity: str = "warning"
    quote_values: bool = False  # the column holds codes, safe to quote as examples
    values: tuple[str, ...] = ()  # the allowed codes, for {values}


def _not_a_district(column: Column) -> _Rule:
    return _Rule(column.table, column.name, "unknown_pcode",
                 N_("with a P-code that is not one of Bangladesh's 64 districts"),
                 lambda ctx: column.not_in(ctx.gazetteer.district_codes), quote_values=True)


def _repeated_key(table: Table) -> _Rule:
    key = key_of(table)
    others = table.alias(f"{table.name}_keys")  # an alias: the same table would be correlated away
    repeated = select(others.c[key.name]).group_by(others.c[key.name]).having(func.count() > 1)
    return _Rule(table, key.name, "duplicate_key", N_("sharing their key with another row (each key counted once)"),
                 lambda ctx: key.in_(repeated))


def _outside_list(table: str, column: str, allowed: tuple[str, ...]) -> _Rule:
    target = _CONTRACT_TABLES[table].c[column]
    return _Rule(target.table, column, "bad_value", ALLOWED_VALUES, lambda ctx: target.not_in(allowed),
                 quote_values=True, values=allowed)


_ALL_COLUMNS = [column for table in _CONTRACT_TABLES.values() for column in table.columns]
_DATE_COLUMNS = [column for column in _ALL_COLUMNS if isinstance(column.type, (Date, DateTime))]
_REQUIRED_COLUMNS = [column for column in _ALL_COLUMNS if not column.nullable]
_cases, _victims, _events, _referrals, _studies = s.cases, s.victims, s.legal_events, s.referrals, s.prevalence_studies
_assessments = s.survivor_assessments
_population = s.district_population
_same_district_year = s.district_population.alias("same_district_year")
_another_row_of_its_district_year = select(_same_district_year.c.district_pcode).where(
    _same_district_year.c.district_pcode == _population.c.district_pcode,
    _same_district_year.c.year == _population.c.year,
).group_by(_same_district_year.c.district_pcode).having(func.count() > 1).exists()
_complaints = s.legal_events.alias("complaints")
_case_has_complaint = select(_complaints.c.case_id).where(
    _complaints.c.case_id == _events.c.case_id, _complaints.c.event_type == "complaint_filed"
).exists()

_RULES: list[_Rule] = [
    *(_Rule(c.table, c.name, "missing_value", N_("with no value, though the contract requires one"),
            lambda ctx, c=c: c.is_(None)) for c in _REQUIRED_COLUMNS),
    *(_outside_list(table, column, allowed) for (table, column), allowed in s.ALLOWED_VALUES.items()),
    *(_Rule(c.table, c.name, "unreadable_date",
            N_("with a date or time that is no real one (left out of every figure)"),
            lambda ctx, c=c: ctx.unreadable(c), severity="error") for c in _DATE_COLUMNS),
    *(_Rule(c.table, c.name, "noncanonical_date",
            N_("written in another form than the contract's (read, but worth fixing at the source)"),
            lambda ctx, c=c: ctx.noncanonical(c)) for c in _DATE_COLUMNS),
    *(_Rule(c.table, c.name, "future_date", N_("dated after today"),
            lambda ctx, c=c: ctx.in_future(c)) for c in _DATE_COLUMNS),
    _not_a_district(_cases.c.district_pcode),
    _not_a_district(s.reports.c.district_pcode),
    _not_a_district(_referrals.c.district_pcode),
    _not_a_district(s.district_population.c.district_pcode),
    _Rule(_cases, "upazila_pcode", "unknown_pcode", N_("with a P-code that is not an upazila of the case's district"),
          lambda ctx: and_(_cases.c.upazila_pcode.is_not(None),
                           tuple_(_cases.c.upazila_pcode, _cases.c.district_pcode).not_in(ctx.upazila_districts)),
          quote_values=True),
    _Rule(_studies, "area_pcode", "unknown_pcode", N_("with a P-code that is not 'BD', a division or a district"),
          lambda ctx: _studies.c.area_pcode.not_in(ctx.study_areas), quote_values=True),
    _Rule(_cases, "closed_on", "negative_duration", N_("closed before the case was reported"),
          lambda ctx: ctx.earlier(_cases.c.closed_on, _cases.c.reported_on)),
    _Rule(_referrals, "accepted_at", "negative_duration", N_("accepted before the referral was made"),
          lambda ctx: ctx.earlier(_referrals.c.accepted_at, _referrals.c.referred_at)),
    _Rule(_referrals, "closed_at", "negative_duration", N_("closed before the referral was made"),
          lambda ctx: ctx.earlier(_referrals.c.closed_at, _referrals.c.referred_at)),
    _Rule(_referrals, "first_service_at", "first_service_before_referral",
          N_("with a first service before the referral"),
          lambda ctx: ctx.earlier(_referrals.c.first_service_at, _referrals.c.referred_at)),
    _Rule(_victims, "identified_on", "identified_before_report", N_("identified before their case was reported"),
          lambda ctx: ctx.earlier(_victims.c.identified_on, _cases.c.reported_on)),
    _Rule(_victims, "age_at_identification", "missing_age", N_("with no age (not counted as minors)"),
          lambda ctx: _victims.c.age_at_identification.is_(None), severity="info"),
    _Rule(_victims, "age_at_identification", "age_out_of_range", N_("with an age below 0 or above 120"),
          lambda ctx: or_(_victims.c.age_at_identification < 0, _victims.c.age_at_identification > 120)),
    _Rule(_events, "event_type", "verdict_without_complaint",
          N_("with a verdict in a case that has no complaint_filed"),
          lambda ctx: and_(_events.c.event_type.in_(("convicted", "acquitted")), ~_case_has_complaint)),
    _Rule(_assessments, "score", "score_out_of_range", N_("with a score outside 1 to 4"),
          lambda ctx: ~_assessments.c.score.between(1, 4)),
    _Rule(_studies, "minors_observed", "minors_above_individuals", N_("with more minors than individuals observed"),
          lambda ctx: _studies.c.minors_observed > _studies.c.individuals_observed),
    _Rule(_studies, "minors_observed", "negative_minors", N_("with fewer than 0 minors observed"),
          lambda ctx: _studies.c.minors_observed < 0),
    _Rule(_studies, "individuals_observed", "non_positive_individuals", N_("with no individuals observed (0 or fewer)"),
          lambda ctx: _studies.c.individuals_observed <= 0),
    _Rule(_population, "year", "duplicate_population",
          N_("sharing their district and year with another row (left out)"),
          lambda ctx: _another_row_of_its_district_year),
    _Rule(_population, "child_population", "non_positive_population",
          N_("with a population or child population of 0 or fewer (left out)"),
          lambda ctx: or_(_population.c.child_population <= 0, _population.c.population <= 0)),
    *(_repeated_key(table) for table in keyed_tables(_CONTRACT_TABLES.values())),
    _Rule(_studies, "design_effect", "design_effect_below_1",
          N_("with a design effect below 1 (left out of the figures)"),
          lambda ctx: _studies.c.design_effect < 1),
]


def _via_case(source: FromClause, case_id: Column) -> FromClause:
    return source.outerjoin(_cases, case_id == _cases.c.case_id)


# Where each table's rows take their district from (outer joins: an orphan row still counts).
_DISTRICT_SOURCES: dict[str, tuple[FromClause, Column]] = {
    "cases": (_cases, _cases.c.district_pcode),
    "victims": (_via_case(_victims, _victims.c.case_id), _cases.c.district_pcode),
    "accused": (_via_case(s.accused, s.accused.c.case_id), _cases.c.district_pcode),
    "legal_events": (_via_case(_events, _events.c.case_id), _cases.c.district_pcode),
    "survivor_assessments": (
        _via_case(_assessments.outerjoin(_victims, _assessments.c.victim_id == _victims.c.victim_id),
                  _victims.c.case_id),
        _cases.c.district_pcode,
    ),
    "district_population": (s.district_population, s.district_population.c.district_pcode),
    "prevalence_studies": (_studies, _studies.c.area_pcode),
    "reports": (s.reports, s.reports.c.district_pcode),
    "referrals": (_referrals, _referrals.c.district_pcode),
}


def _columns_used(*elements) -> set[tuple[str, str]]:
    """(table, column) of every contract column an expression or join names, through aliases."""
    return {
        (base.table.name, base.name)
        for element in elements
        for node in visitors.iterate(element)
        if isinstance(node, Column)
        for base in node.base_columns
    }


def _present_columns(engine: Engine) -> set[tuple[str, str]]:
    """(table, column) of the contract tables and views that exist; others are never inspected."""
    inspector = inspect(engine)
    names = set(inspector.get_table_names()) | set(inspector.get_view_names())
    return {(name, column["name"]) for name in names & set(_CONTRACT_TABLES) for column in inspector.get_columns(name)}


def _engine(dbs: Databases, database: str) -> Engine:
    return dbs.cases if database == "cases" else dbs.referrals


def check_schema(dbs: Databases) -> list[Finding]:
    """Contract tables and columns missing from each database; extra ones are ignored."""
    findings = []
    for database, metadata in DATABASE_METADATA.items():
        present = _present_columns(_engine(dbs, database))
        present_tables = {table for table, _ in present}
        for table in metadata.tables.values():
            if table.name not in present_tables:
                findings.append(Finding(database, table.name, None, "missing_table", 0, "error", MISSING_TABLE,
                                        (("where", table.name), ("database", database))))
                continue
            findings.extend(
                Finding(database, table.name, column.name, "missing_column", 0, "error", MISSING_COLUMN,
                        (("where", f"{table.name}.{column.name}"), ("database", database)))
                for column in table.columns
                if (table.name, column.name) not in present and not column.info.get("optional")
            )
    return findings


def _plan(
    rule: _Rule, condition: ColumnElement, present: set[tuple[str, str]]
) -> tuple[FromClause, Column | None] | None:
    """Where to count a rule's rows and the district to group them by; None when a column it needs is missing."""
    needed = _columns_used(condition)
    if not needed <= present:
        return None
    source, district = _DISTRICT_SOURCES[rule.table.name]
    if not _columns_used(source) <= present:
        if {table for table, _ in needed} != {rule.table.name}:
            return None
        source, district = rule.table, None
    if not _columns_used(district) <= present:
        district = None
    return source, district


@dataclass(frozen=True)
class _Outcome:
    rule: _Rule
    database: str
    by_district: dict[str | None, int]
    examples: tuple[str, ...] = ()
    error: str | None = None


def _count_by_district(conn: Connection, source: FromClause, district: Column | None,
                       conditions: list[ColumnElement], known_districts: set[str]) -> list[dict[str | None, int]]:
    """Offending rows per district for each condition, counted together in one scan of `source`."""
    keys = [district] if district is not None else []
    tallies = [func.sum(case((condition, 1), else_=0)) for condition in conditions]
    query = select(*keys, *tallies).select_from(source).group_by(*keys)
    counts: list[dict[str | None, int]] = [defaultdict(int) for _ in conditions]
    for row in conn.execute(query):
        code = row[0] if keys else None
        for index, tally in enumerate(row[len(keys):]):
            counts[index][code if code in known_districts else None] += tally or 0
    return [{code: count for code, count in by_district.items() if count} for by_district in counts]


def _examples(conn: Connection, rule: _Rule, source: FromClause, condition: ColumnElement) -> tuple[str, ...]:
    column = rule.table.c[rule.column]
    query = select(column).distinct().select_from(source).where(condition).order_by(column).limit(_EXAMPLE_LIMIT)
    return tuple(str(value)[:_EXAMPLE_MAX_CHARS] for value in conn.scalars(query))


@dataclass(frozen=True)
class _Planned:
    rule: _Rule
    condition: ColumnElement
    source: FromClause
    district: Column | None


def _planned_rules(metadata, context: _Context, present: set[tuple[str, str]]) -> list[_Planned]:
    planned = []
    for rule in (r for r in _RULES if r.table.metadata is metadata):
        condition = rule.condition(context)
        plan = _plan(rule, condition, present)
        if plan is not None:
            planned.append(_Planned(rule, condition, *plan))
    return planned


def _same_source(planned: list[_Planned]) -> list[list[_Planned]]:
    """Rules counted over the same rows and district, so one scan serves them all."""
    batches: dict[tuple[int, int], list[_Planned]] = {}
    for item in planned:
        batches.setdefault((id(item.source), id(item.district)), []).append(item)
    return list(batches.values())


def _count_batch(conn: Connection, database: str, batch: list[_Planned], known_districts: set[str]) -> list[_Outcome]:
    """One scan for the batch; if the database rejects it, each rule alone, so one bad rule spoils only itself."""
    first = batch[0]
    try:
        counts = _count_by_district(conn, first.source, first.district, [p.condition for p in batch],
                                    known_districts)
        return [_with_examples(conn, database, item, by_district) for item, by_district in zip(batch, counts)]
    except DBAPIError as error:
        conn.rollback()
        if len(batch) > 1:
            return [outcome for item in batch for outcome in _count_batch(conn, database, [item], known_districts)]
        # A column of another type, or a timeout: report it and go on with the other rules.
        return [_Outcome(first.rule, database, {}, error=type(error.orig).__name__)]


def _with_examples(conn: Connection, database: str, item: _Planned, by_district: dict) -> _Outcome:
    examples = _examples(conn, item.rule, item.source, item.condition) if by_district and item.rule.quote_values else ()
    return _Outcome(item.rule, database, by_district, examples)


def _count_on_own_connection(engine: Engine, database: str, batch: list[_Planned],
                             known_districts: set[str]) -> list[_Outcome]:
    with engine.connect().execution_options(**{EVERY_ROW: True}) as conn:  # the rows as stored, repeats included
        return _count_batch(conn, database, batch, known_districts)


def _outcomes(dbs: Databases, gazetteer: Gazetteer, today: date, threads: int = 1) -> Iterator[_Outcome]:
    """Every applicable rule's offending-row counts per district, database by database, in rule order.
    Up to `threads` scans run at once, each on its own connection."""
    known_districts = set(gazetteer.district_codes)
    jobs = []
    for database, metadata in DATABASE_METADATA.items():
        engine = _engine(dbs, database)
        context = _Context(gazetteer, today, dbs.timestamps_of(engine))
        planned = _planned_rules(metadata, context, _present_columns(engine))
        jobs += [(engine, database, batch, known_districts) for batch in _same_source(planned)]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        results = [outcome for outcomes in pool.map(lambda job: _count_on_own_connection(*job), jobs)
                   for outcome in outcomes]
    databases = list(DATABASE_METADATA)
    yield from sorted(results, key=lambda o: (databases.index(o.database), _RULES.index(o.rule)))


def _finding(outcome: _Outcome) -> Finding:
    rule = outcome.rule
    where = f"{rule.table.name}.{rule.column}" if rule.column else rule.table.name
    if outcome.error:
        return Finding(outcome.database, rule.table.name, rule.column, "check_failed", 0, "error", CHECK_FAILED,
                       (("where", where), ("rule", rule.code), ("error", outcome.error)))
    count = int(sum(outcome.by_district.values()))
    params: list[tuple[str, str | int]] = [("where", where), ("count", count), ("description", rule.description)]
    if rule.values:
        params.append(("values", ", ".join(rule.values)))
    templates = ROWS
    if outcome.examples:
        params.append(("examples", ", ".join(repr(value) for value in outcome.examples)))
        templates = ROWS_QUOTED
    return Finding(outcome.database, rule.table.name, rule.column, rule.code, count, rule.severity,
                   templates[count != 1], tuple(params))


def check_values(dbs: Databases, gazetteer: Gazetteer, today: date) -> list[Finding]:
    """Bad values, rule by rule; rules on a missing table or column are skipped (check_schema names those)."""
    return [_finding(o) for o in _outcomes(dbs, gazetteer, today) if o.error or o.by_district]


_FINDING_FIELDS = [f.name for f in fields(Finding)]
_QUALITY_COLUMNS = _FINDING_FIELDS + ["district_pcode", "district_count"]


def _record(finding: Finding, district: str | None, count: int) -> dict:
    # The params as JSON text: a frame cell the cache keeps as JSON, and that drop_duplicates can hash.
    return {**asdict(finding), "params": json.dumps(dict(finding.params)), "district_pcode": district,
            "district_count": count}


def quality_frame(dbs: Databases, gazetteer: Gazetteer, today: date, threads: int = 1) -> pd.DataFrame:
    """The whole check in one pass, as one frame: a row per finding and district (schema findings and
    failed checks: one row with no district and a count of 0). `findings_of` and `by_district_of` read it."""
    records = [_record(f, None, 0) for f in check_schema(dbs)]
    for outcome in _outcomes(dbs, gazetteer, today, threads):
        finding = _finding(outcome)
        if outcome.error:
            records.append(_record(finding, None, 0))
        records.extend(_record(finding, district, count) for district, count in outcome.by_district.items())
    frame = pd.DataFrame(records, columns=_QUALITY_COLUMNS)
    return frame.astype({"district_pcode": object})


def findings_of(frame: pd.DataFrame) -> list[Finding]:
    unique = frame.drop_duplicates(subset=_FINDING_FIELDS)
    return [Finding(**{**{name: record[name] for name in _FINDING_FIELDS},
                       "params": tuple(json.loads(record["params"]).items())})
            for record in unique.to_dict("records")]


def by_district_of(frame: pd.DataFrame) -> pd.DataFrame:
    """Offending values per table, rule and district (None: no or unknown district), summed over columns."""
    totals: dict[tuple[str, str, str | None], int] = defaultdict(int)
    counted = frame[frame["district_count"] > 0]
    for table, rule, district, count in counted[["table", "rule", "district_pcode", "district_count"]].itertuples(
            index=False):
        totals[(table, rule, district if isinstance(district, str) else None)] += int(count)
    keys = sorted(totals, key=lambda key: (key[0], key[1], key[2] is None, key[2] or ""))
    return pd.DataFrame({
        "table": pd.Series([table for table, _, _ in keys], dtype=str),
        "rule": pd.Series([rule for _, rule, _ in keys], dtype=str),
        # object, not str: a str column would turn None into NaN.
        "district_pcode": pd.Series([district for _, _, district in keys], dtype=object),
        "count": pd.Series([totals[key] for key in keys], dtype="int64"),
    })


def run_check(dbs: Databases, gazetteer: Gazetteer, today: date, threads: int = 1) -> list[Finding]:
    return findings_of(quality_frame(dbs, gazetteer, today, threads))


def quality_by_district(dbs: Databases, gazetteer: Gazetteer, today: date) -> pd.DataFrame:
    return by_district_of(quality_frame(dbs, gazetteer, today))
