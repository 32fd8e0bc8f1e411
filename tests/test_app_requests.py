"""The app in process: hostile callback payloads and fuzzed filters never leak data, a traceback or a 5xx."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from dashboard.narrative_editor import SAVED_ID
from dashboard.release_control import RELEASED_ID
from impact_monitor.settings import Settings
from queries.periods import quarter_containing
from queries.releases import store_key
from queries.store import MAX_NARRATIVE_CHARACTERS, AppStore, default_store_url
from tests.conftest import BROWSER_DEMO_CASES, GEO_CACHE, LIVE_FIGURES
from tests.signin import signed_in_client


def _as(client, username: str):
    """The app of `client`, as `username` signed in through the form."""
    return signed_in_client(client.application, username)


@pytest.fixture(scope="session")
def client(app_data_dir):
    from dashboard.app import create_app

    (app_data_dir / "geo").mkdir(exist_ok=True)
    for cached in GEO_CACHE.glob("*.json"):
        (app_data_dir / "geo" / cached.name).write_bytes(cached.read_bytes())
    settings = Settings.from_env({**LIVE_FIGURES, "IMPACT_DATA_DIR": str(app_data_dir), "IMPACT_DEMO_CASES": BROWSER_DEMO_CASES,
                                  "IMPACT_CACHE_TTL_S": "0"})
    return create_app(settings).server.test_client()


@pytest.fixture(scope="session")
def dependencies(client) -> list[dict]:
    return _as(client, "leadership").get("/_dash-dependencies").get_json()


def _outputs(output: str):
    """Dash's output string: `id.prop`, or `..id1.prop1...id2.prop2..` for several outputs."""
    def one(text):
        component, prop = text.rsplit(".", 1)
        return {"id": component, "property": prop}

    if output.startswith(".."):
        return [one(part) for part in output[2:-2].split("...")]
    return one(output)


def _body(output: str, inputs: list[dict]) -> dict:
    return {"output": output, "outputs": _outputs(output), "inputs": inputs,
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs], "state": []}


def overview(client, username: str, period, area):
    inputs = [{"id": "filter-period", "property": "value", "value": period},
              {"id": "filter-area", "property": "value", "value": area}]
    return _as(client, username).post("/_dash-update-component", json=_body("overview-cards.children", inputs))


def test_own_scope_gets_numbers(client):
    response = overview(client, "dhaka", "2026-Q1", "BD30")
    assert response.status_code == 200
    assert b"data-indicator" in response.data


@pytest.mark.parametrize("area", [
    "BD20",                                   # another division
    "BD",                                     # national
    "BD2015",                                 # a district of another division
    ["BD20", "BD2015"],                       # a list of areas
    "BD30' OR '1'='1",                        # a SQL fragment
    "BD30; DROP TABLE cases; --",
    "x" * 100_000,                            # a huge string
    {"pcode": "BD20"},
    None,
])
def test_government_gets_a_refusal_for_anything_outside_its_scope(client, area):
    response = overview(client, "dhaka", "2026-Q1", area)
    assert response.status_code in (200, 400)
    assert b"data-indicator" not in response.data
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("period", ["2026-01-01/2026-03-31", "2026-01-15", "2026-Q1' --", ["2026-Q1", "2026-Q2"], 7])
def test_date_ranges_and_odd_periods_are_refused(client, period):
    response = overview(client, "dhaka", period, "BD30")
    assert response.status_code in (200, 400)
    assert b"data-indicator" not in response.data
    assert b"Traceback" not in response.data


def test_donor_cannot_reach_a_district(client):
    response = overview(client, "donor", "2026-Q1", "BD3026")
    assert b"data-indicator" not in response.data and b"donor" in response.data


_TEXT = st.one_of(st.text(max_size=40), st.sampled_from(["BD", "BD30", "BD3026", "BD20", "2026-Q1", "2026",
                                                         "FY2027-Q1", "BD30260014", "", "null"]))
_VALUE = st.one_of(_TEXT, st.none(), st.integers(), st.lists(_TEXT, max_size=3),
                   st.dictionaries(_TEXT, _TEXT, max_size=2), st.booleans())


@hypothesis_settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), username=st.sampled_from(["leadership", "donor", "dhaka"]))
def test_fuzzed_callbacks_never_give_a_5xx_or_a_traceback(client, dependencies, data, username):
    callback = data.draw(st.sampled_from(dependencies))
    inputs = [{"id": i["id"], "property": i["property"], "value": data.draw(_VALUE)} for i in callback["inputs"]]
    output = callback["output"]
    body = data.draw(st.one_of(st.just(_body(output, inputs)), _VALUE))
    response = _as(client, username).post("/_dash-update-component", data=json.dumps(body),
                                          content_type="application/json")
    assert response.status_code < 500, response.data[:500]
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/nothing/here.js",
                                  "/_dash-component-suites/no_such_package/bundle.js",
                                  "/_dash-component-suites/../_dash-layout", "/assets/../_dash-layout"])
def test_a_script_dash_does_not_have_is_not_found(client, path, caplog):
    response = _as(client, "leadership").get(path)
    assert response.status_code == 404 and b"Traceback" not in response.data
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


