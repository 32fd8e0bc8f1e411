"""Pure builders of the Survivors page: headline figures, domain scores first vs latest, services delivered."""

from __future__ import annotations

import pandas as pd
from dash import html

from impact_monitor.table_model import Cell, Column, Table
from queries.definitions import INDICATORS
from queries.schema import ASSESSMENT_DOMAINS
from queries.survivors import MOMENTS, SCORES

from ..components import HIDDEN, definition_link, row_text
from ..i18n import N_, _, period_name
from ..table_view import model_table
from ..vocabulary import code_name
from .referrals import (OKABE_ITO, add_marks, bar_values, category_marks, count_cell, count_mark, count_text, figure,
                        graph, is_missing, no_records, nothing_recorded, number_texts, number_ticks)

HEADLINE_CODES = ("survivors_assessed", "survivors_restored_pct")
SCORE_LABELS = {1: N_("Score 1 (in crisis)"), 2: N_("Score 2"), 3: N_("Score 3"), 4: N_("Score 4 (thriving)")}
# From crisis (vermilion) to thriving (blue), Okabe-Ito colours.
SCORE_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#56B4E9", 4: "#0072B2"}
# A survivor assessed in the period, from their baseline (however long before) to the period's end.
MOMENT_LABELS = {"first": N_("First session ever (baseline)"),
                 "latest": N_("Latest session up to the period's end")}
MEAN_COLUMNS = {"first": N_("Mean, first session"), "latest": N_("Mean, latest session")}


# The follow-up figure where an audience is not given it (a detail of its larger areas only).
NOT_OFFERED = "not offered"


