"""A small Dash client: what a browser asks for to show a page, as plain HTTP requests."""

from __future__ import annotations

import base64
import json
import urllib.request
from dataclasses import dataclass

_SHELL_INPUTS = {("filter-period", "value"), ("filter-area", "value"), ("language", "data"),
                 ("status-refresh", "n_intervals")}


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict


class DashClient:
    def __init__(self, base_url: str, username: str, password: str):
        self.base_url = base_url.rstrip("/")
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}

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
