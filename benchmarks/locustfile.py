"""Simulated dashboard users for locust, loading pages the way the browser does.

Each user logs in as one demo account (HTTP Basic), reads the callback list
once, then opens pages one after another with 1-3 s of think time: the page,
its layout and dependencies, Dash's page router, and every callback the page
fires on load, with the inputs the browser would send (the layout's defaults:
the last complete quarter, and the account's area).

Run it through `python -m benchmarks.load_test`, which also judges the result.
"""

from __future__ import annotations

import itertools
import random

from locust import HttpUser, between, task

from benchmarks.dash_client import form_token

PASSWORD = "demo"
# Demo accounts, in turn, with the area each looks at.
ACCOUNTS = itertools.cycle([("leadership", "BD"), ("donor", "BD"), ("dhaka", "BD30")])
# A panel that failed still answers 200; its message gives it away.
FAILURE_MARKERS = ("Something went wrong", "Traceback")
ROUTER_LOCATION = "_pages_location"


def components(tree):
    """(type, props) of every component in a Dash layout tree."""
    if isinstance(tree, list):
        for child in tree:
            yield from components(child)
    elif isinstance(tree, dict) and "props" in tree:
        yield tree.get("type"), tree["props"]
        yield from components(tree["props"].get("children"))


def component_values(tree) -> dict[tuple[str, str], object]:
    """{(component id, property): value} for every component with an id."""
    return {(props["id"], name): value for _, props in components(tree) if isinstance(props.get("id"), str)
            for name, value in props.items()}


def page_paths(shell) -> list[str]:
    """The pages the navigation links to."""
    return [props["href"] for kind, props in components(shell) if kind == "NavLink"]


def outputs_of(callback: dict) -> list[dict]:
    """Dash's output string: `id.prop`, or `..id1.prop1...id2.prop2..` for several outputs."""
    output = callback["output"]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in parts]


def fires_on_load(callback: dict, present_ids: set[str]) -> bool:
    """What the browser runs once the page is there: server callbacks whose outputs are all on the page."""
    return (not callback.get("clientside_function") and not callback.get("prevent_initial_call")
            and all(output["id"] in present_ids for output in outputs_of(callback)))


def callback_body(callback: dict, values: dict) -> dict:
    """What Dash's renderer posts for a callback on load, inputs and state taken from `values`."""
    outputs = outputs_of(callback)

    def filled(dependencies):
        return [{**d, "value": values.get((d["id"], d["property"]))} for d in dependencies]

    return {"output": callback["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": filled(callback["inputs"]), "state": filled(callback.get("state", [])),
            "changedPropIds": []}


class DashboardUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        username, area = next(ACCOUNTS)
        page = self.client.get("/login", name="/login")
        # Signs in through the form as a person does; the session's cookie then rides on every request.
        self.client.post("/login", name="/login", data={"username": username, "password": PASSWORD, "next": "/",
                                                        "form_token": form_token(page.text)})
        self.area = area
        self.callbacks = self.fetch("GET", "/_dash-dependencies").json()
        self.router = next(c for c in self.callbacks if c["inputs"][0]["id"] == ROUTER_LOCATION)
        self.page_paths = page_paths(self.fetch("GET", "/_dash-layout").json())

    @task
    def open_a_page(self):
        path = random.choice(self.page_paths)
        self.fetch("GET", path)
        shell = self.fetch("GET", "/_dash-layout").json()
        self.fetch("GET", "/_dash-dependencies")
        content = self.route(path)
        if content is not None:
            self.fire_callbacks(path, component_values(shell), component_values(content))

    def route(self, path: str):
        """The page's own layout, from Dash's page router as the browser asks for it."""
        location = {(ROUTER_LOCATION, "pathname"): path, (ROUTER_LOCATION, "search"): ""}
        response = self.fetch("POST", "/_dash-update-component", name=f"{path} page router",
                              json=callback_body(self.router, location))
        return response.json()["response"]["_pages_content"]["children"] if response.ok else None

    def fire_callbacks(self, path: str, shell_values: dict, page_values: dict) -> None:
        # The period stays the layout's default, the last complete quarter; the area is the account's.
        values = {**shell_values, **page_values, ("filter-area", "value"): self.area}
        present_ids = {component_id for component_id, _ in values}
        for callback in self.callbacks:
            if fires_on_load(callback, present_ids):
                # Page callbacks are named after their page; the shell's are the same on every page.
                in_shell = all((output["id"], "id") in shell_values for output in outputs_of(callback))
                name = callback["output"] if in_shell else f"{path} {callback['output']}"
                self.fetch("POST", "/_dash-update-component", name=name, json=callback_body(callback, values))

    def fetch(self, method: str, path: str, name: str | None = None, **kwargs):
        """A request that fails on an HTTP error or on an error message in its body."""
        with self.client.request(method, path, name=name or path, catch_response=True, **kwargs) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
            elif any(marker in response.text for marker in FAILURE_MARKERS):
                response.failure("an error message in the body")
            return response
