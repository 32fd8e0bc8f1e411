"""Pure builders of the Referrals page: figures and tables from frames as the audience may see them.

A hidden value arrives as None (an external audience's frames come from its
protected cells, `queries.publication`), so it cannot reach the browser in
figure data, hover text or a table cell.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from queries.definitions import INDICATORS, reliable
from queries.periods import Period, quarter_containing
from queries.referral_flow import CURVE_MARKS_DAYS, WAITING_BANDS, life_table
from queries.schema import PROVIDER_TYPES, URGENCY_TARGET_HOURS

from ..components import HIDDEN, WITHHELD, chart_text, data_table, format_value, message, row_text

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def words(code: str) -> str:
    """A contract code as words: family_reintegration -> Family reintegration."""
    return code.replace("_", " ").capitalize()


def is_missing(value) -> bool:
    """No number to draw or compute with: hidden (None), withheld, or NaN."""
    return value is None or value == WITHHELD or (isinstance(value, float) and math.isnan(value))


def count_text(value) -> str:
    """A table cell for a count: a hidden count arrives as None, a withheld one as WITHHELD."""
    if value == WITHHELD:
        return WITHHELD
    return HIDDEN if is_missing(value) else f"{int(value):,}"


def figure(title: str, x_title: str, y_title: str, **layout) -> go.Figure:
    fig = go.Figure()
    # The empty "none" template keeps a full plotly theme (several kB) out of every figure sent to the browser.
    axis = {"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd", "automargin": True}
    fig.update_layout(title={"text": title}, xaxis_title=x_title, yaxis_title=y_title, template="none",
                      colorway=list(OKABE_ITO), margin={"l": 60, "r": 20, "t": 60, "b": 60},
                      paper_bgcolor="white", plot_bgcolor="white", xaxis=axis, yaxis=axis,
                      legend={"orientation": "h", "y": -0.25}, **layout)
    return fig


def graph(fig: go.Figure, graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=fig, config=GRAPH_CONFIG)


def trend_quarters(period: Period, count: int, fiscal_year_start: int | None) -> list[Period]:
    """The `count` quarters ending with the chosen one (or with a chosen year's last quarter), oldest first."""
    last = period if period.kind == "quarter" else quarter_containing(period.end - timedelta(days=1),
                                                                      fiscal_year_start)
    return [last.shifted(-offset) for offset in range(count - 1, -1, -1)]


# Volume by service and provider.

def volume_panel(shown: pd.DataFrame) -> list:
    columns = list(PROVIDER_TYPES) + ["total"]
    fig = figure("Referrals made by service type and provider", "Service type", "Referrals", barmode="stack")
    labels = [words(code) for code in shown["service_type"]]
    for colour, provider in zip(OKABE_ITO, PROVIDER_TYPES):
        fig.add_bar(name=words(provider), x=labels, y=[None if is_missing(v) else int(v) for v in shown[provider]],
                    marker_color=colour, hovertemplate="%{x}, " + words(provider) + ": %{y:,}<extra></extra>")
    rows = pd.DataFrame({"Service type": labels,
                         **{words(c): [count_text(v) for v in shown[c]] for c in columns}})
    return [graph(fig, "referrals-volume-graph"),
            data_table(rows, "Referrals made in the period by service type and provider type",
                       "referrals-volume-table", numeric=tuple(words(c) for c in columns))]


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
    columns = {"Period": periods}
    for code in codes:
        rows = frame[frame["indicator"] == code]
        columns[INDICATORS[code].label] = [row_text(row, INDICATORS[code].kind) for _, row in rows.iterrows()]
    return data_table(pd.DataFrame(columns), caption, table_id, numeric=tuple(INDICATORS[c].label for c in codes))


def series_figure(series: pd.DataFrame, codes: tuple[str, ...], area: str, title: str, y_title: str,
                  mode: str = "lines+markers") -> go.Figure:
    fig = figure(title, "Quarter", y_title)
    for colour, code in zip(OKABE_ITO, codes):
        periods = list(series[(series["indicator"] == code) & (series["area"] == area)]["period"])
        trace = dict(name=INDICATORS[code].label, x=periods, y=series_values(series, code, area),
                     marker_color=colour, hovertemplate="%{x}: %{y:,.1f}<extra>" + INDICATORS[code].label + "</extra>")
        fig.add_bar(**trace) if mode == "bars" else fig.add_scatter(mode=mode, connectgaps=False, **trace)
    return fig


def turnaround_panel(series: pd.DataFrame, area: str) -> list:
    days = series_figure(series, TREND_CODES[:2], area, "Days from referral to first service", "Days")
    share = series_figure(series, TREND_CODES[2:3], area, "Referrals served within target", "Per cent")
    share.update_yaxes(range=[0, 100])
    return [graph(days, "referrals-turnaround-graph"), graph(share, "referrals-target-trend-graph"),
            series_table(series, TREND_CODES, area, "Turnaround of referrals made in each quarter",
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
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def within_target_panel(frame: pd.DataFrame) -> list:
    shown = within_target_rows(frame)
    labels = [f"{words(u)} (target {target_text(URGENCY_TARGET_HOURS[u])})" for u in shown["urgency"]]
    fig = figure("Share first served within target, by urgency", "Urgency", "Per cent")
    fig.add_bar(x=labels, y=[None if is_missing(p) else round(p, 1) for p in shown["pct"]],
                marker_color=OKABE_ITO[0], hovertemplate="%{x}: %{y:.1f} %<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    rows = pd.DataFrame({"Urgency": labels,
                         "Referrals made": [count_text(v) for v in shown["referrals"]],
                         "Served within target": [count_text(v) for v in shown["within_target"]],
                         "Share (%)": [format_value(p, "percent", is_missing(n) or is_missing(d),
                                                    reliable=reliable("percent", p, n))
                                       for p, n, d in zip(shown["pct"], shown["within_target"], shown["referrals"])]})
    return [graph(fig, "referrals-within-target-graph"),
            data_table(rows, "Referrals made in the period served within their urgency's target",
                       "referrals-within-target-table", numeric=("Referrals made", "Served within target",
                                                                 "Share (%)"))]


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


def _still_waiting_figure(days: list, still: list) -> go.Figure:
    fig = figure("Referrals still waiting for a first service", "Days since referral", "Still waiting (%)")
    fig.add_scatter(x=days, y=still, mode="lines", line_shape="hv", line_color=OKABE_ITO[0],
                    hovertemplate="after %{x:.2~f} days: %{y:.1f} % still waiting<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    return fig


def waiting_curve_panel(curve: pd.DataFrame) -> list:
    """Leadership's curve: the Kaplan-Meier estimate on time in hours, drawn whole and read in a table after
    fixed days, with its counts."""
    if curve.empty:
        return [message("No referrals were made here in this period.")]
    fig = _still_waiting_figure([0] + [round((int(h) + 1) / 24, 4) for h in curve["hour"]],
                                [100.0] + [round(100 * s, 1) for s in curve["still_waiting"]])
    rows = curve_at_table_days(curve)
    columns = {"Days since referral": list(rows["days"]),
               "Still waiting (%)": [f"{s:.1f}" for s in rows["still_waiting_pct"]],
               "First served by then": list(rows["served"]),
               "Closed unserved by then (censored)": list(rows["closed"]),
               "Still open today, waited up to then (censored)": list(rows["open"]),
               "Still followed after then": list(rows["followed"])}
    caption = ("Kaplan-Meier estimate for referrals made in the period, on time to first service measured in "
               f"hours and read after {', '.join(str(d) for d in TABLE_DAYS[:6])}... days and on the curve's last "
               "day. A first service is the event; a referral closed without one is censored at its closing, and "
               "one still open is censored at the start of today; a referral censored within an hour counts as "
               "waiting for that hour's services")
    return [graph(fig, "referrals-waiting-graph"),
            data_table(pd.DataFrame(columns), caption, "referrals-waiting-table", numeric=tuple(columns))]


def interval_curve_panel(intervals: tuple[pd.DataFrame, int, int] | None) -> list:
    """An external audience's curve: the actuarial estimate read at CURVE_MARKS_DAYS only, from the protected
    counts of each interval (`publication.curve_intervals_table`: table, at risk, left out), so a step stands
    for a count that is either 0 or shown; it stops before the first interval with a hidden count."""
    if intervals is None:
        return [message("Too few referrals here in this period to show how long they waited: the curve would "
                        "give away small counts, so it is not shown. Choose a larger area or a year.")]
    table, at_risk, left_out = intervals
    if not at_risk:
        return [message("No referrals on the curve here in this period." if left_out else
                        "No referrals were made here in this period.")]
    estimate = life_table(table, at_risk)
    days = list(estimate["days"])
    fig = _still_waiting_figure([0, *days], [100.0] + [round(v, 1) for v in estimate["still_waiting_pct"]])
    rows = pd.DataFrame({"Days since referral": days,
                         "Still waiting (%)": [f"{v:.1f}" for v in estimate["still_waiting_pct"]]})
    caption = ("Actuarial (life-table) estimate for referrals made in the period, read after "
               f"{', '.join(str(d) for d in days)} days: each step stands for the referrals served in its "
               "interval; referrals still waiting are counted up to the start of today (censored), not dropped")
    if len(days) < len(CURVE_MARKS_DAYS):
        caption += "; later days hold too few referrals to show"
    if left_out:
        caption += (f"; {left_out:,} referral{'s' if left_out != 1 else ''} with a first service or closing recorded "
                    "before the referral left out")
    return [graph(fig, "referrals-waiting-graph"),
            data_table(rows, caption, "referrals-waiting-table", numeric=tuple(rows.columns))]


# Open referrals waiting over 7 days.

MAX_OPEN_ROWS = 20


def open_referral_rows(shown: pd.DataFrame) -> pd.DataFrame:
    """The groups ordered by what the audience sees, largest first, so a hidden count is never ranked."""
    shown = shown.assign(_order=[0 if is_missing(t) else -int(t) for t in shown["total"]])
    return shown.sort_values(["_order", "district_pcode", "service_type"]).drop(columns="_order")


def open_referrals_panel(frame: pd.DataFrame, area_names: dict[str, str], suppressed: bool) -> list:
    """Open referrals per group (district and service for leadership; service within the chosen area for
    external audiences, with no oldest wait: one referral's own waiting time)."""
    if not suppressed and frame.empty:
        return [message("No referral here has been waiting more than 7 days without a first service.")]
    shown = open_referral_rows(frame)
    top = shown.head(MAX_OPEN_ROWS)
    labels = [f"{area_names.get(d, d)} – {words(t)}" for d, t in zip(top["district_pcode"], top["service_type"])]
    fig = figure("Open referrals waiting over 7 days", "Referrals", "", barmode="stack",
                 height=max(300, 28 * len(top) + 160))
    for colour, (band, _, _) in zip(OKABE_ITO[1:], WAITING_BANDS):
        fig.add_bar(name=band, y=[chart_text(label) for label in labels], x=[None if is_missing(v) else int(v) for v in top[band]],
                    orientation="h", marker_color=colour, hovertemplate="%{y}: %{x:,}<extra>" + band + "</extra>")
    fig.update_yaxes(autorange="reversed")
    rows = pd.DataFrame({"District – service" if not suppressed else "Area – service": labels,
                         **{band: [count_text(v) for v in top[band]] for band, _, _ in WAITING_BANDS},
                         "Total": [count_text(v) for v in top["total"]]})
    if not suppressed:
        rows["Oldest wait (days)"] = ["–" if is_missing(d) else f"{int(d):,}" for d in top["oldest_days"]]
    caption = ("Referrals with no first service yet and not closed, waiting over 7 days, by "
               + ("district and service" if not suppressed else "service"))
    if len(shown) > MAX_OPEN_ROWS:
        caption += f" (the {MAX_OPEN_ROWS} largest groups of {len(shown)})"
    return [graph(fig, "referrals-open-graph"),
            data_table(rows, caption, "referrals-open-table", numeric=tuple(rows.columns[1:]))]
