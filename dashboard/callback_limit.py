"""One account's callbacks running at once are limited (IMPACT_CALLBACKS_PER_ACCOUNT): one over the limit gets
429 with Retry-After and a short JSON body, and the page's script (`assets/session.js`) sends it again after the
wait. Only Dash callbacks count (a table's download is one): pages, `/healthz` and static files are never
limited."""

from __future__ import annotations

import json
import logging
import time

import flask

from impact_monitor.callback_slots import CallbackSlots

CALLBACK_PATH = "/_dash-update-component"
RETRY_AFTER_S = 1  # callbacks take well under a second when the databases are well
_WARN_EVERY_S = 60  # per account and process: a burst is one line in the log, not hundreds

log = logging.getLogger("impact_monitor.requests")


def install_callback_limit(server: flask.Flask, slots: CallbackSlots) -> None:
    """Takes a slot before each signed-in account's callback runs and gives it back when the request ends, even
    when the callback failed. Call after sign-in is installed: the slot is the signed-in account's."""
    warned: dict[str, float] = {}

    def take_a_slot() -> flask.Response | None:
        account = flask.g.get("account")
        if not _is_callback(flask.request) or account is None:
            return None  # not a callback, or the sign-in gate has already answered it
        slot = slots.take(account.username)
        if slot is None:
            _warn_once_a_minute(warned, account.username, slots.limit)
            return too_many_callbacks()
        flask.g.callback_slot = slot
        return None

    def give_the_slot_back(_error: BaseException | None) -> None:
        slot = flask.g.pop("callback_slot", None)
        if slot is not None:
            slots.give_back(slot)

    server.before_request(take_a_slot)
    # A teardown function runs at the end of every request, after an error too.
    server.teardown_request(give_the_slot_back)


def too_many_callbacks() -> flask.Response:
    """429: this account has as many callbacks running as it may; the page's script tries again after the wait."""
    body = {"error": "Too many updates at once for this account: this one is tried again in a moment."}
    return flask.Response(json.dumps(body), 429, {"Retry-After": str(RETRY_AFTER_S)}, mimetype="application/json")


def _is_callback(request: flask.Request) -> bool:
    return request.method == "POST" and request.path.endswith(CALLBACK_PATH)


def _warn_once_a_minute(warned: dict[str, float], username: str, limit: int) -> None:
    now = time.monotonic()
    if now - warned.get(username, float("-inf")) > _WARN_EVERY_S:
        warned[username] = now
        log.warning("callbacks over the account's limit refused", extra={"account": username, "limit": limit})
