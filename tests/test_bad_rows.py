"""One bad row never takes down a page: each kind a real source system produces, inserted alone into the demo,
and every panel of every page and every export run for each account."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from datetime import date

import pytest

from dashboard.table_view import every_source
from impact_monitor.accounts import hash_password
from impact_monitor.demo_data import generate_demo
from impact_monitor.services import prepare_services
from impact_monitor.settings import Settings
from queries.periods import quarter_containing
from tests.builders import sqlite_url
from tests.conftest import LIVE_FIGURES
from tests.signin import signed_in_client

# kind -> (table, column, the value written over one row's, as SQLite stores it)
BAD_VALUES = {
    "day 31 of a 30-day month": ("cases", "reported_on", "2026-11-31"),
    "a date without zero padding": ("cases", "reported_on", "2026-7-5"),
    "a readable date and junk": ("victims", "identified_on", "2026-08-31 junk"),
    "a fieldwork date written day first": ("prevalence_studies", "fieldwork_end", "31/12/2021"),
    "a fieldwork day that does not exist": ("prevalence_studies", "fieldwork_end", "2021-02-30"),
    "text where a count belongs": ("prevalence_studies", "individuals_observed", "many"),
    "a first service on day 32": ("referrals", "first_service_at", "2026-08-32 10:00:00"),
    "a negative child population": ("district_population", "child_population", -4200),
}
ACCOUNTS = {"leadership": ("leadership", ""), "donor": ("donor", ""), "dhaka": ("government", "BD30")}
# Tables a page never shows an account, whose download it is refused in these words.
NOT_SHOWN = {"donor": {"quality-by-district": "donor accounts see national totals by table and rule only"}}
# Callbacks that are the shell's, not a page's.
_SHELL = ("_pages", "database-status", "map-district.value", "quarterly-print-done")


@pytest.fixture(scope="module")
def clean_demo(tmp_path_factory, geo_cache_dir):
    folder = tmp_path_factory.mktemp("clean-demo")
    generate_demo(folder, 600, 1, geo_cache_dir=geo_cache_dir)
    return folder


def _with_bad_rows(clean, folder, kinds: list[str]) -> None:
    """A copy of the demo with one row of each kind (the duplicate population is a copied row; the repeated cases
    are every case twice)."""
    for name in ("cases.sqlite", "referrals.sqlite"):
        shutil.copy(clean / name, folder / name)
    for kind in kinds:
        database = "referrals.sqlite" if kind == "a first service on day 32" else "cases.sqlite"
        with sqlite3.connect(folder / database) as connection:
            if kind == "a duplicate population row":
                connection.execute("INSERT INTO district_population SELECT * FROM district_population LIMIT 1")
                continue
            if kind == "cases in a view without keys that repeats them":
                connection.execute("ALTER TABLE cases RENAME TO cases_stored")
                connection.execute("CREATE VIEW cases AS SELECT * FROM cases_stored UNION ALL "
                                   "SELECT * FROM cases_stored")
                continue
            table, column, value = BAD_VALUES[kind]
            served = " WHERE first_service_at IS NOT NULL" if column == "first_service_at" else ""
            connection.execute(f"UPDATE {table} SET {column} = ? "
                               f"WHERE rowid = (SELECT min(rowid) FROM {table}{served})", (value,))


def _app(folder, geo_cache_dir):
    from dashboard.app import create_app  # imports every page, so every table is registered

    (folder / "geo").mkdir(exist_ok=True)
    for cached in geo_cache_dir.glob("*.json"):
        shutil.copy(cached, folder / "geo" / cached.name)
    users = folder / "users.toml"
    demo_hash = hash_password("demo")
    users.write_text("".join(f'[users.{name}]\npassword_hash = "{demo_hash}"\nrole = "{role}"\n'
                             + (f'scope = ["{areas}"]\n' if areas else "") for name, (role, areas) in ACCOUNTS.items()))
    return create_app(Settings.from_env({**LIVE_FIGURES, 
        "IMPACT_CASES_DB": sqlite_url(folder / "cases.sqlite"),
        "IMPACT_REFERRALS_DB": sqlite_url(folder / "referrals.sqlite"), "IMPACT_DATA_DIR": str(folder),
        "IMPACT_USERS_FILE": str(users), "IMPACT_CACHE_TTL_S": "0"})).server


def _inputs(callback: dict, area: str) -> list[dict]:
    values = {"filter-period": quarter_containing(date.today()).previous().label, "filter-area": area,
              "language": "en", "map-indicator": "cases_reported", "map-measure": "count", "quarterly-count": 4,
              "quarterly-csv": 1}
    return [{"id": each["id"], "property": each["property"], "value": values.get(each["id"])}
            for each in (*callback["inputs"], *callback.get("state", []))]


def _post(client, callback: dict, area: str):
    """Post a page callback as the browser would, with the filter's values and no page control touched."""
    inputs = _inputs(callback, area)
    body = {"output": callback["output"], "inputs": inputs[:len(callback["inputs"])],
            "state": inputs[len(callback["inputs"]):],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs[:len(callback["inputs"])]]}
    outputs = callback["output"]
    parts = outputs[2:-2].split("...") if outputs.startswith("..") else [outputs]
    body["outputs"] = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in parts]
    if not outputs.startswith(".."):
        body["outputs"] = body["outputs"][0]
    return client.post("/_dash-update-component", json=body)


