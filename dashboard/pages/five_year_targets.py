"""Five-year targets: this year's progress against the plan, and every year of the plan."""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, callback, dcc, html

from queries.geography import NATIONAL
from queries.targets import AT_RISK_FROM, load_targets, plan_progress

from ..builders.targets import (
    ACTUAL, ACTUAL_TO_DATE, PROJECTED, SHARE, STATUS, TARGET, plan_figure, plan_table, progress_table, status_class,
    year_name,
)
from ..components import data_table, message
from ..i18n import N_, _, current_language, number
from ..context import current_scope, guarded, parse_filter, services

dash.register_page(__name__, path="/five-year-targets", name=N_("Five-year targets"), order=7)


def layout(**_query):
    return html.Div([
        html.H2(_("Five-year targets")),
        html.P(_("The five-year plan sets one national target per indicator and year, so this page shows "
                 "Bangladesh as a whole whatever area is chosen. The year is the chosen period's year.")),
        html.P(_("How the status is decided: for counts, the year-to-date number is projected to the end of the year "
                 "in a straight line (the number so far divided by the share of the year that has passed). For "
                 "percentages the projection is the current value. A projection of at least the target is on track; "
                 "from {share} of the target it is at risk; below that it is off track. For median days, fewer days "
                 "is better, so the comparison runs the other way.").format(share=f"{number(100 * AT_RISK_FROM)}%"),
               className="rule"),
        dcc.Loading(html.Div(id="targets-panel")),
    ])


@callback(Output("targets-panel", "children"), Input("filter-period", "value"))
@guarded
def update_targets(period):
    svc = services()
    if current_scope().role == "government":
        return message(_("The plan's targets are national, and this account sees its own divisions or districts "
                         "only: use the other pages for your areas."))
    path = svc.settings.effective_targets_file
    if path is None or not path.exists():
        return message(_("No targets file is configured (IMPACT_TARGETS_FILE), so there is nothing to compare."))
    targets = load_targets(path)
    year = parse_filter(period, NATIONAL, by="national").period.start.year
    k, today = svc.settings.suppress_below, date.today()

    def national(period_):
        return parse_filter(period_.label, NATIONAL, by="national")

    plan = plan_progress(svc.engine, targets, national, today, k)
    this_year = plan[plan["year"] == year].reset_index(drop=True)
    return _this_year_section(this_year, year) + _plan_section(plan, today.year)


def _this_year_section(this_year, year):
    if this_year.empty:
        return [message(_("The plan has no targets for {year}.").format(year=year_name(year)), "info")]
    elapsed, length = int(this_year.iloc[0]["days_elapsed"]), int(this_year.iloc[0]["days_in_year"])
    table = progress_table(this_year)
    # Status cells coloured by what they say (the words say the same, so colour is never the only signal).
    rendered = data_table(table, _("Progress in {year}, {area}").format(year=year_name(year), area=_national_name()),
                          "targets-progress-table", numeric=(_(TARGET), _(ACTUAL_TO_DATE), _(PROJECTED), _(SHARE)),
                          classes={_(STATUS): status_class})
    return [html.H3(_("Progress in {year}").format(year=year_name(year))),
            html.P(_("{elapsed} of {length} days of {year} have passed.").format(
                elapsed=number(elapsed), length=number(length), year=year_name(year))),
            rendered]


def _plan_section(plan, current_year):
    if plan.empty:
        return []
    return [html.H3(_("Every year of the plan")),
            dcc.Graph(figure=plan_figure(plan, current_year), config={"displaylogo": False}),
            data_table(plan_table(plan),
                       _("Actual against target, each year of the plan, {area}").format(area=_national_name()),
                       "targets-plan-table", numeric=(_(ACTUAL), _(TARGET), _(SHARE)))]


def _national_name() -> str:
    return services().gazetteer.full_name(NATIONAL, current_language())

