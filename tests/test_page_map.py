"""District map: values, table and figure builders (hidden values leave no trace), and one browser run."""

from __future__ import annotations


import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.builders.district_map import (
    RATE, division_names_for_districts, division_values_on_districts, has_upazila_rows, map_figure, map_table,
    map_values, measure_label, mostly_hidden,
)
from dashboard.i18n import N_, speaking
from dashboard.table_view import model_table
from impact_monitor.exports import table_csv
from impact_monitor.table_model import Cell
from queries.boundaries import district_geojson, division_outlines, upazila_geojson
from tests.conftest import console_errors, outside_requests
from tests.panel_parts import tables_in

DHAKA, GAZIPUR, NARAYANGANJ, CHATTOGRAM = "BD3026", "BD3033", "BD3067", "BD2015"
HIDDEN_MARK = 987654321.0  # left in a hidden row on purpose: it must never come out


def _rows():
    """Engine rows for three Dhaka-division districts; Narayanganj's cases are hidden (suppressed)."""
    rows = [
        dict(indicator="cases_reported", area=DHAKA, value=50.0, numerator=50.0, denominator=None, suppressed=False, withheld=False),
        dict(indicator="cases_reported", area=GAZIPUR, value=20.0, numerator=20.0, denominator=None, suppressed=False, withheld=False),
        dict(indicator="cases_reported", area=NARAYANGANJ, value=HIDDEN_MARK, numerator=HIDDEN_MARK,
             denominator=None, suppressed=True, withheld=False),
        dict(indicator="victims_identified", area=DHAKA, value=30.0, numerator=30.0, denominator=None,
             suppressed=False, withheld=False),
        dict(indicator="victims_identified", area=GAZIPUR, value=12.0, numerator=12.0, denominator=None,
             suppressed=False, withheld=False),
        dict(indicator="victims_identified", area=NARAYANGANJ, value=HIDDEN_MARK, numerator=HIDDEN_MARK,
             denominator=None, suppressed=True, withheld=False),
        dict(indicator="case_rate_per_100k_children", area=DHAKA, value=2.5, numerator=50.0,
             denominator=2_000_000.0, suppressed=False, withheld=False),
        dict(indicator="case_rate_per_100k_children", area=GAZIPUR, value=None, numerator=20.0,
             denominator=None, suppressed=False, withheld=False),  # population missing
        dict(indicator="case_rate_per_100k_children", area=NARAYANGANJ, value=HIDDEN_MARK, numerator=HIDDEN_MARK,
             denominator=HIDDEN_MARK, suppressed=True, withheld=False),
    ]
    return pd.DataFrame(rows).assign(period="2026-Q1")


def _as_dict(values):
    return {row.area: (None if pd.isna(row.value) else row.value, bool(row.suppressed)) for row in values.itertuples()}


def test_map_values_counts_and_rates():
    assert _as_dict(map_values(_rows(), "cases_reported", "count")) == {
        DHAKA: (50.0, False), GAZIPUR: (20.0, False), NARAYANGANJ: (None, True)}
    assert _as_dict(map_values(_rows(), "cases_reported", RATE)) == {
        DHAKA: (2.5, False), GAZIPUR: (None, False), NARAYANGANJ: (None, True)}
    # victims per 100,000 children: 30 / 2,000,000 x 100,000 = 1.5; no population, no rate
    assert _as_dict(map_values(_rows(), "victims_identified", RATE)) == {
        DHAKA: (1.5, False), GAZIPUR: (None, False), NARAYANGANJ: (None, True)}


def test_rate_does_not_apply_to_percentages():
    rows = pd.DataFrame([dict(indicator="conviction_rate_pct", area=DHAKA, value=40.0, numerator=4.0,
                              denominator=10.0, suppressed=False, withheld=False, period="2026-Q1")])
    assert _as_dict(map_values(rows, "conviction_rate_pct", RATE)) == {DHAKA: (40.0, False)}


def _shown(table) -> pd.DataFrame:
    """A table as the screen writes it."""
    shown = tables_in(model_table(table, {}))[0]
    return pd.DataFrame(shown["rows"], columns=shown["columns"])


