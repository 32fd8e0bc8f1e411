"""Sign-in, sessions, sign-out, lockout, audit log and security headers on a small real Dash app (Flask test
client), wired as the product wires them (`dashboard.app.install_sign_in`)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
import uuid

import dash
import flask
import pytest
import redis
from dash import Input, Output, dcc, html

from dashboard.app import install_sign_in
from dashboard.security import (
    MAX_BODY_BYTES,
    NotAuthenticated,
    audit_download,
    content_security_policy,
    current_account,
    install_security_headers,
)
from dashboard.signin import FORM_COOKIE, SESSION_COOKIE, safe_next
from impact_monitor.accounts import Account, demo_accounts, hash_password
from impact_monitor.settings import Settings
from tests.conftest import LIVE_FIGURES
from tests.conftest import REDIS_TEST_URL as REDIS_URL
from tests.signin import form_token, sign_in

SECRET_CSV = "district,cases\nBD3026,7\n"


def build_app(tmp_path, accounts=None, **env: str) -> dash.Dash:
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

    settings = Settings.from_env({**LIVE_FIGURES, "IMPACT_DATA_DIR": str(tmp_path), **env})
    install_sign_in(app, accounts or demo_accounts(), settings)
    install_security_headers(app, https=settings.https)
    return app


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path)


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def signed_in(app):
    client = app.server.test_client()
    assert sign_in(client).status_code == 303
    return client


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
    page = client.get("/").get_data(as_text=True)
    return re.search(r'src="(/_dash-component-suites/[^"]+)"', page).group(1)


def session_of(client) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return None if cookie is None else cookie.value


ROUTES = ["/", "/some/page", "/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/download/cases.csv",
          "/nonexistent"]
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def assert_sign_in_required(response) -> None:
    assert response.status_code in (303, 401)
    if response.status_code == 303:
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.get_json() == {"error": "Sign in to go on.", "sign_in": "/login"}
    assert "WWW-Authenticate" not in response.headers  # no browser prompt
    assert b"BD3026" not in response.data and b"hello" not in response.data


# Anonymous requests


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_needs_a_sign_in(client, path):
    assert_sign_in_required(client.get(path))
    assert_sign_in_required(client.get(path, headers=HTML))


def test_a_page_load_goes_to_the_sign_in_page_and_comes_back(client):
    response = client.get("/some/page?lang=bn", headers=HTML)
    assert response.status_code == 303 and response.headers["Location"] == "/login?next=/some/page%3Flang%3Dbn"
    assert client.get("/_dash-layout", headers=HTML).status_code == 401  # Dash's own requests: 401, not a page
    signed = sign_in(client, next_path="/some/page?lang=bn")
    assert signed.status_code == 303 and signed.headers["Location"] == "/some/page?lang=bn"
    assert client.get("/some/page", headers=HTML).status_code == 200


@pytest.mark.parametrize("path", ["/assets/../_dash-layout", "/_dash-component-suites/../_dash-layout",
                                  "/assets/%2e%2e/_dash-layout"])
def test_a_path_through_the_static_folders_reaches_nothing_else(client, path):
    response = client.get(path)  # the app answers these 404 (test_app_requests); here: never the layout
    assert response.status_code != 200 and b"filter-period" not in response.data


def test_static_files_and_the_sign_in_page_are_served_without_a_session(app, client):
    for path in (component_suite_path(_signed(app)), "/assets/style.css", "/_favicon.ico", "/login", "/healthz"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("body, content_type", [
    (json.dumps(callback_body()), "application/json"),
    ("{}", "application/json"),
    ("[]", "application/json"),
    ("not json", "application/json"),
    ("not json", "text/plain"),
    ("", None),
    ("x" * (5 * 1024 * 1024), "application/json"),
    # dash-auth's own hook lets a callback through when its pathname input names a public route.
    (json.dumps(callback_body(pathname="/healthz")), "application/json"),
    (json.dumps(callback_body(pathname="/login")), "application/json"),
])
def test_anonymous_callbacks_get_401_whatever_the_body(client, body, content_type):
    response = client.post("/_dash-update-component", data=body, content_type=content_type)
    assert response.status_code == 401
    assert_sign_in_required(response)


@pytest.mark.parametrize("cookie", ["", "x", "A" * 43, "A" * 4000, "ÿÿ", "../../etc", "%00"])
def test_a_forged_session_cookie_gets_the_sign_in_page(client, cookie):
    client.set_cookie(SESSION_COOKIE, cookie)
    assert_sign_in_required(client.get("/", headers=HTML))
    assert client.post("/_dash-update-component", json=callback_body()).status_code == 401


# Signed in


@pytest.mark.parametrize("path", ["/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css",
                                  "/download/cases.csv"])
def test_a_session_gets_200(signed_in, path):
    assert signed_in.get(path).status_code == 200


def test_callbacks_see_the_account_that_signed_in(app):
    for username in ("leadership", "dhaka"):
        client = app.server.test_client()
        sign_in(client, username)
        response = client.post("/_dash-update-component", json=callback_body("hi"))
        assert response.status_code == 200
        assert response.get_json()["response"]["answer"]["children"] == f"{username}:hi"


def test_oversized_body_is_refused_after_sign_in(signed_in):
    response = signed_in.post("/_dash-update-component", data="x" * (MAX_BODY_BYTES + 1),
                              content_type="application/json")
    assert response.status_code == 413


def test_an_oversized_sign_in_form_gets_the_sign_in_page_with_400(client):
    token = form_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "x" * (MAX_BODY_BYTES + 1), "password": "demo",
                                           "form_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "The sign-in form was too large." in page and '<form method="post"' in page
    assert session_of(client) is None


def test_an_oversized_callback_gets_a_short_json_refusal(signed_in):
    response = signed_in.post("/_dash-update-component", data="x" * (MAX_BODY_BYTES + 1),
                              content_type="application/json")
    assert response.status_code == 413 and response.get_json() == {"error": "This request is too large."}


def test_a_unicode_name_and_password_sign_in(tmp_path):
    accounts = {"জন": (hash_password("পাস:ওয়ার্ড"), Account("জন", "donor", ()))}
    client = build_app(tmp_path, accounts=accounts).server.test_client()
    assert sign_in(client, "জন", "পাস").status_code == 401
    assert sign_in(client, "জন", "পাস:ওয়ার্ড").status_code == 303 and client.get("/").status_code == 200


def test_current_account_outside_a_request_is_a_clear_error(app):
    with pytest.raises(NotAuthenticated, match="inside a request"):
        current_account()
    with app.server.test_request_context("/"):
        with pytest.raises(NotAuthenticated):
            current_account()


# The sign-in form


def test_an_unknown_name_and_a_wrong_password_read_the_same_and_take_as_long(app):
    def attempt(username):
        client = app.server.test_client()
        started = time.perf_counter()
        response = sign_in(client, username, "wrong-password")
        return response, time.perf_counter() - started

    answers = [attempt(name) for name in ["leadership", "nobody-here"] * 3]
    wrong, unknown = answers[0][0], answers[1][0]
    assert wrong.status_code == unknown.status_code == 401
    assert "The name or the password is not right." in wrong.get_data(as_text=True)
    assert _without_token(wrong.get_data(as_text=True)) == _without_token(unknown.get_data(as_text=True))
    known_s = sorted(seconds for (_, seconds), i in zip(answers, range(6)) if i % 2 == 0)[1]
    unknown_s = sorted(seconds for (_, seconds), i in zip(answers, range(6)) if i % 2 == 1)[1]
    assert 0.5 < known_s / unknown_s < 2, (known_s, unknown_s)  # both verify an argon2 hash


def _without_token(page: str) -> str:
    return re.sub(r'value="[^"]{40,}"', "", page)


@pytest.mark.parametrize("token", [None, "", "forged", "A" * 10_000])
def test_a_sign_in_without_the_form_s_own_token_gets_400(client, token):
    client.get("/login")
    data = {"username": "leadership", "password": "demo", "next": "/"}
    if token is not None:
        data["form_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400 and response.mimetype == "text/html"  # the sign-in page, readable in Bangla
    page = response.get_data(as_text=True)
    assert ("This sign-in form has expired" in page or "too large" in page) and session_of(client) is None


def test_a_token_planted_as_both_cookie_and_field_is_refused(client):
    """Signed double-submit: a pair another site chose is not one this app made."""
    client.set_cookie(FORM_COOKIE, "planted", path="/login")
    response = client.post("/login", data={"username": "leadership", "password": "demo", "form_token": "planted"})
    assert response.status_code == 400 and session_of(client) is None


def test_a_token_from_another_browser_is_refused(app):
    attacker, victim = app.server.test_client(), app.server.test_client()
    token = form_token(attacker.get("/login").get_data(as_text=True))
    victim.get("/login")
    response = victim.post("/login", data={"username": "leadership", "password": "demo", "form_token": token})
    assert response.status_code == 400


@pytest.mark.parametrize("form", [
    {"username": "x" * 50_000, "password": "demo"},  # larger than a sign-in form
    {"password": "demo"},
    {"username": "", "password": ""},
    {"username": "leadership", "password": "p" * 2000},
])
def test_malformed_or_oversized_sign_in_forms_get_400(client, form):
    token = form_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={**form, "form_token": token})
    assert response.status_code == 400 and session_of(client) is None


def test_a_non_form_body_gets_400_not_500(client):
    client.get("/login")
    for body, content_type in [("{]", "application/json"), (b"\xff\xfe\x00", "application/x-www-form-urlencoded"),
                               ("a=" + "%" * 100, "application/x-www-form-urlencoded")]:
        assert client.post("/login", data=body, content_type=content_type).status_code == 400


@pytest.mark.parametrize("next_path, landing", [
    ("/referrals?lang=bn", "/referrals?lang=bn"), ("/", "/"),
    ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"), ("/login", "/"), ("\t//evil.example", "/"),
    ("/%0d%0aSet-Cookie:x=1", "/%0d%0aSet-Cookie:x=1"),  # stays percent-encoded: no header is split
])
def test_only_a_path_on_this_site_is_followed_after_signing_in(client, next_path, landing):
    response = sign_in(client, next_path=next_path)
    assert response.status_code == 303 and response.headers["Location"] == landing
    assert safe_next(next_path) == landing


# Sessions


def test_the_session_id_changes_at_sign_in_and_a_planted_one_is_worthless(app):
    client = app.server.test_client()
    client.set_cookie(SESSION_COOKIE, "planted-by-someone-else")
    sign_in(client)
    first = session_of(client)
    assert first and first != "planted-by-someone-else"
    sign_in(client)
    assert session_of(client) != first  # a new id at every sign-in; the old session ended
    replay = app.server.test_client()
    replay.set_cookie(SESSION_COOKIE, first)
    assert_sign_in_required(replay.get("/", headers=HTML))


def test_cookies_are_httponly_lax_and_secure_only_with_https(tmp_path):
    for env, secure in [({}, False), ({"IMPACT_HTTPS": "1"}, True)]:
        client = build_app(tmp_path, **env).server.test_client()
        cookie = next(v for v in sign_in(client).headers.getlist("Set-Cookie") if v.startswith(SESSION_COOKIE))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and ("Secure" in cookie) == secure


def test_signing_out_ends_the_session_on_the_server(app, caplog):
    client = app.server.test_client()
    sign_in(client, "donor")
    copied = session_of(client)
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    csrf = _sign_out_token(client)
    with caplog.at_level(logging.INFO, logger="impact_monitor.audit"):
        response = client.post("/logout", data={"csrf": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/login?reason=signed_out"
    assert session_of(client) is None
    thief = app.server.test_client()
    thief.set_cookie(SESSION_COOKIE, copied)
    assert_sign_in_required(thief.get("/", headers=HTML))
    assert thief.post("/_dash-update-component", json=callback_body()).status_code == 401
    assert any(json.loads(r.getMessage())["what"] == "sign_out" for r in caplog.records)
    assert "signed out" in client.get("/login?reason=signed_out").get_data(as_text=True)


def _sign_out_token(client) -> str:
    """The token the signed-in page's sign-out form carries (the app's own store holds it)."""
    with client.application.test_request_context("/", headers={"Cookie": f"{SESSION_COOKIE}={session_of(client)}"}):
        client.application.preprocess_request()
        return flask.g.session.csrf


def test_logout_opened_as_a_page_asks_and_its_button_signs_out(app):
    client = app.server.test_client()
    sign_in(client)
    page = client.get("/logout")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sign out of the impact monitor on this computer?" in text
    assert page.headers["Cache-Control"] == "no-store"
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    assert session_of(client) is not None  # opening the page signs no one out
    response = client.post("/logout", data={"csrf": csrf})
    assert response.status_code == 303 and session_of(client) is None


def test_logout_opened_without_a_session_goes_to_the_sign_in_page(client):
    response = client.get("/logout", headers=HTML)
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")


def test_a_sign_out_from_another_site_is_refused(signed_in):
    assert signed_in.post("/logout", data={"csrf": "guessed"}).status_code == 400
    assert signed_in.post("/logout", headers={"Origin": "https://evil.example"}).status_code == 400
    assert signed_in.get("/").status_code == 200  # still signed in


def test_a_cross_site_post_without_the_cookie_cannot_even_clear_it(app):
    """SameSite=Lax keeps the cookie off another site's POST: the answer then ends nothing and sets nothing."""
    client = app.server.test_client()
    sign_in(client)
    copied = session_of(client)
    stranger = app.server.test_client()
    response = stranger.post("/logout", headers={"Origin": "https://evil.example"})
    assert response.status_code == 303 and "Set-Cookie" not in response.headers
    assert client.get("/").status_code == 200 and session_of(client) == copied


