"""Pure builders of the Justice page: the case funnel, conviction trends, the age of pending cases."""

from __future__ import annotations

import pandas as pd
from dash import html

from queries.definitions import reliable
from queries.justice import PENDING_BANDS

from ..components import data_table, format_value
from .referrals import OKABE_ITO, count_text, figure, graph, is_missing, series_figure, series_table

STEP_LABELS = {"complaint_filed": "Complaint filed", "charge_sheet": "Charge sheet", "trial_started": "Trial started",
               "verdict": "Verdict (convicted or acquitted)"}


def funnel_rows(shown: pd.DataFrame) -> pd.DataFrame:
    """step, cases, drop_off_pct: a drop-off only between two shown neighbouring steps.

    Each step is a subset of the one before, so the difference of two shown
    counts is a count too: an external audience's protected cells hide a step
    when that difference is small (`queries.cells`).
    """
    cases = list(shown["cases"])
    drop_off = [None] + [100.0 * (1 - later / earlier) if not is_missing(earlier) and not is_missing(later)
                         and earlier else None for earlier, later in zip(cases, cases[1:])]
    return pd.DataFrame({"step": shown["step"], "cases": pd.Series(cases, dtype="object"),
                         "drop_off_pct": pd.Series(drop_off, dtype="object")})


def funnel_panel(frame: pd.DataFrame) -> list:
    shown = funnel_rows(frame)
    labels = [STEP_LABELS[step] for step in shown["step"]]
    fig = figure("Cases from complaint to verdict", "Cases", "")
    fig.add_bar(y=labels, x=[None if is_missing(v) else int(v) for v in shown["cases"]], orientation="h",
                marker_color=OKABE_ITO[0], hovertemplate="%{y}: %{x:,} cases<extra></extra>")
    fig.update_yaxes(autorange="reversed")
    rows = pd.DataFrame({
        "Step": labels,
        "Cases": [count_text(v) for v in shown["cases"]],
        "Drop-off from the step before": ["–" if is_missing(p) else format_value(p, "percent", reliable=reliable(
            "percent", p, earlier - later)) for p, earlier, later in zip(shown["drop_off_pct"], [None, *shown["cases"]],
                                                                           shown["cases"])],
    })
    caption = ("Cases whose earliest complaint was filed in the period, counted at each step they reached by today "
               "(a case with a verdict counts at every earlier step)")
    return [graph(fig, "justice-funnel-graph"),
            data_table(rows, caption, "justice-funnel-table", numeric=("Cases", "Drop-off from the step before"))]


COUNT_CODES = ("charge_sheets_filed", "accused_convicted")
RATE_CODES = ("conviction_rate_pct",)
MEDIAN_CODES = ("median_days_complaint_to_verdict",)


def trends_panel(series: pd.DataFrame, area: str) -> list:
    counts = series_figure(series, COUNT_CODES, area, "Charge sheets and convictions", "Number", mode="bars")
    rate = series_figure(series, RATE_CODES, area, "Conviction rate", "Per cent of accused with a verdict")
    rate.update_yaxes(range=[0, 100])
    median = series_figure(series, MEDIAN_CODES, area, "Median days from complaint to verdict", "Days")
    return [graph(counts, "justice-counts-graph"), graph(rate, "justice-rate-graph"),
            graph(median, "justice-median-graph"),
            series_table(series, COUNT_CODES + RATE_CODES + MEDIAN_CODES, area,
                         "Charge sheets, convictions and time to verdict in each quarter", "justice-trends-table")]


def pending_panel(shown: pd.Series) -> list:
    """The pending cases per band and in total (None where hidden)."""
    bands = [label for label, _ in PENDING_BANDS]
    fig = figure("Pending cases by time since the complaint", "Time since the earliest complaint", "Cases")
    fig.add_bar(x=bands, y=[None if is_missing(shown[b]) else int(shown[b]) for b in bands],
                marker_color=OKABE_ITO[3], hovertemplate="%{x}: %{y:,} cases<extra></extra>")
    rows = pd.DataFrame({"Time since the earliest complaint": bands + ["All pending cases"],
                         "Cases": [count_text(shown[b]) for b in bands + ["total"]]})
    caption = "Cases with a complaint and no verdict or dismissal yet, as of today"
    return [graph(fig, "justice-pending-graph"),
            data_table(rows, caption, "justice-pending-table", numeric=("Cases",)),
            html.P("A case counts as pending until any of its accused is convicted or acquitted or the case is "
                   "dismissed.", className="note")]
