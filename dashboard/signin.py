"""Sign-in and sign-out with server-side sessions, on dash-auth's `Auth` base.

A person signs in on a page of its own (`/login`, English or Bangla) and gets a session: a random id in an
HttpOnly, SameSite=Lax cookie, the session on the server (`impact_monitor.sessions`). Signing out deletes it,
so a copied cookie stops working; it also ends after IMPACT_SESSION_IDLE_MIN without a request, and
IMPACT_SESSION_MAX_H after sign-in.

Anonymous requests: a page load is sent to `/login?next=<the page>`; a callback, download or component request
gets 401 with a short JSON body, and the page's script (`assets/session.js`) sends the person to sign in and
back. Health and static files stay public.

The gate runs first among the request hooks and reads nothing from the body before the session is checked;
dash-auth's own hook would parse a callback's body first (a malformed one then answers 500).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from urllib.parse import quote, urlencode, urlsplit

import dash
import requests
from authlib.integrations.base_client import OAuthError
from werkzeug.exceptions import RequestEntityTooLarge
from dash_auth.auth import Auth
from dash_auth.oidc_auth import OIDCAuth
import flask

from impact_monitor.accounts import (Account, Accounts, LoginLimiter, dummy_hash, organisation_account, provider_name,
                                     verify_password)
from impact_monitor.sessions import Session, Sessions, SessionStoreError

from .i18n import LANGUAGE_NAMES, N_, _, current_language, number
from .security import AUDIT, MAX_BODY_BYTES, audit_event, client_address, is_public

SIGN_IN, SIGN_OUT = "/login", "/logout"
PROVIDER_ROUTES = "/oidc/"
_PROVIDER_ROUTE = re.compile(r"/oidc/(?:organisation/(?:login|callback)|logout)")
# The input of the page's own periodic request (the database status banner).
BACKGROUND_INPUT = "status-refresh.n_intervals"
SESSION_COOKIE = "impact_session"
FORM_COOKIE = "impact_signin_form"
_MAX_FORM_BYTES = 8 * 1024
_MAX_USERNAME, _MAX_PASSWORD = 100, 1024
# Why the sign-in page is shown, as `?reason=` says it.
REASONS = {"signed_out": N_("You have signed out."), "idle": N_("You were signed out after a time without use."),
           "expired": N_("Your session reached its time limit: sign in again."),
           "unavailable": N_("Signing in is not possible just now (the session store cannot be reached); try again "
                             "in a few minutes.")}

log = logging.getLogger("impact_monitor.signin")


class SessionAuth(Auth):
    """Password sign-in against the users file, with server-side sessions, lockout and an audit log."""

    def __init__(self, app: dash.Dash, accounts: Accounts, limiter: LoginLimiter, sessions: Sessions,
                 https: bool, demo: bool = False, demo_accounts: bool = False,
                 audit_logger: logging.Logger = AUDIT) -> None:
        self._accounts, self._limiter, self._sessions = accounts, limiter, sessions
        self._https, self._demo, self._demo_accounts, self._audit = https, demo, demo_accounts, audit_logger
        self.organisation_sign_in = False  # set by OrganisationSignIn
        super().__init__(app)
        server = app.server
        server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
        server.add_url_rule(SIGN_IN, "sign_in_page", self.sign_in_page, methods=["GET"])
        server.add_url_rule(SIGN_IN, "sign_in", self.sign_in, methods=["POST"])
        server.add_url_rule(SIGN_OUT, "sign_out_page", self.sign_out_page, methods=["GET"])
        server.add_url_rule(SIGN_OUT, "sign_out", self.sign_out, methods=["POST"])
        server.register_error_handler(RequestEntityTooLarge, self.too_large)

    # dash-auth's Auth interface

    def _protect(self) -> None:
        # First among the hooks: Dash's and dash-auth's would read a callback's body before any check.
        self.app.server.before_request_funcs.setdefault(None, []).insert(0, self._gate)

    def _gate(self) -> flask.Response | None:
        request = flask.request
        if is_public(request.path) or _is_sign_in_route(request.path, request.method, self.organisation_sign_in):
            return None
        return None if self.is_authorized() else self.login_request()

    def is_authorized(self) -> bool:
        """A live session of a known account: its Account and Session go to `flask.g`."""
        try:
            session, ended = self._sessions.read(flask.request.cookies.get(SESSION_COOKIE), touch=False)
            if session is not None and not ended and not _is_background(flask.request):
                self._sessions.touch(flask.request.cookies.get(SESSION_COOKIE), session)
        except SessionStoreError as error:
            log.error("sign-in unavailable: %s", error)
            flask.g.sign_in_reason = "unavailable"
            return False
        if ended:
            audit_event(self._audit, "session_timeout", session.username, reason=ended)
            flask.g.sign_in_reason = ended
            return False
        account = self._account_of(session)
        if account is None:
            return False
        flask.g.account, flask.g.session = account, session
        return True

    def login_request(self) -> flask.Response:
        """A page load goes to the sign-in page and comes back; anything else gets 401 and a short JSON body."""
        reason = flask.g.get("sign_in_reason")
        target = sign_in_url(_this_page(), reason)
        request = flask.request
        if request.method == "GET" and not request.path.startswith("/_") and \
                request.accept_mimetypes.accept_html:
            return flask.redirect(target, 303)
        body = {"error": "Sign in to go on.", "sign_in": SIGN_IN, **({"reason": reason} if reason else {})}
        return flask.Response(json.dumps(body), 401, mimetype="application/json")

    # Routes

    def sign_in_page(self) -> flask.Response:
        return self.form(reason=flask.request.args.get("reason"))

    def sign_in(self) -> flask.Response:
        request = flask.request
        if (request.content_length or 0) > _MAX_FORM_BYTES:
            return self.form(error=_("The sign-in form was too large."), status=400)
        form = request.form
        username, password = form.get("username", ""), form.get("password", "")
        if not _valid_form_token(form.get("form_token"), request.cookies.get(FORM_COOKIE)):
            return self.form(error=_("This sign-in form has expired or did not come from this site: please sign "
                                     "in again."), status=400, new_token=True)
        if not username or len(username) > _MAX_USERNAME or len(password) > _MAX_PASSWORD:
            return self.form(error=_("Enter your name and password."), status=400)
        address = client_address()
        refused = self._limiter.check(username, address)
        if refused is not None:
            audit_event(self._audit, "sign_in_locked", username, by=refused.by, retry_after_s=round(refused.wait_s))
            return self.form(error=_wait_message(refused.by, refused.wait_s), status=429,
                              headers={"Retry-After": str(max(1, round(refused.wait_s)))})
        account = self._verify(username, password, address)
        if account is None:
            audit_event(self._audit, "sign_in_failed", username)
            return self.form(error=_("The name or the password is not right."), status=401)
        return self.start_session(account, "password", form.get("next"))

    def sign_out_page(self) -> flask.Response:
        """`/logout` opened as a page (typed, or from a bookmark): a button that signs out, as the one on every
        page does. Signing out stays a POST with the session's token, so a link on another site cannot do it."""
        session = current_session()
        page = flask.render_template_string(SIGN_OUT_PAGE, language=current_language(), csrf=session.csrf,
                                            text=_page_text())
        return flask.Response(page, 200, mimetype="text/html")

    def too_large(self, _error: RequestEntityTooLarge) -> flask.Response:
        """A body over the limit: the sign-in page says so (400, as any malformed sign-in form); anything else
        gets 413 with a short JSON body, as other refused requests do."""
        if flask.request.path == SIGN_IN:
            return self.form(error=_("The sign-in form was too large."), status=400, next_path="/")
        body = {"error": "This request is too large."}
        return flask.Response(json.dumps(body), 413, mimetype="application/json")

    def sign_out(self) -> flask.Response:
        request = flask.request
        session_id = request.cookies.get(SESSION_COOKIE)
        try:
            session, ended = self._sessions.read(session_id, touch=False)
        except SessionStoreError:
            return self.form(error=_("Signing out could not reach the session store just now: close the browser, "
                                     "and try again in a few minutes."), status=503)
        if session is None or ended:  # nothing to end: a page of another site cannot even clear the cookie
            return flask.redirect(SIGN_IN, 303)
        if not (_same_token(request.form.get("csrf"), session.csrf) or _same_origin(request)):
            return self.form(error=_("This sign-out did not come from a page of this site."), status=400)
        self._sessions.end(session_id)
        audit_event(self._audit, "sign_out", session.username)
        response = flask.redirect(sign_in_url(None, "signed_out"), 303)
        response.delete_cookie(SESSION_COOKIE, path="/", secure=self._https, httponly=True, samesite="Lax")
        return response

    # Parts

    def _account_of(self, session: Session | None) -> Account | None:
        """The session's account: the users file's entry (an account removed there is signed out), or the role
        the person's organisation gave at sign-in."""
        if session is None:
            return None
        if session.role:
            return Account(session.username, session.role, session.scope)
        entry = self._accounts.get(session.username)
        return None if entry is None else entry[1]

    def _verify(self, username: str, password: str, address: str) -> Account | None:
        # An unknown name, or an account that signs in through its organisation only, is checked against a
        # dummy hash: it takes as long as a wrong password.
        password_hash, account = self._accounts.get(username, (None, None))
        if verify_password(password_hash or dummy_hash(), password) and password_hash and account is not None:
            self._limiter.record_success(username, address)
            return account
        self._limiter.record_failure(username, address)
        return None

    def start_session(self, account: Account, via: str, next_path: str | None,
                      role_from_groups: bool = False) -> flask.Response:
        """A new session (a new id at every sign-in; any session this browser had ends), then the page asked.
        With `role_from_groups`, the session keeps the role and scope the person's organisation gave; otherwise
        the account is the users file's, read again at every request."""
        try:
            self._sessions.end(flask.request.cookies.get(SESSION_COOKIE))
            session_id, _session = self._sessions.start(account.username, via,
                                                        account.role if role_from_groups else "",
                                                        account.scope if role_from_groups else ())
        except SessionStoreError as error:
            log.error("sign-in unavailable: %s", error)
            return self.form(reason="unavailable", status=503)
        audit_event(self._audit, "sign_in", account.username, role=account.role, via=via)
        response = flask.redirect(safe_next(next_path), 303)
        response.set_cookie(SESSION_COOKIE, session_id, path="/", secure=self._https, httponly=True,
                            samesite="Lax")
        return response

    def form(self, reason: str | None = None, error: str | None = None, status: int = 200,
             headers: dict | None = None, new_token: bool = False, next_path: str | None = None) -> flask.Response:
        """The sign-in page, with why it is shown or what went wrong (in HTML and the person's language, errors
        included). `next_path` is where signing in leads: by default the request's own `next`."""
        kept = flask.request.cookies.get(FORM_COOKIE)
        token = kept if kept and not new_token and _valid_form_token(kept, kept) else _new_form_token()
        notice = _(REASONS[reason]) if reason in REASONS else None
        next_path = safe_next(flask.request.values.get("next") if next_path is None else next_path)
        page = flask.render_template_string(
            SIGN_IN_PAGE, language=current_language(), notice=notice, error=error, token=token, next_path=next_path,
            languages={code: (name, _language_link(code, next_path, reason)) for code, name in LANGUAGE_NAMES.items()},
            demo=self._demo, demo_accounts=self._demo_accounts, organisation=self.organisation_sign_in,
            text=_page_text())
        response = flask.Response(page, status, headers or {}, mimetype="text/html")
        response.set_cookie(FORM_COOKIE, token, path=SIGN_IN, secure=self._https, httponly=True, samesite="Lax")
        return response


