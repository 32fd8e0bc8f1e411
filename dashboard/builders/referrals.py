"""Pure builders of the Referrals page: figures and tables from frames as the audience may see them.

A hidden value arrives as None (an external audience's frames come from its
protected cells, `queries.publication`), so it cannot reach the browser in
figure data, hover text or a table cell.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from numbers import Real

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from queries.definitions import INDICATORS, reliable
from queries.periods import Period, quarter_containing
from queries.referral_flow import CURVE_MARKS_DAYS, WAITING_BANDS, life_table
from queries.schema import PROVIDER_TYPES, URGENCY_TARGET_HOURS

from ..components import HIDDEN, WITHHELD, chart_text, data_table, format_value, message, row_text
from ..i18n import N_, _, current_language, digits, ngettext, number, period_name
from ..vocabulary import code_name

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
# The page's fonts (assets/style.css), named in the figure too: the stylesheet draws a chart's text in them, but
# Plotly measures its text (legend entries, margins) outside the chart, in the figure's own font, and without a
# Bengali font there it would measure Bangla too short and draw legend entries over one another.
CHART_FONT = '"Noto Sans Bengali", system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif'

# The name the disclosure audit reads the tables' codes back with.
words = code_name


def is_missing(value) -> bool:
    """No number to draw or compute with: hidden (None), withheld, or NaN."""
    return value is None or value == WITHHELD or (isinstance(value, float) and math.isnan(value))


def count_text(value) -> str:
    """A table cell for a count: a hidden count arrives as None, a withheld one as WITHHELD."""
    if value == WITHHELD:
        return _(WITHHELD)
    return _(HIDDEN) if is_missing(value) else number(int(value))


def number_texts(values, decimals: int = 0) -> list[str | None]:
    """The numbers of a trace as its hover text reads them, in the current language's digits (Plotly's own number
    formats write ASCII digits); None where the trace has a gap."""
    return [None if is_missing(value) else number(value, decimals) for value in values]


def figure(title: str, x_title: str, y_title: str, **layout) -> go.Figure:
    fig = go.Figure()
    # The empty "none" template keeps a full plotly theme (several kB) out of every figure sent to the browser.
    axis = {"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd", "automargin": True}
    fig.update_layout(title={"text": title}, xaxis_title=x_title, yaxis_title=y_title, template="none",
                      font={"family": CHART_FONT}, colorway=list(OKABE_ITO),
                      margin={"l": 60, "r": 20, "t": 60, "b": 60},
                      paper_bgcolor="white", plot_bgcolor="white", xaxis=axis, yaxis=axis,
                      legend={"orientation": "h", "y": -0.25}, **layout)
    return fig


def graph(fig: go.Figure, graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=fig, config=GRAPH_CONFIG)


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

def volume_panel(shown: pd.DataFrame) -> list:
    fig = figure(_("Referrals made by service type and provider"), _("Service type"), _("Referrals"),
                 barmode="stack")
    labels = [code_name(code) for code in shown["service_type"]]
    for colour, provider in zip(OKABE_ITO, PROVIDER_TYPES):
        fig.add_bar(name=code_name(provider), x=labels,
                    y=[None if is_missing(v) else int(v) for v in shown[provider]],
                    customdata=number_texts(shown[provider]), marker_color=colour,
                    hovertemplate="%{x}, " + code_name(provider) + ": %{customdata}<extra></extra>")
    number_ticks(fig)
    columns = {**{code_name(provider): shown[provider] for provider in PROVIDER_TYPES}, _("Total"): shown["total"]}
    rows = pd.DataFrame({_("Service type"): labels,
                         **{name: [count_text(v) for v in values] for name, values in columns.items()}})
    return [graph(fig, "referrals-volume-graph"),
            data_table(rows, _("Referrals made in the period by service type and provider type"),
                       "referrals-volume-table", numeric=tuple(columns))]


# Turnaround trend (engine rows, already suppressed for the scope).

TREND_CODES = ("referral_turnaround_median_days", "referral_turnaround_p90_days", "referrals_within_target_pct",
               "referrals_made")


def series_values(series: pd.DataFrame, code: str, area: str) -> list:
    rows = series[(series["indicator"] == code) & (series["area"] == area)]
    return [None if hidden or is_missing(value) else float(value)
            for value, hidden in zip(rows["value"], rows["suppressed"])]


def series_table(series: pd.DataFrame, codes: tuple[str, ...], area: str, caption: str,
                 table_id: str) -> html.Table:
    frame = series[series["area"] == area]
    periods = list(dict.fromkeys(frame["period"]))
    columns = {_("Period"): [period_name(period) for period in periods]}
    for code in codes:
        rows = frame[frame["indicator"] == code]
        columns[_(INDICATORS[code].label)] = [row_text(row, INDICATORS[code].kind) for _index, row in rows.iterrows()]
    return data_table(pd.DataFrame(columns), caption, table_id, numeric=tuple(columns)[1:])


def series_figure(series: pd.DataFrame, codes: tuple[str, ...], area: str, title: str, y_title: str,
                  mode: str = "lines+markers", y_range: list | None = None) -> go.Figure:
    """Indicators per quarter, one trace each, on a value axis of `y_range` (else Plotly's range)."""
    fig = figure(title, _("Quarter"), y_title)
    for colour, code in zip(OKABE_ITO, codes):
        periods = list(series[(series["indicator"] == code) & (series["area"] == area)]["period"])
        values, label = series_values(series, code, area), _(INDICATORS[code].label)
        trace = dict(name=label, x=[period_name(period) for period in periods], y=values,
                     customdata=number_texts(values, 1), marker_color=colour,
                     hovertemplate="%{x}: %{customdata}<extra>" + label + "</extra>")
        fig.add_bar(**trace) if mode == "bars" else fig.add_scatter(mode=mode, connectgaps=False, **trace)
    if y_range:
        fig.update_yaxes(range=y_range)
    number_ticks(fig)
    return fig


def turnaround_panel(series: pd.DataFrame, area: str) -> list:
    days = series_figure(series, TREND_CODES[:2], area, _("Days from referral to first service"), _("Days"))
    share = series_figure(series, TREND_CODES[2:3], area, _("Referrals served within target"), _("Per cent"),
                          y_range=[0, 100])
    return [graph(days, "referrals-turnaround-graph"), graph(share, "referrals-target-trend-graph"),
            series_table(series, TREND_CODES, area, _("Turnaround of referrals made in each quarter"),
                         "referrals-turnaround-table")]


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


def within_target_panel(frame: pd.DataFrame) -> list:
    shown = within_target_rows(frame)
    labels = [_("{urgency} (target {target})").format(urgency=code_name(u), target=target_text(URGENCY_TARGET_HOURS[u]))
              for u in shown["urgency"]]
    fig = figure(_("Share first served within target, by urgency"), _("Urgency"), _("Per cent"))
    shares = [None if is_missing(p) else round(p, 1) for p in shown["pct"]]
    fig.add_bar(x=labels, y=shares, customdata=number_texts(shares, 1), marker_color=OKABE_ITO[0],
                hovertemplate="%{x}: %{customdata} %<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    number_ticks(fig)
    counts = {_("Referrals made"): shown["referrals"], _("Served within target"): shown["within_target"]}
    share = _("Share (%)")
    rows = pd.DataFrame({_("Urgency"): labels,
                         **{name: [count_text(v) for v in values] for name, values in counts.items()},
                         share: [format_value(p, "percent", is_missing(n) or is_missing(d),
                                              reliable=reliable("percent", p, n))
                                 for p, n, d in zip(shown["pct"], shown["within_target"], shown["referrals"])]})
    return [graph(fig, "referrals-within-target-graph"),
            data_table(rows, _("Referrals made in the period served within their urgency's target"),
                       "referrals-within-target-table", numeric=(*counts, share))]


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
    fig = figure(_("Referrals still waiting for a first service"), _("Days since referral"), _("Still waiting (%)"))
    hover = _("after {days} days: {share} % still waiting").format(days="%{customdata[0]}", share="%{customdata[1]}")
    fig.add_scatter(x=days, y=still, mode="lines", line_shape="hv", line_color=OKABE_ITO[0],
                    customdata=[[days_text(day), number(share, 1)] for day, share in zip(days, still)],
                    hovertemplate=hover + "<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    number_ticks(fig, "x")
    number_ticks(fig, "y")
    return fig


def no_referrals() -> html.Div:
    return message(_("No referrals were made here in this period."))


def waiting_curve_panel(curve: pd.DataFrame) -> list:
    """Leadership's curve: the Kaplan-Meier estimate on time in hours, drawn whole and read in a table after
    fixed days, with its counts."""
    if curve.empty:
        return [no_referrals()]
    fig = _still_waiting_figure([0] + [round((int(h) + 1) / 24, 4) for h in curve["hour"]],
                                [100.0] + [round(100 * s, 1) for s in curve["still_waiting"]])
    rows = curve_at_table_days(curve)
    columns = {_("Days since referral"): [digits(str(d)) for d in rows["days"]],
               _("Still waiting (%)"): [number(s, 1) for s in rows["still_waiting_pct"]],
               _("First served by then"): [digits(str(n)) for n in rows["served"]],
               _("Closed unserved by then (censored)"): [digits(str(n)) for n in rows["closed"]],
               _("Still open today, waited up to then (censored)"): [digits(str(n)) for n in rows["open"]],
               _("Still followed after then"): [digits(str(n)) for n in rows["followed"]]}
    caption = _("Kaplan-Meier estimate for referrals made in the period, on time to first service measured in "
                "hours and read after {days}... days and on the curve's last day. A first service is the event; a "
                "referral closed without one is censored at its closing, and one still open is censored at the "
                "start of today; a referral censored within an hour counts as waiting for that hour's services"
                ).format(days=digits(", ".join(str(d) for d in TABLE_DAYS[:6])))
    return [graph(fig, "referrals-waiting-graph"),
            data_table(pd.DataFrame(columns), caption, "referrals-waiting-table", numeric=tuple(columns))]


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


def interval_curve_panel(intervals: tuple[pd.DataFrame, int, int] | None) -> list:
    """An external audience's curve: the actuarial estimate read at CURVE_MARKS_DAYS only, from the protected
    counts of each interval (`publication.curve_intervals_table`: table, at risk, left out), so a step stands
    for a count that is either 0 or shown; it stops before the first interval with a hidden count."""
    if intervals is None:
        return [message(_("Too few referrals here in this period to show how long they waited: the curve would "
                          "give away small counts, so it is not shown. Choose a larger area or a year."))]
    table, at_risk, left_out = intervals
    if not at_risk:
        return [message(_("No referrals on the curve here in this period.")) if left_out else no_referrals()]
    estimate = life_table(table, at_risk)
    days = list(estimate["days"])
    fig = _still_waiting_figure([0, *days], [100.0] + [round(v, 1) for v in estimate["still_waiting_pct"]])
    rows = pd.DataFrame({_("Days since referral"): [digits(str(d)) for d in days],
                         _("Still waiting (%)"): [number(v, 1) for v in estimate["still_waiting_pct"]]})
    return [graph(fig, "referrals-waiting-graph"),
            data_table(rows, interval_curve_caption(days, left_out), "referrals-waiting-table",
                       numeric=tuple(rows.columns))]


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


def open_referrals_panel(frame: pd.DataFrame, area_names: dict[str, str], suppressed: bool) -> list:
    """Open referrals per group (district and service for leadership; service within the chosen area for
    external audiences, with no oldest wait: one referral's own waiting time)."""
    if not suppressed and frame.empty:
        return [message(_("No referral here has been waiting more than 7 days without a first service."))]
    shown = open_referral_rows(frame)
    top = shown.head(MAX_OPEN_ROWS)
    labels = [f"{area_names.get(d, d)} – {code_name(t)}" for d, t in zip(top["district_pcode"], top["service_type"])]
    fig = figure(_("Open referrals waiting over 7 days"), _("Referrals"), "", barmode="stack",
                 height=max(300, 28 * len(top) + 160))
    for colour, (band, _low, _high) in zip(OKABE_ITO[1:], WAITING_BANDS):
        name = _(WAITING_BAND_NAMES[band])
        fig.add_bar(name=name, y=[chart_text(label) for label in labels],
                    x=[None if is_missing(v) else int(v) for v in top[band]], customdata=number_texts(top[band]),
                    orientation="h", marker_color=colour,
                    hovertemplate="%{y}: %{customdata}<extra>" + name + "</extra>")
    fig.update_yaxes(autorange="reversed")
    number_ticks(fig, "x")
    rows = pd.DataFrame({(_("District – service") if not suppressed else _("Area – service")): labels,
                         **{_(WAITING_BAND_NAMES[band]): [count_text(v) for v in top[band]]
                            for band, _low, _high in WAITING_BANDS},
                         _("Total"): [count_text(v) for v in top["total"]]})
    if not suppressed:
        rows[_("Oldest wait (days)")] = ["–" if is_missing(d) else number(int(d)) for d in top["oldest_days"]]
    return [graph(fig, "referrals-open-graph"),
            data_table(rows, open_referrals_caption(suppressed, len(shown)), "referrals-open-table",
                       numeric=tuple(rows.columns[1:]))]