def test_an_older_tab_of_this_site_can_sign_out(signed_in):
    """A tab from before a new sign-in holds an old token; the browser's Origin says it is this site."""
    response = signed_in.post("/logout", data={"csrf": "from-an-older-sign-in"}, headers={"Origin": "http://localhost"})
    assert response.status_code == 303 and session_of(signed_in) is None


def test_the_page_s_own_status_refresh_does_not_keep_an_idle_session_alive(tmp_path):
    app = build_app(tmp_path, IMPACT_SESSION_IDLE_MIN="0.02")  # 1.2 s
    client = app.server.test_client()
    sign_in(client)
    refresh = {**callback_body(), "changedPropIds": ["status-refresh.n_intervals"]}
    answers = []
    for _ in range(4):
        time.sleep(0.4)
        answers.append(client.post("/_dash-update-component", json=refresh))
    assert answers[0].status_code == 200  # answered, but not counted as use
    ended = next(answer for answer in answers if answer.status_code != 200)
    assert ended.status_code == 401 and ended.get_json()["reason"] == "idle"  # the page then says why
    assert client.post("/_dash-update-component", json=callback_body()).status_code == 401


@pytest.mark.parametrize("method, path", [("GET", "/logout"), ("GET", "/oidc/anything"), ("GET", "/oidc/x/login")])
def test_only_the_sign_in_routes_themselves_are_public(client, method, path):
    assert_sign_in_required(client.open(path, method=method, headers=HTML))


