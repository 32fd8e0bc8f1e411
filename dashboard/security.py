"""Login, login rate limits, audit log and security headers for the Dash app (Flask backend).

Hook order on every request (Flask runs before_request hooks in list order
and stops at the first one that returns a response):

1. `_LoginGate.before_request`, inserted first: parses the Basic credentials
   itself, answers 401 (bad or missing credentials) or 429 (rate limited)
   before anything reads the request body, verifies the argon2 hash and
   stores the Account in `flask.g`.
2. Dash's own first-request setup hooks.
3. dash-auth's hook, whose `auth_func` only confirms what the gate decided.
   On its own it is unsafe here: it parses the header without error handling
   (500s), reads callback bodies before checking anything (400/413/500), and
   lets a callback through when its `pathname` input names a public route.

`after_request` adds the security headers to every response, 401 and 429 too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
import secrets
import threading
import time
from datetime import datetime, timezone

import dash
import dash_auth
import flask

from impact_monitor.accounts import Account, Accounts, LoginLimiter, dummy_hash, verify_password

AUDIT = logging.getLogger("impact_monitor.audit")
PUBLIC_PATHS = frozenset({"/healthz", "/_favicon.ico"})
MAX_BODY_BYTES = 1024 * 1024
REALM = 'Basic realm="Impact Monitor", charset="UTF-8"'
_MAX_AUTH_HEADER = 4096  # characters; real credentials are far shorter
_VERIFIED_TTL_S = 300
_LOG_AGAIN_AFTER_S = 600
_MAX_LOGGED_USERNAME = 100
# Dash's static files: fingerprinted and public code (scripts, styles, the Bangla font), cacheable unlike everything
# else, and served without a login: they hold no data, and a browser fetching a font or a stylesheet does not always
# send the credentials of the page.
_STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
_PUBLIC_ROUTES = sorted(PUBLIC_PATHS) + [f"{prefix}<path:path>" for prefix in _STATIC_PREFIXES]


class NotAuthenticated(RuntimeError):
    """Code asked for the current account outside an authenticated request."""


def install_auth(app: dash.Dash, accounts: Accounts, limiter: LoginLimiter,
                 audit_logger: logging.Logger = AUDIT, secret_key: str | None = None) -> None:
    """Require Basic authentication on every route but /healthz, with rate limits and an audit log."""
    gate = _LoginGate(accounts, limiter, audit_logger)
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    server.before_request_funcs.setdefault(None, []).insert(0, gate.before_request)
    dash_auth.BasicAuth(
        app,
        auth_func=gate.confirm,
        # dash-auth keeps the user in the Flask session, and warns on every request without a key.
        secret_key=secret_key or secrets.token_hex(32),
        public_routes=_PUBLIC_ROUTES,
    )


def is_public(path: str) -> bool:
    """Served without a login: health, and static files that hold no data."""
    return path in PUBLIC_PATHS or path.startswith(_STATIC_PREFIXES)


def current_account() -> Account:
    """The Account that authenticated the current request, for callbacks."""
    account = flask.g.get("account") if flask.has_request_context() else None
    if account is None:
        raise NotAuthenticated(
            "no authenticated account: call current_account() inside a request of an app set up with install_auth()"
        )
    return account


def audit_download(account: Account, what: str, filters: dict) -> None:
    """Log who downloaded what with which filters (never the data itself)."""
    _audit(AUDIT, "download", account.username, _address(), role=account.role, item=what, filters=filters)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(username, password) from a Basic Authorization header, or None for anything malformed."""
    # Case-sensitive "Basic ": dash-auth parses the header again and only understands that spelling.
    if not header or len(header) > _MAX_AUTH_HEADER or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[len("Basic "):].encode("ascii"), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeError are ValueErrors
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon and username else None


