"""Login, rate limits, audit log and security headers on a small real Dash app (Flask test client)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import uuid

import dash
import flask
import pytest
import redis
from dash import Input, Output, dcc, html

from dashboard.security import (
    MAX_BODY_BYTES,
    NotAuthenticated,
    audit_download,
    basic_credentials,
    content_security_policy,
    current_account,
    install_auth,
    install_security_headers,
)
from impact_monitor.accounts import Account, demo_accounts, hash_password, make_limiter
from tests.conftest import REDIS_TEST_URL as REDIS_URL

SECRET_CSV = "district,cases\nBD3026,7\n"


def basic(credentials: bytes | str) -> dict[str, str]:
    raw = credentials.encode() if isinstance(credentials, str) else credentials
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


LEADERSHIP = basic("leadership:demo")
DHAKA = basic("dhaka:demo")


def build_app(tmp_path, https=False, accounts=None, limiter=None) -> dash.Dash:
    assets = tmp_path / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "style.css").write_text("body { margin: 0 }\n")
    app = dash.Dash(__name__, assets_folder=str(assets))
    app.layout = html.Div([dcc.Input(id="query", value="x"), html.Div(id="answer")])

    @app.callback(Output("answer", "children"), Input("query", "value"))
    def answer(value):
        return f"{current_account().username}:{value}"

    @app.server.route("/healthz")
    def healthz():
        return "ok"

    @app.server.route("/download/<name>")
    def download(name):
        return flask.Response(SECRET_CSV, mimetype="text/csv",
                              headers={"Content-Disposition": f"attachment; filename={name}"})

    install_auth(app, accounts or demo_accounts(), limiter or make_limiter(None))
    install_security_headers(app, https=https)
    return app


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path)


@pytest.fixture
def client(app):
    return app.server.test_client()


def callback_body(value="hello", pathname=None) -> dict:
    inputs = [{"id": "query", "property": "value", "value": value}]
    if pathname is not None:
        inputs.append({"id": "url", "property": "pathname", "value": pathname})
    return {
        "output": "answer.children",
        "outputs": {"id": "answer", "property": "children"},
        "inputs": inputs,
        "changedPropIds": ["query.value"],
    }


def component_suite_path(client) -> str:
    page = client.get("/", headers=LEADERSHIP).get_data(as_text=True)
    return re.search(r'src="(/_dash-component-suites/[^"]+)"', page).group(1)


ROUTES = ["/", "/some/page", "/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/download/cases.csv",
          "/nonexistent"]

ODD_AUTHORIZATION = {
    "empty": "",
    "scheme only": "Basic",
    "scheme and space": "Basic ",
    "not base64": "Basic !!!",
    "bearer": "Bearer x",
    "lowercase scheme": "basic " + base64.b64encode(b"leadership:demo").decode(),
    "no colon": basic("leadership")["Authorization"],
    "no password": basic("leadership:")["Authorization"],
    "no username": basic(":demo")["Authorization"],
    "not utf-8": basic(b"\xff\xfe:demo")["Authorization"],
    "unicode unknown user": basic("জন:demo")["Authorization"],
    "latin-1 garbage": "Basic ÿÿÿÿ",
    "huge": "Basic " + "A" * 100_000,
    "wrong password": basic("leadership:Demo")["Authorization"],
    "padding inside": "Basic " + base64.b64encode(b"leadership:demo").decode() + "=AAA",
}


def assert_login_required(response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert b"BD3026" not in response.data and b"hello" not in response.data


# Every route needs a login


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_needs_a_login(client, path):
    assert_login_required(client.get(path))


@pytest.mark.parametrize("path", ["/assets/../_dash-layout", "/_dash-component-suites/../_dash-layout",
                                  "/assets/%2e%2e/_dash-layout"])
def test_a_path_through_the_static_folders_reaches_nothing_else(client, path):
    response = client.get(path)  # the app answers these 404 (test_app_requests); here: never the layout
    assert response.status_code != 200 and b"filter-period" not in response.data


def test_static_files_are_served_without_a_login(client):
    """Scripts, styles and fonts hold no data; a browser does not always send a page's credentials for them."""
    for path in (component_suite_path(client), "/assets/style.css", "/_favicon.ico"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("kind", sorted(ODD_AUTHORIZATION))
@pytest.mark.parametrize("path", ["/", "/_dash-layout", "/download/cases.csv"])
def test_odd_authorization_headers_get_401(client, kind, path):
    assert_login_required(client.get(path, headers={"Authorization": ODD_AUTHORIZATION[kind]}))


@pytest.mark.parametrize("kind", sorted(ODD_AUTHORIZATION))
def test_odd_authorization_headers_on_callbacks_get_401(client, kind):
    response = client.post("/_dash-update-component", json=callback_body(),
                           headers={"Authorization": ODD_AUTHORIZATION[kind]})
    assert_login_required(response)


@pytest.mark.parametrize("body, content_type", [
    (json.dumps(callback_body()), "application/json"),
    ("{}", "application/json"),
    ("[]", "application/json"),
    ("not json", "application/json"),
    ("not json", "text/plain"),
    ("", None),
    ("x" * (5 * 1024 * 1024), "application/json"),
    # dash-auth alone lets a callback through when its pathname input names a public route.
    (json.dumps(callback_body(pathname="/healthz")), "application/json"),
    (json.dumps(callback_body(pathname="/_dash-layout")), "application/json"),
])
def test_anonymous_callbacks_get_401_whatever_the_body(client, body, content_type):
    response = client.post("/_dash-update-component", data=body, content_type=content_type)
    assert_login_required(response)


def test_oversized_body_is_refused_after_login(client):
    response = client.post("/_dash-update-component", data="x" * (MAX_BODY_BYTES + 1),
                           content_type="application/json", headers=LEADERSHIP)
    assert response.status_code == 413


def test_healthz_is_public(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz", headers={"Authorization": "Basic !!!"}).status_code == 200


# Logged in


@pytest.mark.parametrize("path", ["/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css",
                                  "/download/cases.csv"])
def test_valid_credentials_get_200(client, path):
    assert client.get(path, headers=LEADERSHIP).status_code == 200


def test_callbacks_see_the_account_that_logged_in(client):
    for headers, username in [(LEADERSHIP, "leadership"), (DHAKA, "dhaka")]:
        response = client.post("/_dash-update-component", json=callback_body("hi"), headers=headers)
        assert response.status_code == 200
        assert response.get_json()["response"]["answer"]["children"] == f"{username}:hi"


def test_unicode_username_logs_in(tmp_path):
    accounts = {"জন": (hash_password("পাস:ওয়ার্ড"), Account("জন", "donor", ()))}
    client = build_app(tmp_path, accounts=accounts).server.test_client()
    assert client.get("/", headers=basic("জন:পাস:ওয়ার্ড")).status_code == 200
    assert_login_required(client.get("/", headers=basic("জন:পাস")))


def test_current_account_outside_a_request_is_a_clear_error(app):
    with pytest.raises(NotAuthenticated, match="inside a request"):
        current_account()
    with app.server.test_request_context("/"):
        with pytest.raises(NotAuthenticated):
            current_account()


def test_basic_credentials_parser():
    assert basic_credentials(LEADERSHIP["Authorization"]) == ("leadership", "demo")
    assert basic_credentials(basic("a:b:c")["Authorization"]) == ("a", "b:c")
    assert all(basic_credentials(header) is None
               for kind, header in ODD_AUTHORIZATION.items()
               if kind not in {"wrong password", "unicode unknown user", "no password"})


# Rate limits


def fail(client, username, address, times=1):
    for _ in range(times):
        response = client.get("/", headers=basic(f"{username}:wrong"), environ_overrides={"REMOTE_ADDR": address})
        assert response.status_code == 401


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 300
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_five_failures_block_the_account_from_every_address(client):
    fail(client, "donor", "10.0.0.1", times=5)
    assert_rate_limited(client.get("/", headers=basic("donor:wrong"), environ_overrides={"REMOTE_ADDR": "10.0.0.1"}))
    # Even the right password, from elsewhere, waits: it has not been verified recently.
    assert_rate_limited(client.get("/", headers=basic("donor:demo"), environ_overrides={"REMOTE_ADDR": "10.0.0.2"}))
    assert client.get("/", headers=LEADERSHIP, environ_overrides={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_five_failures_block_the_address_for_every_account(client):
    for name in ["a", "b", "c", "d", "e"]:
        fail(client, name, "10.0.0.7")
    blocked = client.get("/", headers=LEADERSHIP, environ_overrides={"REMOTE_ADDR": "10.0.0.7"})
    assert_rate_limited(blocked)
    assert client.get("/", headers=LEADERSHIP, environ_overrides={"REMOTE_ADDR": "10.0.0.8"}).status_code == 200


def test_a_logged_in_user_keeps_working_while_their_account_is_attacked(client):
    assert client.get("/", headers=DHAKA, environ_overrides={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    fail(client, "dhaka", "10.6.6.6", times=5)
    assert_rate_limited(client.get("/", headers=basic("dhaka:guess"), environ_overrides={"REMOTE_ADDR": "10.6.6.7"}))
    assert client.get("/", headers=DHAKA, environ_overrides={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_workers_share_limits_through_redis(tmp_path, redis_url):
    client = redis.Redis.from_url(redis_url)
    prefix = f"impact-test:{uuid.uuid4().hex}"
    try:
        workers = [build_app(tmp_path, limiter=make_limiter(REDIS_URL, key_prefix=prefix)).server.test_client()
                   for _ in range(2)]
        for i in range(5):
            fail(workers[i % 2], "donor", "10.0.0.1")
        assert_rate_limited(workers[0].get("/", headers=basic("donor:demo")))
    finally:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


# Headers


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@pytest.mark.parametrize("headers, status", [(LEADERSHIP, 200), ({}, 401), (basic("x:y"), 401)])
def test_security_headers_on_every_answer(client, headers, status):
    response = client.get("/", headers=headers)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_csp_allows_the_page_inline_scripts_and_nothing_unsafe(client, app):
    response = client.get("/", headers=LEADERSHIP)
    policy = response.headers["Content-Security-Policy"]
    assert policy == content_security_policy(app)
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
    # Dash's IE warning sits in a conditional comment that no current browser runs.
    page = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)
    inline = re.findall(r'<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>', page, re.S)
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"]


def test_callback_answers_and_downloads_are_not_cached(client):
    callback = client.post("/_dash-update-component", json=callback_body(), headers=LEADERSHIP)
    download = client.get("/download/cases.csv", headers=LEADERSHIP)
    assert callback.headers["Cache-Control"] == download.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get(component_suite_path(client), headers=LEADERSHIP).headers.get(
        "Cache-Control", "")


def test_hsts_and_secure_cookies_only_with_https(tmp_path):
    plain = build_app(tmp_path)
    response = plain.server.test_client().get("/", headers=LEADERSHIP)
    assert "Strict-Transport-Security" not in response.headers
    assert not plain.server.config.get("SESSION_COOKIE_SECURE")

    secure = build_app(tmp_path, https=True)
    for headers in (LEADERSHIP, {}):
        response = secure.server.test_client().get("/", headers=headers)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert secure.server.config["SESSION_COOKIE_SECURE"] is True
    assert secure.server.config["SESSION_COOKIE_HTTPONLY"] is True
    assert secure.server.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    cookie = secure.server.test_client().get("/", headers=LEADERSHIP).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


# Audit log


def audit_records(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "impact_monitor.audit"]


def test_audit_log_is_json_without_passwords(client, caplog):
    caplog.set_level(logging.INFO, logger="impact_monitor.audit")
    fail(client, "donor", "10.0.0.3", times=5)
    client.get("/", headers=basic("donor:wrong"), environ_overrides={"REMOTE_ADDR": "10.0.0.3"})
    for _ in range(3):
        client.get("/", headers=LEADERSHIP, environ_overrides={"REMOTE_ADDR": "10.0.0.4"})
    records = audit_records(caplog)
    assert [r["what"] for r in records] == ["login_failed"] * 5 + ["login_rate_limited", "login_success"]
    for record in records:
        assert {"who", "what", "when", "address"} <= set(record)
    assert records[0]["who"] == "donor" and records[0]["address"] == "10.0.0.3"
    assert records[-1].items() >= {"who": "leadership", "role": "leadership", "address": "10.0.0.4"}.items()
    assert "wrong" not in caplog.text and "demo" not in caplog.text


def test_success_is_logged_again_from_another_address(client, caplog):
    caplog.set_level(logging.INFO, logger="impact_monitor.audit")
    for address in ["10.0.0.1", "10.0.0.1", "10.0.0.2"]:
        client.get("/", headers=LEADERSHIP, environ_overrides={"REMOTE_ADDR": address})
    assert [r["address"] for r in audit_records(caplog)] == ["10.0.0.1", "10.0.0.2"]


def test_audit_download(app, caplog):
    caplog.set_level(logging.INFO, logger="impact_monitor.audit")
    with app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.5"}):
        audit_download(Account("dhaka", "government", ("BD30",)), "cases_by_district.csv",
                       {"period": "2025Q1", "area": "BD30"})
    (record,) = audit_records(caplog)
    assert record["what"] == "download" and record["item"] == "cases_by_district.csv"
    assert record["who"] == "dhaka" and record["role"] == "government" and record["address"] == "10.0.0.5"
    assert record["filters"] == {"period": "2025Q1", "area": "BD30"}
    assert record["when"].endswith("+00:00")
