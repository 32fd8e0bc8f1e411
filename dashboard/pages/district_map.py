"""District map: one indicator by district (or by upazila inside one district), with the same numbers as a table."""

from __future__ import annotations

import re

import dash
from dash import Input, Output, callback, ctx, dcc, html, no_update

from queries.boundaries import district_geojson, division_outlines, upazila_geojson
from queries.definitions import INDICATORS
from queries.scope import scope_districts

from ..builders.district_map import (
    COUNT, MAP_INDICATORS, RATE, codes_to_compute, division_names_for_districts, division_values_on_districts,
    has_upazila_rows, map_figure, map_table, map_values, measure_label, rate_applies,
)
from ..components import data_table, definition_link, message
from ..i18n import N_, _, current_language, period_name
from ..context import current_scope, guarded, parse_filter, services
from ..map_figure import MAP_CONFIG

dash.register_page(__name__, path="/district-map", name=N_("District map"), order=1)

GRAPH_ID = "district-map-graph"
DISTRICT_CODE = re.compile(r"^BD\d{4}$")


def layout(**_query):
    scope = current_scope()
    gazetteer = services().gazetteer
    donor = scope.role == "donor"
    language = current_language()
    districts = [] if donor else [{"label": gazetteer.name(code, language), "value": code}
                                  for code in scope_districts(scope, gazetteer)]
    return html.Div([
        html.H2(_("District map")),
        html.P(_("One indicator for the chosen period, by district inside the chosen area. Select a district on the "
                 "map, or choose it below, to see its upazilas. Grey areas are hidden: a small count, or one that "
                 "would reveal another; light grey areas have no value. The table beside the map lists the same "
                 "numbers.")),
        html.P(_("Donor accounts see divisions only: each district is coloured with the value of its division, and "
                 "the map cannot be opened to districts or upazilas."), className="note") if donor else None,
        html.Div([
            html.Div([
                html.Label(_("Indicator to map"), htmlFor="map-indicator"),
                dcc.Dropdown(id="map-indicator", value=MAP_INDICATORS[0], clearable=False,
                             options=[{"label": _(INDICATORS[c].label), "value": c} for c in MAP_INDICATORS]),
            ], className="filter"),
            html.Div([
                html.Label(_("Measure"), htmlFor="map-measure"),
                dcc.RadioItems(id="map-measure", value=COUNT, inline=True,
                               options=[{"label": " " + _("count") + " ", "value": COUNT},
                                        {"label": " " + _("per 100,000 children"), "value": RATE}]),
            ], className="filter"),
            html.Div([
                html.Label(_("Upazilas of district"), htmlFor="map-district"),
                dcc.Dropdown(id="map-district", options=districts, value=None, placeholder=_("all districts"),
                             disabled=donor),
                html.Button(_("Back to districts"), id="map-back", n_clicks=0, type="button", disabled=donor),
            ], className="filter"),
        ], className="filter-bar map-controls"),
        dcc.Loading(html.Div(dcc.Graph(id=GRAPH_ID, config=MAP_CONFIG, style={"display": "none"}),
                             id="district-map-panel")),
    ])


@callback(Output("map-district", "value"), Input(GRAPH_ID, "clickData"), Input("map-back", "n_clicks"),
          Input("filter-area", "value"), prevent_initial_call=True)
def choose_district(click, _back, _area):
    """A district clicked on the map opens its upazilas; the back button or a new area closes them."""
    if ctx.triggered_id != GRAPH_ID:
        return None
    points = (click or {}).get("points") or [{}]
    location = points[0].get("location")
    if current_scope().role == "donor" or not isinstance(location, str) or not DISTRICT_CODE.match(location):
        return no_update
    return location


@callback(Output("district-map-panel", "children"), Input("filter-period", "value"), Input("filter-area", "value"),
          Input("map-indicator", "value"), Input("map-measure", "value"), Input("map-district", "value"),
          Input("language", "data"))
@guarded
def update_map(period, area, code, measure, district, language):
    if code not in MAP_INDICATORS or measure not in (COUNT, RATE):
        return message(_("Choose an indicator and a measure."))
    language = language if language in ("en", "bn") else "en"
    gazetteer = services().gazetteer
    area_level = gazetteer.areas[area].level if isinstance(area, str) and area in gazetteer.areas else None
    if district and not _is_district(district, gazetteer):  # a crafted request: the map only sends districts
        return message(_("Upazilas open for a district: choose one on the map."))
    if district or area_level == "district":
        return _upazila_panel(period, district or area, code, measure, language)
    if current_scope().role == "donor":
        return _division_panel(period, area, code, measure, language)
    return _district_panel(period, area, code, measure, language)


