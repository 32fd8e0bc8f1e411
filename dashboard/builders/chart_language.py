"""Charts that read in the current language: axis numbers in its digits, text measured in the page's fonts.

Plotly writes its own tick labels with d3's ASCII digits. In English the charts keep Plotly's ticks; in Bangla an
axis (or colour bar) takes ticks computed here, written with `number()` in Bengali digits.
"""

from __future__ import annotations

import math

from ..i18n import current_language, number

# The page's fonts (assets/style.css), Noto Sans Bengali first: the stylesheet draws chart text in them, and Plotly
# sizes legends, colour bars and margins by measuring text in its layout's font, so it must measure in these.
CHART_FONT = {"family": '"Noto Sans Bengali", system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif'}

_TICKS_WANTED, _TICKS_AT_MOST = 5, 7
_NICE_MULTIPLES = (1, 2, 5, 10)


def tick_step(span: float) -> float:
    """The smallest round step (1, 2 or 5 times a power of ten) near `span` / _TICKS_WANTED that leaves at most
    _TICKS_AT_MOST steps over `span`."""
    magnitude = 10 ** math.floor(math.log10(span / _TICKS_WANTED))
    return next(multiple * magnitude for multiple in _NICE_MULTIPLES if span / (multiple * magnitude) <= _TICKS_AT_MOST)


def tick_values(low: float, high: float) -> tuple[list[float], int]:
    """Round values covering `low` to `high`, one step beyond each end that is not round (Plotly pads an axis
    beyond its data, and draws only the ticks inside), and the decimals their step needs."""
    if not high > low:
        return [low], 0
    step = tick_step(high - low)
    decimals = max(0, -math.floor(math.log10(step)))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(n * step, decimals) for n in range(first, last + 1)], decimals


def localized_ticks(low: float, high: float) -> dict:
    """Axis settings for values from `low` to `high`: none in English (Plotly's own ticks, as always), in Bangla
    ticks at round values labelled in Bengali digits."""
    if current_language() != "bn":
        return {}
    values, decimals = tick_values(low, high)
    return {"tickmode": "array", "tickvals": values, "ticktext": [number(value, decimals) for value in values]}
