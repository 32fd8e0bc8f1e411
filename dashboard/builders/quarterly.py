"""Pure builders of the quarterly indicators page: the table (indicators x quarters, plus the year's target),
its rendering, and its source for the downloads.

A hidden cell carries its mark and never its number, so neither the screen nor a download can show it. The
downloads are the table's own (`dashboard.table_view`): numbers as numbers, in ASCII digits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pandas as pd

from impact_monitor.services import Services
from impact_monitor.table_model import NOT_RELEASED, Cell, Column, Table
from queries.definitions import INDICATORS
from queries.geography import NATIONAL
from queries.narratives import WHOLE_INDICATOR, joined_by_quarter, narrative_area, quarter_narratives
from queries.periods import Period, quarter_containing, year_containing
from queries.publication import WITHHELD
from queries.releases import quarter_releases
from queries.scope import AreaFilter
from queries.targets import iptt_targets, load_plan

from ..components import HIDDEN
from ..table_view import register_table_source
from ..i18n import N_, _, current_language, day, digits, period_name, zone_name

from .release_marks import change_marks, live_changes, quarter_headings, release_notes

INDICATOR_HEADING = N_("Indicator")
NARRATIVE_HEADING = N_("Narrative")
FOR_THE_WHOLE = N_("for {area} as a whole: {narrative}")
QUARTER_COUNTS = (4, 8)
TABLE_ID = "quarterly-table"
DATABASE_NAMES = {"cases": N_("Case database"), "referrals": N_("Referral database")}


def last_quarter(period: Period, fiscal_year_start: int | None = None) -> Period:
    """The chosen quarter, or the last quarter of a chosen (calendar) year, labelled as the deployment labels quarters."""
    if period.kind == "quarter":
        return period
    return quarter_containing(period.end - timedelta(days=1), fiscal_year_start)


def quarters_ending(period: Period, count: int, fiscal_year_start: int | None = None) -> list[Period]:
    """`count` consecutive quarters ending with `last_quarter(period)`, oldest first."""
    end = last_quarter(period, fiscal_year_start)
    return [end.shifted(-offset) for offset in range(count - 1, -1, -1)]


def target_heading(year: int | str) -> str:
    return _("Target {year}").format(year=digits(str(year)))


def indicator_cell(row, kind: str) -> Cell:
    """An engine export row as a cell of its indicator's `kind`: its mark when hidden or withheld, else its
    unrounded number (a count whole)."""
    if bool(row["withheld"]):
        return Cell(mark=WITHHELD, kind=kind)
    if bool(row["suppressed"]):
        return Cell(mark=HIDDEN, kind=kind)
    value = row["value"]
    if value is None or pd.isna(value):
        return Cell(kind=kind)
    reliable = row.get("reliable")
    return Cell(int(round(value)) if kind == "count" else float(value),
                reliable=None if reliable is None or pd.isna(reliable) else bool(reliable), kind=kind)


def quarterly_table(rows: pd.DataFrame, quarters: list[str], area: str, targets: dict[str, float],
                    target_year: int | str, title: str = "", narratives: dict[str, str] | None = None,
                    changes: dict[tuple[str, str], str] | None = None,
                    unreleased: frozenset[str] = frozenset(), headings: list[str] | None = None) -> Table:
    """One row per indicator (INDICATORS order), one column per quarter (headed by `headings`, by default its
    name), then the year's target, then, when any is given, leadership's narratives (`narratives`: indicator
    code -> text). `changes`
    marks the cells whose live figure moved since the quarter's release ((code, quarter label) -> words);
    `unreleased` names the quarters an audience shown released figures only cannot see yet (marked so).

    `rows` are the engine's export rows for those quarters, already suppressed;
    `targets` maps indicator code -> target of `target_year` (missing: blank).
    The rows are indicators of different kinds: the quarters' and the target's columns are "number", and each
    of their cells carries its indicator's kind (a count whole, a percentage or days to one decimal), on screen
    and in the files.
    """
    own = rows[rows["area"] == area].set_index(["indicator", "period"])
    headings = headings or [period_name(label) for label in quarters]
    columns = (Column(_(INDICATOR_HEADING)), *[Column(heading, "number") for heading in headings],
               Column(target_heading(target_year), "number"),
               *([Column(_(NARRATIVE_HEADING), prose=True)] if narratives else []))
    table_rows = []
    for code, indicator in INDICATORS.items():
        cells = [indicator_cell(own.loc[(code, label)], indicator.kind) if (code, label) in own.index
                 else Cell(kind=indicator.kind) for label in quarters]
        cells = [Cell(mark=NOT_RELEASED, kind=indicator.kind) if label in unreleased
                 else replace(cell, change=(changes or {}).get((code, label))) for cell, label in zip(cells, quarters)]
        target = targets.get(code)
        table_rows.append((Cell(_(indicator.label), href=f"/definitions#{code}"), *cells,
                           Cell(None if target is None else int(round(target)) if indicator.kind == "count"
                                else float(target), kind=indicator.kind),
                           *([Cell(narratives.get(code) or None)] if narratives else [])))
    return Table(TABLE_ID, title, columns, tuple(table_rows))


def build_quarterly(svc: Services, chosen: AreaFilter, params: dict) -> Table:
    """The table for a filter and a number of quarters (`params["quarters"]`, one of QUARTER_COUNTS)."""
    count = params.get("quarters")
    count = count if count in QUARTER_COUNTS else QUARTER_COUNTS[0]
    quarters = quarters_ending(chosen.period, count, chosen.period.fiscal_year_start)
    rows = svc.engine.compute_series(chosen, quarters, suppress_below=svc.settings.suppress_below)
    # The target of the year, in the table's own calendar, that holds the last quarter shown.
    target_year = year_containing(quarters[-1], quarters[-1].calendar)
    # The plan's targets are national: beside a division's numbers they would mislead.
    targets = targets_of(svc, target_year) if chosen.area == NATIONAL else {}
    title = _("Indicators by quarter, {area}, {first} to {last}").format(
        area=svc.gazetteer.full_name(chosen.area, current_language()), first=period_name(quarters[0].label),
        last=period_name(quarters[-1].label))
    # Leadership's figures are exact, so theirs may say how far a figure moved since its release; an external
    # audience's difference could reveal a count hidden in one of the two.
    found = quarter_releases(svc.store, quarters)
    changes = live_changes(svc, quarters, found, chosen.area, None if chosen.scope.suppressed else rows)
    released_only = svc.engine.publications.shows_released(chosen.scope)
    table = quarterly_table(rows, [q.label for q in quarters], chosen.area, targets, period_name(target_year.label),
                            title,
                            narratives_of(svc, quarters, chosen.area), change_marks(changes),
                            unreleased_quarters(svc, chosen.scope, quarters),
                            quarter_headings(quarters, found, released_only))
    return replace(table, notes=release_notes(svc, quarters, found, changes, released_only))


def unreleased_quarters(svc: Services, scope, quarters: Iterable[Period]) -> frozenset[str]:
    """The labels of the quarters `scope` is shown released figures of and that were not released."""
    return frozenset(q.label for q in quarters if not svc.engine.publications.released(scope, q))


def narratives_of(svc: Services, quarters: Iterable[Period], area: str) -> dict[str, str]:
    """{indicator code: leadership's narratives of the area's quarters, each after its quarter's name; one
    written for the indicator as a whole, shown for an area without its own, says so}."""
    quarters, own_area = list(quarters), narrative_area(area, NATIONAL)
    shown = quarter_narratives(svc.store, quarters, own_area, current_language())
    if own_area != WHOLE_INDICATOR:  # an area without its own shows the national one: say so, not pass it off
        own = quarter_narratives(svc.store, quarters, own_area, current_language(), whole_too=False)
        national = svc.gazetteer.full_name(NATIONAL, current_language())
        shown = {key: body if key in own else _(FOR_THE_WHOLE).format(area=national, narrative=body)
                 for key, body in shown.items()}
    names = {quarter.label: period_name(quarter.label) for quarter in quarters}
    return {code: joined_by_quarter(shown, code, names) for code, _label in shown}


def targets_of(svc: Services, year: Period) -> dict[str, float]:
    """{indicator code: the plan's annual target} of `year` in its own calendar (a fiscal year's own targets, not
    the calendar year's); {} without a targets file."""
    path = svc.settings.effective_targets_file
    if path is None or not path.exists():
        return {}
    plan = iptt_targets(load_plan(path), year.calendar.id, year.numbered_year)
    return {code: targets.annual for code, targets in plan.items() if targets.annual is not None}


def no_records(table: Table) -> bool:
    """Every count of the table's last quarter is shown and 0 (or blank): the period holds no record (yet)."""
    # The number columns are the quarters', then the target's.
    last_quarter_column = [i for i, column in enumerate(table.columns) if column.kind == "number"][-2]
    counts = [row[last_quarter_column] for row in table.rows if row[last_quarter_column].kind == "count"]
    return all(cell.mark is None and not cell.value for cell in counts)


register_table_source(TABLE_ID, "quarterly-indicators", build_quarterly, {"quarters": QUARTER_COUNTS[0]})


def data_as_of_text(latest: dict[str, dict[str, date | datetime | None]], zone: str) -> str:
    """ "Data as of (dates in Asia/Dhaka): cases database 2026-11-23; ..." from queries.data_as_of: each
    database's newest record, as a local date."""
    parts = []
    for database, columns in latest.items():
        days = [value.date() if isinstance(value, datetime) else value for value in columns.values() if value]
        name = _(DATABASE_NAMES[database]) if database in DATABASE_NAMES else database
        parts.append(f"{name} {day(max(days))}" if days else _("{database}: no records").format(database=name))
    return _("Data as of (dates in {zone}): {databases}.").format(zone=zone_name(zone), databases="; ".join(parts))

