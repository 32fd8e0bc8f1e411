"""Pure builders of the Justice page: the case funnel, conviction trends, the age of pending cases."""

from __future__ import annotations

import pandas as pd

from impact_monitor.table_model import Cell, Column, Table
from queries.definitions import reliable
from queries.justice import PENDING_BANDS

from ..components import HIDDEN, message
from ..i18n import N_, _
from ..table_view import model_table
from .referrals import (OKABE_ITO, add_marks, bar_values, count_cell, count_mark, figure, graph, is_missing,
                        no_records, nothing_recorded, number_texts, number_ticks, series_empty, series_figure,
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


def _drop_off_cell(pct, earlier, later) -> Cell:
    """The drop-off to a step from the one before: hidden with either step when one is hidden (it would tell
    their difference), empty where the step before holds no case."""
    if is_missing(earlier) or is_missing(later):
        return Cell(mark=HIDDEN)
    return Cell(None if pct is None else float(pct), reliable=reliable("percent", pct, earlier - later))


def funnel_table(frame: pd.DataFrame) -> Table:
    shown = funnel_rows(frame)
    steps = list(zip(shown["step"], shown["cases"], shown["drop_off_pct"]))
    # The first step has no step before it: its drop-off is empty.
    rows = tuple((Cell(_(STEP_LABELS[step])), count_cell(cases),
                  _drop_off_cell(pct, steps[index - 1][1], cases) if index else Cell())
                 for index, (step, cases, pct) in enumerate(steps))
    caption = _("Cases whose earliest complaint was filed in the period, counted at each step they reached by today "
                "(a case with a verdict counts at every earlier step)")
    return Table("justice-funnel-table", caption,
                 (Column(_("Step")), Column(_("Cases"), "count"), Column(_("Drop-off from the step before"), "percent")),
                 rows)


def funnel_panel(frame: pd.DataFrame, params: dict) -> list:
    if nothing_recorded(frame["cases"]):
        return [no_records(), model_table(funnel_table(frame), params)]
    labels = [_(STEP_LABELS[step]) for step in frame["step"]]
    fig = figure(_("Cases"), "")
    fig.add_bar(y=labels, x=bar_values(frame["cases"]), orientation="h", offsetgroup="cases", showlegend=False,
                customdata=number_texts(frame["cases"]), marker_color=OKABE_ITO[0], hovertemplate=cases_hover("y"))
    add_marks(fig, labels, [count_mark(cases) for cases in frame["cases"]], offsetgroup="cases", horizontal=True)
    fig.update_yaxes(autorange="reversed")
    number_ticks(fig, "x")
    return [graph(fig, "justice-funnel-graph", _("Cases from complaint to verdict")),
            model_table(funnel_table(frame), params)]


COUNT_CODES = ("charge_sheets_filed", "accused_convicted")
RATE_CODES = ("conviction_rate_pct",)
MEDIAN_CODES = ("median_days_complaint_to_verdict",)


def trends_table(series: pd.DataFrame, area: str) -> Table:
    return series_table(series, COUNT_CODES + RATE_CODES + MEDIAN_CODES, area,
                        _("Charge sheets, convictions and time to verdict in each quarter"), "justice-trends-table")


def trends_panel(series: pd.DataFrame, area: str, params: dict) -> list:
    if series_empty(series, area):
        return [no_records(), model_table(trends_table(series, area), params)]
    counts = series_figure(series, COUNT_CODES, area, _("Number"), mode="bars")
    rate = series_figure(series, RATE_CODES, area, _("Per cent of accused with a verdict"), y_range=[0, 100])
    median = series_figure(series, MEDIAN_CODES, area, _("Days"))
    return [graph(counts, "justice-counts-graph", _("Charge sheets and convictions")),
            graph(rate, "justice-rate-graph", _("Conviction rate")),
            graph(median, "justice-median-graph", _("Median days from complaint to verdict")),
            model_table(trends_table(series, area), params)]


def _bands() -> list[str]:
    return [band for band, _years in PENDING_BANDS]


def pending_table(shown: pd.Series) -> Table:
    rows = tuple((Cell(name), count_cell(shown[key]))
                 for name, key in zip([_(PENDING_BAND_NAMES[band]) for band in _bands()] + [_("All pending cases")],
                                      _bands() + ["total"]))
    return Table("justice-pending-table", _("Cases with a complaint and no verdict or dismissal yet, as of today"),
                 (Column(_("Time since the earliest complaint")), Column(_("Cases"), "count")), rows,
                 notes=(pending_note(),))


def pending_note() -> str:
    return _("A case counts as pending until any of its accused is convicted or acquitted or the case is dismissed.")


def pending_panel(shown: pd.Series, params: dict) -> list:
    """The pending cases per band and in total (None where hidden)."""
    bands = _bands()
    if nothing_recorded(shown[band] for band in bands + ["total"]):
        return [message(_("No case here is pending today."), "info"), model_table(pending_table(shown), params)]
    names = [_(PENDING_BAND_NAMES[band]) for band in bands]
    fig = figure(_("Time since the earliest complaint"), _("Cases"))
    fig.add_bar(x=names, y=bar_values(shown[b] for b in bands), offsetgroup="cases", showlegend=False,
                customdata=number_texts(shown[b] for b in bands), marker_color=OKABE_ITO[3],
                hovertemplate=cases_hover("x"))
    add_marks(fig, names, [count_mark(shown[b]) for b in bands], offsetgroup="cases")
    number_ticks(fig)
    return [graph(fig, "justice-pending-graph", _("Pending cases by time since the complaint")),
            model_table(pending_table(shown), params)]
