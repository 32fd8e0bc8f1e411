"""Pure builders of the Referrals page: figures and table models from frames as the audience may see them.

A hidden value arrives as None (an external audience's frames come from its
protected cells, `queries.publication`), so it cannot reach the browser in
figure data, hover text or a table cell: a chart writes its mark where the bar
or point would be, and a table cell carries the mark alone
(`impact_monitor.table_model`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from numbers import Real

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from impact_monitor.table_model import Cell, Column, Table
from queries.definitions import INDICATORS, reliable
from queries.periods import Period, quarter_containing
from queries.referral_flow import CURVE_MARKS_DAYS, WAITING_BANDS, life_table
from queries.schema import PROVIDER_TYPES, URGENCY_TARGET_HOURS

from ..components import HIDDEN, WITHHELD, chart_text, hidden_bar_marks, mark_hidden_points, message
from ..i18n import N_, _, current_language, digits, ngettext, number, period_name
from ..table_view import model_table
from ..vocabulary import code_name
from .chart_language import chart_config

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# The page's fonts (assets/style.css), named in the figure too: the stylesheet draws a chart's text in them, but
# Plotly measures its text (legend entries, margins) outside the chart, in the figure's own font, and without a
# Bengali font there it would measure Bangla too short and draw legend entries over one another.
CHART_FONT = '"Noto Sans Bengali", system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif'

# The name the disclosure audit reads the tables' codes back with.
words = code_name


def is_missing(value) -> bool:
    """No number to draw or compute with: hidden (None), withheld, or NaN."""
    return value is None or value == WITHHELD or (isinstance(value, float) and math.isnan(value))


def count_mark(value) -> str | None:
    """The mark of a count the audience is not shown: WITHHELD, or HIDDEN for one that arrives as None; None
    for a count shown."""
    if is_missing(value):
        return WITHHELD if value == WITHHELD else HIDDEN
    return None


def count_cell(value) -> Cell:
    """A table cell for a count: its mark when hidden or withheld, else the whole number."""
    mark = count_mark(value)
    return Cell(mark=mark) if mark else Cell(int(value))


def count_text(value) -> str:
    """A count as the screen reads it, marks included (outside a table: a headline figure)."""
    mark = count_mark(value)
    return _(mark) if mark else number(int(value))


def bar_values(values) -> list[int | None]:
    """A bar trace's heights: a gap where a count is hidden or withheld (its mark is drawn there instead)."""
    return [None if is_missing(value) else int(value) for value in values]


def combined_marks(*mark_lists) -> list[str | None]:
    """Per category, one mark for the several values drawn there: HIDDEN where any is hidden, else WITHHELD
    where any is withheld, else None."""
    combined = []
    for marks in zip(*mark_lists):
        found = set(marks) - {None}
        combined.append(HIDDEN if HIDDEN in found else WITHHELD if found else None)
    return combined


def category_marks(*columns) -> list[str | None]:
    """Per category of a stacked chart, the mark of its parts (counts) not shown."""
    return combined_marks(*([count_mark(value) for value in column] for column in columns))


def add_marks(fig: go.Figure, categories: list, marks: list[str | None], offsetgroup: str | None = None,
              horizontal: bool = False) -> None:
    """Draw each hidden or withheld value's mark in its bar's place (`components.hidden_bar_marks`), on a value
    axis from zero: where every bar is hidden, Plotly would centre the axis on zero and put the marks below the
    plot or half off it."""
    trace = hidden_bar_marks(categories, marks, offsetgroup=offsetgroup, horizontal=horizontal)
    if trace is not None:
        fig.add_trace(trace)
    (fig.update_xaxes if horizontal else fig.update_yaxes)(rangemode="tozero")


def nothing_recorded(values) -> bool:
    """Every value a zero that is shown: no records, as opposed to counts hidden (a hidden count is at least 1)."""
    return all(not is_missing(value) and value == 0 for value in values)


def no_records() -> html.Div:
    """An empty period's chart: a sentence instead of blank axes (the table of zeros stays, with its downloads)."""
    return message(_("No records here in this period."), "info")