def test_with_the_session_store_down_signing_in_says_so(tmp_path, caplog):
    client = build_app(tmp_path, IMPACT_REDIS_URL="redis://127.0.0.1:1/0").server.test_client()
    response = sign_in(client)
    assert response.status_code == 503 and "Signing in is not possible just now" in response.get_data(as_text=True)
    assert session_of(client) is None


def test_a_session_ends_after_the_idle_time_and_says_why(tmp_path, caplog):
    app = build_app(tmp_path, IMPACT_SESSION_IDLE_MIN="0.05")  # 3 s
    client = app.server.test_client()
    sign_in(client)
    assert client.get("/").status_code == 200
    time.sleep(1.5)
    assert client.get("/").status_code == 200  # use keeps it alive
    time.sleep(3.5)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="impact_monitor.audit"):
        response = client.get("/some/page", headers=HTML)
    assert response.status_code == 303 and response.headers["Location"] == "/login?next=/some/page&reason=idle"
    assert "after a time without use" in client.get(response.headers["Location"]).get_data(as_text=True)
    events = [json.loads(r.getMessage()) for r in caplog.records]
    assert [e["what"] for e in events] == ["session_timeout"] and events[0]["who"] == "leadership"
    assert client.get("/", headers=HTML).status_code == 303  # and it stays ended


