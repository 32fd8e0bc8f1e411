"""Pure builders of the Justice page: the case funnel, conviction trends, the age of pending cases."""

from __future__ import annotations

import pandas as pd
from dash import html

from queries.definitions import reliable
from queries.justice import PENDING_BANDS

from ..components import data_table, format_value
from ..i18n import N_, _
from .referrals import (OKABE_ITO, count_text, figure, graph, is_missing, number_texts, number_ticks, series_figure,
                        series_table)

STEP_LABELS = {"complaint_filed": N_("Complaint filed"), "charge_sheet": N_("Charge sheet"),
               "trial_started": N_("Trial started"), "verdict": N_("Verdict (convicted or acquitted)")}
# The labels of `justice.PENDING_BANDS` (the tables' keys), as the catalogue knows them.
PENDING_BAND_NAMES = {"under 1 year": N_("under 1 year"), "1 to under 2 years": N_("1 to under 2 years"),
                      "2 to under 5 years": N_("2 to under 5 years"), "5 years or more": N_("5 years or more")}


def cases_hover(category_axis: str) -> str:
    """A bar's hover text: its category (on `category_axis`, "x" or "y"), then its count as `number_texts` wrote
    it in the bar's customdata."""
    return _("{label}: {count} cases").format(label=f"%{{{category_axis}}}", count="%{customdata}") + "<extra></extra>"


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
    labels = [_(STEP_LABELS[step]) for step in shown["step"]]
    fig = figure(_("Cases from complaint to verdict"), _("Cases"), "")
    fig.add_bar(y=labels, x=[None if is_missing(v) else int(v) for v in shown["cases"]], orientation="h",
                customdata=number_texts(shown["cases"]), marker_color=OKABE_ITO[0], hovertemplate=cases_hover("y"))
    fig.update_yaxes(autorange="reversed")
    number_ticks(fig, "x")
    cases, drop_off = _("Cases"), _("Drop-off from the step before")
    rows = pd.DataFrame({
        _("Step"): labels,
        cases: [count_text(v) for v in shown["cases"]],
        drop_off: ["–" if is_missing(p) else format_value(p, "percent", reliable=reliable(
            "percent", p, earlier - later)) for p, earlier, later in zip(shown["drop_off_pct"], [None, *shown["cases"]],
                                                                           shown["cases"])],
    })
    caption = _("Cases whose earliest complaint was filed in the period, counted at each step they reached by today "
                "(a case with a verdict counts at every earlier step)")
    return [graph(fig, "justice-funnel-graph"),
            data_table(rows, caption, "justice-funnel-table", numeric=(cases, drop_off))]


COUNT_CODES = ("charge_sheets_filed", "accused_convicted")
RATE_CODES = ("conviction_rate_pct",)
MEDIAN_CODES = ("median_days_complaint_to_verdict",)


def trends_panel(series: pd.DataFrame, area: str) -> list:
    counts = series_figure(series, COUNT_CODES, area, _("Charge sheets and convictions"), _("Number"), mode="bars")
    rate = series_figure(series, RATE_CODES, area, _("Conviction rate"), _("Per cent of accused with a verdict"),
                         y_range=[0, 100])
    median = series_figure(series, MEDIAN_CODES, area, _("Median days from complaint to verdict"), _("Days"))
    return [graph(counts, "justice-counts-graph"), graph(rate, "justice-rate-graph"),
            graph(median, "justice-median-graph"),
            series_table(series, COUNT_CODES + RATE_CODES + MEDIAN_CODES, area,
                         _("Charge sheets, convictions and time to verdict in each quarter"), "justice-trends-table")]


def pending_panel(shown: pd.Series) -> list:
    """The pending cases per band and in total (None where hidden)."""
    bands = [band for band, _years in PENDING_BANDS]
    names = [_(PENDING_BAND_NAMES[band]) for band in bands]
    time_since, cases = _("Time since the earliest complaint"), _("Cases")
    fig = figure(_("Pending cases by time since the complaint"), time_since, cases)
    fig.add_bar(x=names, y=[None if is_missing(shown[b]) else int(shown[b]) for b in bands],
                customdata=number_texts(shown[b] for b in bands), marker_color=OKABE_ITO[3],
                hovertemplate=cases_hover("x"))
    number_ticks(fig)
    rows = pd.DataFrame({time_since: names + [_("All pending cases")],
                         cases: [count_text(shown[b]) for b in bands + ["total"]]})
    caption = _("Cases with a complaint and no verdict or dismissal yet, as of today")
    return [graph(fig, "justice-pending-graph"),
            data_table(rows, caption, "justice-pending-table", numeric=(cases,)),
            html.P(_("A case counts as pending until any of its accused is convicted or acquitted or the case is "
                     "dismissed."), className="note")]