def _post_download(client, table_id: str, file_format: str, area: str):
    """Click one table's download button, as the page's pattern-matching callback receives the click."""
    def named(kind: str) -> dict:
        return {"table": table_id, "type": kind}
    button = named(f"table-{file_format}")
    # The page's own controls as it first shows them: the map's indicator and measure, the quarterly count.
    params = {"period": quarter_containing(date.today()).previous().label, "area": area,
              "indicator": "cases_reported", "measure": "count", "quarters": 4}
    body = {"output": "..{\"table\":[\"MATCH\"],\"type\":\"table-file\"}.data..."
                      "{\"table\":[\"MATCH\"],\"type\":\"table-download-status\"}.children..",
            "outputs": [{"id": named("table-file"), "property": "data"},
                        {"id": named("table-download-status"), "property": "children"}],
            "inputs": [{"id": named("table-csv"), "property": "n_clicks", "value": int(file_format == "csv")},
                       {"id": named("table-xlsx"), "property": "n_clicks", "value": int(file_format == "xlsx")}],
            "state": [{"id": named("table-params"), "property": "data", "value": params}],
            "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    return client.post("/_dash-update-component", json=body)


KINDS = [*BAD_VALUES, "a duplicate population row", "cases in a view without keys that repeats them"]


@pytest.mark.parametrize("kind", KINDS)
def test_one_bad_row_breaks_no_page_and_no_export(kind, clean_demo, tmp_path, geo_cache_dir, caplog):
    """Each kind alone, as leadership sees every panel (every figure, nothing hidden) and every export."""
    _with_bad_rows(clean_demo, tmp_path, [kind])
    _every_panel_answers(tmp_path, geo_cache_dir, ["leadership"], caplog, ("csv",))
    _every_export_runs(tmp_path, ["leadership"])


def test_every_bad_row_at_once_breaks_nothing_for_external_audiences(clean_demo, tmp_path, geo_cache_dir, caplog):
    """All the kinds together, through the protected publications of a donor and a government account."""
    _with_bad_rows(clean_demo, tmp_path, KINDS)
    _every_panel_answers(tmp_path, geo_cache_dir, ["donor", "dhaka"], caplog, ("csv", "xlsx"))
    _every_export_runs(tmp_path, ["donor", "dhaka"])


def _every_panel_answers(folder, geo_cache_dir, usernames: list[str], caplog, file_formats: tuple[str, ...]
                         ) -> None:
    """Every page callback answers, and every table downloads in `file_formats`."""
    client = _app(folder, geo_cache_dir).test_client()
    caplog.set_level(logging.WARNING)
    for username in usernames:
        areas = ACCOUNTS[username][1]
        signed_in = signed_in_client(client.application, username)
        for callback in signed_in.get("/_dash-dependencies").get_json():
            if (callback["output"].startswith(_SHELL) or "_pages" in callback["output"]
                    or "MATCH" in callback["output"] or callback.get("clientside_function")):
                continue
            response = _post(signed_in, callback, areas or "BD")
            assert response.status_code in (200, 204), (username, callback["output"], response.data[:300])
            assert b"Something went wrong" not in response.data, (username, callback["output"])
        for table_id in [source.table_id for source in every_source()]:
            for file_format in file_formats:
                response = _post_download(signed_in, table_id, file_format, areas or "BD")
                assert response.status_code == 200, (username, table_id, file_format, response.data[:300])
                answer = response.get_json()["response"]
                if table_id in NOT_SHOWN.get(username, ()):
                    status = answer["{\"table\":\"%s\",\"type\":\"table-download-status\"}" % table_id]
                    assert "table-file" not in json.dumps(answer) and NOT_SHOWN[username][table_id] in \
                        json.dumps(status), (username, table_id, answer)
                    continue
                assert answer["{\"table\":\"%s\",\"type\":\"table-file\"}" % table_id]["data"]["content"], \
                    (username, table_id, answer)
    assert not [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]


def _every_export_runs(folder, usernames: list[str]) -> None:
    from impact_monitor.cli import main

    env = {"IMPACT_CASES_DB": sqlite_url(folder / "cases.sqlite"),
           "IMPACT_REFERRALS_DB": sqlite_url(folder / "referrals.sqlite"), "IMPACT_DATA_DIR": str(folder),
           "IMPACT_USERS_FILE": str(folder / "users.toml")}
    period = quarter_containing(date.today()).previous().label
    out = str(folder / "export")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        # One set of services for every command, as one long-lived process would hold: each export's own code
        # runs, and a publication protected for one command is not protected again for the next.
        services = prepare_services(Settings.from_env())
        patch.setattr("impact_monitor.cli._services", lambda _settings, _role=None: services)
        for username in usernames:
            role, areas = ACCOUNTS[username]
            scope = ["--role", role] + (["--scope", areas, "--area", areas, "--by", "division"] if areas else [])
            assert main(["indicators", "--period", period, *scope, "--out", out]) == 0, username
            assert main(["prevalence", *scope[:4], "--format", "xlsx", "--out", out]) == 0, username
            assert main(["quality", *scope[:4], "--out", out]) == 0, username
            for page in ("referrals", "justice", "survivors"):
                assert main(["tables", "--page", page, "--period", period, *scope[:6], "--format", "csv",
                             "--out", out]) == 0, (username, page)