def number_texts(values, decimals: int = 0) -> list[str | None]:
    """The numbers of a trace as its hover text reads them, in the current language's digits (Plotly's own number
    formats write ASCII digits); None where the trace has a gap."""
    return [None if is_missing(value) else number(value, decimals) for value in values]


# The legend in a row at the foot of the figure, below the axis title: placed in the figure's (container's)
# coordinates, it takes its room from the plot. Placed under the plot instead, it would overlap the axis title
# wherever long category labels turn on a narrow screen and push that title down.
LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"}


def figure(x_title: str, y_title: str, **layout) -> go.Figure:
    """A chart without a title of its own: `graph` puts the title above it, as a heading of the page."""
    fig = go.Figure()
    # The empty "none" template keeps a full plotly theme (several kB) out of every figure sent to the browser.
    axis = {"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd", "automargin": True}
    # The top margin leaves the chart's toolbar (the modebar) a strip of its own above the plot.
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, template="none",
                      font={"family": CHART_FONT}, colorway=list(OKABE_ITO),
                      margin={"l": 60, "r": 20, "t": 36, "b": 60},
                      paper_bgcolor="white", plot_bgcolor="white", xaxis=axis, yaxis=axis,
                      legend=LEGEND, **layout)
    return fig


def graph(fig: go.Figure, graph_id: str, title: str) -> html.Div:
    """The chart under its title. The title is a heading of the page rather than text in the figure: it wraps on
    a narrow screen, where a figure's title runs under the toolbar or off the chart."""
    return html.Div([html.H4(title, className="chart-title", id=f"{graph_id}-title"),
                     dcc.Graph(id=graph_id, figure=fig, config=chart_config(title))], className="chart")


def table_params(period: str, area: str) -> dict:
    """What a table's downloads rebuild it from (`table_view.model_table`): the page's period and area."""
    return {"period": period, "area": area}


def tick_values(low: float, high: float, whole: bool) -> list[float]:
    """Ticks at a round step (1, 2 or 5 times a power of ten) over `low` to `high`, three to seven intervals of
    it, from a multiple of the step; a step of at least 1 for an axis of whole numbers."""
    rough = max(high - low, 1e-9) / 7
    power = 10 ** math.floor(math.log10(rough))
    step = next(size * power for size in (1, 2, 5, 10) if size * power >= rough)
    step = max(step, 1) if whole else step
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(index * step, 10) for index in range(first, last + 1)]


def _axis_values(fig: go.Figure, axis: str) -> list[float]:
    """The numbers the traces put on `axis` ("x" or "y"); a stacked bar's total per category."""
    other = "y" if axis == "x" else "x"
    values = [(category, value) for trace in fig.data
              for category, value in zip(trace[other] or range(len(trace[axis] or ())), trace[axis] or ())
              if isinstance(value, Real)]
    if fig.layout.barmode != "stack":
        return [value for _category, value in values]
    totals = defaultdict(float)
    for category, value in values:
        totals[category] += value
    return list(totals.values())


def number_ticks(fig: go.Figure, axis: str = "y") -> None:
    """In Bangla, the tick labels of a numeric axis in Bengali digits: Plotly writes ticks of its own in ASCII
    digits, so the ticks are given, at round steps over the axis's set range, else over its values (from 0 where
    bars stand on it). English keeps Plotly's own ticks."""
    if current_language() != "bn":
        return
    layout_axis = fig.layout[f"{axis}axis"]
    values = _axis_values(fig, axis) or [0]
    bars = any(trace.type == "bar" for trace in fig.data)
    low, high = layout_axis.range or (min(0, *values) if bars else min(values), max(values))
    ticks = tick_values(low, max(high, low + 1), whole=all(float(value).is_integer() for value in values))
    step = ticks[1] - ticks[0]
    decimals = 0 if float(step).is_integer() else max(0, -math.floor(math.log10(step)))
    layout_axis.update(tickvals=ticks, ticktext=[number(tick, decimals) for tick in ticks])


def trend_quarters(period: Period, count: int, fiscal_year_start: int | None) -> list[Period]:
    """The `count` quarters ending with the chosen one (or with a chosen year's last quarter), oldest first."""
    last = period if period.kind == "quarter" else quarter_containing(period.end - timedelta(days=1),
                                                                      fiscal_year_start)
    return [last.shifted(-offset) for offset in range(count - 1, -1, -1)]


