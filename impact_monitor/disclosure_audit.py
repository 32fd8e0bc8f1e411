"""`impact-monitor disclosure-audit`: what an account can work out from everything the app shows it.

The inventory is read from what the app shows, not from how it decided to
hide: the indicator exports of every area, level and disaggregation the
account may ask for (which the overview, the map, the quarterly and
five-year pages show too), every table of the Referrals, Justice, Survivors
and Data quality pages as its table model holds it (typed values and hidden
marks: what the page draws and every download writes), and their charts'
figures. Each number is tied to the count cells it shows (`queries.cells`): a
percentage shows its numerator and denominator, a median its count of
values, a curve its intervals' counts. The relations between the cells
(`cells.build_publication`) and the true values (read at the finest grain)
then go to the linear-programming audit (`queries.disclosure.audit`).

A chart may show no number its table does not, a mean only beside all the
counts it is made of, and a number shown hidden in one place must not be
shown in another: each of these is reported as a finding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from dash import dcc

from dashboard.builders.justice import STEP_LABELS
from dashboard.builders.referrals import words
from dashboard.builders.survivors import NOT_OFFERED, SCORE_LABELS
from dashboard.i18n import speaking
from dashboard.panels import PAGE_PANELS, PANEL_TABLES, followed_up, justice_trends, referral_turnaround
from dashboard.table_view import sources_of
from impact_monitor.exports import file_value
from impact_monitor.table_model import Cell, Table
from queries import schema as s
from queries.cells import FUNNEL_MEASURES, Family, build_publication, label
from queries.current import current_publication, current_values
from queries.definitions import DISAGGREGATIONS, INDICATORS
from queries.disclosure import HIDDEN as HIDDEN_STATE
from queries.disclosure import PUBLISHED, UNSHOWN, AuditResult, audit
from queries.justice import FUNNEL_STEPS, PENDING_BANDS, pending_cube
from queries.periods import Period
from queries.publication import WITHHELD, indicator_cells
from queries.quality import quality_counts
from queries.referral_flow import (CURVE_INTERVALS, CURVE_MARKS_DAYS, LEFT_OUT, WAITING_BANDS,
                                   open_referrals_by_waiting_band)
from queries.scope import LEADERSHIP, LEVELS, AreaFilter, FilterError, Scope, level_of, make_filter, visible_levels
from queries.universe import cells_of, detailed_areas, disaggregated_areas, family_cube, family_of, family_periods
from queries.geography import NATIONAL

from .services import Services


@dataclass
class Inventory:
    """What an audience is shown: label -> value for published cells, the labels shown hidden, and what
    contradicts itself."""

    published: dict[tuple, float] = field(default_factory=dict)
    revealed: set[tuple] = field(default_factory=set)  # given away whole by what is shown (a curve's intervals)
    hidden: set[tuple] = field(default_factory=set)
    withheld: set[tuple] = field(default_factory=set)
    findings: list[str] = field(default_factory=list)
    numbers: int = 0

    def show(self, cell: tuple, value, where: str) -> None:
        """Record a number a view shows for `cell`: a number, None when hidden, WITHHELD when withheld."""
        self.numbers += 1
        if value == WITHHELD:
            self.withheld.add(cell)
            return
        if value is None:
            self.hidden.add(cell)
            return
        known = self.published.get(cell)
        if known is not None and abs(known - value) > 1e-9:
            self.findings.append(f"{where}: {cell} reads {value:g} here and {known:g} elsewhere")
        self.published[cell] = value


@dataclass
class AuditReport:
    periods: AuditResult
    today: AuditResult
    findings: list[str]
    numbers: int
    seconds: float

    @property
    def disclosed(self):
        return self.periods.disclosed + self.today.disclosed


def _shown(cell: Cell):
    """What a table cell shows of its number: WITHHELD, None when hidden, else its value."""
    if cell.mark is not None:
        return WITHHELD if cell.mark == WITHHELD else None
    return cell.value


def run_audit(svc: Services, scope: Scope, period: Period, k: int, exact: bool = False) -> AuditReport:
    """The audit of everything `scope` is shown for `period`'s calendar year and its quarters, and of today's
    tables."""
    started = time.perf_counter()
    family = family_of(period)
    inventory = collect_inventory(svc, scope, period, k)
    periods_cells, today_cells = true_cells(svc, scope, period)
    report = audit_inventory(inventory, periods_cells, today_cells, family, scope, svc.gazetteer, k, exact)
    report.seconds = time.perf_counter() - started
    return report


def collect_inventory(svc: Services, scope: Scope, period: Period, k: int) -> Inventory:
    """Every number the pages and exports show `scope` for `period`'s calendar year, its quarters and today."""
    inventory = Inventory()
    quarters, year = family_periods(family_of(period))
    for each in (*quarters, year):
        _indicator_views(svc, scope, each, k, inventory)
        for area in _detail_areas(svc, scope):
            _page_views(svc, scope, each, area, inventory)
    _quality_views(svc, scope, svc.databases.today(), svc.databases.start_of_today(), k, inventory)
    return inventory


