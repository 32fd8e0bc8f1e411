"""A small Dash client: what a browser asks for to show a page, as plain HTTP requests."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from dashboard.signin import SESSION_COOKIE

_SHELL_INPUTS = {("filter-period", "value"), ("filter-area", "value"), ("language", "data"),
                 ("status-refresh", "n_intervals")}


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict


_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(page_html: str) -> str:
    """The sign-in form's own token, from the sign-in page."""
    return _FORM_TOKEN.search(page_html).group(1)


def session_cookie(base_url: str, username: str, password: str) -> str:
    """A `Cookie` header value of a session signed in at a running app through its sign-in form, as a person
    signs in."""
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
            raise RuntimeError(f"signing in as {username} answered {error.code}") from None
    session = {cookie.name: cookie.value for cookie in jar}.get(SESSION_COOKIE)
    if session is None:
        raise RuntimeError(f"signing in as {username} gave no session")
    return f"{SESSION_COOKIE}={session}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in_browser(driver, base_url: str, username: str, password: str) -> None:
    """Sign a Chromium (Selenium) in through the form, as a person types it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.sign-in-form button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: not urllib.parse.urlsplit(d.current_url).path.startswith("/login"))


class DashClient:
    def __init__(self, base_url: str, username: str, password: str):
        self.base_url = base_url.rstrip("/")
        self.headers = {"Cookie": session_cookie(self.base_url, username, password)}

    def request(self, path: str, body: dict | None = None, gzip: bool = False) -> Response:
        headers = dict(self.headers, **({"Accept-Encoding": "gzip"} if gzip else {}))
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=600) as answer:
            return Response(answer.status, answer.read(), dict(answer.headers))

    def dependencies(self) -> list[dict]:
        return json.loads(self.request("/_dash-dependencies").body)

    def page_values(self, path: str) -> dict[tuple[str, str], object]:
        """(component id, property) -> initial value of every component the page's layout holds."""
        body = callback_body(".._pages_content.children..._pages_store.data..",
                             {("_pages_location", "pathname"): path, ("_pages_location", "search"): ""},
                             [{"id": "_pages_location", "property": "pathname"},
                              {"id": "_pages_location", "property": "search"}])
        answer = json.loads(self.request("/_dash-update-component", body).body)
        values: dict[tuple[str, str], object] = {}
        _collect(answer["response"]["_pages_content"]["children"], values)
        return values

    def page_callbacks(self, path: str, shell_values: dict) -> list[tuple[str, dict]]:
        """The callbacks that fire when the page opens, with the bodies the browser would send."""
        values = {**shell_values, **self.page_values(path)}
        page_ids = {component for component, _ in values} - {component for component, _ in shell_values}
        calls = []
        for dependency in self.dependencies():
            outputs = _outputs(dependency["output"])
            if dependency.get("clientside_function") or not any(o["id"] in page_ids for o in outputs):
                continue
            wanted = [(i["id"], i["property"]) for i in dependency["inputs"] + dependency["state"]]
            if all(key in values or key in _SHELL_INPUTS for key in wanted):
                calls.append((dependency["output"],
                              callback_body(dependency["output"], values, dependency["inputs"], dependency["state"])))
        return calls


def _collect(node, values: dict) -> None:
    """Walk a layout tree and keep every property of every component that has an id."""
    if isinstance(node, list):
        for child in node:
            _collect(child, values)
    elif isinstance(node, dict) and "props" in node:
        props = node["props"]
        if isinstance(props.get("id"), str):
            for name, value in props.items():
                if name != "children":
                    values[(props["id"], name)] = value
        _collect(props.get("children"), values)


def _outputs(output: str) -> list[dict]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in parts]


def callback_body(output: str, values: dict, inputs: list[dict], state: list[dict] | None = None) -> dict:
    outputs = _outputs(output)

    def filled(items):
        return [{"id": i["id"], "property": i["property"], "value": values.get((i["id"], i["property"]))}
                for i in items]

    return {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": filled(inputs), "state": filled(state or []),
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs]}