# Volume by service and provider.

def volume_table(shown: pd.DataFrame) -> Table:
    columns = (Column(_("Service type")), *(Column(code_name(provider), "count") for provider in PROVIDER_TYPES),
               Column(_("Total"), "count"))
    rows = tuple((Cell(code_name(row["service_type"])),
                  *(count_cell(row[provider]) for provider in PROVIDER_TYPES), count_cell(row["total"]))
                 for _index, row in shown.iterrows())
    return Table("referrals-volume-table", _("Referrals made in the period by service type and provider type"),
                 columns, rows)


def volume_panel(shown: pd.DataFrame, params: dict) -> list:
    if nothing_recorded(shown["total"]):
        return [no_records(), model_table(volume_table(shown), params)]
    fig = figure(_("Service type"), _("Referrals"), barmode="stack")
    labels = [code_name(code) for code in shown["service_type"]]
    for colour, provider in zip(OKABE_ITO, PROVIDER_TYPES):
        fig.add_bar(name=code_name(provider), x=labels, y=bar_values(shown[provider]),
                    customdata=number_texts(shown[provider]), marker_color=colour,
                    hovertemplate="%{x}, " + code_name(provider) + ": %{customdata}<extra></extra>")
    # Stacked last, a category's mark sits on top of the parts that are shown: the bar is not all there.
    add_marks(fig, labels, category_marks(*(shown[provider] for provider in PROVIDER_TYPES)))
    number_ticks(fig)
    return [graph(fig, "referrals-volume-graph", _("Referrals made by service type and provider")),
            model_table(volume_table(shown), params)]


# Turnaround trend (engine rows, already suppressed for the scope).

TREND_CODES = ("referral_turnaround_median_days", "referral_turnaround_p90_days", "referrals_within_target_pct",
               "referrals_made")


def _area_rows(series: pd.DataFrame, code: str, area: str) -> pd.DataFrame:
    return series[(series["indicator"] == code) & (series["area"] == area)]


def indicator_mark(row) -> str | None:
    """The mark of an indicator row the audience is not shown (WITHHELD, HIDDEN), None for one shown: a value
    that is merely empty (nothing to divide by) is no mark."""
    if row["withheld"]:
        return WITHHELD
    return HIDDEN if row["suppressed"] else None


def indicator_cell(row) -> Cell:
    """An indicator row as a table cell: its mark, or its value with whether it rests on enough events."""
    mark = indicator_mark(row)
    if mark:
        return Cell(mark=mark)
    value, flag = row["value"], row.get("reliable")
    shown = None if is_missing(value) else (int(value) if INDICATORS[row["indicator"]].kind == "count"
                                            else float(value))
    return Cell(shown, reliable=None if flag is None or flag != flag else bool(flag))


def series_values(series: pd.DataFrame, code: str, area: str) -> list:
    rows = _area_rows(series, code, area)
    return [None if hidden or is_missing(value) else float(value)
            for value, hidden in zip(rows["value"], rows["suppressed"])]


def series_marks(series: pd.DataFrame, code: str, area: str) -> list[str | None]:
    return [indicator_mark(row) for _index, row in _area_rows(series, code, area).iterrows()]


def series_empty(series: pd.DataFrame, area: str) -> bool:
    """No records in any of the quarters: every value zero or empty, none hidden."""
    rows = series[series["area"] == area]
    return all(not (hidden or withheld) and (is_missing(value) or value == 0)
               for value, hidden, withheld in zip(rows["value"], rows["suppressed"], rows["withheld"]))


def series_table(series: pd.DataFrame, codes: tuple[str, ...], area: str, caption: str, table_id: str) -> Table:
    frame = series[series["area"] == area]
    periods = list(dict.fromkeys(frame["period"]))
    by_code = {code: [indicator_cell(row) for _index, row in _area_rows(frame, code, area).iterrows()]
               for code in codes}
    columns = (Column(_("Period")), *(Column(_(INDICATORS[code].label), INDICATORS[code].kind) for code in codes))
    rows = tuple((Cell(period_name(period)), *(by_code[code][index] for code in codes))
                 for index, period in enumerate(periods))
    return Table(table_id, caption, columns, rows)


