"""Pure builders of the Survivors page: headline figures, domain scores first vs latest, services delivered."""

from __future__ import annotations

import pandas as pd
from dash import html

from queries.definitions import INDICATORS
from queries.privacy import is_small
from queries.schema import ASSESSMENT_DOMAINS
from queries.survivors import MOMENTS, SCORES, domain_means

from ..components import data_table, definition_link, format_value
from .referrals import OKABE_ITO, count_text, figure, graph, is_missing, shown_counts, words

HEADLINE_CODES = ("survivors_assessed", "survivors_restored_pct")
SCORE_LABELS = {1: "Score 1 (in crisis)", 2: "Score 2", 3: "Score 3", 4: "Score 4 (thriving)"}
# From crisis (vermilion) to thriving (blue), Okabe-Ito colours.
SCORE_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#56B4E9", 4: "#0072B2"}
MOMENT_LABELS = {"first": "First session in the period", "latest": "Latest session in the period"}


def headline_panel(rows: pd.DataFrame, area: str, followed_up: int, suppressed: bool, k: int) -> html.Div:
    items = []
    for code in HEADLINE_CODES:
        row = rows[(rows["indicator"] == code) & (rows["area"] == area)].iloc[0]
        items += [html.Dt(definition_link(code)),
                  html.Dd(format_value(row["value"], INDICATORS[code].kind, bool(row["suppressed"]), k),
                          **{"data-indicator": code})]
    followed_text = f"{followed_up:,}"
    if suppressed and _follow_up_hidden(rows, area, followed_up, k):
        followed_text = f"<{k}"
    items += [html.Dt("Survivors with two or more sessions in the period"), html.Dd(followed_text)]
    return html.Dl(items, className="headline-list")


def _follow_up_hidden(rows: pd.DataFrame, area: str, followed_up: int, k: int) -> bool:
    """Hidden when small, or when the survivors with one session (assessed minus it) are few or hidden."""
    assessed = rows[(rows["indicator"] == "survivors_assessed") & (rows["area"] == area)].iloc[0]
    if bool(assessed["suppressed"]):
        return True
    return is_small(followed_up, k) or is_small(assessed["value"] - followed_up, k)


def distribution_tables(counts: pd.DataFrame, suppressed: bool, k: int) -> dict[str, pd.DataFrame]:
    """Per moment: one row per domain, a column per score and the total, hidden cells None."""
    tables = {}
    for moment in MOMENTS:
        wide = (counts[counts["moment"] == moment].pivot(index="domain", columns="score", values="victims")
                .reindex(index=list(ASSESSMENT_DOMAINS), columns=list(SCORES)))
        wide.columns = [str(score) for score in SCORES]
        wide["total"] = wide.sum(axis=1)
        tables[moment] = shown_counts(wide.rename_axis("domain").reset_index(),
                                      [str(score) for score in SCORES] + ["total"], suppressed, k)
    return tables


def mean_rows(counts: pd.DataFrame, tables: dict[str, pd.DataFrame], suppressed: bool, k: int) -> pd.DataFrame:
    """Mean score per domain and moment; hidden where any of its counts is hidden (it would give them away)."""
    means = domain_means(counts)
    means["mean_score"] = means["mean_score"].astype("object")
    if suppressed:
        for moment, table in tables.items():
            any_hidden = table.set_index("domain")[[str(s) for s in SCORES] + ["total"]].isna().any(axis=1)
            for domain, hidden in any_hidden.items():
                if hidden:
                    means.loc[(means["moment"] == moment) & (means["domain"] == domain), "mean_score"] = None
    return means


def domains_panel(counts: pd.DataFrame, suppressed: bool, k: int) -> list:
    tables = distribution_tables(counts, suppressed, k)
    means = mean_rows(counts, tables, suppressed, k)
    labels = [words(domain) for domain in ASSESSMENT_DOMAINS]
    fig = figure("Mean score per domain: first and latest session", "Domain", "Mean score (1 in crisis – 4 thriving)",
                 barmode="group")
    rows = {"Domain": labels}
    for colour, moment in zip(OKABE_ITO, MOMENTS):
        values = means[means["moment"] == moment].set_index("domain").reindex(list(ASSESSMENT_DOMAINS))["mean_score"]
        shown = [None if is_missing(v) else round(float(v), 2) for v in values]
        fig.add_bar(name=MOMENT_LABELS[moment], x=labels, y=shown, marker_color=colour,
                    hovertemplate="%{x}: %{y:.2f}<extra>" + MOMENT_LABELS[moment] + "</extra>")
        rows[f"Mean, {moment} session"] = ["–" if v is None else f"{v:.2f}" for v in shown]
    fig.update_yaxes(range=[0, 4])
    parts = [graph(fig, "survivors-means-graph"),
             data_table(pd.DataFrame(rows), "Mean score per domain at survivors' first and latest session in the "
                        "period", "survivors-means-table", numeric=tuple(rows)[1:])]
    for moment in MOMENTS:
        parts += distribution_parts(tables[moment], moment, k)
    return parts


def distribution_parts(table: pd.DataFrame, moment: str, k: int) -> list:
    labels = [words(domain) for domain in table["domain"]]
    fig = figure(f"Scores per domain: {MOMENT_LABELS[moment].lower()}", "Domain", "Survivors", barmode="stack")
    for score in SCORES:
        fig.add_bar(name=SCORE_LABELS[score], x=labels, marker_color=SCORE_COLOURS[score],
                    y=[None if is_missing(v) else int(v) for v in table[str(score)]],
                    hovertemplate="%{x}: %{y:,}<extra>" + SCORE_LABELS[score] + "</extra>")
    rows = pd.DataFrame({"Domain": labels,
                         **{SCORE_LABELS[s]: [count_text(v, k) for v in table[str(s)]] for s in SCORES},
                         "Total": [count_text(v, k) for v in table["total"]]})
    return [graph(fig, f"survivors-scores-{moment}-graph"),
            data_table(rows, f"Survivors by score per domain, {MOMENT_LABELS[moment].lower()}",
                       f"survivors-scores-{moment}-table", numeric=tuple(rows.columns[1:]))]


def services_panel(frame: pd.DataFrame, suppressed: bool, k: int) -> list:
    shown = shown_counts(frame, ["services"], suppressed, k)
    labels = [words(code) for code in shown["service_type"]]
    fig = figure("Services delivered in the area", "Service type", "Referrals with a first service")
    fig.add_bar(x=labels, y=[None if is_missing(v) else int(v) for v in shown["services"]],
                marker_color=OKABE_ITO[2], hovertemplate="%{x}: %{y:,}<extra></extra>")
    rows = pd.DataFrame({"Service type": labels, "Services delivered": [count_text(v, k) for v in shown["services"]]})
    caption = ("Referrals whose first service was delivered in the area in the period, by service type (the referral "
               "database links to cases by case reference only, so these are all services delivered in the area)")
    return [graph(fig, "survivors-services-graph"),
            data_table(rows, caption, "survivors-services-table", numeric=("Services delivered",))]
