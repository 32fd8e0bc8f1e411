"""Single sign-on end to end against a real OpenID Connect provider on loopback (oidc-provider-mock): the
person is known by a verified e-mail in the users file or by a group claim, refused in plain words when
neither knows them, and told so when the provider is down."""

from __future__ import annotations

import json
import logging
import socket
import time
from urllib.parse import urlsplit

import flask
import pytest
import requests
from oidc_provider_mock import User, run_server_in_thread

from dashboard import signin
from impact_monitor.accounts import Account, demo_accounts
from tests.signin import sign_in
from tests.test_security import HTML, build_app, callback_body

PEOPLE = [
    User(sub="amina", claims={"email": "Amina@Example.org", "email_verified": True}),
    User(sub="rahim", claims={"email": "rahim@example.org", "email_verified": True, "groups": ["government:BD30"]}),
    User(sub="unverified", claims={"email": "amina@example.org", "email_verified": False}),
    User(sub="stranger", claims={"email": "stranger@example.org", "email_verified": True,
                                 "groups": ["admins", "government:XX99"]}),
    # A provider whose subjects can be chosen: one named like a users-file account, with a donor's groups.
    User(sub="leadership", claims={"email": "intern@example.org", "email_verified": False, "groups": ["donor"]}),
]
ACCOUNTS = {**demo_accounts(), "amina@example.org": (None, Account("amina@example.org", "leadership", ()))}


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(port=0, user_claims=PEOPLE) as server:
        yield f"http://localhost:{server.server_port}"


def sso_app(tmp_path, issuer: str):
    return build_app(tmp_path, accounts=ACCOUNTS, IMPACT_OIDC_ISSUER=issuer, IMPACT_OIDC_CLIENT_ID="impact-monitor",
                     IMPACT_OIDC_CLIENT_SECRET="a-secret", IMPACT_OIDC_GROUPS_CLAIM="groups")


def through_the_provider(client, subject: str, next_path: str = "/"):
    """Start at the app, sign in at the provider as `subject` (its own form), come back; the app's answer."""
    start = client.get(f"/oidc/organisation/login?next={next_path}")
    assert start.status_code == 302, start.data[:200]
    at_provider = requests.Session()
    assert at_provider.get(start.headers["Location"], timeout=10).status_code == 200
    approved = at_provider.post(start.headers["Location"], data={"sub": subject}, allow_redirects=False, timeout=10)
    back = urlsplit(approved.headers["Location"])
    assert back.path == "/oidc/organisation/callback"
    return client.get(f"{back.path}?{back.query}")


def test_a_person_in_the_users_file_by_verified_email_signs_in_and_comes_back(tmp_path, provider, caplog):
    client = sso_app(tmp_path, provider).server.test_client()
    assert b"/oidc/organisation/login" in client.get("/login").data  # the sign-in page offers it
    with caplog.at_level(logging.INFO, logger="impact_monitor.audit"):
        answer = through_the_provider(client, "amina", "/referrals")
    assert answer.status_code == 303 and answer.headers["Location"] == "/referrals"
    reply = client.post("/_dash-update-component", json=callback_body("hi"))
    assert reply.get_json()["response"]["answer"]["children"] == "amina@example.org:hi"
    event = json.loads(caplog.records[-1].getMessage())
    assert (event["what"], event["who"], event["role"], event["via"]) == (
        "sign_in", "amina@example.org", "leadership", "organisation")


def test_a_group_claim_gives_a_role_and_scope(tmp_path, provider):
    client = sso_app(tmp_path, provider).server.test_client()
    assert through_the_provider(client, "rahim").status_code == 303
    reply = client.post("/_dash-update-component", json=callback_body("x"))
    assert reply.get_json()["response"]["answer"]["children"] == "rahim@example.org:x"


@pytest.mark.parametrize("subject, who", [("stranger", "stranger@example.org"), ("unverified", "oidc:unverified")])
def test_a_person_the_app_does_not_know_gets_a_clear_refusal(tmp_path, provider, subject, who):
    client = sso_app(tmp_path, provider).server.test_client()
    answer = through_the_provider(client, subject, "/referrals")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403 and f"Your organisation knows you as {who}" in page
    assert "Traceback" not in page
    assert 'href="/login?lang=bn&amp;next=%2Freferrals"' in page  # the other language keeps where they were going
    assert client.get("/", headers=HTML).status_code == 303  # not signed in


def test_a_forged_callback_is_refused(tmp_path, provider):
    client = sso_app(tmp_path, provider).server.test_client()
    client.get("/oidc/organisation/login")
    answer = client.get("/oidc/organisation/callback?code=made-up&state=made-up")
    assert answer.status_code == 401 and "did not sign you in" in answer.get_data(as_text=True)


def test_a_provider_that_is_down_gets_a_page_that_says_so(tmp_path):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = sso_app(tmp_path, f"http://127.0.0.1:{port}").server.test_client()
    answer = client.get("/oidc/organisation/login")
    assert answer.status_code == 503
    assert "sign-in service cannot be reached" in answer.get_data(as_text=True)
    assert sign_in(client).status_code == 303  # a name and password still work


def _account_of(client):
    """The account the app gives the client's session (as a callback would see it)."""
    from dashboard.signin import SESSION_COOKIE

    cookie = client.get_cookie(SESSION_COOKIE).value
    with client.application.test_request_context("/", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}):
        client.application.preprocess_request()
        return flask.g.account


def test_a_role_from_groups_is_never_a_users_file_account_of_the_same_name(tmp_path, provider):
    client = sso_app(tmp_path, provider).server.test_client()
    assert through_the_provider(client, "leadership").status_code == 303
    assert _account_of(client) == Account("oidc:leadership", "donor", ())


def test_a_provider_that_never_answers_does_not_hold_the_app(tmp_path, monkeypatch):
    monkeypatch.setattr(signin, "_PROVIDER_TIMEOUT_S", 1)
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = sso_app(tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}").server.test_client()
        started = time.monotonic()
        answer = client.get("/oidc/organisation/login")
        assert answer.status_code == 503 and time.monotonic() - started < 10
