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

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from queries.boundaries import bounds
from queries.publication import WITHHELD

from .builders.chart_language import CHART_FONT, GRAPH_CONFIG
from .components import HIDDEN, unreliable_mark
from .i18n import N_, _, number

# The map's dcc.Graph config, given to `chart_config` (which keeps the chart's data off Plotly's cloud): the
# charts' own, and the mouse wheel zooms. (plotly.js 4 has no mapbox, so no mapboxAccessToken to blank.)
MAP_CONFIG = {**GRAPH_CONFIG, "scrollZoom": True}

SUPPRESSED_COLOUR = "#a6a6a6"  # a neutral grey: viridis holds no grey
NO_DATA_COLOUR = "#e8e8e8"
EDGE_COLOUR = "#d0d0d0"
OUTLINE_COLOUR = "#3c3c3c"
MAP_HEIGHT_PX = 520  # the map itself; the legend below it adds LEGEND_SPACE_PX
LEGEND_SPACE_PX = 110
# A legend title longer than this wraps: on one line it would take the map's width on a phone.
_LEGEND_TITLE_CHARACTERS = 30
# Colour classes: about as many areas in each, so that one district far above the others does not flatten them
# all into one colour (a continuous scale from 0 to its value would).
CLASS_COUNT = 5

# Legend entries besides the page-wide marks HIDDEN and WITHHELD, translated when a map is drawn.
NO_DATA_LABEL, OUTLINES_LABEL = N_("no data"), N_("Division boundary")


def choropleth_figure(
    values: pd.DataFrame,
    geojson: dict,
    outlines: dict | None,
    *,
    value_label: str,
    names: dict[str, str],
) -> go.Figure:
    """One map of `values` (columns area, value, suppressed; withheld and reliable optional) over the features of
    `geojson`, its words and numbers in the current language. An unreliable value says so in its hover text.

    The shown values fall into up to CLASS_COUNT quantile classes, each a legend entry writing its range; hidden
    and withheld areas are grey with their marks. Areas of the map missing from `values`, or with a null value,
    show as "no data". The view fits the areas drawn (FIT_SCRIPT fits it to the screen's width).
    """
    features = {feature["id"]: feature for feature in geojson["features"]}
    rows = values.set_index("area").reindex(list(features))
    suppressed = rows["suppressed"].eq(True)  # an area with no row reads False
    withheld = rows["withheld"].eq(True) if "withheld" in rows else pd.Series(False, index=rows.index)
    shown = rows["value"].notna() & ~suppressed
    unreliable = set(rows.index[rows["reliable"].eq(False)]) if "reliable" in rows else set()
    shown_values = rows.loc[shown, "value"].astype(float)
    decimals = 0 if all(float(v).is_integer() for v in shown_values) else 1

    def hover(code: str, text: str) -> str:
        return f"{names.get(code, code)}: {text}"

    def value_hover(code: str) -> str:
        mark = f" ({unreliable_mark()})" if code in unreliable else ""
        return hover(code, number(shown_values[code], decimals) + mark)

    classes = colour_classes(shown_values)
    traces = [_flat_trace(features, list(members.index), colour, class_label(members, decimals),
                          [value_hover(code) for code in members.index])
              for members, colour in zip(classes, class_colours(len(classes)))]
    for codes, colour, label in (
        (rows.index[suppressed & ~withheld], SUPPRESSED_COLOUR, _(HIDDEN)),
        (rows.index[withheld], SUPPRESSED_COLOUR, _(WITHHELD)),
        (rows.index[~shown & ~suppressed], NO_DATA_COLOUR, _(NO_DATA_LABEL)),
    ):
        if len(codes):
            traces.append(_flat_trace(features, list(codes), colour, label, [hover(c, label) for c in codes]))
    if outlines:
        traces.append(_outline_trace(outlines, _(OUTLINES_LABEL)))

    figure = go.Figure(traces)
    figure.update_layout(
        # A view fitted to a MAP_HEIGHT_PX square; the page fits it again to the map's own box (FIT_SCRIPT), from
        # the bounds kept in `meta`: Plotly fits no choropleth map by itself.
        map=_fitted_view(geojson),
        meta={"fit": list(bounds(geojson))},
        margin=dict(l=0, r=0, t=0, b=0),
        height=MAP_HEIGHT_PX + LEGEND_SPACE_PX,
        # Same geography, same view: a new indicator or period keeps the user's zoom.
        uirevision=f"{len(features)}:{min(features)}",
        # Below the map, where it hides no area; its title says what the classes measure.
        legend=dict(orientation="h", x=0, y=0, xanchor="left", yanchor="top", traceorder="normal",
                    title=dict(text="<br>".join(textwrap.wrap(value_label, _LEGEND_TITLE_CHARACTERS)),
                               side="top")),
        font=CHART_FONT,
    )
    return figure