def test_table_sorted_descending_with_hidden_and_missing_last(gazetteer):
    model = map_table(map_values(_rows(), "cases_reported", RATE), gazetteer, "cases_reported", RATE)
    assert [(column.heading, column.kind) for column in model.columns] == [
        ("District", "text"), ("নাম", "text"), ("P-code", "text"), ("Cases reported per 100,000 children", "rate")]
    assert [row[3] for row in model.rows] == [Cell(2.5, reliable=True), Cell(mark="hidden"), Cell()]
    table = _shown(model)
    assert table.iloc[:, 0].tolist() == ["Dhaka", "Narayanganj", "Gazipur"]
    assert table.iloc[:, 3].tolist() == ["2.5", "hidden", "–"]
    assert table.iloc[0, 1] == "ঢাকা"
    counts = _shown(map_table(map_values(_rows(), "cases_reported", "count"), gazetteer, "cases_reported", "count"))
    assert counts.iloc[:, 3].tolist() == ["50", "20", "hidden"]


def test_figure_matches_table_and_holds_no_hidden_value(gazetteer, geo_cache_dir):
    values = map_values(_rows(), "cases_reported", "count")
    districts = district_geojson(geo_cache_dir)
    figure = map_figure(values, districts, division_outlines(geo_cache_dir), gazetteer, "cases_reported", "count")
    drawn = {location: text for trace in figure.data if trace.type == "choroplethmap"
             for location, text in zip(trace.locations, trace.text)}
    table = map_table(values, gazetteer, "cases_reported", "count")
    shown_in_table = dict(zip(_shown(table)["P-code"], _shown(table).iloc[:, 3]))
    assert drawn[DHAKA] == "Dhaka: 50" and drawn[GAZIPUR] == "Gazipur: 20" and drawn[NARAYANGANJ].endswith("hidden")
    assert shown_in_table == {DHAKA: "50", GAZIPUR: "20", NARAYANGANJ: "hidden"}
    assert len(districts["features"]) == 64
    serialised = figure.to_json()
    assert "987654321" not in serialised and "987654321" not in table_csv(table, []).decode()
    assert len(serialised) < 300_000, f"district figure is {len(serialised)} bytes"


def test_division_values_colour_each_district(gazetteer):
    divisions = pd.DataFrame([dict(area="BD30", value=90.0, suppressed=False, withheld=False, reliable=True),
                              dict(area="BD20", value=None, suppressed=True, withheld=False, reliable=None)])
    on_districts = division_values_on_districts(divisions, gazetteer).set_index("area")
    assert len(on_districts) == len(gazetteer.children("BD30")) + len(gazetteer.children("BD20"))
    assert on_districts.loc[DHAKA, "value"] == 90.0
    assert bool(on_districts.loc[CHATTOGRAM, "suppressed"]) and pd.isna(on_districts.loc[CHATTOGRAM, "value"])


def test_a_map_mostly_hidden_is_told_apart_from_one_partly_hidden():
    values = map_values(_rows(), "cases_reported", "count")  # one of three hidden
    assert not mostly_hidden(values)
    assert mostly_hidden(values.assign(suppressed=[False, True, True]))
    assert mostly_hidden(values.assign(suppressed=False, withheld=[True, True, False]))
    assert not mostly_hidden(values.iloc[0:0])


def test_upazila_rows_exist_for_case_indicators_only():
    assert has_upazila_rows("cases_reported") and has_upazila_rows("conviction_rate_pct")
    assert not has_upazila_rows("reports_received") and not has_upazila_rows("referrals_made")


def test_upazila_figure_is_small(gazetteer, geo_cache_dir):
    upazilas = upazila_geojson(geo_cache_dir, DHAKA)
    values = pd.DataFrame({"area": [f["id"] for f in upazilas["features"]], "value": 3.0, "suppressed": False})
    figure = map_figure(values, upazilas, None, gazetteer, "cases_reported", "count")
    assert len(figure.to_json()) < 1_500_000


# --- in the browser ------------------------------------------------------------------------------------

GRAPH = "#district-map-graph .js-plotly-plot"
DRAWN_LOCATIONS = f"""
const plot = document.querySelector('{GRAPH}');
if (!plot || !plot._fullData) return null;
return plot._fullData.filter(t => t.type === 'choroplethmap').flatMap(t => Array.from(t.locations));
"""


