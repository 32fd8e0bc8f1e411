"""Operations: /healthz for load balancers, request ids in logs, and no traceback or 5xx for bad requests."""

from __future__ import annotations

import logging
import re
import uuid

import flask
from dash.exceptions import DependencyException
from werkzeug.exceptions import HTTPException

from queries.db import Databases, ping

log = logging.getLogger("impact_monitor.requests")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def install_operations(server: flask.Flask, databases: Databases) -> None:
    server.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    server.after_request(_echo_request_id)
    server.register_error_handler(Exception, _plain_error)
    server.add_url_rule("/healthz", "healthz", lambda: _health(databases))


def _assign_request_id() -> None:
    offered = flask.request.headers.get("X-Request-ID", "")
    flask.g.request_id = offered if _CLIENT_REQUEST_ID.match(offered) else uuid.uuid4().hex


def _echo_request_id(response: flask.Response) -> flask.Response:
    request_id = flask.g.get("request_id")
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


def _plain_error(error: Exception):
    """A malformed callback request is the client's error (400), a script Dash does not have is not found (404);
    nothing leaks a traceback."""
    if isinstance(error, HTTPException):
        return error
    if isinstance(error, DependencyException) or flask.request.path.startswith("/_dash-component-suites/"):
        # A script path Dash does not serve (a missing file, a path climbing out of its folder): not found.
        return flask.jsonify({"error": "Not found."}), 404
    if flask.request.path.endswith("/_dash-update-component"):
        log.warning("malformed callback request refused", extra={"error": error.__class__.__name__})
        return flask.jsonify({"error": "This request could not be understood; reload the page."}), 400
    log.exception("request failed")
    return flask.jsonify({"error": "Something went wrong; it has been logged.",
                          "request_id": flask.g.get("request_id")}), 500


def _health(databases: Databases):
    states = {"cases": ping(databases.cases)}
    states["referrals"] = states["cases"] if databases.same_database else ping(databases.referrals)
    up = sum(states.values())
    overall = "ok" if up == len(states) else ("degraded" if up else "down")
    body = {"status": overall, "databases": {name: "ok" if state else "down" for name, state in states.items()}}
    return flask.jsonify(body), (200 if up else 503)