class OrganisationSignIn(OIDCAuth):
    """Single sign-on through the organisation's OpenID Connect provider, on dash-auth's `OIDCAuth` (authlib):
    the handshake is dash-auth's; the session that follows is `SessionAuth`'s, as after a password. The person's
    account comes from the users file by their verified e-mail address, or from the configured groups claim
    (`impact_monitor.accounts.organisation_account`); a person neither knows is refused in plain words."""

    PROVIDER = "organisation"

    def __init__(self, app: dash.Dash, sessions: SessionAuth, accounts: Accounts, issuer: str, client_id: str,
                 client_secret: str, groups_claim: str | None, https: bool,
                 known_pcodes: set[str] | None = None, audit_logger: logging.Logger = AUDIT) -> None:
        self._sessions, self._accounts, self._groups_claim = sessions, accounts, groups_claim
        self._known_pcodes, self._audit = known_pcodes, audit_logger
        # The key given explicitly: OIDCAuth's default is a typing object, not None, and would replace it.
        super().__init__(app, secret_key=app.server.secret_key, force_https_callback=https,
                         login_route=f"{PROVIDER_ROUTES}<idp>/login",
                         logout_route=f"{PROVIDER_ROUTES}logout", callback_route=f"{PROVIDER_ROUTES}<idp>/callback",
                         secure_session=https)
        self.register_provider(self.PROVIDER, client_id=client_id, client_secret=client_secret,
                               server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
                               # A provider that accepts and never answers must not hold a worker.
                               client_kwargs={"scope": "openid email profile", "default_timeout": _PROVIDER_TIMEOUT_S})
        sessions.organisation_sign_in = True

    def _protect(self) -> None:
        """`SessionAuth`'s gate protects every route; the provider's own routes are public to it."""

    def login_request(self, idp: str | None = None) -> flask.Response:
        flask.session["next"] = safe_next(flask.request.args.get("next"))
        try:
            return super().login_request(self.PROVIDER)
        except _PROVIDER_DOWN as error:
            return self._provider_down(error)

    def callback(self, idp: str) -> flask.Response:
        if idp != self.PROVIDER:
            return flask.Response("Not found.\n", 404, mimetype="text/plain")
        try:
            token = self.get_oauth_client(idp).authorize_access_token()
        except OAuthError as error:
            audit_event(self._audit, "sign_in_failed", "", via="organisation", error=error.error)
            return self._sessions.form(error=_("Your organisation did not sign you in; try again."), status=401,
                                       next_path=flask.session.get("next"))
        except _PROVIDER_DOWN as error:
            return self._provider_down(error)
        claims = token.get("userinfo") or {}
        account, from_groups = organisation_account(claims, self._accounts, self._groups_claim, self._known_pcodes)
        if account is None:
            who = provider_name(claims)
            audit_event(self._audit, "sign_in_refused", who, via="organisation")
            return self._sessions.form(error=_("Your organisation knows you as {who}, but this dashboard has no "
                                               "account for you: ask the program's data team to add you.")
                                       .format(who=who), status=403, next_path=flask.session.get("next"))
        return self._sessions.start_session(account, "organisation", flask.session.pop("next", "/"),
                                            role_from_groups=from_groups)

    def _create_redirect_uri(self, idp: str) -> str:
        """This site's callback address, from the request as trusted proxies give it (ProxyFix, with
        IMPACT_TRUSTED_PROXIES): never from an X-Forwarded-Host header a client may send."""
        return flask.url_for("oidc_callback", idp=idp, _external=True,
                             **({"_scheme": "https"} if self.force_https_callback else {}))

    def logout(self) -> flask.Response:
        """Signing out is `SessionAuth`'s (it ends the session on the server)."""
        return flask.redirect(SIGN_IN, 303)

    def _provider_down(self, error: Exception) -> flask.Response:
        log.warning("the organisation's sign-in service cannot be reached: %s", error.__class__.__name__)
        return self._sessions.form(error=_("Your organisation's sign-in service cannot be reached just now; try "
                                           "again in a few minutes, or sign in with a name and password."),
                                   status=503)


