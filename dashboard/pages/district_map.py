"""District map: one indicator by district (or by upazila inside one district, or by division for a donor), with
the same numbers as a table."""

from __future__ import annotations

import re

import dash
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from queries.boundaries import district_geojson, division_outlines, upazila_geojson
from queries.definitions import INDICATORS
from queries.periods import parse_period
from queries.scope import scope_districts

from ..builders.chart_language import chart_config
from ..builders.district_map import (
    CONTROLS, COUNT, MAP_INDICATORS, RATE, division_names_for_districts, division_values_on_districts, map_figure,
    map_view, measure_label, mostly_hidden, nothing_recorded, view_caption, view_table,
)
from ..components import definition_link, message
from ..i18n import N_, _, current_language, digits
from ..context import current_scope, guarded, parse_area_filter, services
from ..map_figure import FIT_SCRIPT, MAP_CONFIG
from ..panels import not_released_notes
from ..table_view import model_table

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
        html.P(_("One indicator for the chosen period, by division inside the chosen area. Grey areas are hidden: a "
                 "small count, or one that would reveal another; light grey areas have no value. The table beside "
                 "the map lists the same numbers.") if donor else
               _("One indicator for the chosen period, by district inside the chosen area. Select a district on the "
                 "map, or choose it below, to see its upazilas. Grey areas are hidden: a small count, or one that "
                 "would reveal another; light grey areas have no value. The table beside the map lists the same "
                 "numbers.")),
        html.P(_("Donor accounts see divisions only: each division is coloured with its own value, and the map "
                 "cannot be opened to districts or upazilas."), className="note") if donor else None,
        html.Div([
            html.Div([
                html.Label(_("Indicator to map"), htmlFor="map-indicator"),
                dcc.Dropdown(id="map-indicator", value=CONTROLS["indicator"], clearable=False,
                             options=[{"label": _(INDICATORS[c].label), "value": c} for c in MAP_INDICATORS]),
            ], className="filter"),
            html.Div([
                html.Label(_("Measure"), htmlFor="map-measure"),
                dcc.RadioItems(id="map-measure", value=CONTROLS["measure"], inline=True,
                               options=[{"label": " " + _("count") + " ", "value": COUNT},
                                        {"label": " " + _("per 100,000 children"), "value": RATE}]),
            ], className="filter"),
            # A donor sees divisions only: the district controls stay in the page, out of sight and unused.
            html.Div([
                html.Label(_("Upazilas of district"), htmlFor="map-district"),
                dcc.Dropdown(id="map-district", options=districts, value=None, placeholder=_("all districts"),
                             disabled=donor),
                html.Button(_("Back to districts"), id="map-back", n_clicks=0, type="button", disabled=donor),
            ], className="filter", hidden=donor),
        ], className="filter-bar map-controls"),
        dcc.Loading(html.Div(_no_map(), id="district-map-panel")),
        html.Span(id="district-map-fitted", hidden=True),
    ])


clientside_callback(FIT_SCRIPT, Output("district-map-fitted", "children"), Input(GRAPH_ID, "figure"),
                    State(GRAPH_ID, "id"))


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


@callback(Output("filter-period", "value", allow_duplicate=True), Input("map-show-year", "n_clicks"),
          State("filter-period", "value"), prevent_initial_call=True)
def show_the_year(clicks, period):
    """The year of the chosen quarter, offered when the quarter hides most areas."""
    if not clicks:
        return no_update
    try:
        return str(parse_period(period, services().settings.fiscal_year_start).start.year)
    except ValueError:
        return no_update


@callback(Output("district-map-panel", "children"), Input("filter-period", "value"), Input("filter-area", "value"),
          Input("map-indicator", "value"), Input("map-measure", "value"), Input("map-district", "value"),
          Input("language", "data"))
@guarded
def update_map(period, area, code, measure, district, language):
    language = language if language in ("en", "bn") else "en"
    chosen = parse_area_filter(period, area)
    unreleased = not_released_notes(services(), chosen.scope, chosen.period)
    if unreleased:
        return [*unreleased, _no_map()]
    view = map_view(services(), chosen, code, measure, district)
    if nothing_recorded(view):
        return [message(_("No records in this period."), "info"), _no_map()]
    notes = [message(_("Child population is known by district only, so upazilas show counts."), "info")] \
        if view.rate_fell_back else []
    params = {"period": chosen.period.label, "area": chosen.area, "indicator": code, "measure": measure,
              "district": district}
    if view.filter.period.kind == "quarter" and mostly_hidden(view.values):
        # A map of grey says nothing: the year instead, and the table to say which areas are hidden.
        return notes + _year_offer(view) + _figure_and_table(None, view, params)
    return notes + _figure_and_table(_figure(view, language), view, params)


def _year_offer(view) -> list:
    year = str(view.filter.period.start.year)
    return [message(_("Most areas are hidden in this quarter: their counts are small, or would reveal one. A whole "
                      "year gathers more records, so more of the map can be shown."), "info"),
            html.Button(_("Show the year {year}").format(year=digits(year)), id="map-show-year", n_clicks=0,
                        type="button",
                        className="no-print")]


def _no_map() -> dcc.Graph:
    """The map's graph, out of sight: the callbacks that read the map's clicks and fit its view need it in the
    page even when no map is drawn."""
    return dcc.Graph(id=GRAPH_ID, config=chart_config(_("District map"), MAP_CONFIG), style={"display": "none"})


def _geo_dir():
    return services().settings.data_dir / "geo"


def _figure(view, language):
    gazetteer = services().gazetteer
    if view.level == "upazila":
        return map_figure(view.values, upazila_geojson(_geo_dir(), view.filter.area), None, gazetteer, view.code,
                          view.measure, language)
    values = division_values_on_districts(view.values, gazetteer) if view.level == "division" else view.values
    shown = set(values["area"])
    districts = district_geojson(_geo_dir())
    geojson = {"type": "FeatureCollection", "features": [f for f in districts["features"] if f["id"] in shown]}
    divisions = {code[:4] for code in shown}
    outlines = division_outlines(_geo_dir())
    outlines = {"type": "FeatureCollection", "features": [f for f in outlines["features"] if f["id"] in divisions]}
    if view.level == "division":
        return map_figure(values, geojson, outlines, gazetteer, view.code, view.measure, language,
                          names=division_names_for_districts(gazetteer, language),
                          value_label=_("{measure}, by division").format(
                              measure=measure_label(view.code, view.measure)))
    return map_figure(values, geojson, outlines, gazetteer, view.code, view.measure, language)


def _figure_and_table(figure, view, params):
    """The map (none when `figure` is None) and the table of the same values beside it."""
    gazetteer = services().gazetteer
    caption = view_caption(view, gazetteer)
    drawn = [_no_map()] if figure is None else [
        html.Figure([dcc.Graph(id=GRAPH_ID, figure=figure, config=chart_config(caption, MAP_CONFIG)),
                     html.Figcaption(_("Map: {caption}. The table lists the same values.").format(caption=caption))],
                    style={"margin": 0})]
    return [
        html.H3(caption, id="district-map-title"),
        html.P([_("Definition:"), " ", definition_link(view.code)]),
        html.Div([*drawn, model_table(view_table(view, gazetteer), params)], className="panel-row"),
    ]
