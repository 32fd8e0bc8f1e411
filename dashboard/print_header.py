"""What every page says about itself: how fresh its data are, on screen and on paper; and what a printout says
about itself: the page, period, area, account, language and the day it was printed.

The filter bar does not print, so without this a printout carries no period or area. The header is in the
page at all times (hidden on screen) and follows the filters, so printing from the browser's own menu carries
it too.
"""

from __future__ import annotations

from datetime import date, datetime

import dash
from dash import Input, Output, html

from queries.data_as_of import data_as_of_for
from queries.scope import Scope

from .context import account_name, current_scope, guarded, parse_area_filter, period_text, services
from .i18n import LANGUAGE_NAMES, N_, _, current_language, day, zone_name

DATABASE_NAMES = {"cases": N_("case database"), "referrals": N_("referral database")}


def page_name(pathname: str | None) -> str:
    """The registered name of the page at `pathname` ("Impact monitor" when none matches), in English."""
    for page in dash.page_registry.values():
        if page["relative_path"] == (pathname or "/"):
            return page["name"]
    return "Impact monitor"


def print_header_lines(page: str, period: str, area: str, scope: Scope, printed_on: date) -> list:
    """The printout's header in the current language: the page, then period, area, account and language, and
    the day it was printed."""
    words = [(_("Period"), period), (_("Area"), area), (_("Signed in as"), account_name(scope)),
             (_("Language"), LANGUAGE_NAMES[current_language()]), (_("Printed"), day(printed_on))]
    return [html.P(f"{_('Impact monitor')}: {_(page)}", className="print-title"),
            html.P(" · ".join(f"{label}: {value}" for label, value in words), className="print-context")]


def data_as_of_line(latest: dict[str, dict[str, date | datetime | None]], zone: str, labelled: bool = True) -> str:
    """ "Data as of: case database 2026-11-23, referral database 2026-11-28 (dates in Asia/Dhaka)." from
    `queries.data_as_of`: each database's newest record as a local day, by the database's name. Without
    `labelled`, the same without "Data as of:", for a place that names it already (a file's notes)."""
    parts = []
    for database, columns in latest.items():
        days = [value.date() if isinstance(value, datetime) else value for value in columns.values() if value]
        name = _(DATABASE_NAMES.get(database, database))
        parts.append(f"{name} {day(max(days))}" if days else _("{database}: no records").format(database=name))
    template = _("Data as of: {databases} (dates in {zone}).") if labelled else _("{databases} (dates in {zone}).")
    return template.format(databases=", ".join(parts), zone=zone_name(zone))


@guarded
def update_print_header(period, area, pathname):
    svc = services()
    chosen = parse_area_filter(period, area)
    today = svc.databases.today()
    return print_header_lines(page_name(pathname), period_text(chosen.period, today),
                              svc.gazetteer.full_name(chosen.area, current_language()), current_scope(), today)


@guarded
def update_data_as_of(_pathname):
    svc = services()
    latest = data_as_of_for(svc.databases, current_scope(), svc.gazetteer, svc.databases.today())
    return data_as_of_line(latest, svc.settings.timezone.key)


def install_print_header(app: dash.Dash) -> None:
    """The print header and the data-as-of line of every page. Registered on `app` itself rather than with Dash's
    global `callback`, which only the first app made in a process would receive."""
    app.callback(Output("print-header", "children"), Input("filter-period", "value"), Input("filter-area", "value"),
                 Input("_pages_location", "pathname"))(update_print_header)
    app.callback(Output("data-as-of", "children"), Input("_pages_location", "pathname"))(update_data_as_of)