def series_figure(series: pd.DataFrame, codes: tuple[str, ...], area: str, y_title: str,
                  mode: str = "lines+markers", y_range: list | None = None) -> go.Figure:
    """Indicators per quarter, one trace each, on a value axis of `y_range` (else Plotly's range); a hidden
    value's mark is written in its place (bars) or at the foot of its gap (lines)."""
    fig = figure(_("Quarter"), y_title)
    gaps = []
    for colour, code in zip(OKABE_ITO, codes):
        quarters = [period_name(period) for period in _area_rows(series, code, area)["period"]]
        values, label, marks = series_values(series, code, area), _(INDICATORS[code].label), series_marks(
            series, code, area)
        trace = dict(name=label, x=quarters, y=values, customdata=number_texts(values, 1), marker_color=colour,
                     hovertemplate="%{x}: %{customdata}<extra>" + label + "</extra>")
        if mode == "bars":
            fig.add_bar(offsetgroup=code, **trace)
            add_marks(fig, quarters, marks, offsetgroup=code)
        else:
            fig.add_scatter(mode=mode, connectgaps=False, **trace)
            gaps.append(marks)
    if gaps:
        # One mark per quarter where any line has a hidden point: the marks of two lines would overprint.
        mark_hidden_points(fig, quarters, combined_marks(*gaps))
    if y_range:
        fig.update_yaxes(range=y_range)
    number_ticks(fig)
    return fig


def turnaround_panel(series: pd.DataFrame, area: str, params: dict) -> list:
    if series_empty(series, area):
        return [no_records(), model_table(turnaround_table(series, area), params)]
    days = series_figure(series, TREND_CODES[:2], area, _("Days"))
    share = series_figure(series, TREND_CODES[2:3], area, _("Per cent"), y_range=[0, 100])
    return [graph(days, "referrals-turnaround-graph", _("Days from referral to first service")),
            graph(share, "referrals-target-trend-graph", _("Referrals served within target")),
            model_table(turnaround_table(series, area), params)]


def turnaround_table(series: pd.DataFrame, area: str) -> Table:
    return series_table(series, TREND_CODES, area, _("Turnaround of referrals made in each quarter"),
                        "referrals-turnaround-table")


# Within target, per urgency.

def within_target_rows(shown: pd.DataFrame) -> pd.DataFrame:
    """urgency, referrals, within_target, pct: the share only where both counts are shown."""
    shown = shown.copy()
    shown["pct"] = pd.Series([None if is_missing(n) or is_missing(d) or not d else 100.0 * n / d
                              for n, d in zip(shown["within_target"], shown["referrals"])],
                             index=shown.index, dtype=object)
    return shown


