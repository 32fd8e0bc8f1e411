"""Charts in the current language: round ticks labelled in Bengali digits in Bangla, Plotly's own in English;
Plotly's own interface (toolbar tooltips, messages) in the page's language, and a chart's PNG named after it."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
import pytest

from dashboard.builders.chart_language import chart_config, chart_file_name, localized_ticks, tick_values
from dashboard.i18n import speaking
from dashboard.map_figure import MAP_CONFIG

BANGLA_LOCALE = Path(__file__).resolve().parent.parent / "assets" / "plotly-locale-bn.js"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@pytest.mark.parametrize("low, high, expected, decimals", [
    (0, 109.5, [0, 20, 40, 60, 80, 100, 120], 0),  # one step past a data end that is not round
    (0, 100, [0, 20, 40, 60, 80, 100], 0),
    (-24.1, 100, [-40, -20, 0, 20, 40, 60, 80, 100], 0),
    (0, 7, [0, 1, 2, 3, 4, 5, 6, 7], 0),
    (0, 0.37, [0.0, 0.1, 0.2, 0.3, 0.4], 1),
    (0, 12345, [0, 2000, 4000, 6000, 8000, 10000, 12000, 14000], 0),
    (3, 3, [3], 0),
])
def test_ticks_fall_on_round_values_a_few_steps_apart(low, high, expected, decimals):
    assert tick_values(low, high) == (expected, decimals)


def test_bangla_axes_get_bengali_digits_and_english_axes_keep_plotlys_ticks():
    with speaking("bn"):
        ticks = localized_ticks(0, 1.5)
    assert ticks == {"tickmode": "array", "tickvals": [0.0, 0.5, 1.0, 1.5], "ticktext": ["০.০", "০.৫", "১.০", "১.৫"]}
    with speaking("bn"):
        assert localized_ticks(0, 250000)["ticktext"][-1] == "২,৫০,০০০"  # lakh grouping, as number() writes it
    assert localized_ticks(0, 1.5) == {}


def _bangla_dictionary() -> dict[str, str]:
    text = BANGLA_LOCALE.read_text(encoding="utf-8")
    block = text[text.index("dictionary: {"):text.index("format: {")]
    return dict(re.findall(r'"([^"]+)": "([^"]+)"', block))


def _toolbar_tooltips() -> set[str]:
    """Every tooltip of plotly.js's toolbar (mode bar), as the installed plotly.js localises them."""
    bundle = PLOTLY_JS.read_text(encoding="utf-8")
    titles = set(re.findall(r'title:function\([a-z]+\)\{return [A-Za-z_$]+\([a-z]+,"([^"]+)"\)', bundle))
    # The image button's title depends on the image format.
    titles |= set(re.findall(r'r==="png"\?[A-Za-z_$]+\(e,"([^"]+)"\):[A-Za-z_$]+\(e,"([^"]+)"\)', bundle)[0])
    return titles


def test_the_bangla_locale_has_every_toolbar_tooltip_of_the_installed_plotly():
    tooltips, dictionary = _toolbar_tooltips(), _bangla_dictionary()
    assert {"Download plot as a PNG", "Zoom in", "Reset axes", "Autoscale", "Pan"} <= tooltips
    assert tooltips <= set(dictionary), tooltips - set(dictionary)
    assert "Click to enter Plot title" in dictionary and "Double-click to zoom back out" in dictionary
    for english, bangla in dictionary.items():  # file formats and the names of axes aside, no Latin letter left
        assert not re.search(r"[A-Za-z]", re.sub(r"\b(PNG|JSON|[ABCXY])\b", "", bangla)), (english, bangla)


def test_a_charts_config_speaks_the_pages_language_and_names_its_png():
    with speaking("bn"):
        bangla = chart_config("প্রাথমিক ও সর্বশেষ পর্যায়ে ব্যাপকতা, ৯৫ % ব্যবধান")
        map_config = chart_config("জেলা মানচিত্র", MAP_CONFIG)
    assert bangla["locale"] == "bn" and bangla["displaylogo"] is False
    assert bangla["toImageButtonOptions"] == {"filename": "প্রাথমিক-ও-সর্বশেষ-পর্যায়ে-ব্যাপকতা-৯৫-ব্যবধান"}
    assert map_config["locale"] == "bn" and map_config["showSendToCloud"] is False and map_config["scrollZoom"]
    english = chart_config("Referrals by service: medical / legal?")
    assert english["locale"] == "en"
    assert english["toImageButtonOptions"] == {"filename": "Referrals-by-service-medical-legal"}
    assert chart_file_name(" ?: ") == "chart"
