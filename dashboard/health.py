"""/healthz for load balancers: public, no data, only ok / degraded / down per database."""

from __future__ import annotations

import flask

from queries.db import Databases, ping


def install_health(server: flask.Flask, databases: Databases) -> None:
    @server.route("/healthz")
    def healthz():
        states = {"cases": ping(databases.cases),
                  "referrals": ping(databases.referrals) if not databases.same_database else None}
        states["referrals"] = states["cases"] if states["referrals"] is None else states["referrals"]
        up = sum(states.values())
        overall = "ok" if up == len(states) else ("degraded" if up else "down")
        body = {"status": overall, "databases": {name: "ok" if state else "down" for name, state in states.items()}}
        return flask.jsonify(body), (200 if up else 503)
