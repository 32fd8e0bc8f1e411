"""Five-year targets: this year's progress against the plan, and every year of the plan."""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, callback, dcc, html

from queries.definitions import INDICATORS
from queries.geography import NATIONAL
from queries.periods import CALENDAR_YEAR, CALENDARS
from queries.targets import AT_RISK_FROM

from ..builders.chart_language import chart_config
from ..builders.targets import (
    plan_figures, plan_of, plan_table, plan_title, progress_table, progress_title, released_only, status_class,
    year_name,
)
from ..components import message
from ..i18n import N_, _, number
from ..context import current_scope, guarded, parse_filter, services
from ..table_view import model_table

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
        html.P(_("A year that is over is met when its final value reaches the target, and missed otherwise. The "
                 "status is decided on the unrounded values."), className="rule"),
        dcc.Loading(html.Div(id="targets-panel")),
    ])


@callback(Output("targets-panel", "children"), Input("filter-period", "value"))
@guarded
def update_targets(period):
    svc = services()
    if current_scope().role == "government":
        return message(_("The plan's targets are national, and this account sees its own divisions or districts "
                         "only: use the other pages for your areas."))
    scope = current_scope()
    if scope.suppressed and scope.calendar != CALENDAR_YEAR:
        return message(_("The five-year plan's targets are set per calendar year, and this account reports in the "
                         "{calendar}: its targets, year by year, are on the Donor report.").format(
                             calendar=_(CALENDARS[scope.calendar].name)), "info")
    chosen = parse_filter(period, NATIONAL, by="national")
    plan = plan_of(svc, chosen)
    if plan is None:
        return message(_("No targets file is configured (IMPACT_TARGETS_FILE), so there is nothing to compare."))
    year = chosen.period.start.year
    params = {"period": chosen.period.label, "area": NATIONAL}
    this_year = plan[plan["year"] == year].reset_index(drop=True)
    released = released_only(svc, chosen)
    return _this_year_section(this_year, year, params, released) + _plan_section(plan, params, released)


def _view(table, params):
    """A targets table on screen, each status coloured by what it says (the words say the same, so colour is
    never the only signal)."""
    status_column = len(table.columns) - 1
    return model_table(table, params, {status_column: status_class})


def _this_year_section(this_year, year, params, released: bool):
    if this_year.empty:
        return [message(_("The plan has no targets for {year}.").format(year=year_name(year)), "info")]
    elapsed, length = int(this_year.iloc[0]["days_elapsed"]), int(this_year.iloc[0]["days_in_year"])
    table = progress_table(this_year, progress_title(year, services()), released)
    return [html.H3(_("Progress in {year}").format(year=year_name(year))),
            html.P(_("{elapsed} of {length} days of {year} have passed.").format(
                elapsed=number(elapsed), length=number(length), year=year_name(year))),
            _view(table, params)]


def _plan_section(plan, params, released: bool):
    if plan.empty:
        return []
    charts = [html.Div([html.H4(_(INDICATORS[code].label)),
                        dcc.Graph(figure=figure, config=chart_config(_(INDICATORS[code].label)))],
                       className="small-multiple")
              for code, figure in plan_figures(plan, date.today().year)]
    return [html.H3(_("Every year of the plan")),
            html.P(_("Actual against target, each year of the plan"), className="chart-title"),
            html.Div(charts, className="small-multiples",
                     # One chart per row on a phone, as many as fit on a wider screen.
                     style={"display": "grid", "gap": "0.5rem 1rem",
                            "gridTemplateColumns": "repeat(auto-fill, minmax(min(100%, 22rem), 1fr))"}),
            _view(plan_table(plan, plan_title(services()), released), params)]