def headline_panel(rows: pd.DataFrame, area: str, area_name: str, followed_up: int | None | str) -> list:
    """The area and period, the headline indicators, and the survivors assessed in the period with two or more
    sessions ever up to its end (None when hidden, NOT_OFFERED when left out)."""
    items = []
    for code in HEADLINE_CODES:
        row = rows[(rows["indicator"] == code) & (rows["area"] == area)].iloc[0]
        items += [html.Dt(definition_link(code)),
                  html.Dd(row_text(row, INDICATORS[code].kind),
                          **{"data-indicator": code})]
    if followed_up != NOT_OFFERED:
        items += [html.Dt(_("Survivors followed up (two or more sessions ever, up to the period's end)")),
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


def _mean_cell(mean: float | None, row: pd.Series) -> Cell:
    """A mean as a table cell: hidden where a count under it is, empty where nobody was assessed."""
    if mean is not None:
        return Cell(float(mean))
    hidden = any(is_missing(row[column]) for column in (*map(str, SCORES), "total"))
    return Cell(mark=HIDDEN) if hidden else Cell()


def _domain_means(table: pd.DataFrame) -> list[tuple[float | None, pd.Series]]:
    """Each domain's mean, to the one decimal the page shows it with, and the row of counts it is made of."""
    return [(None if (mean := domain_mean(row)) is None else round(float(mean), 1), row)
            for _index, row in table.iterrows()]


def means_table(counts: pd.DataFrame) -> Table:
    tables = score_tables(counts)
    labels = [code_name(domain) for domain in ASSESSMENT_DOMAINS]
    means = {moment: _domain_means(tables[moment]) for moment in MOMENTS}
    rows = tuple((Cell(label), *(_mean_cell(*means[moment][index]) for moment in MOMENTS))
                 for index, label in enumerate(labels))
    return Table("survivors-means-table",
                 _("Mean score per domain of survivors assessed in the period, at their first session ever "
                   "(baseline) and at their latest session up to the period's end"),
                 (Column(_("Domain")), *(Column(_(MEAN_COLUMNS[moment]), "number") for moment in MOMENTS)), rows,
                 notes=(comparison_note(),))


def comparison_note() -> str:
    return _("Each survivor assessed in the period counts twice: at their own first session ever (their baseline, "
             "however long before the period) and at their own latest session up to the period's end, so the two "
             "bars of a domain compare the same survivors. Sessions after the period's end are left out. A survivor "
             "with one session ever counts the same in both and is not followed up.")


def scored_nobody(tables: dict[str, pd.DataFrame]) -> bool:
    return all(nothing_recorded(tables[moment]["total"]) for moment in MOMENTS)


def domains_panel(counts: pd.DataFrame, params: dict) -> list:
    tables = score_tables(counts)
    if scored_nobody(tables):
        return [no_records(), model_table(means_table(counts), params),
                *(model_table(scores_table(tables[moment], moment), params) for moment in MOMENTS)]
    labels = [code_name(domain) for domain in ASSESSMENT_DOMAINS]
    fig = figure(_("Domain"), _("Mean score (1 in crisis – 4 thriving)"), barmode="group")
    for colour, moment in zip(OKABE_ITO, MOMENTS):
        means = _domain_means(tables[moment])
        shown = [mean for mean, _row in means]
        name = _(MOMENT_LABELS[moment])
        fig.add_bar(name=name, x=labels, y=shown, customdata=number_texts(shown, 1), marker_color=colour,
                    offsetgroup=moment, hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>")
        add_marks(fig, labels, [_mean_cell(mean, row).mark for mean, row in means], offsetgroup=moment)
    fig.update_yaxes(range=[0, 4])
    number_ticks(fig)
    parts = [graph(fig, "survivors-means-graph",
                   _("Mean score per domain: each survivor's first and latest session, from their baseline to "
                     "the period's end")),
             model_table(means_table(counts), params)]
    for moment in MOMENTS:
        parts += distribution_parts(tables[moment], moment, params)
    return parts


def _session(moment: str) -> str:
    return _(MOMENT_LABELS[moment]).lower()


def scores_table(table: pd.DataFrame, moment: str) -> Table:
    columns = (Column(_("Domain")), *(Column(_(SCORE_LABELS[score]), "count") for score in SCORES),
               Column(_("Total"), "count"))
    rows = tuple((Cell(code_name(row["domain"])), *(count_cell(row[str(score)]) for score in SCORES),
                  count_cell(row["total"])) for _index, row in table.iterrows())
    return Table(f"survivors-scores-{moment}-table",
                 _("Survivors by score per domain, {session}").format(session=_session(moment)), columns, rows)


def distribution_parts(table: pd.DataFrame, moment: str, params: dict) -> list:
    labels = [code_name(domain) for domain in table["domain"]]
    fig = figure(_("Domain"), _("Survivors"), barmode="stack")
    for score in SCORES:
        name = _(SCORE_LABELS[score])
        fig.add_bar(name=name, x=labels, marker_color=SCORE_COLOURS[score], y=bar_values(table[str(score)]),
                    customdata=number_texts(table[str(score)]),
                    hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>")
    add_marks(fig, labels, category_marks(*(table[str(score)] for score in SCORES)))
    number_ticks(fig)
    return [graph(fig, f"survivors-scores-{moment}-graph",
                  _("Scores per domain: {session}").format(session=_session(moment))),
            model_table(scores_table(table, moment), params)]


def services_table(shown: pd.DataFrame) -> Table:
    caption = _("Referrals whose first service was delivered in the area in the period, by service type (the "
                "referral database links to cases by case reference only, so these are all services delivered in "
                "the area)")
    rows = tuple((Cell(code_name(code)), count_cell(services))
                 for code, services in zip(shown["service_type"], shown["services"]))
    return Table("survivors-services-table", caption,
                 (Column(_("Service type")), Column(_("Services delivered"), "count")), rows)


def services_panel(shown: pd.DataFrame, params: dict) -> list:
    if nothing_recorded(shown["services"]):
        return [no_records(), model_table(services_table(shown), params)]
    labels = [code_name(code) for code in shown["service_type"]]
    fig = figure(_("Service type"), _("Referrals with a first service"))
    fig.add_bar(x=labels, y=bar_values(shown["services"]), offsetgroup="services", showlegend=False,
                customdata=number_texts(shown["services"]), marker_color=OKABE_ITO[2],
                hovertemplate="%{x}: %{customdata}<extra></extra>")
    add_marks(fig, labels, [count_mark(services) for services in shown["services"]], offsetgroup="services")
    number_ticks(fig)
    return [graph(fig, "survivors-services-graph", _("Services delivered in the area")),
            model_table(services_table(shown), params)]
