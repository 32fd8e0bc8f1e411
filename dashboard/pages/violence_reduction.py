"""Violence reduction: prevalence of minors at baseline and in the latest round, and the reduction
against the 85 % benchmark, for the study areas the account may see."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from queries.prevalence import BENCHMARK_REDUCTION_PCT

from ..builders import reduction as build
from ..builders.chart_language import chart_config
from ..components import message
from ..context import current_scope, guarded, parse_area_filter, services
from ..i18n import N_, _, language_of, number
from ..table_view import model_table

dash.register_page(__name__, path="/violence-reduction", name=N_("Violence reduction"), order=5)


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


def _chart(title: str, figure) -> list:
    """A chart under its title as a heading: inside the figure, a title would sit under the chart's toolbar."""
    return [html.H4(title, className="chart-title"), dcc.Graph(figure=figure, config=chart_config(title))]


def _table(table, params):
    return model_table(table, params, build.unbroken_dates(table))


def _panel(rows, waiting, language: str, params: dict) -> list:
    svc = services()
    parts = []
    if rows.empty:
        parts.append(message(_("No study area you may see has a baseline and a later round yet.")))
    else:
        labels = build.area_labels(rows, svc.gazetteer, language)
        parts += [
            html.H3(_("Prevalence at baseline and in the latest round")),
            *_chart(_(build.PREVALENCE_TITLE), build.prevalence_figure(rows, labels)),
            html.H3(_("Reduction against baseline")),
            html.Ul([html.Li(f"{label}: {build.benchmark_verdict(row)}")
                     for label, row in zip(labels, rows.itertuples())], className="verdicts"),
            *_chart(_(build.REDUCTION_TITLE), build.reduction_figure(rows, labels)),
            _table(build.reduction_table(rows, labels), params),
        ]
    if not waiting.empty:
        parts += [
            html.H3(_("Baseline only")),
            html.P(_("These areas have a baseline study and no later round yet, so no reduction can be measured.")),
            _table(build.baseline_only_table(waiting, build.area_labels(waiting, svc.gazetteer, language)), params),
        ]
    return parts


@callback(Output("reduction-panel", "children"), Input("language", "data"), Input("filter-period", "value"),
          Input("filter-area", "value"))
@guarded
def update_reduction(language, period, area):
    # The filters choose no study; a download still names them, and checks them against the account.
    chosen = parse_area_filter(period, area)
    rows, waiting = build.visible_studies(services(), current_scope())
    return _panel(rows, waiting, language_of(language), {"period": chosen.period.label, "area": chosen.area})
