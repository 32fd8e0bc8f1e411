"""Builders of the violence-reduction page: charts, tables (and their sources for the downloads), verdicts.

Prevalence studies are area-level estimates from surveys, not counts of
cases or people in the case database, so no small-cell suppression applies;
what an audience sees is limited by area only
(`queries.prevalence.visible_study_rows`).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from impact_monitor.services import Services
from impact_monitor.table_model import Cell, Column, Table
from queries.geography import Gazetteer
from queries.prevalence import BENCHMARK_REDUCTION_PCT, prevalence_summary, visible_study_rows
from queries.scope import AreaFilter, Scope

from ..components import chart_text
from ..i18n import N_, _, current_language, day, number
from ..table_view import register_table_source
from ..vocabulary import code_name
from .chart_language import CHART_FONT, localized_ticks

BASELINE_COLOUR, LATEST_COLOUR = "#0072B2", "#E69F00"
MET_COLOUR, NOT_MET_COLOUR, BENCHMARK_COLOUR = "#009E73", "#D55E00", "#000000"
INTERVAL_BELOW = N_("the interval reaches below {benchmark} %, so the benchmark is not yet shown with confidence")
# The tables' column headings (translated when a table is built) that the page right-aligns as numbers.
BASELINE, LATEST, REDUCTION = N_("Baseline"), N_("Latest"), N_("Reduction")
FIELDWORK_ENDED = N_("Fieldwork ended")
BASELINE_FIELDWORK, LATEST_FIELDWORK = N_("Baseline fieldwork ended"), N_("Latest fieldwork ended")
FILTERS_NOTE = N_("The period and area filters do not apply here: each study has its own fieldwork dates, and every "
                  "study area the account may see is listed.")
# The charts' titles, written above each chart on the page: inside the figure they would sit under its toolbar.
PREVALENCE_TITLE = N_("Share of minors among people in the commercial sex trade, with 95 % intervals")
REDUCTION_TITLE = N_("Reduction in the share of minors since baseline, with 95 % intervals")
REDUCTION_TABLE, BASELINE_ONLY_TABLE, PAGE = "reduction-table", "baseline-only-table", "violence-reduction"


def interval_below_text() -> str:
    return _(INTERVAL_BELOW).format(benchmark=number(BENCHMARK_REDUCTION_PCT))


def area_label(area: str, study_name: str, gazetteer: Gazetteer, language: str) -> str:
    """The gazetteer's name in the chosen language; a division says so (its capital district shares its name)."""
    return gazetteer.full_name(area, language) if area in gazetteer.areas else study_name


def area_labels(frame: pd.DataFrame, gazetteer: Gazetteer, language: str) -> list[str]:
    return [area_label(row.area, row.area_name, gazetteer, language) for row in frame.itertuples()]