def test_a_session_ends_at_its_absolute_lifetime_even_in_use(tmp_path):
    app = build_app(tmp_path, IMPACT_SESSION_MAX_H="0.0005")  # 1.8 s
    client = app.server.test_client()
    sign_in(client)
    answers = []
    for _ in range(6):
        answers.append(client.get("/", headers=HTML))
        time.sleep(0.5)
    assert answers[0].status_code == 200
    ended = next(answer for answer in answers if answer.status_code != 200)
    assert ended.status_code == 303 and ended.headers["Location"].endswith("reason=expired")


# Lockout


def fail(client, username, address, times=1):
    for _ in range(times):
        assert sign_in(client, username, "wrong", address=address).status_code == 401


def test_five_failures_make_the_account_wait_and_a_colleague_at_the_same_address_still_signs_in(app):
    client = app.server.test_client()
    fail(client, "donor", "10.0.0.1", times=5)
    locked = sign_in(client, "donor", "demo", address="10.0.0.1")
    assert locked.status_code == 429 and 0 < int(locked.headers["Retry-After"]) <= 900
    assert "Too many failed sign-ins for this account: try again in 15 minutes." in locked.get_data(as_text=True)
    assert sign_in(client, "donor", "demo", address="10.0.0.2").status_code == 429  # from anywhere
    colleague = app.server.test_client()
    assert sign_in(colleague, "leadership", "demo", address="10.0.0.1").status_code == 303