def true_cells(svc: Services, scope: Scope, period: Period) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """The true value of every cell `scope` can be shown: of the year and its quarters, and of today's tables."""
    as_of, today = svc.databases.start_of_today(), svc.databases.today()
    family = family_of(period)
    periods = cells_of(family_cube(svc.engine, family, as_of), scope, svc.gazetteer)
    everywhere = AreaFilter(None, NATIONAL, "national", LEADERSHIP)
    current = current_values(pending_cube(svc.databases, svc.gazetteer, today),
                             open_referrals_by_waiting_band(svc.databases, svc.gazetteer, everywhere, as_of),
                             _quality_frame(svc, today), scope, svc.gazetteer)
    return periods, current


def audit_inventory(inventory: Inventory, values: dict[tuple, int], current: dict[tuple, int], family: Family,
                    scope: Scope, gazetteer, k: int, exact: bool = False) -> AuditReport:
    """The audit of an inventory against the true cells: the linear programs, and every finding."""
    started = time.perf_counter()
    findings = list(inventory.findings)
    findings += [f"a view shows {cell} hidden, though it holds no record: a hidden mark must mean at least 1"
                 for cell in inventory.hidden - inventory.withheld if values.get(cell, current.get(cell)) == 0]
    findings += [f"a view gives away {cell}, a count under {k}: {values.get(cell, current.get(cell))}"
                 for cell in set(inventory.published) | inventory.revealed
                 if 1 <= values.get(cell, current.get(cell, 0)) < k]
    for cell, value in inventory.published.items():
        truth = values.get(cell, current.get(cell))
        if truth is None:
            if cell[1] in family.periods or not cell[1]:
                findings.append(f"a view shows {cell}, which is none of this audience's cells")
        elif abs(truth - value) > 1e-9:
            findings.append(f"a view shows {cell} as {value:g}; it is {truth}")
    periods = audit(build_publication(values, family, gazetteer, _states(values, inventory)), k, exact=exact)
    today = audit(current_publication(current, scope, gazetteer, _states(current, inventory)), k, exact=exact)
    return AuditReport(periods, today, findings, inventory.numbers, time.perf_counter() - started)


def _states(values: dict[tuple, int], inventory: Inventory) -> dict[tuple, int]:
    """Published where any view shows the number; hidden where one shows it hidden (zeros are never hidden, so a
    reader knows such a count is at least 1); otherwise unknown (withheld, or never shown)."""
    states = {}
    for cell, value in values.items():
        if cell in inventory.published or cell in inventory.revealed:
            states[cell] = PUBLISHED
        elif cell in inventory.hidden and cell not in inventory.withheld and value >= 1:
            states[cell] = HIDDEN_STATE  # a hidden zero is reported as a finding
        else:
            states[cell] = UNSHOWN
    return states


def _detail_areas(svc: Services, scope: Scope) -> tuple[str, ...]:
    return detailed_areas(scope, svc.gazetteer) or (NATIONAL,)


def _top_areas(svc: Services, scope: Scope) -> tuple[str, ...]:
    return disaggregated_areas(scope) or (NATIONAL,)


# Indicator exports: the overview, the map, the quarterly and five-year pages show these rows too.

def _indicator_views(svc: Services, scope: Scope, period: Period, k: int, inventory: Inventory) -> None:
    for top in _top_areas(svc, scope):
        for level in LEVELS[LEVELS.index(level_of(top, svc.gazetteer)):]:
            if level not in visible_levels(scope):
                continue
            for disaggregate in (None, *DISAGGREGATIONS):
                try:
                    filter_ = make_filter(period, top, level, scope, svc.gazetteer)
                    rows = svc.engine.compute(filter_, disaggregate=disaggregate, suppress_below=k)
                except FilterError:
                    continue  # not offered to this audience
                for row in rows.itertuples():
                    _indicator_row(row, disaggregate, inventory)


def _indicator_row(row, disaggregate: str | None, inventory: Inventory) -> None:
    group = getattr(row, "group", "") if disaggregate else ""
    cells = indicator_cells(row.indicator, row.period, row.area, disaggregate or "", group)
    where = f"indicator export {row.indicator}"
    if row.suppressed:
        if INDICATORS[row.indicator].kind != "count":
            return  # a hidden percentage, median or rate says nothing of its counts
        for cell in cells:
            inventory.show(cell, WITHHELD if row.withheld else None, where)
        return
    if all(pd.isna(value) for value in (row.value, row.numerator, row.denominator)):
        return  # not available (a quarter not released): no number and no hidden mark
    kind = INDICATORS[row.indicator].kind
    if kind == "rate":
        inventory.show(cells[0], row.numerator, where)
    elif kind == "percent":
        inventory.show(cells[0], row.numerator, where)
        inventory.show(cells[1], row.denominator, where)
    elif kind == "median":
        inventory.show(cells[0], row.denominator, where)
    elif cells:
        inventory.show(cells[0], row.value, where)