@pytest.mark.parametrize("district", ["BD30", "BD", "BD30260014", "BD9999", ["BD3026"], 7])
def test_a_crafted_map_district_gets_the_plain_refusal(client, district, caplog):
    inputs = [{"id": "filter-period", "property": "value", "value": "2026-Q1"},
              {"id": "filter-area", "property": "value", "value": "BD"},
              {"id": "map-indicator", "property": "value", "value": "cases_reported"},
              {"id": "map-measure", "property": "value", "value": "count"},
              {"id": "map-district", "property": "value", "value": district},
              {"id": "language", "property": "data", "value": "en"}]
    response = _as(client, "leadership").post("/_dash-update-component",
                                              json=_body("district-map-panel.children", inputs))
    assert response.status_code == 200 and b"Upazilas open for a district" in response.data
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_a_burst_of_requests_on_a_fresh_process_is_answered(app_data_dir):
    """Dash finishes its setup on the first request; requests arriving meanwhile must not find it half done."""
    from concurrent.futures import ThreadPoolExecutor

    from dashboard.app import create_app

    # One account's 16 callbacks at once, all to be answered: this is about Dash's setup, not the account's limit.
    settings = Settings.from_env({**LIVE_FIGURES, "IMPACT_DATA_DIR": str(app_data_dir), "IMPACT_DEMO_CASES": BROWSER_DEMO_CASES,
                                  "IMPACT_CACHE_TTL_S": "0", "IMPACT_CALLBACKS_PER_ACCOUNT": "16"})
    for attempt in range(3):  # a race: a few fresh processes, each hit at once
        fresh = create_app(settings).server

        def one_request(_):
            return overview(fresh.test_client(), "leadership", "2026-Q1", "BD").status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(one_request, range(32)))
        assert statuses == [200] * 32, f"attempt {attempt}: {statuses}"


# Writing to the app's store through its own callbacks, as a browser could send them whatever its page offers: an
# external audience's forged save or release is refused, audited and writes nothing, and a narrative longer than
# the limit is refused whole, though a browser may skip the text box's own limit. (Here, on this module's app:
# Dash gives the pages' callbacks to the first app made in a process only.)

PERIOD, AREA = "2026-Q1", "BD"


def _callback(client, username: str, output: str, trigger: str, state: dict, clicks: str = "n_clicks"):
    body = {"output": output, "outputs": {"id": output.split(".")[0], "property": "data"},
            "inputs": [{"id": trigger, "property": clicks, "value": 1}], "changedPropIds": [f"{trigger}.{clicks}"],
            "state": [{"id": component, "property": "value", "value": value} for component, value in state.items()]}
    response = _as(client, username).post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"][output.split(".")[0]]["data"]


def _save(client, username: str, english: str, bangla: str = ""):
    return _callback(client, username, f"{SAVED_ID}.data", "narrative-save", {
        "narrative-indicator": "cases_reported", "narrative-en": english, "narrative-bn": bangla,
        "filter-period": PERIOD, "filter-area": AREA})


@pytest.fixture
def store(client, app_data_dir):
    opened = AppStore.open(default_store_url(app_data_dir))
    yield opened
    opened.dispose()


def _release(client, username: str, period: str, provisional: list[str] = []):
    """A release as the page sends it once the person has confirmed it."""
    return _callback(client, username, f"{RELEASED_ID}.data", "release-confirm", {
        "release-provisional": provisional, "filter-period": period, "filter-area": AREA}, "submit_n_clicks")


@pytest.mark.parametrize("username", ["usaid", "dhaka"])
def test_an_external_audience_s_forged_save_or_release_is_refused_audited_and_writes_nothing(
        client, store, username, caplog):
    before = (store.narrative_history("cases_reported", "calendar", PERIOD, "", "en"), store.releases("calendar"))
    with caplog.at_level(logging.INFO, logger="impact_monitor.audit"):
        assert _save(client, username, "Forged")["outcome"] == "refused"
        assert _release(client, username, PERIOD)["outcome"] == "refused"
    assert (store.narrative_history("cases_reported", "calendar", PERIOD, "", "en"),
            store.releases("calendar")) == before
    audited = [json.loads(record.getMessage()) for record in caplog.records if record.name == "impact_monitor.audit"]
    assert [(line["what"], line["who"]) for line in audited if line["what"].endswith("_refused")] == [("narrative_refused", username),
                                                                ("release_refused", username)]


def test_a_quarter_not_ended_is_refused_with_its_last_day_unless_provisional(client, store):
    quarter = quarter_containing(date.today())
    refused = _release(client, "leadership", quarter.label)
    last = (quarter.end - timedelta(days=1)).isoformat()
    assert refused["refusal"] == (f"{quarter.label} has not ended (its last day is {last}): it can be released only "
                                  "as provisional.")
    assert store.releases(*store_key(quarter)) == []


def test_a_narrative_over_the_limit_is_refused_whole(client, store):
    too_long = "x" * (MAX_NARRATIVE_CHARACTERS + 1)
    refused = _save(client, "leadership", "Fits", too_long)
    assert refused["outcome"] == "too_long"
    assert refused["kept"] == {"en": "Fits", "bn": too_long}, "the editor gives the texts back to be shortened"
    assert store.narratives("calendar", PERIOD) == []  # not even the English that fits


def test_a_release_says_when_it_changed_nothing_and_when_provisional_did_not_apply(client, store):
    ended = "2025-Q2"  # long ended; a quarter no other test releases
    assert _release(client, "leadership", ended, ["provisional"])["outcome"] == "ended"
    assert _release(client, "leadership", ended)["outcome"] == "unchanged"
    assert [(release.revision, release.provisional) for release in store.releases("calendar", ended)] == [
        (1, False), (2, False)]