def test_an_address_waits_only_after_many_failures(tmp_path):
    app = build_app(tmp_path, IMPACT_LOGIN_ADDRESS_LIMIT="8")
    client = app.server.test_client()
    for name in [f"guess{i}" for i in range(8)]:
        fail(client, name, "10.0.0.7")
    blocked = sign_in(client, "leadership", "demo", address="10.0.0.7")
    assert blocked.status_code == 429 and "from this network" in blocked.get_data(as_text=True)
    assert sign_in(client, "leadership", "demo", address="10.0.0.8").status_code == 303


def test_x_forwarded_for_counts_only_behind_trusted_proxies(tmp_path):
    direct = build_app(tmp_path).server.test_client()
    for i in range(5):  # a client inventing a new address each time is still one address
        assert sign_in_from(direct, "donor", "wrong", forwarded=f"10.9.9.{i}").status_code == 401
    assert sign_in_from(direct, "leadership", "demo", forwarded="10.9.9.99").status_code == 303
    proxied = build_app(tmp_path, IMPACT_TRUSTED_PROXIES="1", IMPACT_LOGIN_ADDRESS_LIMIT="5").server.test_client()
    for i in range(5):
        sign_in_from(proxied, f"guess{i}", "wrong", forwarded="10.1.1.1")
    assert sign_in_from(proxied, "leadership", "demo", forwarded="10.1.1.1").status_code == 429
    assert sign_in_from(proxied, "leadership", "demo", forwarded="10.1.1.2").status_code == 303


