"""English and Bangla labels for the navigation and the controls.

Numbers, codes and indicator definitions stay in English (the contract's
language); area names come in both languages from the gazetteer.
"""

from __future__ import annotations

import flask

LANGUAGES = ("en", "bn")
LANGUAGE_COOKIE = "impact_lang"
_A_YEAR_S = 365 * 24 * 3600

_BANGLA = {
    "Overview": "সারসংক্ষেপ",
    "District map": "জেলা মানচিত্র",
    "Referrals": "রেফারেল",
    "Justice": "বিচার",
    "Survivors": "সারভাইভার",
    "Violence reduction": "সহিংসতা হ্রাস",
    "Quarterly indicators": "ত্রৈমাসিক সূচক",
    "Five-year targets": "পাঁচ বছরের লক্ষ্য",
    "Data quality": "ডেটার মান",
    "Definitions": "সংজ্ঞা",
    "Pages": "পাতা",
    "Period": "সময়কাল",
    "Area": "এলাকা",
    "Language": "ভাষা",
    "Signed in as": "প্রবেশ করেছেন",
    "Skip to main content": "মূল বিষয়বস্তুতে যান",
    "Impact monitor": "ইমপ্যাক্ট মনিটর",
    "Synthetic demo data: no real person is described here.": "কৃত্রিম ডেমো ডেটা: এখানে কোনো বাস্তব ব্যক্তির বর্ণনা নেই।",
    "Indicator": "সূচক",
    "Value": "মান",
    "Download CSV": "CSV ডাউনলোড",
    "Download Excel": "Excel ডাউনলোড",
    "Data as of": "ডেটা হালনাগাদ",
    "Printed": "মুদ্রণ",
}


def translate(text: str, language: str) -> str:
    return _BANGLA.get(text, text) if language == "bn" else text


def language_of(value: object) -> str:
    return value if value in LANGUAGES else "en"


def chosen_language(request: flask.Request) -> str:
    """The language a request asks for: `?lang=` on any page, else the one the browser remembers, else English.
    Dash fetches a page's layout in a request of its own, without the page's query: the cookie carries the choice
    to it."""
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else language_of(request.cookies.get(LANGUAGE_COOKIE))


def install_language_choice(server: flask.Flask, https: bool) -> None:
    """`?lang=en|bn` on any page is remembered for a year, for every page of this site."""

    @server.after_request
    def remember_language(response: flask.Response) -> flask.Response:
        asked = flask.request.args.get("lang")
        if asked in LANGUAGES and flask.request.cookies.get(LANGUAGE_COOKIE) != asked:
            response.set_cookie(LANGUAGE_COOKIE, asked, max_age=_A_YEAR_S, secure=https, httponly=True,
                                samesite="Lax")
        return response
