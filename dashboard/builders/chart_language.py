"""Charts that read in the current language: axis numbers in its digits, text measured in the page's fonts,
Plotly's own interface (the toolbar's tooltips, its messages) in the page's language.

Plotly writes its own tick labels with d3's ASCII digits. In English the charts keep Plotly's ticks; in Bangla an
axis (or colour bar) takes ticks computed here, written with `number()` in Bengali digits.
"""

from __future__ import annotations

import math
import re

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


# A chart's toolbar: no Plotly logo, no selection tools (nothing on these pages reads a selection).
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
# plotly.js offers a "Share chart" button that uploads the figure's data to Plotly's cloud: never for case data,
# whatever the chart's own config says.
NEVER_TO_THE_CLOUD = {"showSendToCloud": False, "plotlyServerURL": ""}
_CLOUD_BUTTONS = ["sendDataToCloud"]
# What a file name may not hold on common systems, with spaces and punctuation: each run becomes one hyphen.
_NOT_IN_FILE_NAMES = re.compile(r'[\s\\/:*?"<>|%#&{}()\[\],;.!\'`~^=+]+')


def chart_file_name(title: str) -> str:
    """A chart's title as the name of the PNG it downloads (Plotly adds ".png"): its words, in the page's
    language, joined by hyphens."""
    return _NOT_IN_FILE_NAMES.sub("-", title).strip("-") or "chart"


def chart_config(title: str, base: dict = GRAPH_CONFIG) -> dict:
    """`base`, a `dcc.Graph` config, in the current language: Plotly's locale (`bn` is registered by
    assets/plotly-locale-bn.js; `en` is Plotly's own), and the chart's PNG named after its `title`; never a
    button that sends the chart's data to Plotly's cloud."""
    removed = [*base.get("modeBarButtonsToRemove", []), *_CLOUD_BUTTONS]
    return {**base, **NEVER_TO_THE_CLOUD, "modeBarButtonsToRemove": removed, "locale": current_language(),
            "toImageButtonOptions": {"filename": chart_file_name(title)}}
