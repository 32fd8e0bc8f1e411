"""Maps draw from the server's own simplified geometry, stay small, and leak no suppressed value."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from dashboard.i18n import speaking
from dashboard.builders.chart_language import GRAPH_CONFIG, chart_config
from dashboard.map_figure import CLASS_COUNT, MAP_CONFIG, SUPPRESSED_COLOUR, choropleth_figure, class_colours
from queries import boundaries
from queries.boundaries import bounds, district_geojson, division_outlines, upazila_geojson

DHAKA = "BD3026"
HIDDEN_VALUE = 7.123456  # unique: must appear nowhere in a figure


def _figure(geojson, outlines=None, *, values=None, suppressed=(), names=None, **options):
    codes = [feature["id"] for feature in geojson["features"]]
    values = values or {code: float(100 + i) for i, code in enumerate(codes)}
    frame = pd.DataFrame({"area": list(values), "value": list(values.values())})
    frame["suppressed"] = frame["area"].isin(suppressed)
    options.setdefault("value_label", "Cases reported")
    return choropleth_figure(frame, geojson, outlines, names=names or {}, **options)


def _trace_named(figure, name):
    return next(trace for trace in figure.data if trace.name == name)


def _numbers(node):
    """Every number in a nested figure dict."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _numbers(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _numbers(value)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield node


def test_district_features_are_the_gazetteers_districts(geo_cache_dir, gazetteer):
    features = district_geojson(geo_cache_dir)["features"]
    assert [f["id"] for f in features] == list(gazetteer.district_codes)
    assert len(features) == 64
    assert all(f["properties"] == {"pcode": f["id"]} for f in features)


def test_division_outlines_are_lines_of_the_eight_divisions(geo_cache_dir, gazetteer):
    outlines = division_outlines(geo_cache_dir)
    assert [f["id"] for f in outlines["features"]] == list(gazetteer.division_codes)
    assert {f["geometry"]["type"] for f in outlines["features"]} <= {"LineString", "MultiLineString"}
    print(f"\ndivision outlines: {len(json.dumps(outlines, separators=(',', ':'))) / 1000:.0f} KB")


def test_bounds_cover_bangladesh(geo_cache_dir):
    lon_min, lat_min, lon_max, lat_max = bounds(district_geojson(geo_cache_dir))
    assert 88.0 <= lon_min < 88.1 and 92.6 < lon_max <= 92.7
    assert 20.5 < lat_min < 20.8 and 26.5 < lat_max < 26.7


def test_district_figure_is_small(geo_cache_dir):
    figure = _figure(district_geojson(geo_cache_dir), division_outlines(geo_cache_dir))
    size = len(figure.to_json())
    print(f"\ndistrict figure with division outlines: {size / 1000:.0f} KB")
    assert size < 300_000


def _largest_district(geo_cache_dir, gazetteer) -> str:
    return max(gazetteer.district_codes, key=lambda code: len(json.dumps(upazila_geojson(geo_cache_dir, code))))


def test_upazila_figures_are_small(geo_cache_dir, gazetteer):
    for district in (DHAKA, _largest_district(geo_cache_dir, gazetteer)):
        size = len(_figure(upazila_geojson(geo_cache_dir, district)).to_json())
        print(f"\nupazila figure of {district}: {size / 1000:.0f} KB")
        assert size < 1_500_000


def test_upazilas_belong_to_their_district(geo_cache_dir, gazetteer):
    seen = []
    for district in gazetteer.district_codes:
        codes = [f["id"] for f in upazila_geojson(geo_cache_dir, district)["features"]]
        assert codes and all(gazetteer.areas[code].parent == district for code in codes)
        seen += codes
    assert sorted(seen) == sorted(gazetteer.upazila_codes)


def test_unknown_district_has_no_upazilas(geo_cache_dir):
    with pytest.raises(KeyError):
        upazila_geojson(geo_cache_dir, "BD9999")


def test_suppressed_value_never_reaches_the_figure(geo_cache_dir):
    geojson = district_geojson(geo_cache_dir)
    values = {f["id"]: 250.0 for f in geojson["features"]}
    values[DHAKA] = HIDDEN_VALUE  # a caller that forgot to null it
    figure = _figure(geojson, values=values, suppressed={DHAKA})
    assert str(HIDDEN_VALUE) not in figure.to_json()
    assert not any("7.1" in label for trace in figure.data for label in trace.text or ())
    assert all(not math.isclose(number, HIDDEN_VALUE) for number in _numbers(figure.to_dict()))


def test_suppressed_area_hovers_as_hidden(geo_cache_dir):
    # "hidden", not "fewer than k": a complementary cell is hidden although it holds more.
    figure = _figure(district_geojson(geo_cache_dir), suppressed={DHAKA}, names={DHAKA: "Dhaka"})
    hidden = _trace_named(figure, "hidden")
    assert list(hidden.locations) == [DHAKA]
    assert list(hidden.text) == ["Dhaka: hidden"]
    assert hidden.colorscale[0][1] == SUPPRESSED_COLOUR
    assert set(hidden.z) == {0} and hidden.customdata is None
    assert all(DHAKA not in trace.locations for trace in figure.data if trace.name != "hidden")


def test_classes_show_the_spread_when_one_district_dwarfs_the_others(geo_cache_dir):
    """63 districts from 1 to 63 cases and Dhaka with 5,000: a scale from 0 to 5,000 would paint the 63 alike."""
    geojson = district_geojson(geo_cache_dir)
    codes = [f["id"] for f in geojson["features"] if f["id"] != DHAKA]
    values = {code: float(i + 1) for i, code in enumerate(codes)} | {DHAKA: 5000.0}
    figure = _figure(geojson, values=values)
    classes = [trace for trace in figure.data if trace.name not in ("hidden", "withheld", "no data")]
    assert len(classes) == CLASS_COUNT
    assert [len(trace.locations) for trace in classes] == [13, 13, 12, 13, 13]  # about as many areas each
    assert [trace.name for trace in classes] == ["1 – 13", "14 – 26", "27 – 38", "39 – 51", "52 – 5,000"]
    colours = [trace.colorscale[0][1] for trace in classes]
    assert len(set(colours)) == CLASS_COUNT and colours == class_colours(CLASS_COUNT)
    assert figure.layout.legend.title.text == "Cases reported"


