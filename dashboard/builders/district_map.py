"""Pure builders of the district map page: the values to map, the map, and the table beside it.

Input rows are the indicator engine's export rows, already suppressed for the
viewer's scope. A hidden row keeps no number, and nothing here reads one.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from queries.definitions import INDICATORS, reliable
from queries.geography import Gazetteer

from ..components import format_value
from ..i18n import N_, _, current_language
from ..map_figure import choropleth_figure

MAP_INDICATORS = (
    "cases_reported", "victims_identified", "minors_identified", "victims_brought_to_safety",
    "reports_received", "referrals_made", "charge_sheets_filed", "accused_convicted", "survivors_assessed",
    "conviction_rate_pct", "cases_referred_pct", "referrals_within_target_pct", "survivors_restored_pct",
)
COUNT, RATE = "count", "rate"
RATE_INDICATOR = "case_rate_per_100k_children"
PER_CHILDREN = 100_000.0
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


def value_text(value, kind: str, suppressed: bool, withheld: bool = False, reliable: bool | None = None) -> str:
    return format_value(None if suppressed else value, kind, suppressed, withheld, reliable)


def shown_kind(code: str, measure: str) -> str:
    return "rate" if measure == RATE and rate_applies(code) else INDICATORS[code].kind


def map_table(values: pd.DataFrame, gazetteer: Gazetteer, code: str, measure: str,
              area_heading: str = N_("District")) -> pd.DataFrame:
    """The map's numbers as text, largest first; hidden areas read "hidden", areas without a value "–"."""
    kind = shown_kind(code, measure)
    ordered = values.assign(
        _rank=values["suppressed"].map({True: 1, False: 0}).where(values["value"].notna() | values["suppressed"], 2))
    ordered = ordered.sort_values(["_rank", "value", "area"], ascending=[True, False, True], kind="stable")
    return pd.DataFrame({
        **area_names(list(ordered["area"]), gazetteer, _(area_heading)),
        "P-code": list(ordered["area"]),
        measure_label(code, measure): [value_text(v, kind, s, w, r) for v, s, w, r in zip(
            ordered["value"], ordered["suppressed"], ordered["withheld"], ordered["reliable"])],
    })


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