def _is_district(value, gazetteer) -> bool:
    return isinstance(value, str) and value in gazetteer.areas and gazetteer.areas[value].level == "district"


def _geo_dir():
    return services().settings.data_dir / "geo"


def _rows(filter_, code, measure):
    svc = services()
    return svc.engine.compute(filter_, codes_to_compute(code, measure), suppress_below=svc.settings.suppress_below)


def _district_panel(period, area, code, measure, language):
    filter_ = parse_filter(period, area, by="district")
    values = map_values(_rows(filter_, code, measure), code, measure)
    shown = set(values["area"])
    districts = district_geojson(_geo_dir())
    geojson = {"type": "FeatureCollection", "features": [f for f in districts["features"] if f["id"] in shown]}
    divisions = {code_[:4] for code_ in shown}
    outlines = division_outlines(_geo_dir())
    outlines = {"type": "FeatureCollection", "features": [f for f in outlines["features"] if f["id"] in divisions]}
    caption = _("{measure}, {period}, by district").format(measure=measure_label(code, measure),
                                                            period=period_name(filter_.period.label))
    return _panel(values, geojson, outlines, code, measure, language, caption, N_("District"))


def _division_panel(period, area, code, measure, language):
    filter_ = parse_filter(period, area, by="division")
    gazetteer = services().gazetteer
    values = map_values(_rows(filter_, code, measure), code, measure)
    on_districts = division_values_on_districts(values, gazetteer)
    shown = set(on_districts["area"])
    districts = district_geojson(_geo_dir())
    geojson = {"type": "FeatureCollection", "features": [f for f in districts["features"] if f["id"] in shown]}
    figure = map_figure(on_districts, geojson, division_outlines(_geo_dir()), gazetteer, code, measure, language,
                        names=division_names_for_districts(gazetteer, language),
                        value_label=_("{measure}: division value on each district").format(
                            measure=measure_label(code, measure)))
    caption = _("{measure}, {period}, by division").format(measure=measure_label(code, measure),
                                                            period=period_name(filter_.period.label))
    return _figure_and_table(figure, map_table(values, gazetteer, code, measure, N_("Division")), caption, code)


def _upazila_panel(period, district, code, measure, language):
    if not has_upazila_rows(code):
        return message(_("{indicator} is recorded by district only: there is no upazila value. Choose another "
                         "indicator, or go back to districts.").format(indicator=_(INDICATORS[code].label)))
    filter_ = parse_filter(period, district, by="upazila")
    notes = []
    if measure == RATE and rate_applies(code):
        notes.append(message(_("Child population is known by district only, so upazilas show counts."), "info"))
        measure = COUNT
    values = map_values(_rows(filter_, code, measure), code, measure)
    geojson = upazila_geojson(_geo_dir(), filter_.area)
    caption = _("{measure}, {period}, upazilas of {district} district").format(
        measure=measure_label(code, measure), period=period_name(filter_.period.label),
        district=services().gazetteer.name(filter_.area, language))
    return notes + _panel(values, geojson, None, code, measure, language, caption, N_("Upazila"))


def _panel(values, geojson, outlines, code, measure, language, caption, heading):
    gazetteer = services().gazetteer
    figure = map_figure(values, geojson, outlines, gazetteer, code, measure, language)
    return _figure_and_table(figure, map_table(values, gazetteer, code, measure, heading), caption, code)


def _figure_and_table(figure, table, caption, code):
    value_column = table.columns[-1]
    return [
        html.H3(caption, id="district-map-title"),
        html.P([_("Definition:"), " ", definition_link(code)]),
        html.Div([
            html.Figure([dcc.Graph(id=GRAPH_ID, figure=figure, config=MAP_CONFIG),
                         html.Figcaption(_("Map: {caption}. The table lists the same values.").format(
                             caption=caption))]),
            html.Div(data_table(table, caption, "district-map-table", numeric=(value_column,)),
                     className="table-scroll"),
        ], className="panel-row"),
    ]
