"""Pure builders of the Survivors page: headline figures, domain scores first vs latest, services delivered."""

from __future__ import annotations

import pandas as pd
from dash import html

from queries.definitions import INDICATORS
from queries.schema import ASSESSMENT_DOMAINS
from queries.survivors import MOMENTS, SCORES

from ..components import HIDDEN, data_table, definition_link, row_text
from ..i18n import N_, _, number, period_name
from ..vocabulary import code_name
from .referrals import OKABE_ITO, count_text, figure, graph, is_missing, number_texts, number_ticks

HEADLINE_CODES = ("survivors_assessed", "survivors_restored_pct")
SCORE_LABELS = {1: N_("Score 1 (in crisis)"), 2: N_("Score 2"), 3: N_("Score 3"), 4: N_("Score 4 (thriving)")}
# From crisis (vermilion) to thriving (blue), Okabe-Ito colours.
SCORE_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#56B4E9", 4: "#0072B2"}
MOMENT_LABELS = {"first": N_("First session in the period"), "latest": N_("Latest session in the period")}
MEAN_COLUMNS = {"first": N_("Mean, first session"), "latest": N_("Mean, latest session")}


# The follow-up figure where an audience is not given it (a detail of its larger areas only).
NOT_OFFERED = "not offered"


def headline_panel(rows: pd.DataFrame, area: str, area_name: str, followed_up: int | None | str) -> list:
    """The area and period, the headline indicators, and the survivors with two or more sessions (None when
    hidden, NOT_OFFERED when left out)."""
    items = []
    for code in HEADLINE_CODES:
        row = rows[(rows["indicator"] == code) & (rows["area"] == area)].iloc[0]
        items += [html.Dt(definition_link(code)),
                  html.Dd(row_text(row, INDICATORS[code].kind),
                          **{"data-indicator": code})]
    if followed_up != NOT_OFFERED:
        items += [html.Dt(_("Survivors with two or more sessions in the period")),
                  html.Dd(count_text(followed_up), id="survivors-followed-up")]
    period = period_name(rows["period"].iloc[0])
    return [html.P(f"{area_name}, {period}", className="panel-context"), html.Dl(items, className="headline-list")]


def score_tables(counts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per moment: one row per domain, a column per score ("1".."4") and "total" (None where hidden), from
    `counts` rows of moment, domain, score and victims, where score 0 holds a domain's total."""
    tables = {}
    for moment in MOMENTS:
        wide = (counts[counts["moment"] == moment].pivot(index="domain", columns="score", values="victims")
                .reindex(index=list(ASSESSMENT_DOMAINS), columns=[*SCORES, 0]).astype(object))
        wide.columns = [*(str(score) for score in SCORES), "total"]
        tables[moment] = wide.where(wide.notna(), None).rename_axis("domain").reset_index()
    return tables


def with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """Leadership's score counts with each domain's total added as score 0."""
    totals = counts.groupby(["moment", "domain"], as_index=False)["victims"].sum().assign(score=0)
    return pd.concat([counts, totals[counts.columns]], ignore_index=True)


def domain_mean(row: pd.Series) -> float | None:
    """The mean score of a domain's row; None where any of its counts is hidden (it would give them away)."""
    counts = [row[str(score)] for score in SCORES]
    if any(is_missing(count) for count in counts) or is_missing(row["total"]) or not row["total"]:
        return None
    return sum(score * count for score, count in zip(SCORES, counts)) / row["total"]


def _mean_text(mean: float | None, row: pd.Series) -> str:
    """A mean as the table reads it: "hidden" where a count under it is, "–" where nobody was assessed."""
    if mean is not None:
        return number(mean, 2)
    return _(HIDDEN) if any(is_missing(row[column]) for column in (*map(str, SCORES), "total")) else "–"


def domains_panel(counts: pd.DataFrame) -> list:
    tables = score_tables(counts)
    labels = [code_name(domain) for domain in ASSESSMENT_DOMAINS]
    fig = figure(_("Mean score per domain: first and latest session"), _("Domain"),
                 _("Mean score (1 in crisis – 4 thriving)"), barmode="group")
    rows = {_("Domain"): labels}
    for colour, moment in zip(OKABE_ITO, MOMENTS):
        means = [domain_mean(row) for _index, row in tables[moment].iterrows()]
        shown = [None if v is None else round(float(v), 2) for v in means]
        name = _(MOMENT_LABELS[moment])
        fig.add_bar(name=name, x=labels, y=shown, customdata=number_texts(shown, 2), marker_color=colour,
                    hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>")
        rows[_(MEAN_COLUMNS[moment])] = [_mean_text(v, row) for v, (_index, row) in zip(shown,
                                                                                        tables[moment].iterrows())]
    fig.update_yaxes(range=[0, 4])
    number_ticks(fig)
    parts = [graph(fig, "survivors-means-graph"),
             data_table(pd.DataFrame(rows), _("Mean score per domain at survivors' first and latest session in the "
                                              "period"), "survivors-means-table", numeric=tuple(rows)[1:])]
    for moment in MOMENTS:
        parts += distribution_parts(tables[moment], moment)
    return parts


def distribution_parts(table: pd.DataFrame, moment: str) -> list:
    labels = [code_name(domain) for domain in table["domain"]]
    session = _(MOMENT_LABELS[moment]).lower()
    fig = figure(_("Scores per domain: {session}").format(session=session), _("Domain"), _("Survivors"),
                 barmode="stack")
    for score in SCORES:
        name = _(SCORE_LABELS[score])
        fig.add_bar(name=name, x=labels, marker_color=SCORE_COLOURS[score],
                    y=[None if is_missing(v) else int(v) for v in table[str(score)]],
                    customdata=number_texts(table[str(score)]),
                    hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>")
    number_ticks(fig)
    rows = pd.DataFrame({_("Domain"): labels,
                         **{_(SCORE_LABELS[s]): [count_text(v) for v in table[str(s)]] for s in SCORES},
                         _("Total"): [count_text(v) for v in table["total"]]})
    return [graph(fig, f"survivors-scores-{moment}-graph"),
            data_table(rows, _("Survivors by score per domain, {session}").format(session=session),
                       f"survivors-scores-{moment}-table", numeric=tuple(rows.columns[1:]))]


def services_panel(shown: pd.DataFrame) -> list:
    labels = [code_name(code) for code in shown["service_type"]]
    fig = figure(_("Services delivered in the area"), _("Service type"), _("Referrals with a first service"))
    fig.add_bar(x=labels, y=[None if is_missing(v) else int(v) for v in shown["services"]],
                customdata=number_texts(shown["services"]), marker_color=OKABE_ITO[2],
                hovertemplate="%{x}: %{customdata}<extra></extra>")
    number_ticks(fig)
    delivered = _("Services delivered")
    rows = pd.DataFrame({_("Service type"): labels, delivered: [count_text(v) for v in shown["services"]]})
    caption = _("Referrals whose first service was delivered in the area in the period, by service type (the "
                "referral database links to cases by case reference only, so these are all services delivered in "
                "the area)")
    return [graph(fig, "survivors-services-graph"),
            data_table(rows, caption, "survivors-services-table", numeric=(delivered,))]