# The pages' tables, read from their table models; their charts, from their figures.

# The trend panels show indicator rows of eight quarters: the indicator views above read the same rows, year
# by year.
_TREND_PANELS = (referral_turnaround, justice_trends)


def _page_views(svc: Services, scope: Scope, period: Period, area: str, inventory: Inventory) -> None:
    filter_ = make_filter(period, area, level_of(area, svc.gazetteer), scope, svc.gazetteer)
    with speaking("en"):
        for page, panels in PAGE_PANELS.items():
            shown = [table for panel in panels if panel not in _TREND_PANELS for table in PANEL_TABLES[panel]]
            tables = _tables(svc, filter_, page, shown, {"period": period.label, "area": area})
            for table_id, reader in _READERS.items():
                if table_id in tables:
                    reader(tables[table_id], period.label, area, inventory)
            for panel in panels:
                if panel not in _TREND_PANELS:
                    _figures_against_tables(svc, filter_, panel, [tables[t] for t in PANEL_TABLES[panel]
                                                                  if t in tables], inventory)
        _followed_up(svc, filter_, inventory)


def _tables(svc: Services, filter_: AreaFilter, page: str, table_ids: list[str], params: dict
            ) -> dict[str, Table]:
    """The page's tables `table_ids` as their sources build them for the page's `params` (those the audience is
    shown: a table refused to it is left out)."""
    tables = {}
    for source in sources_of(page):
        if source.table_id in table_ids:
            try:
                tables[source.table_id] = source.build(svc, filter_, params)
            except FilterError:
                continue  # the page shows a message in its place
    return tables


def _rows(table: Table):
    """Each row's first cell's value, and its cells by column heading."""
    headings = [column.heading for column in table.columns]
    for row in table.rows:
        yield row[0].value, dict(zip(headings[1:], row[1:]))


def _read_volume(table, period, area, inventory):
    for service in s.SERVICE_TYPES:
        row = dict(_rows(table))[words(service)]
        for provider in s.PROVIDER_TYPES:
            inventory.show(label("referrals", period, area, "service_provider", f"{service}|{provider}"),
                           _shown(row[words(provider)]), table.table_id)
        inventory.show(label("referrals", period, area, "service", service), _shown(row["Total"]), table.table_id)


def _read_within_target(table, period, area, inventory):
    for (_, row), urgency in zip(_rows(table), s.URGENCIES):
        inventory.show(label("referrals", period, area, "urgency", urgency), _shown(row["Referrals made"]),
                       table.table_id)
        inventory.show(label("within_target", period, area, "urgency", urgency), _shown(row["Served within target"]),
                       table.table_id)


def _read_curve(table, period, area, inventory):
    """The estimate at each day shown gives away, at most, the counts of the intervals up to it."""
    days = [first for first, _ in _rows(table)]
    if days:  # the referrals at risk at the start are those made less those left out
        inventory.revealed |= {label(measure, period, area, "interval", LEFT_OUT) for measure in ("served", "censored")}
    for interval, mark in zip(CURVE_INTERVALS, CURVE_MARKS_DAYS):
        if mark > max(days, default=0):
            break
        for measure in ("served", "censored"):
            inventory.revealed.add(label(measure, period, area, "interval", interval))
            inventory.numbers += 1


def _read_open(table, area, inventory):
    for first, row in _rows(table):
        service = next(code for code in s.SERVICE_TYPES if first.endswith(f"– {words(code)}"))
        for band, _, _ in WAITING_BANDS:
            inventory.show(label("open", "", area, "service_band", f"{service}|{band}"), _shown(row[band]),
                           table.table_id)
        inventory.show(label("open", "", area, "service", service), _shown(row["Total"]), table.table_id)
        if "Oldest wait (days)" in row:
            inventory.findings.append(f"{table.table_id}: an external audience is shown one referral's own wait")


def _read_funnel(table, period, area, inventory):
    steps = {STEP_LABELS[step]: measure for step, measure in zip(FUNNEL_STEPS, FUNNEL_MEASURES)}
    for first, row in _rows(table):
        inventory.show(label(steps[first], period, area), _shown(row["Cases"]), table.table_id)


def _read_pending(table, area, inventory):
    for (first, row), band in zip(_rows(table), [*(band for band, _ in PENDING_BANDS), ""]):
        cell = label("pending", "", area, "band", band) if band else label("pending", "", area)
        inventory.show(cell, _shown(row["Cases"]), table.table_id)


