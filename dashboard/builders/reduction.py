"""Pure builders of the violence-reduction page: charts, tables, verdicts.

Prevalence studies are area-level estimates from surveys, not counts of
cases or people in the case database, so no small-cell suppression applies;
what an audience sees is limited by area only
(`queries.prevalence.visible_study_rows`).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from queries.geography import Gazetteer
from queries.prevalence import BENCHMARK_REDUCTION_PCT

from ..components import chart_text

BASELINE_COLOUR, LATEST_COLOUR = "#0072B2", "#E69F00"
MET_COLOUR, NOT_MET_COLOUR, BENCHMARK_COLOUR = "#009E73", "#D55E00", "#000000"
INTERVAL_BELOW_TEXT = (f"the interval reaches below {BENCHMARK_REDUCTION_PCT:.0f} %, "
                       "so the benchmark is not yet shown with confidence")


def area_label(area: str, study_name: str, gazetteer: Gazetteer, language: str) -> str:
    """The gazetteer's name in the chosen language; a division says so (its capital district shares its name)."""
    if area not in gazetteer.areas:
        return study_name
    name = gazetteer.name(area, language)
    if gazetteer.areas[area].level == "division":
        return f"{name} {'বিভাগ' if language == 'bn' else 'division'}"
    return name


def area_labels(frame: pd.DataFrame, gazetteer: Gazetteer, language: str) -> list[str]:
    return [area_label(row.area, row.area_name, gazetteer, language) for row in frame.itertuples()]


def _known(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _pct(value) -> str:
    return f"{value:.1f} %" if _known(value) else "–"


def _interval(low, high) -> str:
    return f"{low:.1f} to {high:.1f} %" if _known(low) and _known(high) else "–"


def _design_effect(value) -> str:
    return f"{value:.2f}"


def benchmark_verdict(row) -> str:
    """The contract's rule (benchmark_met: reduction >= 85 %), and plainly when the interval reaches below it."""
    if not _known(row.reduction_pct):
        return "No reduction can be computed: the baseline found no minors."
    if not row.benchmark_met:
        return f"Benchmark not met: a reduction of {row.reduction_pct:.1f} % is below {row.benchmark_pct:.0f} %."
    if row.reduction_ci_low < row.benchmark_pct:
        return f"Benchmark met ({row.reduction_pct:.1f} %), but {INTERVAL_BELOW_TEXT}."
    return f"Benchmark met ({row.reduction_pct:.1f} %), and the whole interval lies above {row.benchmark_pct:.0f} %."


def _whisker(frame: pd.DataFrame, prefix: str, labels: list[str], name: str, colour: str, symbol: str) -> go.Scatter:
    centre, low, high = frame[f"{prefix}_pct"], frame[f"{prefix}_ci_low"], frame[f"{prefix}_ci_high"]
    return go.Scatter(
        x=list(centre), y=labels, mode="markers", name=name,
        marker={"color": colour, "symbol": symbol, "size": 10},
        error_x={"type": "data", "symmetric": False, **_error_bars(centre, low, high),
                 "color": colour, "thickness": 2, "width": 6},
        hovertemplate="%{y}: %{x:.1f} %<extra>" + name + "</extra>",
    )


def _error_bars(centre: pd.Series, low: pd.Series, high: pd.Series) -> dict:
    """Plotly's error bar lengths above and below each point: never negative (rounding can put an interval's end
    a hair inside its estimate)."""
    return {"array": [max(0.0, h - c) for c, h in zip(centre, high)],
            "arrayminus": [max(0.0, c - lo) for c, lo in zip(centre, low)]}


def _plain_layout(rows: int) -> dict:
    # The "none" template instead of plotly_white: the same look without 7 KB of template in every response.
    return dict(template="none", plot_bgcolor="white", paper_bgcolor="white", height=160 + 48 * max(rows, 1),
                legend={"orientation": "h", "y": -0.25}, margin={"l": 160, "r": 30, "t": 60, "b": 60})


def prevalence_figure(frame: pd.DataFrame, labels: list[str]) -> go.Figure:
    """Baseline and latest prevalence per area, each with its 95 % Wilson interval."""
    labels = [chart_text(label) for label in labels]
    figure = go.Figure([
        _whisker(frame, "baseline", labels, "Baseline", BASELINE_COLOUR, "circle"),
        _whisker(frame, "latest", labels, "Latest round", LATEST_COLOUR, "diamond"),
    ])
    figure.update_layout(
        title="Share of minors among people in the commercial sex trade, with 95 % intervals",
        xaxis={"title": "Minors among people observed (%)", "rangemode": "tozero", "gridcolor": "#dddddd"},
        yaxis={"title": "Study area", "autorange": "reversed"},
        **_plain_layout(len(labels)),
    )
    return figure


def reduction_figure(frame: pd.DataFrame, labels: list[str]) -> go.Figure:
    """Reduction against baseline with its Katz interval, and the 85 % benchmark as a vertical line."""
    labels = [chart_text(label) for label in labels]
    computable = frame["reduction_pct"].map(_known)
    traces = []
    for met, name, colour, symbol in ((True, "Benchmark met", MET_COLOUR, "circle"),
                                      (False, "Benchmark not met", NOT_MET_COLOUR, "x")):
        chosen = computable & (frame["benchmark_met"].astype(bool) == met)
        if chosen.any():
            part = frame[chosen]
            traces.append(go.Scatter(
                x=list(part["reduction_pct"]), y=[label for label, keep in zip(labels, chosen) if keep],
                mode="markers", name=name, marker={"color": colour, "symbol": symbol, "size": 11},
                error_x={"type": "data", "symmetric": False,
                         **_error_bars(part["reduction_pct"], part["reduction_ci_low"], part["reduction_ci_high"]),
                         "color": colour, "thickness": 2, "width": 6},
                hovertemplate="%{y}: %{x:.1f} % reduction<extra>" + name + "</extra>",
            ))
    figure = go.Figure(traces)
    figure.add_vline(x=BENCHMARK_REDUCTION_PCT, line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 2},
                     annotation_text=f"Benchmark {BENCHMARK_REDUCTION_PCT:.0f} %", annotation_position="top")
    figure.update_layout(
        title="Reduction in the share of minors since baseline, with 95 % intervals",
        xaxis={"title": "Reduction against baseline (%)", "gridcolor": "#dddddd", "zerolinecolor": "#999999"},
        yaxis={"title": "Study area", "autorange": "reversed", "categoryorder": "array", "categoryarray": labels},
        **_plain_layout(len(labels)),
    )
    return figure