def _wait_for_locations(driver, predicate, seconds=90):
    WebDriverWait(driver, seconds).until(lambda d: predicate(d.execute_script(DRAWN_LOCATIONS) or []))
    return driver.execute_script(DRAWN_LOCATIONS)


@pytest.mark.browser
def test_map_draws_64_districts_and_drills_into_dhaka(open_browser, gazetteer):
    driver = open_browser("leadership")
    driver.get(driver.base_url + "/district-map")
    districts = _wait_for_locations(driver, lambda found: len(found) == 64)
    assert sorted(districts) == sorted(gazetteer.district_codes)

    # Choose Dhaka district in the drill-down dropdown (Dash 4: a button opening a searchable option list).
    driver.find_element(By.ID, "map-district").click()
    driver.switch_to.active_element.send_keys("Dhaka")
    option = f"//label[contains(@class, 'dash-dropdown-option')][.//input[@value='{DHAKA}']]"
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.XPATH, option))
    driver.find_element(By.XPATH, option).click()

    expected = sorted(a.pcode for a in gazetteer.children(DHAKA))
    upazilas = _wait_for_locations(driver, lambda found: sorted(found) == expected)
    assert all(code.startswith(DHAKA) for code in upazilas)
    assert "upazilas of Dhaka district" in driver.find_element(By.ID, "district-map-title").text

    driver.find_element(By.ID, "map-back").click()
    _wait_for_locations(driver, lambda found: len(found) == 64)
    assert console_errors(driver) == []
    assert outside_requests(driver) == []


def test_the_map_table_and_figure_speak_bangla_and_english_is_unchanged(gazetteer, geo_cache_dir):
    values = map_values(_rows(), "cases_reported", "count")
    districts = district_geojson(geo_cache_dir)
    with speaking("bn"):
        table = _shown(map_table(map_values(_rows(), "cases_reported", RATE), gazetteer, "cases_reported", RATE))
        figure = map_figure(values, districts, None, gazetteer, "cases_reported", "count", language="bn")
        division_table = _shown(map_table(values, gazetteer, "cases_reported", "count", N_("Division")))
    # In Bangla the Bangla name alone heads the row: no column of English names.
    assert list(table.columns) == ["জেলা", "P-code", "প্রতি ১,০০,০০০ শিশুতে রিপোর্ট হওয়া কেস"]
    assert table.iloc[:, 0].tolist() == [gazetteer.name(code, "bn") for code in (DHAKA, NARAYANGANJ, GAZIPUR)]
    assert table.iloc[:, 2].tolist() == ["২.৫", "গোপন", "–"]
    assert list(division_table.columns)[0] == "বিভাগ"
    assert figure.layout.legend.title.text == "রিপোর্ট হওয়া কেস"
    classes = {trace.name: list(trace.text) for trace in figure.data}
    assert classes["২০"] == ["গাজীপুর: ২০"] and classes["৫০"] == ["ঢাকা: ৫০"]
    assert classes["গোপন"] == [f"{gazetteer.name(NARAYANGANJ, 'bn')}: গোপন"]

    english = _shown(map_table(values, gazetteer, "cases_reported", "count"))
    assert list(english.columns) == ["District", "নাম", "P-code", "Cases reported"]
    assert english.iloc[:, 0].tolist() == ["Dhaka", "Gazipur", "Narayanganj"]
    figure = map_figure(values, districts, None, gazetteer, "cases_reported", "count")
    assert {trace.name: list(trace.text) for trace in figure.data}["50"] == ["Dhaka: 50"]


def test_map_captions_and_measures_read_in_bangla(gazetteer):
    with speaking("bn"):
        assert measure_label("conviction_rate_pct", "count") == "দণ্ডের হার (%)"
        assert measure_label("referral_turnaround_median_days", RATE) == "প্রথম সেবা পর্যন্ত দিনের মধ্যমা (দিন)"
        assert division_names_for_districts(gazetteer, "bn")[DHAKA] == "ঢাকা বিভাগ"
    assert measure_label("cases_reported", RATE) == "Cases reported per 100,000 children"
    assert division_names_for_districts(gazetteer, "en")[DHAKA] == "Dhaka division"