class _LoginGate:
    def __init__(self, accounts: Accounts, limiter: LoginLimiter, audit_logger: logging.Logger) -> None:
        self._accounts = accounts
        self._limiter = limiter
        self._audit_logger = audit_logger
        self._verified = _VerifiedCredentials(_VERIFIED_TTL_S)
        self._once = _Once(_LOG_AGAIN_AFTER_S)

    def before_request(self) -> flask.Response | None:
        if is_public(flask.request.path):
            return None
        credentials = basic_credentials(flask.request.headers.get("Authorization"))
        if credentials is None:
            return _login_required()
        username, password = credentials
        address = _address()
        # A password verified moments ago is not a guess: the rightful user keeps
        # working while someone else's failures have the account blocked.
        if self._verified.matches(username, password):
            account = self._accounts[username][1]
        else:
            wait = self._limiter.check(username, address)
            if wait is not None:
                self._log_once("login_rate_limited", username, address, retry_after_s=math.ceil(wait))
                return _too_many_attempts(wait)
            account = self._verify(username, password, address)
            if account is None:
                return _login_required()
        flask.g.account = account
        self._log_once("login_success", username, address, role=account.role)
        return None

    def confirm(self, username: str, password: str) -> bool:
        """dash-auth's auth_func: the gate already verified this same header in this request."""
        account = flask.g.get("account")
        return account is not None and account.username == username

    def _verify(self, username: str, password: str, address: str) -> Account | None:
        password_hash, account = self._accounts.get(username, (dummy_hash(), None))
        if verify_password(password_hash, password) and account is not None:
            self._limiter.record_success(username, address)
            self._verified.remember(username, password)
            return account
        self._limiter.record_failure(username, address)
        _audit(self._audit_logger, "login_failed", username, address)
        return None

    def _log_once(self, what: str, username: str, address: str, **details) -> None:
        if self._once.first((what, username, address)):
            _audit(self._audit_logger, what, username, address, **details)


class _VerifiedCredentials:
    """Recently verified passwords as keyed digests, so each request need not run argon2 (~50 ms).

    Basic authentication resends the password with every request, and a page
    load makes dozens of them. Only valid usernames are stored: bounded.
    """

    def __init__(self, ttl_s: float) -> None:
        self._ttl = ttl_s
        self._key = secrets.token_bytes(32)
        self._entries: dict[str, tuple[bytes, float]] = {}

    def matches(self, username: str, password: str) -> bool:
        digest, expires = self._entries.get(username, (b"", 0.0))
        return expires > time.monotonic() and hmac.compare_digest(digest, self._digest(password))

    def remember(self, username: str, password: str) -> None:
        self._entries[username] = (self._digest(password), time.monotonic() + self._ttl)

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode("utf-8"), hashlib.sha256).digest()


class _Once:
    """True the first time a key is seen within `every_s`; keeps repeated events out of the log."""

    _SWEEP_ABOVE = 10_000

    def __init__(self, every_s: float) -> None:
        self._every = every_s
        self._seen: dict[tuple, float] = {}
        self._lock = threading.Lock()

    def first(self, key: tuple) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._seen.get(key, -math.inf) < self._every:
                return False
            if len(self._seen) > self._SWEEP_ABOVE:
                self._seen = {k: t for k, t in self._seen.items() if now - t < self._every}
            self._seen[key] = now
            return True


def _audit(logger: logging.Logger, what: str, who: str, address: str | None, **details) -> None:
    record = {
        "when": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "what": what,
        "who": who[:_MAX_LOGGED_USERNAME],
        "address": address,
        **details,
    }
    # ASCII-only JSON: a hostile username cannot forge lines or reorder text in a log viewer.
    logger.info(json.dumps(record, ensure_ascii=True, sort_keys=True, default=str))


def _address() -> str | None:
    return flask.request.remote_addr if flask.has_request_context() else None


def _login_required() -> flask.Response:
    return flask.Response("Login required\n", 401, {"WWW-Authenticate": REALM}, mimetype="text/plain")


def _too_many_attempts(wait_s: float) -> flask.Response:
    return flask.Response(
        "Too many failed logins; try again later\n", 429,
        {"Retry-After": str(math.ceil(wait_s))}, mimetype="text/plain",
    )


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
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    if https:
        server.config["SESSION_COOKIE_SECURE"] = True
    fixed = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
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
