"""What a printout says about itself: the page, period, area, account, language and the day it was printed.

The filter bar does not print, so without this a printout carries no period or area. The header is in the
page at all times (hidden on screen) and follows the filters, so printing from the browser's own menu carries
it too.
"""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, State, callback, html

from queries.scope import Scope

from .context import current_scope, guarded, parse_area_filter, services
from .i18n import language_of, translate

LANGUAGE_NAMES = {"en": "English", "bn": "বাংলা"}


def page_name(pathname: str | None) -> str:
    """The registered name of the page at `pathname` ("Impact monitor" when none matches)."""
    for page in dash.page_registry.values():
        if page["relative_path"] == (pathname or "/"):
            return page["name"]
    return "Impact monitor"


def print_header_lines(page: str, period: str, area: str, scope: Scope, language: str, printed_on: date) -> list:
    """The printout's header: the page, then period, area, account and language, and the day it was printed."""
    account = scope.role + (f" ({', '.join(scope.areas)})" if scope.areas else "")
    words = [(translate("Period", language), period), (translate("Area", language), area),
             (translate("Signed in as", language), account), (translate("Language", language),
                                                              LANGUAGE_NAMES[language]),
             (translate("Printed", language), printed_on.isoformat())]
    return [html.P(f"{translate('Impact monitor', language)}: {translate(page, language)}",
                   className="print-title"),
            html.P(" · ".join(f"{label}: {value}" for label, value in words), className="print-context")]


@callback(Output("print-header", "children"), Input("filter-period", "value"), Input("filter-area", "value"),
          Input("_pages_location", "pathname"), State("language", "data"))
@guarded
def update_print_header(period, area, pathname, language):
    language = language_of(language)
    chosen = parse_area_filter(period, area)
    return print_header_lines(page_name(pathname), chosen.period.label,
                              services().gazetteer.full_name(chosen.area, language), current_scope(), language,
                              services().databases.today())
