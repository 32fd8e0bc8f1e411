"""Writing to the app's store through the app's own callbacks, as a browser could send them whatever its page
offers: an external audience's forged save or release is refused and writes nothing, and a narrative longer than
the limit is refused whole, though a browser may skip the text box's own limit."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest

from dashboard.narrative_editor import SAVED_ID
from dashboard.release_control import RELEASED_ID
from queries.periods import quarter_containing
from queries.releases import store_key
from queries.store import MAX_NARRATIVE_CHARACTERS, AppStore, default_store_url
from tests.test_app_requests import _as, client  # noqa: F401 (the app in process, on the browser tests' demo)

PERIOD, AREA = "2026-Q1", "BD"


def _callback(client, username: str, output: str, trigger: str, state: dict):  # noqa: F811
    body = {"output": output, "outputs": {"id": output.split(".")[0], "property": "data"},
            "inputs": [{"id": trigger, "property": "n_clicks", "value": 1}], "changedPropIds": [f"{trigger}.n_clicks"],
            "state": [{"id": component, "property": "value", "value": value} for component, value in state.items()]}
    response = _as(client, username).post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"][output.split(".")[0]]["data"]


def _save(client, username: str, english: str, bangla: str = ""):  # noqa: F811
    return _callback(client, username, f"{SAVED_ID}.data", "narrative-save", {
        "narrative-indicator": "cases_reported", "narrative-en": english, "narrative-bn": bangla,
        "filter-period": PERIOD, "filter-area": AREA})


@pytest.fixture
def store(client, app_data_dir):  # noqa: F811
    opened = AppStore.open(default_store_url(app_data_dir))
    yield opened
    opened.dispose()


def _release(client, username: str, period: str, provisional: list[str] = []):  # noqa: F811
    return _callback(client, username, f"{RELEASED_ID}.data", "release-button", {
        "release-provisional": provisional, "filter-period": period, "filter-area": AREA})


@pytest.mark.parametrize("username", ["usaid", "dhaka"])
def test_an_external_audience_s_forged_save_or_release_is_refused_audited_and_writes_nothing(
        client, store, username, caplog):  # noqa: F811
    before = (store.narrative_history("cases_reported", "calendar", PERIOD, "", "en"), store.releases("calendar"))
    with caplog.at_level(logging.INFO, logger="impact_monitor.audit"):
        assert _save(client, username, "Forged")["outcome"] == "refused"
        assert _release(client, username, PERIOD)["outcome"] == "refused"
    assert (store.narrative_history("cases_reported", "calendar", PERIOD, "", "en"),
            store.releases("calendar")) == before
    audited = [json.loads(record.getMessage()) for record in caplog.records if record.name == "impact_monitor.audit"]
    assert [(line["what"], line["who"]) for line in audited if line["what"].endswith("_refused")] == [("narrative_refused", username),
                                                                ("release_refused", username)]


def test_a_quarter_not_ended_is_refused_with_its_last_day_unless_provisional(client, store):  # noqa: F811
    quarter = quarter_containing(date.today())
    refused = _release(client, "leadership", quarter.label)
    last = (quarter.end - timedelta(days=1)).isoformat()
    assert refused["refusal"] == (f"{quarter.label} has not ended (its last day is {last}): it can be released only "
                                  "as provisional.")
    assert store.releases(*store_key(quarter)) == []


def test_a_narrative_over_the_limit_is_refused_whole(client, store):  # noqa: F811
    too_long = "x" * (MAX_NARRATIVE_CHARACTERS + 1)
    assert _save(client, "leadership", "Fits", too_long)["outcome"] == "too_long"
    assert store.narratives("calendar", PERIOD) == []  # not even the English that fits
