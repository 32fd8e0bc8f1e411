"""Signing in as a person does, for the tests: through the sign-in form, over HTTP, in a test client or in
Chromium."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

from dashboard.signin import SESSION_COOKIE

_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(page_html: str) -> str:
    return _FORM_TOKEN.search(page_html).group(1)


def sign_in(client, username: str = "leadership", password: str = "demo", next_path: str = "/",
            address: str = "127.0.0.1"):
    """Sign a Flask test client in through the form (it keeps the cookies); the POST's response."""
    page = client.get("/login", environ_overrides={"REMOTE_ADDR": address})
    return client.post("/login", data={"username": username, "password": password, "next": next_path,
                                       "form_token": form_token(page.get_data(as_text=True))},
                       environ_overrides={"REMOTE_ADDR": address})


def session_cookie(base_url: str, username: str, password: str = "demo") -> str:
    """A `Cookie` header value of a session signed in at a running app, through its form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base_url}/login", timeout=30) as page:
        token = form_token(page.read().decode())
    body = urllib.parse.urlencode({"username": username, "password": password, "form_token": token,
                                   "next": "/"}).encode()
    try:
        opener.open(urllib.request.Request(f"{base_url}/login", data=body), timeout=30)
    except urllib.error.HTTPError as error:  # the redirect after signing in, not followed
        if error.code != 303:
            raise AssertionError(f"signing in as {username} answered {error.code}") from None
    session = {cookie.name: cookie.value for cookie in jar}.get(SESSION_COOKIE)
    if session is None:
        raise AssertionError(f"signing in as {username} gave no session")
    return f"{SESSION_COOKIE}={session}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in_browser(driver, base_url: str, username: str, password: str = "demo") -> None:
    """Sign a Chromium in through the form, as a person types it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.sign-in-form button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: not urllib.parse.urlsplit(d.current_url).path.startswith("/login"))


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
