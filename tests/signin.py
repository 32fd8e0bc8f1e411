"""Signing in as a person does, for the tests: through the sign-in form, over HTTP, in a test client or in
Chromium."""

from __future__ import annotations

from benchmarks.dash_client import form_token, session_cookie as _session_cookie, sign_in_browser

__all__ = ["form_token", "session_cookie", "sign_in", "sign_in_browser", "signed_in_client"]


def session_cookie(base_url: str, username: str) -> str:
    """A session at a running app, signed in through its form with the demo password."""
    return _session_cookie(base_url, username, "demo")


def sign_in(client, username: str = "leadership", password: str = "demo", next_path: str = "/",
            address: str = "127.0.0.1"):
    """Sign a Flask test client in through the form (it keeps the cookies); the POST's response."""
    page = client.get("/login", environ_overrides={"REMOTE_ADDR": address})
    return client.post("/login", data={"username": username, "password": password, "next": next_path,
                                       "form_token": form_token(page.get_data(as_text=True))},
                       environ_overrides={"REMOTE_ADDR": address})


_SIGNED_IN: dict[tuple[int, str], object] = {}


def signed_in_client(app, username: str, password: str = "demo"):
    """A test client of this Flask app signed in as `username` through the form (one per app and account)."""
    key = (id(app), username)
    if key not in _SIGNED_IN:
        client = app.test_client()
        response = sign_in(client, username, password)
        if response.status_code != 303:
            raise AssertionError(f"signing in as {username} answered {response.status_code}")
        _SIGNED_IN[key] = client
    return _SIGNED_IN[key]
