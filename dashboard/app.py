"""Builds the Dash app: settings, demo data, accounts, read-only databases, pages, security."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import dash
import flask
from dash import html

from werkzeug.middleware.proxy_fix import ProxyFix

from impact_monitor.accounts import make_limiter, resolve_accounts
from impact_monitor.callback_slots import make_callback_slots
from impact_monitor.logs import configure_logging
from impact_monitor.services import attach_store, prepare_services, release_demo_quarters
from impact_monitor.sessions import make_sessions
from impact_monitor.settings import Settings

from .callback_limit import install_callback_limit
from .context import install_services
from .operations import install_operations
from .i18n import install_language_choice
from .layout import SKIP_TARGET, install_calendar_choice, shell
from .security import install_security_headers
from .signin import OrganisationSignIn, SessionAuth
from .print_header import install_print_header
from .status import install_status_banner
from .table_view import install_downloads

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("impact_monitor.app")


def _serve_layout():
    """The shell for the logged-in account; an empty page when Dash validates its layout on a public route."""
    if not flask.has_request_context() or flask.g.get("account") is None:
        return html.Div(id=SKIP_TARGET)
    return shell()


def _finish_setup(server: flask.Flask) -> None:
    """Dash completes its setup (callbacks, the pages' router) in hooks of the first request it serves, and marks
    it done before it is: a burst of requests on a fresh process found callbacks missing and got 400s. One
    request served here, before any other can arrive, completes it."""
    response = server.test_client().get("/healthz", headers={"X-Request-ID": "startup"})
    response.close()


def install_sign_in(app: dash.Dash, accounts, settings: Settings, known_pcodes: set[str] | None = None
                    ) -> SessionAuth:
    """Sign-in with server-side sessions and lockouts, shared by workers through Redis when it is set; the
    client's address from trusted proxies only; single sign-on when an OpenID Connect provider is set."""
    server = app.server
    server.secret_key = settings.secret_key or secrets.token_hex(32)
    if settings.trusted_proxies:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.trusted_proxies,
                                   x_proto=settings.trusted_proxies, x_host=settings.trusted_proxies)
    limiter = make_limiter(settings.redis_url, max_address_failures=settings.login_address_limit)
    sessions = make_sessions(settings.redis_url, settings.session_idle_min * 60, settings.session_max_h * 3600)
    auth = SessionAuth(app, accounts, limiter, sessions, settings.https, demo=settings.demo_mode,
                       demo_accounts=settings.demo_mode and settings.users_file is None)
    if settings.oidc_issuer:
        OrganisationSignIn(app, auth, accounts, settings.oidc_issuer, settings.oidc_client_id,
                           settings.oidc_client_secret, settings.oidc_groups_claim, settings.https, known_pcodes)
    return auth


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    services = prepare_services(settings)
    attach_store(services)  # stops here when the store's schema is not this code's
    release_demo_quarters(services)
    # Refuses to start with real databases and no users file, or with a plain password in it.
    accounts = resolve_accounts(settings, set(services.gazetteer.areas))
    install_services(services)

    app = dash.Dash(
        "dashboard",
        use_pages=True,
        pages_folder=str(PROJECT_ROOT / "dashboard" / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        serve_locally=True,
        compress=True,
        suppress_callback_exceptions=True,
        title="Impact monitor",
        update_title=None,
    )
    app.server.config["IMPACT_SETTINGS"] = settings
    app.layout = _serve_layout
    install_print_header(app)
    install_status_banner(app)
    install_downloads(app)
    install_calendar_choice(app)
    install_sign_in(app, accounts, settings, set(services.gazetteer.areas))
    # After sign-in: a slot belongs to the signed-in account.
    install_callback_limit(app.server, make_callback_slots(settings.redis_url, settings.callbacks_per_account))
    install_security_headers(app, settings.https)
    install_language_choice(app.server, settings.https)
    install_operations(app.server, services.databases)  # last, so its request id hook runs first
    _finish_setup(app.server)
    log.info("app ready", extra={"demo": settings.demo_mode, "pages": len(dash.page_registry)})
    return app
