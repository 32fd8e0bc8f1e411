"""Violence reduction: prevalence of minors at baseline and in the latest round, and the reduction
against the 85 % benchmark, for the study areas the account may see."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from queries.prevalence import BENCHMARK_REDUCTION_PCT, prevalence_summary, visible_study_rows

from ..builders import reduction as build
from ..components import data_table, message
from ..context import current_scope, guarded, services
from ..i18n import N_, _, language_of, number

dash.register_page(__name__, path="/violence-reduction", name=N_("Violence reduction"), order=5)

_GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def layout(**_query):
    return html.Div([
        html.H2(_("Violence reduction")),
        html.P([_("The share of minors among the people found in the commercial sex trade, from prevalence studies "
                  "at baseline and in later rounds, and the reduction against the {benchmark} % benchmark. ").format(
                    benchmark=number(BENCHMARK_REDUCTION_PCT)),
                html.A(_("How it is computed"), href="/definitions#violence-reduction-method"), "."]),
        html.P(_("The period and area filters do not apply here: each study has its own fieldwork dates (see the "
                 "tables), and every study area you may see is shown."), className="note"),
        dcc.Loading(html.Div(id="reduction-panel")),
    ])


def _panel(summary, baseline_only, language: str) -> list:
    svc = services()
    scope = current_scope()
    rows = visible_study_rows(summary, scope, svc.gazetteer)
    waiting = visible_study_rows(baseline_only, scope, svc.gazetteer)
    parts = []
    if rows.empty:
        parts.append(message(_("No study area you may see has a baseline and a later round yet.")))
    else:
        labels = build.area_labels(rows, svc.gazetteer, language)
        parts += [
            html.H3(_("Prevalence at baseline and in the latest round")),
            dcc.Graph(figure=build.prevalence_figure(rows, labels), config=_GRAPH_CONFIG),
            html.H3(_("Reduction against baseline")),
            html.Ul([html.Li(f"{label}: {build.benchmark_verdict(row)}")
                     for label, row in zip(labels, rows.itertuples())], className="verdicts"),
            dcc.Graph(figure=build.reduction_figure(rows, labels), config=_GRAPH_CONFIG),
            data_table(build.reduction_table(rows, labels), _("Prevalence and reduction by study area"),
                       "reduction-table", numeric=(_(build.BASELINE), _(build.LATEST), _(build.REDUCTION))),
        ]
    if not waiting.empty:
        parts += [
            html.H3(_("Baseline only")),
            html.P(_("These areas have a baseline study and no later round yet, so no reduction can be measured.")),
            data_table(build.baseline_only_table(waiting, build.area_labels(waiting, svc.gazetteer, language)),
                       _("Study areas with a baseline only"), "baseline-only-table", numeric=(_(build.BASELINE),)),
        ]
    return parts


@callback(Output("reduction-panel", "children"), Input("language", "data"))
@guarded
def update_reduction(language):
    summary, baseline_only = prevalence_summary(services().databases)
    return _panel(summary, baseline_only, language_of(language))