def _known(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _known_values(*columns: pd.Series) -> list[float]:
    return [float(value) for column in columns for value in column if _known(value)]


def _interval(low, high) -> str:
    return _("{low} to {high} %").format(low=number(low, 1), high=number(high, 1)) \
        if _known(low) and _known(high) else "–"


def _design_effect(value) -> str:
    return number(value, 2)


def benchmark_verdict(row) -> str:
    """The contract's rule (benchmark_met: reduction >= 85 %), and plainly when the interval reaches below it."""
    if not _known(row.reduction_pct):
        return _("No reduction can be computed: the baseline found no minors.")
    reduction, benchmark = number(row.reduction_pct, 1), number(row.benchmark_pct)
    if not row.benchmark_met:
        return _("Benchmark not met: a reduction of {reduction} % is below {benchmark} %.").format(
            reduction=reduction, benchmark=benchmark)
    if row.reduction_ci_low < row.benchmark_pct:
        return _("Benchmark met ({reduction} %), but {why}.").format(reduction=reduction, why=interval_below_text())
    return _("Benchmark met ({reduction} %), and the whole interval lies above {benchmark} %.").format(
        reduction=reduction, benchmark=benchmark)


def _hover(labels: list[str], values, template: str) -> list[str]:
    """Each point's hover text, its number written in the current language: `template` has {area} and {value}."""
    return [template.format(area=label, value=number(value, 1)) for label, value in zip(labels, values)]


def _whisker(frame: pd.DataFrame, prefix: str, labels: list[str], name: str, colour: str, symbol: str) -> go.Scatter:
    centre, low, high = frame[f"{prefix}_pct"], frame[f"{prefix}_ci_low"], frame[f"{prefix}_ci_high"]
    return go.Scatter(
        x=list(centre), y=labels, mode="markers", name=name,
        marker={"color": colour, "symbol": symbol, "size": 10},
        error_x={"type": "data", "symmetric": False, **_error_bars(centre, low, high),
                 "color": colour, "thickness": 2, "width": 6},
        customdata=_hover(labels, centre, "{area}: {value} %"),
        hovertemplate="%{customdata}<extra>" + name + "</extra>",
    )


def _error_bars(centre: pd.Series, low: pd.Series, high: pd.Series) -> dict:
    """Plotly's error bar lengths above and below each point: never negative (rounding can put an interval's end
    a hair inside its estimate)."""
    return {"array": [max(0.0, h - c) for c, h in zip(centre, high)],
            "arrayminus": [max(0.0, c - lo) for c, lo in zip(centre, low)]}


def _plain_layout(rows: int) -> dict:
    # A top margin taller than the toolbar, for the benchmark's label above the plot.
    # The "none" template instead of plotly_white: the same look without 7 KB of template in every response.
    return dict(template="none", plot_bgcolor="white", paper_bgcolor="white", height=160 + 48 * max(rows, 1),
                legend={"orientation": "h", "y": -0.25}, margin={"l": 160, "r": 30, "t": 60, "b": 60},
                font=CHART_FONT)


def prevalence_figure(frame: pd.DataFrame, labels: list[str]) -> go.Figure:
    """Baseline and latest prevalence per area, each with its 95 % Wilson interval."""
    labels = [chart_text(label) for label in labels]
    figure = go.Figure([
        _whisker(frame, "baseline", labels, _("Baseline"), BASELINE_COLOUR, "circle"),
        _whisker(frame, "latest", labels, _("Latest round"), LATEST_COLOUR, "diamond"),
    ])
    highest = max(_known_values(frame["baseline_ci_high"], frame["latest_ci_high"]), default=0.0)
    figure.update_layout(
        xaxis={"title": _("Minors among people observed (%)"), "rangemode": "tozero", "gridcolor": "#dddddd",
               **localized_ticks(0, highest)},
        yaxis={"title": _("Study area"), "autorange": "reversed"},
        **_plain_layout(len(labels)),
    )
    return figure


def reduction_figure(frame: pd.DataFrame, labels: list[str]) -> go.Figure:
    """Reduction against baseline with its Katz interval, and the 85 % benchmark as a vertical line."""
    labels = [chart_text(label) for label in labels]
    computable = frame["reduction_pct"].map(_known)
    traces = []
    for met, name, colour, symbol in ((True, _("Benchmark met"), MET_COLOUR, "circle"),
                                      (False, _("Benchmark not met"), NOT_MET_COLOUR, "x")):
        chosen = computable & (frame["benchmark_met"].astype(bool) == met)
        if chosen.any():
            part = frame[chosen]
            shown_labels = [label for label, keep in zip(labels, chosen) if keep]
            traces.append(go.Scatter(
                x=list(part["reduction_pct"]), y=shown_labels,
                mode="markers", name=name, marker={"color": colour, "symbol": symbol, "size": 11},
                error_x={"type": "data", "symmetric": False,
                         **_error_bars(part["reduction_pct"], part["reduction_ci_low"], part["reduction_ci_high"]),
                         "color": colour, "thickness": 2, "width": 6},
                customdata=_hover(shown_labels, part["reduction_pct"], _("{area}: {value} % reduction")),
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            ))
    figure = go.Figure(traces)
    figure.add_vline(x=BENCHMARK_REDUCTION_PCT, line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 2},
                     annotation_text=_("Benchmark {benchmark} %").format(benchmark=number(BENCHMARK_REDUCTION_PCT)),
                     annotation_position="top")
    drawn = [*_known_values(frame.loc[computable, "reduction_ci_low"], frame.loc[computable, "reduction_ci_high"]),
             BENCHMARK_REDUCTION_PCT]
    figure.update_layout(
        xaxis={"title": _("Reduction against baseline (%)"), "gridcolor": "#dddddd", "zerolinecolor": "#999999",
               **localized_ticks(min(drawn), max(drawn))},
        yaxis={"title": _("Study area"), "autorange": "reversed", "categoryorder": "array", "categoryarray": labels},
        **_plain_layout(len(labels)),
    )
    return figure


def _text(values) -> list[Cell]:
    return [Cell(value) for value in values]


def _percents(values) -> list[Cell]:
    return [Cell(float(value)) if _known(value) else Cell() for value in values]


