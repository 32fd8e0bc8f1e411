"""Pure builders of the Referrals page: figures and tables from query frames, suppression applied here.

Every hidden value becomes None before a figure or table is built, so it
cannot reach the browser in figure data, hover text or a table cell.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from queries.definitions import INDICATORS
from queries.periods import Period, quarter_containing
from queries.privacy import is_small, suppress_count_table
from queries.referral_flow import WAITING_BANDS
from queries.schema import PROVIDER_TYPES, URGENCY_TARGET_HOURS

from ..components import data_table, format_value, message

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def words(code: str) -> str:
    """A contract code as words: family_reintegration -> Family reintegration."""
    return code.replace("_", " ").capitalize()


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count_text(value, k: int) -> str:
    """A table cell for a count: hidden counts arrive as None from suppress_count_table."""
    return f"<{k}" if is_missing(value) else f"{int(value):,}"


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


def shown_counts(table: pd.DataFrame, columns: list[str], suppressed: bool, k: int) -> pd.DataFrame:
    """The table as the audience may see it: hidden cells None when suppression applies."""
    if not suppressed:
        return table.copy()
    shown, _hidden = suppress_count_table(table, columns, k)
    return shown


def trend_quarters(period: Period, count: int, fiscal_year_start: int | None) -> list[Period]:
    """The `count` quarters ending with the chosen one (or with a chosen year's last quarter), oldest first."""
    last = period if period.kind == "quarter" else quarter_containing(period.end - timedelta(days=1),
                                                                      fiscal_year_start)
    return [last.shifted(-offset) for offset in range(count - 1, -1, -1)]


# Volume by service and provider.

def volume_panel(table: pd.DataFrame, suppressed: bool, k: int) -> list:
    columns = list(PROVIDER_TYPES) + ["total"]
    shown = shown_counts(table, columns, suppressed, k)
    fig = figure("Referrals made by service type and provider", "Service type", "Referrals", barmode="stack")
    labels = [words(code) for code in shown["service_type"]]
    for colour, provider in zip(OKABE_ITO, PROVIDER_TYPES):
        fig.add_bar(name=words(provider), x=labels, y=[None if is_missing(v) else int(v) for v in shown[provider]],
                    marker_color=colour, hovertemplate="%{x}, " + words(provider) + ": %{y:,}<extra></extra>")
    rows = pd.DataFrame({"Service type": labels,
                         **{words(c): [count_text(v, k) for v in shown[c]] for c in columns}})
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


def series_table(series: pd.DataFrame, codes: tuple[str, ...], area: str, k: int, caption: str,
                 table_id: str) -> html.Table:
    frame = series[series["area"] == area]
    periods = list(dict.fromkeys(frame["period"]))
    columns = {"Period": periods}
    for code in codes:
        rows = frame[frame["indicator"] == code]
        columns[INDICATORS[code].label] = [format_value(v, INDICATORS[code].kind, bool(h), k)
                                           for v, h in zip(rows["value"], rows["suppressed"])]
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


def turnaround_panel(series: pd.DataFrame, area: str, k: int) -> list:
    days = series_figure(series, TREND_CODES[:2], area, "Days from referral to first service", "Days")
    share = series_figure(series, TREND_CODES[2:3], area, "Referrals served within target", "Per cent")
    share.update_yaxes(range=[0, 100])
    return [graph(days, "referrals-turnaround-graph"), graph(share, "referrals-target-trend-graph"),
            series_table(series, TREND_CODES, area, k, "Turnaround of referrals made in each quarter",
                         "referrals-turnaround-table")]


# Within target, per urgency.

def within_target_rows(frame: pd.DataFrame, suppressed: bool, k: int) -> pd.DataFrame:
    """urgency, referrals, within_target, pct: hidden counts None, and the share with them."""
    # Each column adds up to a total shown elsewhere; within_target is a subset of referrals, not a sibling.
    shown = frame.copy()
    for column in ("referrals", "within_target"):
        shown[column] = shown_counts(frame[[column]], [column], suppressed, k)[column]
    shown["pct"] = [None if is_missing(n) or is_missing(d) or not d else 100.0 * n / d
                    for n, d in zip(shown["within_target"], shown["referrals"])]
    return shown


def target_text(hours: int) -> str:
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def within_target_panel(frame: pd.DataFrame, suppressed: bool, k: int) -> list:
    shown = within_target_rows(frame, suppressed, k)
    labels = [f"{words(u)} (target {target_text(URGENCY_TARGET_HOURS[u])})" for u in shown["urgency"]]
    fig = figure("Share first served within target, by urgency", "Urgency", "Per cent")
    fig.add_bar(x=labels, y=[None if is_missing(p) else round(p, 1) for p in shown["pct"]],
                marker_color=OKABE_ITO[0], hovertemplate="%{x}: %{y:.1f} %<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    rows = pd.DataFrame({"Urgency": labels,
                         "Referrals made": [count_text(v, k) for v in shown["referrals"]],
                         "Served within target": [count_text(v, k) for v in shown["within_target"]],
                         "Share (%)": [format_value(p, "percent", is_missing(n) or is_missing(d), k)
                                       for p, n, d in zip(shown["pct"], shown["within_target"], shown["referrals"])]})
    return [graph(fig, "referrals-within-target-graph"),
            data_table(rows, "Referrals made in the period served within their urgency's target",
                       "referrals-within-target-table", numeric=("Referrals made", "Served within target",
                                                                 "Share (%)"))]