_PROVIDER_TIMEOUT_S = 10
# What a provider that is down, or answers with no JSON document, raises in authlib's requests client.
_PROVIDER_DOWN = (requests.RequestException, ValueError)


def sign_in_url(next_path: str | None, reason: str | None = None) -> str:
    query = [] if next_path in (None, "", "/") else [f"next={quote(next_path, safe='/')}"]
    if reason in REASONS:
        query.append(f"reason={reason}")
    return SIGN_IN + ("?" + "&".join(query) if query else "")


def safe_next(value: object) -> str:
    """A path on this site to go to after signing in; anything else (another site, a scheme, `//host`,
    backslashes, control characters) is refused for the home page."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return "/"
    if value.startswith("//") or "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in (SIGN_IN, SIGN_OUT):
        return "/"
    return value


def _is_sign_in_route(path: str, method: str, organisation: bool) -> bool:
    """The routes a person without a session may use: the sign-in page, sign-out (a POST), and, when it is set
    up, single sign-on's own login, callback and logout."""
    return (path == SIGN_IN or (path == SIGN_OUT and method == "POST")
            or (organisation and _PROVIDER_ROUTE.fullmatch(path) is not None))


def _is_background(request: flask.Request) -> bool:
    """A request the page sends on its own (the database status refresh every 30 s), not a person's use: it must
    not keep an idle session alive. Read only once the session is known to be valid."""
    if request.path != "/_dash-update-component":
        return False
    body = request.get_json(silent=True)
    return isinstance(body, dict) and body.get("changedPropIds") == [BACKGROUND_INPUT]