def _dates(values) -> list[Cell]:
    return [Cell(day(pd.Timestamp(value).date())) if _known_date(value) else Cell() for value in values]


def _known_date(value) -> bool:
    return value is not None and not pd.isna(value)


def _baseline_columns(frame: pd.DataFrame, labels: list[str], fieldwork: str,
                      fieldwork_heading: str) -> list[tuple[Column, list[Cell]]]:
    """The baseline's columns, its fieldwork's end date from the column `fieldwork`."""
    return [
        (Column(_("Study area")), _text(labels)),
        (Column("P-code"), _text(frame["area"])),
        (Column(_(BASELINE), "percent"), _percents(frame["baseline_pct"])),
        (Column(_("Baseline 95 % interval")), _text(_interval(lo, hi) for lo, hi in zip(frame["baseline_ci_low"],
                                                                                         frame["baseline_ci_high"]))),
        (Column(_("Baseline design effect")), _text(_design_effect(v) for v in frame["baseline_design_effect"])),
        (Column(_(fieldwork_heading)), _dates(frame[fieldwork])),
    ]


def _table(table_id: str, title: str, columns: list[tuple[Column, list[Cell]]]) -> Table:
    rows = tuple(zip(*(cells for _column, cells in columns))) if columns[0][1] else ()
    return Table(table_id, title, tuple(column for column, _cells in columns), rows, notes=(_(FILTERS_NOTE),))


def reduction_table(frame: pd.DataFrame, labels: list[str]) -> Table:
    """Every number of both charts, with when each round's fieldwork ended and the verdict in words."""
    return _table(REDUCTION_TABLE, _("Prevalence and reduction by study area"), [
        *_baseline_columns(frame, labels, "baseline_fieldwork_end", BASELINE_FIELDWORK),
        (Column(_("Latest round")), _text(code_name(round_) for round_ in frame["latest_round"])),
        (Column(_(LATEST), "percent"), _percents(frame["latest_pct"])),
        (Column(_("Latest 95 % interval")), _text(_interval(lo, hi) for lo, hi in zip(frame["latest_ci_low"],
                                                                                       frame["latest_ci_high"]))),
        (Column(_("Latest design effect")), _text(_design_effect(v) for v in frame["latest_design_effect"])),
        (Column(_(LATEST_FIELDWORK)), _dates(frame["latest_fieldwork_end"])),
        (Column(_(REDUCTION), "percent"), _percents(frame["reduction_pct"])),
        (Column(_("Reduction 95 % interval")), _text(_interval(lo, hi) for lo, hi in zip(frame["reduction_ci_low"],
                                                                                          frame["reduction_ci_high"]))),
        (Column(_("Benchmark")), _text(f"{number(v)} %" for v in frame["benchmark_pct"])),
        (Column(_("Verdict")), _text(benchmark_verdict(row) for row in frame.itertuples())),
    ])


def baseline_only_table(frame: pd.DataFrame, labels: list[str]) -> Table:
    """Areas with a baseline study and no later round yet."""
    return _table(BASELINE_ONLY_TABLE, _("Study areas with a baseline only"),
                  _baseline_columns(frame, labels, "fieldwork_end", FIELDWORK_ENDED))


def unbroken_dates(table: Table) -> dict:
    """`model_table` classes keeping each fieldwork date on one line, in the figures of the numbers beside it."""
    headings = {_(FIELDWORK_ENDED), _(BASELINE_FIELDWORK), _(LATEST_FIELDWORK)}
    return {position: _figures for position, column in enumerate(table.columns) if column.heading in headings}


def _figures(_cell: Cell) -> str:
    return "num"


def visible_studies(svc: Services, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(areas with a baseline and a later round, areas with a baseline only) that `scope` may see."""
    summary, baseline_only = prevalence_summary(svc.databases)
    return (visible_study_rows(summary, scope, svc.gazetteer),
            visible_study_rows(baseline_only, scope, svc.gazetteer))


def build_reduction(svc: Services, chosen: AreaFilter, _params: dict) -> Table:
    rows, _waiting = visible_studies(svc, chosen.scope)
    return reduction_table(rows, area_labels(rows, svc.gazetteer, current_language()))


def build_baseline_only(svc: Services, chosen: AreaFilter, _params: dict) -> Table:
    _rows, waiting = visible_studies(svc, chosen.scope)
    return baseline_only_table(waiting, area_labels(waiting, svc.gazetteer, current_language()))


register_table_source(REDUCTION_TABLE, PAGE, build_reduction)
register_table_source(BASELINE_ONLY_TABLE, PAGE, build_baseline_only)
