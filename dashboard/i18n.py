"""English and Bangla: the message catalogue, the language a request speaks, numbers and dates for the locale.

Every string the interface shows is English source text marked for the gettext catalogue
(`dashboard/locale/bn/LC_MESSAGES/messages.po`, kept with Babel): `_("text")` where it is shown, `N_("text")`
where it is only defined (a page's name, a constant) and translated later by `_(constant)`. Errors a person may
meet carry their template (`queries.scope.FilterError`) and are translated by the same catalogue.

The language is the request's (`?lang=` or the cookie that remembers it); outside a request, English, unless a
`speaking(language)` block says otherwise (tests, a download built for a Bangla page). In Bangla, numbers and
dates are written with Bengali digits and lakh grouping (CLDR `bn`), as the government's Bangla documents write
them; downloads keep ASCII digits so that a spreadsheet reads them as numbers.
"""

from __future__ import annotations

import contextlib
import io
import re
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import flask
from babel.dates import format_date, get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from queries.words import N_  # noqa: F401 (the marker, for the interface's modules)

LANGUAGES = ("en", "bn")
LANGUAGE_COOKIE = "impact_lang"
LANGUAGE_NAMES = {"en": "English", "bn": "বাংলা"}
CATALOGUE = Path(__file__).with_name("locale") / "bn" / "LC_MESSAGES" / "messages.po"
_A_YEAR_S = 365 * 24 * 3600
_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")

_spoken: ContextVar[str | None] = ContextVar("impact_monitor_language", default=None)


def _load_bangla() -> Translations:
    """The Bangla catalogue, compiled in memory from its .po file (fuzzy entries are left out, as msgfmt does)."""
    with CATALOGUE.open("rb") as source:
        catalog = read_po(source, locale="bn")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


_BANGLA = _load_bangla()


def language_of(value: object) -> str:
    return value if value in LANGUAGES else "en"


def chosen_language(request: flask.Request) -> str:
    """The language a request asks for: `?lang=` on any page, else the one the browser remembers, else English.
    Dash fetches a page's layout in a request of its own, without the page's query: the cookie carries the choice
    to it."""
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else language_of(request.cookies.get(LANGUAGE_COOKIE))


def current_language() -> str:
    """The language being spoken: a `speaking` block's, else the request's, else English."""
    spoken = _spoken.get()
    if spoken is not None:
        return spoken
    return chosen_language(flask.request) if flask.has_request_context() else "en"


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak `language` inside the block, whatever the request asks for."""
    token = _spoken.set(language_of(language))
    try:
        yield
    finally:
        _spoken.reset(token)


def _(message: str) -> str:
    """`message` in the current language (English source text is its own translation)."""
    return _BANGLA.gettext(message) if current_language() == "bn" else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` in the current language (Bangla has one form)."""
    return _BANGLA.ngettext(singular, plural, n) if current_language() == "bn" else (singular if n == 1 else plural)


def digits(text: str) -> str:
    """`text` with its digits in the current language's script (Bengali digits in Bangla)."""
    return text.translate(_BENGALI_DIGITS) if current_language() == "bn" else text


def number(value: float, decimals: int = 0) -> str:
    """A number with the locale's grouping (1,234,567 in English; ১২,৩৪,৫৬৭ in Bangla) and `decimals` places."""
    fraction = "." + "0" * decimals if decimals else ""
    # Rounded as Python rounds the float (as the downloads write it), then grouped: Babel would round the
    # float's shortest decimal form instead, and 0.35 would read 0.4 on screen and 0.3 in a download.
    rounded = Decimal(f"{value:.{decimals}f}")
    if current_language() == "bn":
        return digits(format_decimal(rounded, format="#,##,##0" + fraction, locale="bn"))  # lakh grouping
    return format_decimal(rounded, format="#,##0" + fraction, locale="en")


def day(value: date) -> str:
    """A date: ISO 8601 in English (as the contract and the downloads write it), "৩১ মার্চ ২০২৬" in Bangla."""
    return digits(format_date(value, "d MMMM y", locale="bn")) if current_language() == "bn" else value.isoformat()


def zone_name(zone: str) -> str:
    """A time zone as a person reads it: its IANA name in English, as it is set ("Asia/Dhaka"); in Bangla the
    place's time in words, from CLDR ("বাংলাদেশ সময়")."""
    if current_language() != "bn":
        return zone
    if zone in ("UTC", "Etc/UTC"):  # no place: CLDR would call it an unknown region's time
        return _("Coordinated Universal Time")
    return get_timezone_location(zone, locale="bn")


_PERIOD = re.compile(r"^(BD-FY|US-FY|FY)?(\d{4})(?:-Q([1-4]))?$")
_PERIOD_WORDS = {  # calendar prefix -> (a quarter, a year)
    None: (N_("{year}, quarter {n}"), N_("Year {year}")),
    "FY": (N_("Fiscal year {year}, quarter {n}"), N_("Fiscal year {year}")),
    "BD-FY": (N_("Bangladesh fiscal year {year}, quarter {n}"), N_("Bangladesh fiscal year {year}")),
    "US-FY": (N_("US fiscal year {year}, quarter {n}"), N_("US fiscal year {year}")),
}


def period_name(label: str) -> str:
    """A period's label as a person reads it: the label itself in English ("2026-Q1", "BD-FY2027"), in words and
    Bengali digits in Bangla, naming the calendar of a fiscal year."""
    if current_language() != "bn":
        return label
    match = _PERIOD.match(label)
    if not match:
        return digits(label)
    prefix, year, n = match.groups()
    quarter_words, year_words = _PERIOD_WORDS[prefix]
    return digits(_(quarter_words).format(year=year, n=n) if n else _(year_words).format(year=year))


def install_language_choice(server: flask.Flask, https: bool) -> None:
    """`?lang=en|bn` on any page is remembered for a year, for every page of this site."""

    @server.after_request
    def remember_language(response: flask.Response) -> flask.Response:
        asked = flask.request.args.get("lang")
        if asked in LANGUAGES and flask.request.cookies.get(LANGUAGE_COOKIE) != asked:
            response.set_cookie(LANGUAGE_COOKIE, asked, max_age=_A_YEAR_S, secure=https, httponly=True,
                                samesite="Lax")
        return response
