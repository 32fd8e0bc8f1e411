"""Choropleth maps of districts or upazilas that draw fully offline.

go.Choroplethmap on the "white-bg" style loads no tiles, fonts or topojson
(a geo go.Choropleth fetches world topojson from a CDN and draws nothing
offline). Pure figure building: no database, no Dash.

Small-cell suppression: a suppressed area is drawn from its P-code and name
only. Its value, even if a caller left one in, is never read.
"""

from __future__ import annotations

import math
import textwrap
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from queries.boundaries import bounds
from queries.publication import WITHHELD

from .builders.chart_language import CHART_FONT, localized_ticks
from .components import HIDDEN, unreliable_mark
from .i18n import N_, _, number

# For dcc.Graph(config=...). plotly.js 4 defaults to a "share chart" button
# that posts the figure's data to Plotly's cloud: never for case data.
# (plotly.js 4 has no mapbox, so no mapboxAccessToken to blank.)
MAP_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "plotlyServerURL": "",
    "scrollZoom": True,
    "modeBarButtonsToRemove": ["sendChartToCloud", "select2d", "lasso2d"],
}

SUPPRESSED_COLOUR = "#a6a6a6"  # a neutral grey: viridis and cividis ends hold no grey
NO_DATA_COLOUR = "#e8e8e8"
EDGE_COLOUR = "#d0d0d0"
OUTLINE_COLOUR = "#3c3c3c"
_MAP_HEIGHT_PX = 520  # viewport the initial zoom is fitted to
# A colour bar's title longer than this wraps: on one line it would take the map's width.
_COLOUR_BAR_TITLE_CHARACTERS = 20

# Legend entries besides the page-wide marks HIDDEN and WITHHELD, translated when a map is drawn.
NO_DATA_LABEL, OUTLINES_LABEL = N_("no data"), N_("Division boundary")


def choropleth_figure(
    values: pd.DataFrame,
    geojson: dict,
    outlines: dict | None,
    *,
    value_label: str,
    names: dict[str, str],
    colorscale: str = "Viridis",
) -> go.Figure:
    """One map of `values` (columns area, value, suppressed; withheld and reliable optional) over the features of
    `geojson`, its words and numbers in the current language. An unreliable value says so in its hover text.

    Areas of the map missing from `values`, or with a null value, show as "no data".
    The figure is _MAP_HEIGHT_PX high: its initial zoom fits the geojson to that height.
    """
    features = {feature["id"]: feature for feature in geojson["features"]}
    rows = values.set_index("area").reindex(list(features))
    suppressed = rows["suppressed"].eq(True)  # an area with no row reads False
    withheld = rows["withheld"].eq(True) if "withheld" in rows else pd.Series(False, index=rows.index)
    shown = rows["value"].notna() & ~suppressed
    unreliable = set(rows.index[rows["reliable"].eq(False)]) if "reliable" in rows else set()

    def name(code: str) -> str:
        return names.get(code, code)

    def mark(code: str) -> str:
        return f" ({unreliable_mark()})" if code in unreliable else ""

    traces = []
    if shown.any():
        traces.append(_value_trace(features, rows.loc[shown, "value"].astype(float), name, mark, value_label,
                                   colorscale))
    for codes, colour, label in (
        (rows.index[suppressed & ~withheld], SUPPRESSED_COLOUR, _(HIDDEN)),
        (rows.index[withheld], SUPPRESSED_COLOUR, _(WITHHELD)),
        (rows.index[~shown & ~suppressed], NO_DATA_COLOUR, _(NO_DATA_LABEL)),
    ):
        if len(codes):
            traces.append(_flat_trace(features, list(codes), colour, label, [f"{name(c)}: {label}" for c in codes]))
    if outlines:
        traces.append(_outline_trace(outlines, _(OUTLINES_LABEL)))

    figure = go.Figure(traces)
    figure.update_layout(
        map=_fitted_view(geojson),
        margin=dict(l=0, r=0, t=0, b=0),
        height=_MAP_HEIGHT_PX,
        # Same geography, same view: a new indicator or period keeps the user's zoom.
        uirevision=f"{len(features)}:{min(features)}",
        legend=dict(x=0.01, y=0.01, xanchor="left", yanchor="bottom", bgcolor="rgba(255,255,255,0.85)"),
        font=CHART_FONT,
    )
    return figure


def _value_trace(
    features: dict, values: pd.Series, name: Callable[[str], str], mark: Callable[[str], str], value_label: str,
    colorscale: str
) -> go.Choroplethmap:
    decimals = 0 if all(float(v).is_integer() for v in values) else 1
    low = min(0.0, values.min())
    high = values.max() if values.max() > low else low + 1
    return go.Choroplethmap(
        geojson=_subset(features, values.index),
        locations=list(values.index),
        z=values.tolist(),
        zmin=low,
        zmax=high,
        colorscale=colorscale,
        text=[f"{name(code)}: {number(value, decimals)}{mark(code)}" for code, value in values.items()],
        hovertemplate="%{text}<extra></extra>",
        colorbar=dict(title=dict(text="<br>".join(textwrap.wrap(value_label, _COLOUR_BAR_TITLE_CHARACTERS))),
                      tickformat=f",.{decimals}f", thickness=14, len=0.6,
                      **localized_ticks(low, high)),
        marker_line=dict(width=0.6, color=EDGE_COLOUR),
        name=value_label,
        showlegend=False,
    )


def _flat_trace(features: dict, codes: list[str], colour: str, label: str, hover: list[str]) -> go.Choroplethmap:
    """Areas in one plain colour with a legend entry; its data holds nothing but codes and labels."""
    return go.Choroplethmap(
        geojson=_subset(features, codes),
        locations=codes,
        z=[0] * len(codes),
        zmin=0,
        zmax=1,
        colorscale=[[0, colour], [1, colour]],
        showscale=False,
        text=hover,
        hovertemplate="%{text}<extra></extra>",
        marker_line=dict(width=0.6, color=EDGE_COLOUR),
        name=label,
        showlegend=True,
    )


def _outline_trace(outlines: dict, label: str) -> go.Scattermap:
    """Boundary lines as one line trace, lines separated by None gaps."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for feature in outlines["features"]:
        geometry = feature["geometry"]
        lines = [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]
        for line in lines:
            lons += [point[0] for point in line] + [None]
            lats += [point[1] for point in line] + [None]
    return go.Scattermap(
        lon=lons, lat=lats, mode="lines", line=dict(width=1.5, color=OUTLINE_COLOUR),
        hoverinfo="skip", name=label, showlegend=True,
    )


def _subset(features: dict, codes) -> dict:
    """Only the features a trace draws: each trace embeds its geojson, so sharing one whole would repeat it."""
    return {"type": "FeatureCollection", "features": [features[code] for code in codes]}


def _fitted_view(geojson: dict) -> dict:
    """Centre and zoom showing the whole geojson in a _MAP_HEIGHT_PX-high map (Web Mercator, 512 px tiles)."""
    lon_min, lat_min, lon_max, lat_max = bounds(geojson)

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span = max(math.radians(lon_max - lon_min), mercator_y(lat_max) - mercator_y(lat_min), 1e-6)
    zoom = math.log2(_MAP_HEIGHT_PX * 2 * math.pi / (512 * span * 1.1))
    centre = dict(lon=round((lon_min + lon_max) / 2, 4), lat=round((lat_min + lat_max) / 2, 4))
    return dict(style="white-bg", center=centre, zoom=round(zoom, 2))
