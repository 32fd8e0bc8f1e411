"""`python app.py` as a real server: public health check, everything else behind login."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.signin import session_cookie


_COOKIES: dict[tuple[str, str], str] = {}


def _cookie(url: str, username: str) -> str:
    """A session of `username` at the app serving `url`, signed in once through its form."""
    base = "/".join(url.split("/")[:3])
    if (base, username) not in _COOKIES:
        _COOKIES[base, username] = session_cookie(base, username)
    return _COOKIES[base, username]


def _get(url: str, username: str | None = None, accept: str = "*/*"):
    request = urllib.request.Request(url, headers={"Accept": accept})
    if username:
        request.add_header("Cookie", _cookie(url, username))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_health_is_public_and_says_nothing_but_status(live_app):
    status, _, body = _get(f"{live_app}/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "databases": {"cases": "ok", "referrals": "ok"}}


@pytest.mark.parametrize("path", ["/", "/district-map", "/_dash-layout", "/_dash-dependencies"])
def test_everything_but_health_needs_a_sign_in(live_app, path):
    status, headers, body = _get(f"{live_app}{path}", accept="application/json")
    assert status == 401 and "WWW-Authenticate" not in headers  # no browser prompt
    assert json.loads(body) == {"error": "Sign in to go on.", "sign_in": "/login"}
    assert _get(f"{live_app}{path}", "leadership")[0] == 200


def test_a_page_load_is_sent_to_the_sign_in_page(live_app):
    status, _, body = _get(f"{live_app}/district-map", accept="text/html")  # redirects followed
    assert status == 200 and b'action="/login"' in body and b'name="next" value="/district-map"' in body


def test_demo_data_is_synthetic_and_labelled(live_app):
    status, _, body = _get(f"{live_app}/_dash-layout", "donor")
    assert status == 200 and b"Synthetic demo data" in body


@pytest.fixture
def app_with_databases_down(tmp_path, app_data_dir):
    """`python app.py` with both databases configured at a port where nothing listens."""
    from impact_monitor.accounts import hash_password
    from tests.conftest import _free_port, running_app

    users = tmp_path / "users.toml"
    users.write_text(f'[users.lead]\npassword_hash = "{hash_password("demo")}"\nrole = "leadership"\n')
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/nowhere"
    (tmp_path / "geo").symlink_to(app_data_dir / "geo")
    with running_app(tmp_path, IMPACT_CASES_DB=dead, IMPACT_REFERRALS_DB=dead, IMPACT_USERS_FILE=str(users)) as url:
        yield url


def test_the_app_starts_and_says_so_when_its_databases_are_down(app_with_databases_down, live_app):
    url = app_with_databases_down
    status, _, body = _get(f"{url}/healthz")
    assert status == 503 and json.loads(body)["status"] == "down"
    assert _get(f"{url}/", "lead")[0] == 200
    banner = _post_callback(url, "lead", "database-status.children", [("status-refresh", "n_intervals", None)])
    assert b"Case database unreachable since" in banner and b"retrying" in banner
    cards = _post_callback(url, "lead", "overview-cards.children",
                           [("filter-period", "value", "2026-Q1"), ("filter-area", "value", "BD")])
    assert b"Unavailable" in cards and b"Traceback" not in cards


def _post_callback(url: str, username: str, output: str, inputs: list[tuple]) -> bytes:
    component, prop = output.rsplit(".", 1)
    body = {"output": output, "outputs": {"id": component, "property": prop}, "state": [],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs]}
    request = urllib.request.Request(f"{url}/_dash-update-component", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Cookie": _cookie(url, username)})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def _navigation_paths(layout: bytes) -> set[str]:
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "NavLink":
                found.add(node["props"]["href"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(layout))
    return found


def test_a_government_account_is_not_offered_the_national_plan(live_app):
    leadership = _navigation_paths(_get(f"{live_app}/_dash-layout", "leadership")[2])
    government = _navigation_paths(_get(f"{live_app}/_dash-layout", "dhaka")[2])
    assert "/five-year-targets" in leadership and "/referrals" in government
    assert government == leadership - {"/five-year-targets"}
