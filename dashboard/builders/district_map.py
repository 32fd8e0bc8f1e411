"""Builders of the district map page: the values to map, the map, the table beside it and its source for the
downloads.

Input rows are the indicator engine's export rows, already suppressed for the
viewer's scope. A hidden row keeps no number, and nothing here reads one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from impact_monitor.services import Services
from impact_monitor.table_model import Cell, Column, Table
from queries.definitions import INDICATORS, reliable
from queries.geography import Gazetteer
from queries.publication import WITHHELD
from queries.scope import AreaFilter, FilterError, level_of, make_filter

from ..components import HIDDEN
from ..i18n import N_, _, current_language, period_name
from ..map_figure import choropleth_figure
from ..table_view import register_table_source

MAP_INDICATORS = (
    "cases_reported", "victims_identified", "minors_identified", "victims_brought_to_safety",
    "reports_received", "referrals_made", "charge_sheets_filed", "accused_convicted", "survivors_assessed",
    "conviction_rate_pct", "cases_referred_pct", "referrals_within_target_pct", "survivors_restored_pct",
)
COUNT, RATE = "count", "rate"
RATE_INDICATOR = "case_rate_per_100k_children"
PER_CHILDREN = 100_000.0
TABLE_ID = "district-map-table"
CHOOSE_INDICATOR = N_("Choose an indicator and a measure.")
CHOOSE_DISTRICT = N_("Upazilas open for a district: choose one on the map.")
NO_UPAZILAS = N_("{indicator} is recorded by district only: there is no upazila value. Choose another indicator, or "
                 "go back to districts.")
# The engine has no upazila rows for these families (reports and referrals carry only a district).
NO_UPAZILA_FAMILIES = ("reports", "referrals")


def has_upazila_rows(code: str) -> bool:
    return INDICATORS[code].family not in NO_UPAZILA_FAMILIES


def rate_applies(code: str) -> bool:
    return INDICATORS[code].kind == "count"


def codes_to_compute(code: str, measure: str) -> tuple[str, ...]:
    """The engine rows a map needs: the count, plus the case rate (its denominator is the child population)."""
    return (code, RATE_INDICATOR) if measure == RATE and rate_applies(code) else (code,)


def map_values(rows: pd.DataFrame, code: str, measure: str) -> pd.DataFrame:
    """(area, value, suppressed, withheld, reliable) of the chosen indicator and measure, one row per area.

    A rate per 100,000 children is the count over the area's child population,
    which is the denominator of the engine's case-rate row; it is null where
    that population is missing (or was hidden with a small case count), and a
    hidden count stays hidden.
    """
    own = rows[rows["indicator"] == code].set_index("area")
    values = pd.DataFrame({"area": own.index, "suppressed": own["suppressed"].astype(bool).to_numpy(),
                           "withheld": own["withheld"].astype(bool).to_numpy()})
    if measure == RATE and rate_applies(code):
        source = rows[rows["indicator"] == RATE_INDICATOR].set_index("area")
        if code == "cases_reported":
            rate = source["value"].reindex(own.index)
        else:
            population = pd.to_numeric(source["denominator"].reindex(own.index), errors="coerce")
            rate = pd.to_numeric(own["numerator"], errors="coerce") / population.where(population > 0) * PER_CHILDREN
        values["value"] = rate.to_numpy()
    else:
        values["value"] = own["value"].to_numpy()
    values["value"] = pd.to_numeric(values["value"], errors="coerce").astype("float64")
    values.loc[values["suppressed"], "value"] = None
    values["reliable"] = [reliable(shown_kind(code, measure), value, numerator)
                          for value, numerator in zip(values["value"], own["numerator"])]
    return values[["area", "value", "suppressed", "withheld", "reliable"]].reset_index(drop=True)


def division_values_on_districts(values: pd.DataFrame, gazetteer: Gazetteer) -> pd.DataFrame:
    """Each district carries its division's value: how a division-level audience sees a map."""
    by_division = values.set_index("area")
    districts = [a for a in gazetteer.level("district") if a.parent in by_division.index]
    return pd.DataFrame({
        "area": [d.pcode for d in districts],
        "value": [by_division.loc[d.parent, "value"] for d in districts],
        "suppressed": [bool(by_division.loc[d.parent, "suppressed"]) for d in districts],
        "withheld": [bool(by_division.loc[d.parent, "withheld"]) for d in districts],
        "reliable": [by_division.loc[d.parent, "reliable"] for d in districts],
    })


def measure_label(code: str, measure: str) -> str:
    label = _(INDICATORS[code].label)
    if measure == RATE and rate_applies(code):
        return _("{indicator} per 100,000 children").format(indicator=label)
    unit = INDICATORS[code].unit
    return f"{label} ({_(unit)})" if unit else label


def shown_kind(code: str, measure: str) -> str:
    return "rate" if measure == RATE and rate_applies(code) else INDICATORS[code].kind


def _value_cell(value, suppressed: bool, withheld: bool, reliable) -> Cell:
    if withheld:
        return Cell(mark=WITHHELD)
    if suppressed:
        return Cell(mark=HIDDEN)
    if value is None or pd.isna(value):
        return Cell()
    return Cell(float(value), reliable=None if reliable is None or pd.isna(reliable) else bool(reliable))


