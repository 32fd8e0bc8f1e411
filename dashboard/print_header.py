"""What a printout says about itself: the page, period, area, account, language and the day it was printed.

The filter bar does not print, so without this a printout carries no period or area. The header is in the
page at all times (hidden on screen) and follows the filters, so printing from the browser's own menu carries
it too.
"""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, callback, html

from queries.scope import Scope

from .context import account_name, current_scope, guarded, parse_area_filter, services
from .i18n import LANGUAGE_NAMES, _, current_language, day, period_name


def page_name(pathname: str | None) -> str:
    """The registered name of the page at `pathname` ("Impact monitor" when none matches), in English."""
    for page in dash.page_registry.values():
        if page["relative_path"] == (pathname or "/"):
            return page["name"]
    return "Impact monitor"


def print_header_lines(page: str, period: str, area: str, scope: Scope, printed_on: date) -> list:
    """The printout's header in the current language: the page, then period, area, account and language, and
    the day it was printed."""
    words = [(_("Period"), period_name(period)), (_("Area"), area), (_("Signed in as"), account_name(scope)),
             (_("Language"), LANGUAGE_NAMES[current_language()]), (_("Printed"), day(printed_on))]
    return [html.P(f"{_('Impact monitor')}: {_(page)}", className="print-title"),
            html.P(" · ".join(f"{label}: {value}" for label, value in words), className="print-context")]


@callback(Output("print-header", "children"), Input("filter-period", "value"), Input("filter-area", "value"),
          Input("_pages_location", "pathname"))
@guarded
def update_print_header(period, area, pathname):
    chosen = parse_area_filter(period, area)
    return print_header_lines(page_name(pathname), chosen.period.label,
                              services().gazetteer.full_name(chosen.area, current_language()), current_scope(),
                              services().databases.today())
