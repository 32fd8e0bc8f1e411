"""A read-only IMPACT_DATA_DIR: served when the demo and the map geometry are already built; when they are not,
the app stops with one line that names what it needed to write."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from impact_monitor.demo_data import ensure_demo
from tests.conftest import GEO_CACHE, REPO_ROOT, _free_port, _wait_until_serving, require

DEMO_CASES = "600"


def _read_only(folder: Path, command: list[str]) -> list[str]:
    """`command` run where `folder` cannot be written. Root writes whatever the file modes say, so as root the
    folder is bind-mounted read-only in a private mount namespace; otherwise its write bits are taken away."""
    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        return command
    if not shutil.which("unshare"):
        require("a read-only data folder needs unshare(1) when the tests run as root")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, "sh", str(folder), *command]


def _environment(folder: Path, port: int) -> dict:
    return {**os.environ, "IMPACT_DATA_DIR": str(folder), "IMPACT_DEMO_CASES": DEMO_CASES, "PORT": str(port),
            "HOST": "127.0.0.1", "IMPACT_CASES_DB": "", "IMPACT_REFERRALS_DB": ""}


def test_the_folder_is_really_read_only(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    attempt = subprocess.run(_read_only(folder, ["touch", str(folder / "written")]), capture_output=True,
                             timeout=30)
    assert attempt.returncode != 0 and not (folder / "written").exists()


def test_a_read_only_folder_with_the_demo_and_geometry_built_serves(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(GEO_CACHE, folder / "geo")
    ensure_demo(folder / "demo", int(DEMO_CASES), geo_cache_dir=folder / "geo")
    port = _free_port()
    log_path = tmp_path / "app.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(_read_only(folder, [sys.executable, "app.py"]), cwd=REPO_ROOT,
                                   env=_environment(folder, port), stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}", process, 120, log_path)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
    log = log_path.read_text()
    assert "Traceback" not in log
    # The app's own store cannot be created there: the app serves live figures and says why.
    assert "releases and narratives are unavailable" in log and "make IMPACT_DATA_DIR writable" in log


def test_a_read_only_folder_without_the_demo_stops_with_one_line(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(GEO_CACHE, folder / "geo")
    result = subprocess.run(_read_only(folder, [sys.executable, "app.py"]), cwd=REPO_ROOT,
                            env=_environment(folder, _free_port()), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    last_line = output.strip().splitlines()[-1]
    assert last_line.startswith("impact-monitor: IMPACT_DATA_DIR: cannot write the demo databases to ")
    assert str(folder / "demo") in last_line
    assert "Read-only file system" in last_line or "Permission denied" in last_line


@pytest.mark.parametrize("geometry", ["gazetteer", "maps"])
def test_geometry_that_cannot_be_cached_is_built_in_memory(tmp_path, geometry):
    folder = tmp_path / "data"
    folder.mkdir()
    script = ("from pathlib import Path; import sys; "
              "from queries.geography import load_gazetteer; from queries.boundaries import district_geojson; "
              "folder = Path(sys.argv[1]); gazetteer = load_gazetteer(folder); "
              "print(len(gazetteer.district_codes), len(district_geojson(folder)['features']) "
              "if sys.argv[2] == 'maps' else 64)")
    if geometry == "maps":
        shutil.copy(GEO_CACHE / "gazetteer-0.1.1.json", folder)
    result = subprocess.run(_read_only(folder, [sys.executable, "-c", script, str(folder), geometry]), cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["64", "64"]
    assert "cache not written: kept in memory" in result.stderr + result.stdout
