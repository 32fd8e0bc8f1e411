"""Chart axes in the current language: round ticks labelled in Bengali digits in Bangla, Plotly's own in English."""

from __future__ import annotations

import pytest

from dashboard.builders.chart_language import localized_ticks, tick_values
from dashboard.i18n import speaking


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