def map_table(values: pd.DataFrame, gazetteer: Gazetteer, code: str, measure: str,
              area_heading: str = N_("District"), title: str = "") -> Table:
    """The map's numbers, largest first; hidden areas carry their marks, areas without a value read "–"."""
    kind = shown_kind(code, measure)
    ordered = values.assign(
        _rank=values["suppressed"].map({True: 1, False: 0}).where(values["value"].notna() | values["suppressed"], 2))
    ordered = ordered.sort_values(["_rank", "value", "area"], ascending=[True, False, True], kind="stable")
    names = area_names(list(ordered["area"]), gazetteer, _(area_heading))
    columns = (*[Column(heading) for heading in names], Column("P-code"), Column(measure_label(code, measure), kind))
    rows = tuple(
        (*[Cell(column[i]) for column in names.values()], Cell(area),
         _value_cell(value, suppressed, withheld, reliable_))
        for i, (area, value, suppressed, withheld, reliable_) in enumerate(zip(
            ordered["area"], ordered["value"], ordered["suppressed"], ordered["withheld"], ordered["reliable"])))
    return Table(TABLE_ID, title, columns, rows)


def area_names(areas: list[str], gazetteer: Gazetteer, heading: str) -> dict[str, list[str]]:
    """The areas' name columns: in English the name and, beside it, the Bangla name; in Bangla the Bangla name
    alone."""
    if current_language() == "bn":
        return {heading: [gazetteer.name(a, "bn") for a in areas]}
    return {heading: [gazetteer.name(a, "en") for a in areas], "নাম": [gazetteer.name(a, "bn") for a in areas]}


def map_figure(values: pd.DataFrame, geojson: dict, outlines: dict | None, gazetteer: Gazetteer, code: str,
               measure: str, language: str = "en", names: dict[str, str] | None = None,
               value_label: str | None = None) -> go.Figure:
    """The choropleth of `values`, areas named in `language`; hidden areas are grey and carry no number."""
    names = names or {f["id"]: gazetteer.name(f["id"], language) for f in geojson["features"]}
    return choropleth_figure(values, geojson, outlines, value_label=value_label or measure_label(code, measure),
                             names=names)


def division_names_for_districts(gazetteer: Gazetteer, language: str) -> dict[str, str]:
    """District code -> "<division> division": the hover of a map coloured by division."""
    return {d.pcode: gazetteer.full_name(d.parent, language) for d in gazetteer.level("district")}


def nothing_recorded(view: "MapView") -> bool:
    """No area has a value or a hidden one, or every count is 0: the period holds no record (yet)."""
    values = view.values
    if (values["suppressed"] | values["withheld"]).any():
        return False
    shown = values["value"].dropna()
    return shown.empty or (shown_kind(view.code, view.measure) == "count" and shown.eq(0).all())


def mostly_hidden(values: pd.DataFrame) -> bool:
    """More than half of the areas are hidden or withheld: a map of grey, better read over a longer period."""
    return len(values) > 0 and (values["suppressed"] | values["withheld"]).mean() > 0.5


@dataclass(frozen=True)
class MapView:
    """What the map and its table show for one choice: the level mapped, the filter the numbers come from, the
    measure shown (a rate falls back to a count for upazilas) and the values, one row per area of the table."""

    level: str
    filter: AreaFilter
    code: str
    measure: str
    values: pd.DataFrame
    rate_fell_back: bool = False


def map_view(svc: Services, chosen: AreaFilter, code: object, measure: object, district: object) -> MapView:
    """The values for an indicator, a measure and an opened district (or none) inside the chosen area: upazilas
    of a district, divisions for a donor, districts otherwise. Refuses a choice the page never offers."""
    gazetteer = svc.gazetteer
    if code not in MAP_INDICATORS or measure not in (COUNT, RATE):
        raise FilterError(CHOOSE_INDICATOR)
    if district is not None and not (isinstance(district, str) and district in gazetteer.areas
                                     and gazetteer.areas[district].level == "district"):
        raise FilterError(CHOOSE_DISTRICT)
    if district or level_of(chosen.area, gazetteer) == "district":
        if not has_upazila_rows(code):
            raise FilterError(NO_UPAZILAS, indicator=_(INDICATORS[code].label))
        fell_back = measure == RATE and rate_applies(code)
        level, area, measure = "upazila", district or chosen.area, COUNT if fell_back else measure
    else:
        fell_back, area = False, chosen.area
        level = "division" if chosen.scope.role == "donor" else "district"
    filter_ = make_filter(chosen.period, area, level, chosen.scope, gazetteer)
    rows = svc.engine.compute(filter_, codes_to_compute(code, measure), suppress_below=svc.settings.suppress_below)
    return MapView(level, filter_, code, measure, map_values(rows, code, measure), fell_back)


def view_caption(view: MapView, gazetteer: Gazetteer) -> str:
    measure, period = measure_label(view.code, view.measure), period_name(view.filter.period.label)
    if view.level == "upazila":
        return _("{measure}, {period}, upazilas of {district} district").format(
            measure=measure, period=period, district=gazetteer.name(view.filter.area, current_language()))
    template = _("{measure}, {period}, by division") if view.level == "division" else \
        _("{measure}, {period}, by district")
    return template.format(measure=measure, period=period)


AREA_HEADINGS = {"district": N_("District"), "division": N_("Division"), "upazila": N_("Upazila")}


def view_table(view: MapView, gazetteer: Gazetteer) -> Table:
    return map_table(view.values, gazetteer, view.code, view.measure, AREA_HEADINGS[view.level],
                     view_caption(view, gazetteer))


def build_map_table(svc: Services, chosen: AreaFilter, params: dict) -> Table:
    """The map's table for the page's choices (`params`: indicator, measure, district), for its downloads."""
    view = map_view(svc, chosen, params.get("indicator"), params.get("measure"), params.get("district"))
    return view_table(view, svc.gazetteer)


# The page's controls, as the page starts: the first indicator, its count, no district opened.
CONTROLS = {"indicator": MAP_INDICATORS[0], "measure": COUNT, "district": None}
register_table_source(TABLE_ID, "district-map", build_map_table, CONTROLS)