def target_text(hours: int) -> str:
    return (_("{hours} hours").format(hours=number(hours)) if hours < 48
            else _("{days} days").format(days=number(hours // 24)))


def _urgency_labels(shown: pd.DataFrame) -> list[str]:
    return [_("{urgency} (target {target})").format(urgency=code_name(u), target=target_text(URGENCY_TARGET_HOURS[u]))
            for u in shown["urgency"]]


def _share_cell(pct, within_target, referrals) -> Cell:
    """A share built on a hidden count is hidden with it; one of no referrals is empty."""
    if is_missing(within_target) or is_missing(referrals):
        return Cell(mark=HIDDEN)
    return Cell(None if pct is None else float(pct), reliable=reliable("percent", pct, within_target))


def within_target_table(frame: pd.DataFrame) -> Table:
    shown = within_target_rows(frame)
    columns = (Column(_("Urgency")), Column(_("Referrals made"), "count"), Column(_("Served within target"), "count"),
               Column(_("Share (%)"), "percent"))
    rows = tuple((Cell(label), count_cell(row["referrals"]), count_cell(row["within_target"]),
                  _share_cell(row["pct"], row["within_target"], row["referrals"]))
                 for label, (_index, row) in zip(_urgency_labels(shown), shown.iterrows()))
    return Table("referrals-within-target-table",
                 _("Referrals made in the period served within their urgency's target"), columns, rows)


def within_target_panel(frame: pd.DataFrame, params: dict) -> list:
    if nothing_recorded(frame["referrals"]):
        return [no_records(), model_table(within_target_table(frame), params)]
    shown = within_target_rows(frame)
    labels = _urgency_labels(shown)
    fig = figure(_("Urgency"), _("Per cent"))
    shares = [None if is_missing(p) else round(p, 1) for p in shown["pct"]]
    fig.add_bar(x=labels, y=shares, customdata=number_texts(shares, 1), marker_color=OKABE_ITO[0],
                offsetgroup="share", showlegend=False, hovertemplate="%{x}: %{customdata} %<extra></extra>")
    marks = [_share_cell(p, n, d).mark for p, n, d in zip(shown["pct"], shown["within_target"], shown["referrals"])]
    add_marks(fig, labels, marks, offsetgroup="share")
    fig.update_yaxes(range=[0, 100])
    number_ticks(fig)
    return [graph(fig, "referrals-within-target-graph", _("Share first served within target, by urgency")),
            model_table(within_target_table(frame), params)]


# Time to first service.

# The table beside the curve reads it after these many days, as survival tables are printed, and on its
# last day: a short text alternative (a row for every day would cost the browser about a second per 50 rows).
TABLE_DAYS = (1, 2, 3, 7, 14, 30, 60, 90, 180, 365, 730, 1095, 1825, 3650)


def curve_at_table_days(curve: pd.DataFrame) -> pd.DataFrame:
    """days, still_waiting_pct, served, closed, open, followed: the hourly curve (`kaplan_meier`) read after each
    TABLE_DAYS day up to its last day and on that day; served, closed and open are counted up to then, followed
    is the referrals still followed after it."""
    columns = ["days", "still_waiting_pct", "served", "closed", "open", "followed"]
    total = int(curve["at_risk"].iloc[0])
    elapsed_days = (curve["hour"] + 1) / 24  # an hour-h row ends after h + 1 hours
    last = math.ceil(elapsed_days.iloc[-1])
    records = []
    for days in sorted({d for d in TABLE_DAYS if d < last} | {last}):
        upto = curve[elapsed_days <= days]
        served, closed, still_open = (int(upto[column].sum()) for column in ("served", "closed", "open"))
        still_waiting = upto["still_waiting"].iloc[-1] if len(upto) else 1.0
        records.append(dict(zip(columns, (days, 100 * still_waiting, served, closed, still_open,
                                          total - served - closed - still_open))))
    return pd.DataFrame.from_records(records, columns=columns)


def days_text(days: float) -> str:
    """Days with up to two decimals, trailing zeros dropped (2.5, 3), in the current language's digits."""
    return digits(f"{days:.2f}".rstrip("0").rstrip("."))


def _still_waiting_figure(days: list, still: list) -> go.Figure:
    fig = figure(_("Days since referral"), _("Still waiting (%)"))
    hover = _("after {days} days: {share} % still waiting").format(days="%{customdata[0]}", share="%{customdata[1]}")
    fig.add_scatter(x=days, y=still, mode="lines", line_shape="hv", line_color=OKABE_ITO[0],
                    customdata=[[days_text(day), number(share, 1)] for day, share in zip(days, still)],
                    hovertemplate=hover + "<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    number_ticks(fig, "x")
    number_ticks(fig, "y")
    return fig


def _waiting_graph(fig: go.Figure) -> html.Figure:
    return graph(fig, "referrals-waiting-graph", _("Referrals still waiting for a first service"))


def no_referrals() -> html.Div:
    return message(_("No referrals were made here in this period."))


def waiting_curve_table(curve: pd.DataFrame) -> Table:
    """Leadership's curve read after fixed days, with its counts (no rows for a period without referrals)."""
    rows = curve_at_table_days(curve) if not curve.empty else pd.DataFrame(
        columns=["days", "still_waiting_pct", "served", "closed", "open", "followed"])
    columns = (Column(_("Days since referral"), "count"), Column(_("Still waiting (%)"), "number"),
               Column(_("First served by then"), "count"), Column(_("Closed unserved by then (censored)"), "count"),
               Column(_("Still open today, waited up to then (censored)"), "count"),
               Column(_("Still followed after then"), "count"))
    caption = _("Kaplan-Meier estimate for referrals made in the period, on time to first service measured in "
                "hours and read after {days}... days and on the curve's last day. A first service is the event; a "
                "referral closed without one is censored at its closing, and one still open is censored at the "
                "start of today; a referral censored within an hour counts as waiting for that hour's services"
                ).format(days=digits(", ".join(str(d) for d in TABLE_DAYS[:6])))
    cells = tuple((Cell(int(row.days)), Cell(float(row.still_waiting_pct)), Cell(int(row.served)),
                   Cell(int(row.closed)), Cell(int(row.open)), Cell(int(row.followed)))
                  for row in rows.itertuples())
    return Table("referrals-waiting-table", caption, columns, cells)


def waiting_curve_panel(curve: pd.DataFrame, params: dict) -> list:
    """Leadership's curve: the Kaplan-Meier estimate on time in hours, drawn whole and read in a table after
    fixed days, with its counts."""
    if curve.empty:
        return [no_referrals()]
    fig = _still_waiting_figure([0] + [round((int(h) + 1) / 24, 4) for h in curve["hour"]],
                                [100.0] + [round(100 * s, 1) for s in curve["still_waiting"]])
    return [_waiting_graph(fig), model_table(waiting_curve_table(curve), params)]


def interval_curve_caption(days: list[int], left_out: int) -> str:
    parts = [_("Actuarial (life-table) estimate for referrals made in the period, read after {days} days: each "
               "step stands for the referrals served in its interval; referrals still waiting are counted up to the "
               "start of today (censored), not dropped").format(days=digits(", ".join(str(d) for d in days)))]
    if len(days) < len(CURVE_MARKS_DAYS):
        parts.append(_("later days hold too few referrals to show"))
    if left_out:
        parts.append(ngettext("{count} referral with a first service or closing recorded before the referral left "
                              "out",
                              "{count} referrals with a first service or closing recorded before the referral left "
                              "out", left_out).format(count=number(left_out)))
    return "; ".join(parts)


def curve_refused() -> str:
    return _("Too few referrals here in this period to show how long they waited: the curve would give away small "
             "counts, so it is not shown. Choose a larger area or a year.")


def interval_curve_table(intervals: tuple[pd.DataFrame, int, int] | None) -> Table:
    """An external audience's curve read at the days it reaches; no rows, and the reason as a note, where it is
    not shown."""
    columns = (Column(_("Days since referral"), "count"), Column(_("Still waiting (%)"), "number"))
    if intervals is None or not intervals[1]:
        note = curve_refused() if intervals is None else _("No referrals on the curve here in this period.")
        return Table("referrals-waiting-table", _("Referrals still waiting for a first service"), columns, (),
                     notes=(note,))
    table, at_risk, left_out = intervals
    estimate = life_table(table, at_risk)
    rows = tuple((Cell(int(days)), Cell(float(share))) for days, share in zip(estimate["days"],
                                                                             estimate["still_waiting_pct"]))
    return Table("referrals-waiting-table", interval_curve_caption(list(estimate["days"]), left_out), columns, rows)


def interval_curve_panel(intervals: tuple[pd.DataFrame, int, int] | None, params: dict) -> list:
    """An external audience's curve: the actuarial estimate read at CURVE_MARKS_DAYS only, from the protected
    counts of each interval (`publication.curve_intervals_table`: table, at risk, left out), so a step stands
    for a count that is either 0 or shown; it stops before the first interval with a hidden count."""
    if intervals is None:
        return [message(curve_refused())]
    table, at_risk, left_out = intervals
    if not at_risk:
        return [message(_("No referrals on the curve here in this period.")) if left_out else no_referrals()]
    estimate = life_table(table, at_risk)
    fig = _still_waiting_figure([0, *estimate["days"]], [100.0] + [round(v, 1) for v in estimate["still_waiting_pct"]])
    return [_waiting_graph(fig), model_table(interval_curve_table(intervals), params)]


# Open referrals waiting over 7 days.

MAX_OPEN_ROWS = 20


def open_referral_rows(shown: pd.DataFrame) -> pd.DataFrame:
    """The groups ordered by what the audience sees, largest first, so a hidden count is never ranked."""
    shown = shown.assign(_order=[0 if is_missing(t) else -int(t) for t in shown["total"]])
    return shown.sort_values(["_order", "district_pcode", "service_type"]).drop(columns="_order")


# The labels of `referral_flow.WAITING_BANDS` (the tables' keys), as the catalogue knows them.
WAITING_BAND_NAMES = {"over 7 to 30 days": N_("over 7 to 30 days"), "over 30 to 90 days": N_("over 30 to 90 days"),
                      "over 90 days": N_("over 90 days")}


def open_referrals_caption(suppressed: bool, groups: int) -> str:
    caption = (_("Referrals with no first service yet and not closed, waiting over 7 days, by district and service")
               if not suppressed else
               _("Referrals with no first service yet and not closed, waiting over 7 days, by service"))
    if groups > MAX_OPEN_ROWS:
        caption += " " + _("(the {shown} largest groups of {groups})").format(shown=number(MAX_OPEN_ROWS),
                                                                               groups=number(groups))
    return caption


def _open_labels(top: pd.DataFrame, area_names: dict[str, str]) -> list[str]:
    return [f"{area_names.get(d, d)} – {code_name(t)}" for d, t in zip(top["district_pcode"], top["service_type"])]


def open_referrals_table(frame: pd.DataFrame, area_names: dict[str, str], suppressed: bool) -> Table:
    """The largest groups, per waiting band and in total; leadership's with the oldest wait in whole days."""
    shown = open_referral_rows(frame)
    top = shown.head(MAX_OPEN_ROWS)
    columns = [Column(_("District – service") if not suppressed else _("Area – service")),
               *(Column(_(WAITING_BAND_NAMES[band]), "count") for band, _low, _high in WAITING_BANDS),
               Column(_("Total"), "count")]
    if not suppressed:
        columns.append(Column(_("Oldest wait (days)"), "count"))
    rows = []
    for label, (_index, row) in zip(_open_labels(top, area_names), top.iterrows()):
        cells = [Cell(label), *(count_cell(row[band]) for band, _low, _high in WAITING_BANDS),
                 count_cell(row["total"])]
        if not suppressed:
            cells.append(Cell(None if is_missing(row["oldest_days"]) else int(row["oldest_days"])))
        rows.append(tuple(cells))
    return Table("referrals-open-table", open_referrals_caption(suppressed, len(shown)), tuple(columns), tuple(rows))


def none_waiting() -> html.Div:
    return message(_("No referral here has been waiting more than 7 days without a first service."), "info")


def open_referrals_panel(frame: pd.DataFrame, area_names: dict[str, str], suppressed: bool, params: dict) -> list:
    """Open referrals per group (district and service for leadership; service within the chosen area for
    external audiences, with no oldest wait: one referral's own waiting time)."""
    if frame.empty:
        return [none_waiting()]
    if nothing_recorded(frame["total"]):
        return [none_waiting(), model_table(open_referrals_table(frame, area_names, suppressed), params)]
    top = open_referral_rows(frame).head(MAX_OPEN_ROWS)
    labels = [chart_text(label) for label in _open_labels(top, area_names)]
    fig = figure(_("Referrals"), "", barmode="stack", height=max(300, 28 * len(top) + 160))
    for colour, (band, _low, _high) in zip(OKABE_ITO[1:], WAITING_BANDS):
        name = _(WAITING_BAND_NAMES[band])
        fig.add_bar(name=name, y=labels, x=bar_values(top[band]), customdata=number_texts(top[band]),
                    orientation="h", marker_color=colour,
                    hovertemplate="%{y}: %{customdata}<extra>" + name + "</extra>")
    add_marks(fig, labels, category_marks(*(top[band] for band, _low, _high in WAITING_BANDS)), horizontal=True)
    fig.update_yaxes(autorange="reversed")
    number_ticks(fig, "x")
    return [graph(fig, "referrals-open-graph", _("Open referrals waiting over 7 days")),
            model_table(open_referrals_table(frame, area_names, suppressed), params)]