def sign_in_from(client, username, password, forwarded):
    page = client.get("/login", headers={"X-Forwarded-For": forwarded})
    return client.post("/login", headers={"X-Forwarded-For": forwarded},
                       data={"username": username, "password": password, "next": "/",
                             "form_token": form_token(page.get_data(as_text=True))})


def test_workers_share_sessions_and_lockouts_through_redis(tmp_path, redis_url):
    store = redis.Redis.from_url(redis_url)
    before = set(store.scan_iter("impact-monitor:*"))
    try:
        first, second = (build_app(tmp_path, IMPACT_REDIS_URL=REDIS_URL).server.test_client() for _ in range(2))
        sign_in(first, "dhaka")
        second.set_cookie(SESSION_COOKIE, session_of(first))
        assert second.get("/").status_code == 200  # signed in on one worker, known to the other
        name = f"user-{uuid.uuid4().hex[:8]}"
        for i in range(5):
            fail((first, second)[i % 2], name, "10.0.0.1")
        assert sign_in(first, name, "wrong", address="10.0.0.3").status_code == 429
    finally:
        created = set(store.scan_iter("impact-monitor:*")) - before
        if created:
            store.delete(*created)
        store.close()


# Audit


def test_the_audit_log_says_who_from_where_and_never_a_password(app, caplog):
    client = app.server.test_client()
    with caplog.at_level(logging.INFO, logger="impact_monitor.audit"):
        sign_in(client, "donor", "Wrong-Secret-1", address="10.0.0.5")
        for _ in range(4):
            sign_in(client, "donor", "Wrong-Secret-1", address="10.0.0.5")
        sign_in(client, "donor", "demo", address="10.0.0.5")
        sign_in(client, "leadership", "demo", address="10.0.0.6")
        with app.server.test_request_context("/x"):
            audit_download(Account("leadership", "leadership", ()), "cases.csv", {"period": "2026-Q3"})
    events = [json.loads(r.getMessage()) for r in caplog.records]
    assert [e["what"] for e in events] == ["sign_in_failed"] * 5 + ["sign_in_locked", "sign_in", "download"]
    assert events[0]["who"] == "donor" and events[0]["address"] == "10.0.0.5"
    assert events[6]["who"] == "leadership" and events[6]["role"] == "leadership" and events[6]["via"] == "password"
    assert all(set(e) >= {"when", "what", "who", "address"} for e in events)
    assert "Wrong-Secret-1" not in caplog.text and "demo\"" not in caplog.text


# Headers


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@pytest.mark.parametrize("path", ["/", "/login", "/_dash-layout"])
def test_security_headers_on_every_answer(app, path):
    for client in (app.server.test_client(), _signed(app)):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"  # the back button after sign-out shows nothing


def _signed(app):
    client = app.server.test_client()
    sign_in(client)
    return client


def test_csp_allows_the_page_inline_scripts_and_nothing_unsafe(signed_in, app):
    response = signed_in.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert policy == content_security_policy(app)
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'" and directives["form-action"] == "'self'"
    # Dash's IE warning sits in a conditional comment that no current browser runs.
    page = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)
    inline = re.findall(r'<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>', page, re.S)
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"]
    assert "<script" not in signed_in.get("/login").get_data(as_text=True)  # the sign-in page runs no script


def test_callback_answers_and_downloads_are_not_cached(signed_in):
    callback = signed_in.post("/_dash-update-component", json=callback_body())
    download = signed_in.get("/download/cases.csv")
    assert callback.headers["Cache-Control"] == download.headers["Cache-Control"] == "no-store"
    assert "no-store" not in signed_in.get(component_suite_path(signed_in)).headers.get("Cache-Control", "")


def test_hsts_only_with_https(tmp_path):
    assert "Strict-Transport-Security" not in build_app(tmp_path).server.test_client().get("/login").headers
    secure = build_app(tmp_path, IMPACT_HTTPS="1").server.test_client().get("/login")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
