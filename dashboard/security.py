"""Who is signed in, the audit log, and security headers for the Dash app (Flask backend).

Sign-in and sessions are `dashboard.signin`'s; this module says which paths are public, gives callbacks the
signed-in account, writes audit events, and adds the security headers to every response.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import dash
import flask
from werkzeug.serving import WSGIRequestHandler

from impact_monitor.accounts import Account

AUDIT = logging.getLogger("impact_monitor.audit")
# The Server header names the software only: a version tells an attacker which published flaws to try.
SERVER_NAME = "impact-monitor"
PUBLIC_PATHS = frozenset({"/healthz", "/_favicon.ico"})
MAX_BODY_BYTES = 1024 * 1024
_MAX_LOGGED_USERNAME = 100
# Dash's static files: fingerprinted and public code (scripts, styles, the Bangla font), cacheable unlike everything
# else, and served without a sign-in: they hold no data, and the sign-in page needs its style and font.
_STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")


class NotAuthenticated(RuntimeError):
    """Code asked for the current account outside an authenticated request."""


def is_public(path: str) -> bool:
    """Served without a sign-in: health, and static files that hold no data."""
    return path in PUBLIC_PATHS or path.startswith(_STATIC_PREFIXES)


def current_account() -> Account:
    """The Account signed in for the current request, for callbacks."""
    account = flask.g.get("account") if flask.has_request_context() else None
    if account is None:
        raise NotAuthenticated("no signed-in account: call current_account() inside a request of an app set up "
                               "with dashboard.signin")
    return account


def audit_download(account: Account, what: str, filters: dict) -> None:
    """Log who downloaded what with which filters (never the data itself)."""
    audit_event(AUDIT, "download", account.username, role=account.role, item=what, filters=filters)


def audit_event(logger: logging.Logger, what: str, who: str, **details) -> None:
    """One audit line: when, what, who, from where (never a password)."""
    record = {
        "when": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "what": what,
        "who": who[:_MAX_LOGGED_USERNAME],
        "address": client_address(),
        **details,
    }
    # ASCII-only JSON: a hostile username cannot forge lines or reorder text in a log viewer.
    logger.info(json.dumps(record, ensure_ascii=True, sort_keys=True, default=str))


def client_address() -> str | None:
    """The client's address: the connection's, or the one trusted proxies give (werkzeug's ProxyFix, with
    IMPACT_TRUSTED_PROXIES); an X-Forwarded-For header is ignored otherwise."""
    return flask.request.remote_addr if flask.has_request_context() else None


def content_security_policy(app: dash.Dash) -> str:
    """The Content-Security-Policy header; inline scripts are allowed only by Dash's hashes."""
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *app.csp_hashes()]),
        "style-src": "'self' 'unsafe-inline'",  # Dash and Plotly set inline styles
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",  # maplibre (Choroplethmap) starts its workers from blobs
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def install_security_headers(app: dash.Dash, https: bool) -> None:
    """Security headers on every response; HSTS and secure cookies behind HTTPS."""
    server = app.server
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    if https:
        server.config["SESSION_COOKIE_SECURE"] = True
    fixed = {
        "X-Content-Type-Options": "nosniff",
        # Never to another site; same-origin keeps the Origin header of the app's own form posts (sign-out from an
        # older tab is recognised by it), which "no-referrer" would turn into "null".
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    }
    if https:
        fixed["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    @server.after_request
    def add_security_headers(response: flask.Response) -> flask.Response:
        response.headers.update(fixed)
        response.headers["Content-Security-Policy"] = content_security_policy(app)
        # Callback answers, downloads and pages may carry case aggregates: never cache them.
        if not flask.request.path.startswith(_STATIC_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response


class PlainServerHeader(WSGIRequestHandler):
    """Werkzeug's development server (`python app.py`), with a Server header that names no Werkzeug or Python
    version. `version_string()` is what http.server's BaseHTTPRequestHandler writes as the Server header; gunicorn
    writes its own name alone, without a version."""

    def version_string(self) -> str:
        return SERVER_NAME