def _same_origin(request: flask.Request) -> bool:
    """The browser says the request comes from a page of this site (the Origin header of a POST)."""
    origin = request.headers.get("Origin")
    return bool(origin) and origin == request.host_url.rstrip("/")


def _new_form_token() -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_token_signature(nonce)}"


def _valid_form_token(sent: object, kept: str | None) -> bool:
    """The form's token equals the one this browser keeps, and this app made it (signed double-submit, as OWASP
    advises: a cookie planted by another site does not carry a valid signature)."""
    if not _same_token(sent, kept):
        return False
    nonce, _dot, signature = kept.partition(".")
    return hmac.compare_digest(signature.encode(), _token_signature(nonce).encode())


def _token_signature(nonce: str) -> str:
    key = str(flask.current_app.secret_key).encode()
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def _language_link(code: str, next_path: str, reason: str | None) -> str:
    """The sign-in page in another language, keeping where the person goes next and why they are here."""
    query = {"lang": code}
    if next_path != "/":
        query["next"] = next_path
    if reason in REASONS:
        query["reason"] = reason
    return SIGN_IN + "?" + urlencode(query)


def current_session() -> Session | None:
    return flask.g.get("session") if flask.has_request_context() else None


def _this_page() -> str:
    request = flask.request
    query = request.query_string.decode("latin-1")
    return request.path + ("?" + query if query else "")


