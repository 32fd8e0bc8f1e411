"""`python app.py` as a real server: public health check, everything else behind login."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest


def _get(url: str, username: str | None = None):
    request = urllib.request.Request(url)
    if username:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{username}:demo".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_health_is_public_and_says_nothing_but_status(live_app):
    status, _, body = _get(f"{live_app}/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "databases": {"cases": "ok", "referrals": "ok"}}


@pytest.mark.parametrize("path", ["/", "/district-map", "/_dash-layout", "/_dash-dependencies", "/assets/style.css"])
def test_pages_need_login(live_app, path):
    status, headers, body = _get(f"{live_app}{path}")
    assert status == 401 and headers.get("WWW-Authenticate", "").startswith("Basic")
    assert b"Impact monitor" not in body
    assert _get(f"{live_app}{path}", "leadership")[0] == 200


def test_demo_data_is_synthetic_and_labelled(live_app):
    status, _, body = _get(f"{live_app}/_dash-layout", "donor")
    assert status == 200 and b"Synthetic demo data" in body
