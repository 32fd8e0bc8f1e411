"""The shell around every page: skip link, banners, navigation, filter bar, footer."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from queries.scope import default_area

from .components import hidden_note
from .context import (account_name, area_options, calendar_choices, current_scope, default_period, opening_calendar,
                      period_in_calendar, period_options, services)
from .i18n import LANGUAGE_NAMES, _, current_language
from .security import current_account
from .signin import SIGN_OUT, current_session

SKIP_TARGET = "main-content"


# Pages an account of a role does not need: the plan's targets are national, and a government account sees its
# own areas only (the page tells it so if opened).
NOT_LISTED_FOR = {"government": {"/five-year-targets"}}


def _navigation() -> html.Nav:
    left_out = NOT_LISTED_FOR.get(current_scope().role, set())
    links = [
        dbc.NavItem(dbc.NavLink(_(page["name"]), href=page["relative_path"], active="exact"))
        for page in dash.page_registry.values() if page["relative_path"] not in left_out
    ]
    return html.Nav(dbc.Nav(links, pills=True, class_name="flex-wrap"), className="site-nav",
                    **{"aria-label": _("Pages")})


def _filter_bar() -> html.Div:
    scope, language = current_scope(), current_language()
    calendar = opening_calendar(scope)
    return html.Div(
        [
            _calendar_filter(scope, calendar),
            html.Div([
                html.Label(_("Period"), htmlFor="filter-period"),
                dcc.Dropdown(id="filter-period", options=period_options(calendar),
                             value=default_period(calendar).label,
                             clearable=False, persistence=True, persistence_type="session"),
            ], className="filter"),
            html.Div([
                html.Label(_("Area"), htmlFor="filter-area"),
                dcc.Dropdown(id="filter-area", options=area_options(scope), value=default_area(scope),
                             clearable=False, persistence=True, persistence_type="session"),
            ], className="filter"),
            html.Nav([
                # A query alone: the browser keeps the page the person is on (this layout is fetched by a request
                # of its own, whose path is no page's).
                html.A(LANGUAGE_NAMES["en"], href="?lang=en", lang="en", hrefLang="en",
                       **{"aria-current": "true" if language == "en" else None}),
                html.A(LANGUAGE_NAMES["bn"], href="?lang=bn", lang="bn", hrefLang="bn",
                       **{"aria-current": "true" if language == "bn" else None}),
            ], className="language-switch", **{"aria-label": _("Language")}),
            html.Div([_("Signed in as {name} ({account})").format(name=current_account().username,
                                                                    account=account_name(scope)),
                      sign_out_control()], className="who"),
        ],
        className="filter-bar",
        role="search",
    )


def _calendar_filter(scope, calendar) -> html.Div:
    """The reporting calendar; an external account's is fixed (its periods are protected in it), and says so."""
    choices = calendar_choices(scope)
    fixed = len(choices) == 1
    return html.Div([
        html.Label(_("Calendar"), htmlFor="filter-calendar"),
        dcc.Dropdown(id="filter-calendar", options=[{"label": _(c.name), "value": c.id} for c in choices],
                     value=calendar.id, clearable=False, searchable=False, disabled=fixed,
                     persistence=not fixed, persistence_type="session"),
        html.Small(_("Your account reports in this calendar."), className="filter-hint") if fixed else None,
    ], className="filter filter-calendar")


def install_calendar_choice(app: dash.Dash) -> None:
    """Picking a calendar names the periods in it: the same quarter keeps being shown, a year becomes the
    calendar's year holding its last quarter."""

    @app.callback(Output("filter-period", "options"), Output("filter-period", "value"),
                  Input("filter-calendar", "value"), State("filter-period", "value"))
    def name_periods_in(calendar_id, period_label):
        allowed = {c.id: c for c in calendar_choices(current_scope())}
        calendar = allowed.get(calendar_id) or opening_calendar(current_scope())
        return period_options(calendar), period_in_calendar(period_label, calendar)


def sign_out_control() -> html.Form:
    """Sign-out: a form posting the session's own token (a page of another site cannot sign anyone out)."""
    session = current_session()
    return html.Form([dcc.Input(type="hidden", name="csrf", value=session.csrf if session else ""),
                      html.Button(_("Sign out"), type="submit", className="sign-out")],
                     method="POST", action=SIGN_OUT, className="sign-out-form")


def shell() -> html.Div:
    """The page around the current page, in the request's language."""
    settings, language = services().settings, current_language()
    banners = []
    if settings.demo_mode:
        banners.append(html.Div(_("Synthetic demo data: no real person is described here."),
                                className="demo-banner", role="note"))
    return html.Div(
        [
            html.A(_("Skip to main content"), href=f"#{SKIP_TARGET}", className="skip-link"),
            *banners,
            html.Header([html.H1(_("Impact monitor"), className="site-title"),
                         _navigation()], className="site-header"),
            _filter_bar(),
            dcc.Store(id="language", data=language),
            html.Div(id="print-header", className="print-header"),
            html.P(id="data-as-of", className="data-as-of"),
            html.Div(id="database-status", role="status", **{"aria-live": "polite"}),
            dcc.Interval(id="status-refresh", interval=30_000),
            html.Main(dash.page_container, id=SKIP_TARGET, tabIndex="-1"),
            html.Footer(hidden_note(settings.suppress_below) if current_scope().suppressed else None,
                        id="site-footer", className="site-footer"),
        ],
        className="shell",
        lang=language,
    )