# Time to first service (Kaplan-Meier).

def visible_curve(curve: pd.DataFrame, suppressed: bool, k: int) -> pd.DataFrame | None:
    """The curve the audience may see: none under k referrals, and no tail with fewer than k still at risk."""
    if curve.empty:
        return curve
    if not suppressed:
        return curve
    if curve["at_risk"].iloc[0] < k:
        return None
    return curve[curve["at_risk"] >= k]


# The table beside the curve reads it after these many days, as survival tables are printed, and on its
# last day: a short text alternative (a row for every day would cost the browser about a second per 50 rows).
TABLE_DAYS = (1, 2, 3, 7, 14, 30, 60, 90, 180, 365, 730, 1095, 1825, 3650)


def curve_at_table_days(visible: pd.DataFrame) -> pd.DataFrame:
    """days, still_waiting_pct, served, censored, followed: the curve after each TABLE_DAYS day up to its last
    day and on that day; served and censored are counted up to then, followed is those still waiting after it."""
    total = int(visible["at_risk"].iloc[0])
    elapsed = visible["day"] + 1  # a day-d row ends after d + 1 days
    last = int(elapsed.iloc[-1])
    records = []
    for days in sorted({d for d in TABLE_DAYS if d < last} | {last}):
        upto = visible[elapsed <= days]
        served, censored = int(upto["served"].sum()), int(upto["censored"].sum())
        records.append({"days": days, "still_waiting_pct": 100 * (upto["still_waiting"].iloc[-1] if len(upto) else 1.0),
                        "served": served, "censored": censored, "followed": total - served - censored})
    return pd.DataFrame.from_records(records, columns=["days", "still_waiting_pct", "served", "censored", "followed"])