def test_few_values_get_a_class_each(geo_cache_dir):
    figure = _figure(district_geojson(geo_cache_dir), values={DHAKA: 3.0, "BD3033": 3.0, "BD3067": 12.5})
    assert [(trace.name, sorted(trace.locations)) for trace in figure.data][:2] == [
        ("3.0", [DHAKA, "BD3033"]), ("12.5", ["BD3067"])]


def test_the_figure_keeps_the_bounds_the_page_fits_its_view_to(geo_cache_dir):
    """A first view fitted to a square, and the bounds of the areas drawn, from which the page fits the view to the
    map's own box (FIT_SCRIPT; the browser test checks the whole area shows on a phone and a laptop)."""
    upazilas = upazila_geojson(geo_cache_dir, DHAKA)
    figure = _figure(upazilas)
    assert figure.layout.meta["fit"] == list(bounds(upazilas))
    west, south, east, north = bounds(upazilas)
    assert west < figure.layout.map.center.lon < east and south < figure.layout.map.center.lat < north


def test_bangla_labels_hover_and_legend(geo_cache_dir):
    geojson = district_geojson(geo_cache_dir)
    names = {DHAKA: "ঢাকা", "BD3033": "গাজীপুর"}
    with speaking("bn"):
        figure = _figure(geojson, values={DHAKA: 5.0, "BD3033": 12345.0}, suppressed={DHAKA}, names=names,
                         value_label="রিপোর্ট হওয়া কেস", outlines=division_outlines(geo_cache_dir))
    assert list(_trace_named(figure, "গোপন").text) == ["ঢাকা: গোপন"]  # the page's word for a hidden number
    assert {trace.name for trace in figure.data} == {"১২,৩৪৫", "গোপন", "তথ্য নেই", "বিভাগের সীমানা"}
    assert list(_trace_named(figure, "১২,৩৪৫").text) == ["গাজীপুর: ১২,৩৪৫"]
    assert figure.layout.legend.title.text == "রিপোর্ট হওয়া কেস"


def test_a_long_legend_title_wraps_instead_of_widening_the_legend(geo_cache_dir):
    figure = _figure(district_geojson(geo_cache_dir), values={DHAKA: 2.5},
                     value_label="Cases reported per 100,000 children")
    assert figure.layout.legend.title.text == "Cases reported per 100,000<br>children"


def test_hover_shows_exact_values(geo_cache_dir):
    geojson = district_geojson(geo_cache_dir)
    counts = _figure(geojson, values={DHAKA: 12345.0}, names={DHAKA: "Dhaka"})
    assert list(_trace_named(counts, "12,345").text) == ["Dhaka: 12,345"]
    rates = _figure(geojson, values={DHAKA: 12.345, "BD3033": 2.0}, names={DHAKA: "Dhaka"}, value_label="Rate")
    assert _trace_named(rates, "12.3").text[0] == "Dhaka: 12.3"


def test_missing_and_null_areas_show_as_no_data(geo_cache_dir):
    figure = _figure(district_geojson(geo_cache_dir), values={DHAKA: float("nan"), "BD3033": 5.0})
    assert len(_trace_named(figure, "no data").locations) == 63
    assert list(_trace_named(figure, "5").locations) == ["BD3033"]


def test_each_feature_is_embedded_once(geo_cache_dir):
    geojson = district_geojson(geo_cache_dir)
    figure = _figure(geojson, values={DHAKA: 5.0, "BD3033": float("nan")}, suppressed={"BD3033"})
    embedded = [f["id"] for trace in figure.data if trace.type == "choroplethmap" for f in trace.geojson["features"]]
    assert sorted(embedded) == sorted(f["id"] for f in geojson["features"])


def test_figure_fetches_nothing(geo_cache_dir):
    figure = _figure(district_geojson(geo_cache_dir), division_outlines(geo_cache_dir))
    assert not re.findall(r"https?://", figure.to_json())
    assert figure.layout.map.style == "white-bg"
    assert not figure.layout.map.layers
    assert {trace.type for trace in figure.data} == {"choroplethmap", "scattermap"}
    assert figure.layout.uirevision


@pytest.mark.parametrize("base", [MAP_CONFIG, GRAPH_CONFIG, {}])
def test_no_chart_config_shares_anything(base):
    config = chart_config("any chart", base)
    assert config["showSendToCloud"] is False and config["plotlyServerURL"] == ""
    assert "sendDataToCloud" in config["modeBarButtonsToRemove"]
    assert config.get("displaylogo") is False or base == {}


def test_cache_files_are_reused_then_rebuilt_when_missing(tmp_path):
    boundaries._cached_layer.cache_clear()
    first = district_geojson(tmp_path)
    (cache_file,) = tmp_path.glob("districts-*.json")
    built_at = cache_file.stat().st_mtime_ns

    boundaries._cached_layer.cache_clear()
    assert district_geojson(tmp_path) == first
    assert cache_file.stat().st_mtime_ns == built_at

    cache_file.unlink()
    boundaries._cached_layer.cache_clear()
    assert district_geojson(tmp_path) == first
    assert cache_file.exists()
    assert not list(tmp_path.glob("*.tmp"))
    boundaries._cached_layer.cache_clear()