def _same_token(sent: object, expected: str | None) -> bool:
    return isinstance(sent, str) and bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _wait_message(by: str, wait_s: float) -> str:
    minutes = number(max(1, -(-int(wait_s) // 60)))
    if by == "account":
        return _("Too many failed sign-ins for this account: try again in {minutes} minutes.").format(minutes=minutes)
    return _("Too many failed sign-ins from this network: try again in {minutes} minutes.").format(minutes=minutes)


def _page_text() -> dict[str, str]:
    return {"title": _("Sign in"), "app": _("Impact monitor"), "username": _("Name"), "password": _("Password"),
            "submit": _("Sign in"), "language": _("Language"),
            "demo": _("Synthetic demo data: no real person is described here."),
            "demo_accounts": _("Demo accounts: leadership, donor, dhaka; the password is demo."),
            "organisation": _("Sign in with your organisation's account"), "or": _("or with a name and password:"),
            "sign_out": _("Sign out"), "sign_out_question": _("Sign out of the impact monitor on this computer?"),
            "back": _("Back to the dashboard")}


SIGN_IN_PAGE = """<!DOCTYPE html>
<html lang="{{ language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ text.title }} · {{ text.app }}</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body class="sign-in-body">
<main class="sign-in" id="main-content">
  <h1 class="site-title">{{ text.app }}</h1>
  {% if demo %}
  <p class="demo-banner" role="note">{{ text.demo }}{% if demo_accounts %} {{ text.demo_accounts }}{% endif %}</p>
  {% endif %}
  <nav class="language-switch" aria-label="{{ text.language }}">
    {% for code, (name, link) in languages.items() %}
    <a href="{{ link }}" lang="{{ code }}" {% if code == language %}aria-current="true"{% endif %}>{{ name }}</a>
    {% endfor %}
  </nav>
  <h2>{{ text.title }}</h2>
  {% if notice %}<p class="message message-info" role="status">{{ notice }}</p>{% endif %}
  {% if error %}<p class="message message-error" role="alert">{{ error }}</p>{% endif %}
  {% if organisation %}
  <p><a class="organisation-sign-in"
        href="/oidc/organisation/login?next={{ next_path | urlencode }}">{{ text.organisation }}</a></p>
  <p>{{ text.or }}</p>
  {% endif %}
  <form method="post" action="/login" class="sign-in-form">
    <input type="hidden" name="form_token" value="{{ token }}">
    <input type="hidden" name="next" value="{{ next_path }}">
    <label for="username">{{ text.username }}</label>
    <input id="username" name="username" autocomplete="username" required maxlength="100" autofocus>
    <label for="password">{{ text.password }}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <button type="submit">{{ text.submit }}</button>
  </form>
</main>
</body>
</html>
"""

SIGN_OUT_PAGE = """<!DOCTYPE html>
<html lang="{{ language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ text.sign_out }} · {{ text.app }}</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body class="sign-in-body">
<main class="sign-in" id="main-content">
  <h1 class="site-title">{{ text.app }}</h1>
  <h2>{{ text.sign_out }}</h2>
  <p>{{ text.sign_out_question }}</p>
  <form method="post" action="/logout" class="sign-in-form">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <button type="submit">{{ text.sign_out }}</button>
  </form>
  <p><a href="/">{{ text.back }}</a></p>
</main>
</body>
</html>
"""