def waiting_curve_panel(curve: pd.DataFrame, suppressed: bool, k: int) -> list:
    visible = visible_curve(curve, suppressed, k)
    if visible is None:
        return [message(f"Fewer than {k} referrals were made here in this period: the curve is not shown.")]
    if visible.empty:
        return [message("No referrals were made here in this period.")]
    days_since = [0] + [int(d) + 1 for d in visible["day"]]
    still = [100.0] + [round(100 * s, 1) for s in visible["still_waiting"]]
    fig = figure("Referrals still waiting for a first service", "Days since referral", "Still waiting (%)")
    fig.add_scatter(x=days_since, y=still, mode="lines", line_shape="hv", line_color=OKABE_ITO[0],
                    hovertemplate="after %{x} days: %{y:.1f} % still waiting<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    rows = curve_at_table_days(visible)
    columns = {"Days since referral": list(rows["days"]),
               "Still waiting (%)": [f"{s:.1f}" for s in rows["still_waiting_pct"]]}
    if not suppressed:  # counts of a few people each: leadership only
        columns.update({"Served by then": list(rows["served"]),
                        "Censored by then (still waiting today)": list(rows["censored"]),
                        "Still waiting after then": list(rows["followed"])})
    caption = ("Kaplan-Meier estimate for referrals made in the period, after "
               f"{', '.join(str(d) for d in TABLE_DAYS[:6])}... days and on the curve's last day (the chart has "
               "every day); referrals still waiting are counted up to the start of today (censored), not dropped")
    if suppressed:
        caption += f"; days with fewer than {k} referrals still waiting are not shown"
    return [graph(fig, "referrals-waiting-graph"),
            data_table(pd.DataFrame(columns), caption, "referrals-waiting-table", numeric=tuple(columns))]


# Open referrals waiting over 7 days.

MAX_OPEN_ROWS = 20


def open_referral_rows(frame: pd.DataFrame, suppressed: bool, k: int) -> pd.DataFrame:
    """Counts per band (hidden when small), and the oldest age only where the group is not small."""
    bands = [label for label, _, _ in WAITING_BANDS]
    shown = shown_counts(frame, bands + ["total"], suppressed, k)
    if suppressed:
        shown["oldest_days"] = pd.Series([None if is_missing(t) or is_small(t, k) else int(d)
                                          for t, d in zip(shown["total"], frame["oldest_days"])],
                                         index=shown.index, dtype="object")
    # Order by what the audience sees, so a hidden count cannot be ranked against the others.
    shown["_order"] = [0 if is_missing(t) else -int(t) for t in shown["total"]]
    return shown.sort_values(["_order", "district_pcode", "service_type"]).drop(columns="_order")


def open_referrals_panel(frame: pd.DataFrame, area_names: dict[str, str], suppressed: bool, k: int) -> list:
    if frame.empty:
        return [message("No referral here has been waiting more than 7 days without a first service.")]
    shown = open_referral_rows(frame, suppressed, k)
    top = shown.head(MAX_OPEN_ROWS)
    labels = [f"{area_names.get(d, d)} – {words(t)}" for d, t in zip(top["district_pcode"], top["service_type"])]
    fig = figure("Open referrals waiting over 7 days", "Referrals", "", barmode="stack",
                 height=max(300, 28 * len(top) + 160))
    for colour, (band, _, _) in zip(OKABE_ITO[1:], WAITING_BANDS):
        fig.add_bar(name=band, y=labels, x=[None if is_missing(v) else int(v) for v in top[band]],
                    orientation="h", marker_color=colour, hovertemplate="%{y}: %{x:,}<extra>" + band + "</extra>")
    fig.update_yaxes(autorange="reversed")
    rows = pd.DataFrame({"District – service": labels,
                         **{band: [count_text(v, k) for v in top[band]] for band, _, _ in WAITING_BANDS},
                         "Total": [count_text(v, k) for v in top["total"]],
                         "Oldest wait (days)": ["–" if is_missing(d) else f"{int(d):,}" for d in top["oldest_days"]]})
    caption = "Referrals with no first service yet and not closed, waiting over 7 days, by district and service"
    if len(shown) > MAX_OPEN_ROWS:
        caption += f" (the {MAX_OPEN_ROWS} largest groups of {len(shown)})"
    if suppressed:
        caption += f"; the oldest wait is not shown for groups under {k}"
    numeric = tuple(band for band, _, _ in WAITING_BANDS) + ("Total", "Oldest wait (days)")
    return [graph(fig, "referrals-open-graph"), data_table(rows, caption, "referrals-open-table", numeric=numeric)]