def _baseline_columns(frame: pd.DataFrame, labels: list[str]) -> dict:
    return {
        "Study area": labels,
        "P-code": list(frame["area"]),
        "Baseline": [_pct(v) for v in frame["baseline_pct"]],
        "Baseline 95 % interval": [_interval(lo, hi) for lo, hi in zip(frame["baseline_ci_low"],
                                                                       frame["baseline_ci_high"])],
        "Baseline design effect": [_design_effect(v) for v in frame["baseline_design_effect"]],
    }


def reduction_table(frame: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Every number of both charts, with the verdict in words."""
    return pd.DataFrame({
        **_baseline_columns(frame, labels),
        "Latest round": list(frame["latest_round"]),
        "Latest": [_pct(v) for v in frame["latest_pct"]],
        "Latest 95 % interval": [_interval(lo, hi) for lo, hi in zip(frame["latest_ci_low"], frame["latest_ci_high"])],
        "Latest design effect": [_design_effect(v) for v in frame["latest_design_effect"]],
        "Reduction": [_pct(v) for v in frame["reduction_pct"]],
        "Reduction 95 % interval": [_interval(lo, hi) for lo, hi in zip(frame["reduction_ci_low"],
                                                                        frame["reduction_ci_high"])],
        "Benchmark": [f"{v:.0f} %" for v in frame["benchmark_pct"]],
        "Verdict": [benchmark_verdict(row) for row in frame.itertuples()],
    })


def baseline_only_table(frame: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Areas with a baseline study and no later round yet."""
    return pd.DataFrame({
        **_baseline_columns(frame, labels),
        "Fieldwork ended": [str(day)[:10] for day in frame["fieldwork_end"]],
    })
