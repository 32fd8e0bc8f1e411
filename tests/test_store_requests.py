"""Writing to the app's store through the app's own callbacks, as a browser could send them whatever its page
offers: an external audience's forged save or release is refused and writes nothing, and a narrative longer than
the limit is refused whole, though a browser may skip the text box's own limit."""

from __future__ import annotations

import pytest

from dashboard.narrative_editor import SAVED_ID
from dashboard.release_control import RELEASED_ID
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


@pytest.mark.parametrize("username", ["usaid", "dhaka"])
def test_an_external_audience_s_forged_save_or_release_is_refused_and_writes_nothing(client, store,  # noqa: F811
                                                                                       username):
    before = (store.narrative_history("cases_reported", "calendar", PERIOD, "", "en"), store.releases("calendar"))
    assert _save(client, username, "Forged")["outcome"] == "refused"
    released = _callback(client, username, f"{RELEASED_ID}.data", "release-button", {
        "release-provisional": [], "filter-period": PERIOD, "filter-area": AREA})
    assert released["outcome"] == "refused"
    assert (store.narrative_history("cases_reported", "calendar", PERIOD, "", "en"),
            store.releases("calendar")) == before


def test_a_narrative_over_the_limit_is_refused_whole(client, store):  # noqa: F811
    too_long = "x" * (MAX_NARRATIVE_CHARACTERS + 1)
    assert _save(client, "leadership", "Fits", too_long)["outcome"] == "too_long"
    assert store.narratives("calendar", PERIOD) == []  # not even the English that fits