def _fitted_view(geojson: dict) -> dict:
    """Centre and zoom showing the whole geojson in a MAP_HEIGHT_PX square (Web Mercator, 512 px tiles)."""
    west, south, east, north = bounds(geojson)
    span = max(math.radians(east - west), _mercator_y(north) - _mercator_y(south), 1e-6)
    zoom = math.log2(MAP_HEIGHT_PX * 2 * math.pi / (512 * span * 1.1))
    middle = (_mercator_y(south) + _mercator_y(north)) / 2
    centre = dict(lon=round((west + east) / 2, 4), lat=round(_mercator_lat(middle), 4))
    return dict(style="white-bg", center=centre, zoom=round(zoom, 2))


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _mercator_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


# Fits a map's view to the bounds in its figure's `meta` and to the map's own box, once Plotly has drawn that figure
# and its map has loaded: the whole area chosen shows on a phone as on a laptop. The same arithmetic as _fitted_view,
# with the box's width. It looks again until the map holds the zoom asked for: a view set while a new figure is
# still being drawn can be overwritten by the figure's own.
FIT_SCRIPT = """
function (figure, graphId) {
    const fit = figure && figure.layout && figure.layout.meta && figure.layout.meta.fit;
    if (!fit) { return window.dash_clientside.no_update; }
    const [west, south, east, north] = fit;
    const y = (lat) => Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360));
    const lat = (value) => (2 * Math.atan(Math.exp(value)) - Math.PI / 2) * 180 / Math.PI;
    function refit(attempt) {
        if (attempt > 100) { return; }
        const plot = document.querySelector('#' + graphId + ' .js-plotly-plot');
        const layout = plot && plot._fullLayout;
        const drawn = layout && layout.meta && JSON.stringify(layout.meta.fit) === JSON.stringify(fit);
        const map = drawn && layout.map && layout.map._subplot && layout.map._subplot.map;
        if (!map || !map.loaded() || !layout._size) { setTimeout(() => refit(attempt + 1), 100); return; }
        // The box as the page lays it out (Plotly may not have taken its final width yet), less the margins.
        const domain = layout.map.domain;
        const width = (plot.clientWidth - layout.margin.l - layout.margin.r) * (domain.x[1] - domain.x[0]);
        const height = layout._size.h * (domain.y[1] - domain.y[0]);
        const spanX = Math.max((east - west) * Math.PI / 180, 1e-6), spanY = Math.max(y(north) - y(south), 1e-6);
        const zoom = Math.log2(Math.min(width / spanX, height / spanY) * 2 * Math.PI / 512 / 1.1);
        if (Math.abs(map.getZoom() - zoom) > 0.01) {
            window.Plotly.relayout(plot, {'map.center': {lon: (west + east) / 2, lat: lat((y(south) + y(north)) / 2)},
                                          'map.zoom': zoom});
            setTimeout(() => refit(attempt + 1), 200);
        }
    }
    refit(0);
    return '';
}
"""


def colour_classes(values: pd.Series) -> list[pd.Series]:
    """The values split into quantile classes, lowest first: CLASS_COUNT classes of about as many areas each, or
    a class per value when there are fewer distinct values; equal values always share a class."""
    if values.empty:
        return []
    if values.nunique() <= CLASS_COUNT:
        return [members for _value, members in values.groupby(values)]
    bins = pd.qcut(values, CLASS_COUNT, labels=False, duplicates="drop")
    return [values[bins == b] for b in sorted(bins.unique())]


def class_colours(count: int) -> list[str]:
    """`count` colours of the viridis scale (readable with any colour vision), light for low values, dark for
    high ones."""
    if count == 1:
        return [sample_colorscale("Viridis", [0.5])[0]]
    return sample_colorscale("Viridis", [1 - i / (count - 1) for i in range(count)])


def class_label(members: pd.Series, decimals: int) -> str:
    """A class's range, as its legend writes it: "12 – 40", or one value alone."""
    low, high = number(members.min(), decimals), number(members.max(), decimals)
    return low if low == high else f"{low} – {high}"


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