def _read_scores(measure):
    def read(table, period, area, inventory):
        for first, row in _rows(table):
            domain = next(code for code in s.ASSESSMENT_DOMAINS if words(code) == first)
            for score in (1, 2, 3, 4):
                inventory.show(label(measure, period, area, "domain_score", f"{domain}|{score}"),
                               _shown(row[SCORE_LABELS[score]]), table.table_id)
            inventory.show(label(measure, period, area, "domain", domain), _shown(row["Total"]), table.table_id)
    return read


def _read_means(table, period, area, inventory):
    """A mean is shown only beside every count it is made of (the score tables of the same panel)."""
    for first, row in _rows(table):
        domain = next(code for code in s.ASSESSMENT_DOMAINS if words(code) == first)
        for moment, measure in (("first", "scores_first"), ("latest", "scores_latest")):
            if row[f"Mean, {moment} session"].value is None:
                continue
            cells = [label(measure, period, area, "domain_score", f"{domain}|{score}") for score in (1, 2, 3, 4)]
            cells.append(label(measure, period, area, "domain", domain))
            pending = [cell for cell in cells if cell in inventory.hidden]
            if pending:
                inventory.findings.append(f"{table.table_id}: the mean of {domain} ({moment}) is shown beside "
                                          "hidden counts it is made of")


def _read_services(table, period, area, inventory):
    for first, row in _rows(table):
        service = next(code for code in s.SERVICE_TYPES if words(code) == first)
        inventory.show(label("services_delivered", period, area, "service", service),
                       _shown(row["Services delivered"]), table.table_id)


_READERS = {
    "referrals-volume-table": _read_volume,
    "referrals-within-target-table": _read_within_target,
    "referrals-waiting-table": _read_curve,
    "referrals-open-table": lambda table, period, area, inventory: _read_open(table, area, inventory),
    "justice-funnel-table": _read_funnel,
    "justice-pending-table": lambda table, period, area, inventory: _read_pending(table, area, inventory),
    "survivors-scores-first-table": _read_scores("scores_first"),
    "survivors-scores-latest-table": _read_scores("scores_latest"),
    "survivors-services-table": _read_services,
    "survivors-means-table": _read_means,  # after the score tables: a mean is checked against their counts
}


def _followed_up(svc: Services, filter_: AreaFilter, inventory: Inventory) -> None:
    """The survivors headline's count of survivors followed up, where the audience is given it."""
    try:
        count = followed_up(svc, filter_)
    except FilterError:
        return
    if count != NOT_OFFERED:
        inventory.show(label("followed_up", filter_.period.label, filter_.area), count, "survivors headline")


def _graphs(parts):
    """The charts among a panel's parts."""
    if isinstance(parts, (list, tuple)):
        for part in parts:
            yield from _graphs(part)
    elif isinstance(parts, dcc.Graph):
        yield parts
    elif getattr(parts, "children", None) is not None and not isinstance(parts.children, (str, int, float)):
        yield from _graphs(parts.children)


def _figures_against_tables(svc: Services, filter_: AreaFilter, panel, tables: list[Table],
                            inventory: Inventory) -> None:
    """Every number a panel's charts draw must be one its tables show, to the digit they show it (or an axis'
    start)."""
    try:
        parts = panel(svc, filter_, "en")
    except FilterError:
        return
    shown = {round(float(value), 1) for table in tables for row in table.rows
             for cell, column in zip(row, table.columns)
             if isinstance(value := file_value(cell, column), (int, float))}
    shown |= {0.0, 100.0}
    for graph in _graphs(parts):
        figure = go.Figure(graph.figure)
        for trace in figure.data:
            numbers = trace.x if getattr(trace, "orientation", None) == "h" else trace.y
            for number in numbers or ():
                if isinstance(number, (int, float)) and round(float(number), 1) not in shown:
                    inventory.findings.append(f"{graph.id}: the chart draws {number}, which no table of its "
                                              "panel shows")


# Data quality.

def _quality_frame(svc: Services, today):
    from queries.contract_check import by_district_of

    return by_district_of(svc.current.quality_frame(today))


def _quality_views(svc: Services, scope: Scope, today, as_of, k: int, inventory: Inventory) -> None:
    from queries.current import SCOPE_TOTAL

    cells = svc.current.cells(scope, today, as_of, k)
    frame = _quality_frame(svc, today)
    groupings = ("rule",) if scope.role == "donor" else ("rule", "district")
    for by in groupings:
        for row in quality_counts(frame, scope, svc.gazetteer, by, cells).itertuples():
            area = row.district if by == "district" else (SCOPE_TOTAL if scope.role == "government" else NATIONAL)
            inventory.show(label("quality", "", area, "rule", f"{row.table}|{row.rule}"), row.records,
                           "data quality")
