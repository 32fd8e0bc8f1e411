"""Every setting of the app and the CLI, read from environment variables here only.

`ENVIRONMENT_VARIABLES` is the single list of them; a test checks the README
documents each one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo

from queries.localtime import DEFAULT_TIMEZONE, TimeZoneError, load_zone
from queries.periods import CALENDAR_YEAR, CALENDARS, Calendar, PeriodError, calendar_named, calendar_starting

ENVIRONMENT_VARIABLES: dict[str, str] = {
    "IMPACT_CASES_DB": "SQLAlchemy URL of the case database (unset: embedded demo)",
    "IMPACT_REFERRALS_DB": "SQLAlchemy URL of the referral database (may equal IMPACT_CASES_DB)",
    "IMPACT_DATA_DIR": "folder for the demo databases and cached map geometry (default ./data)",
    "IMPACT_APP_DB": "SQLAlchemy URL of the app's own store: releases, narratives (default: a SQLite file in "
                     "IMPACT_DATA_DIR)",
    "IMPACT_TARGETS_FILE": "CSV of the plan's targets: indicator,year,target, optionally calendar and type (baseline, "
                           "life-of-programme, annual targets of fiscal years); a bad one stops the app at start",
    "IMPACT_USERS_FILE": "TOML file of accounts with salted password hashes; required with real databases",
    "IMPACT_CALENDAR": "the calendar pages open in and accounts report in unless their own says otherwise: calendar, "
                       "bd-fiscal or us-fiscal (default calendar)",
    "IMPACT_FISCAL_YEAR_START": "older spelling of IMPACT_CALENDAR: 1, 7 or 10 (calendar, bd-fiscal, us-fiscal)",
    "IMPACT_DONOR_FIGURES": "released (default): donors are shown released quarters only, from the app's store; "
                            "live: donors are shown live figures, as government partners are",
    "IMPACT_SUPPRESS_BELOW": "k of small-cell suppression: counts 1..k-1 are hidden (default 10)",
    "IMPACT_STATEMENT_TIMEOUT_S": "PostgreSQL statement timeout in seconds (default 30)",
    "IMPACT_CACHE_TTL_S": "seconds an aggregate stays cached (default 300; 0 disables)",
    "IMPACT_PUBLICATION_TTL_S": "seconds an external audience's protected figures of a year are reused (default 3600)",
    "IMPACT_QUERY_THREADS": "aggregate queries one request may run at once (default 2; 1: one after another)",
    "IMPACT_REDIS_URL": "Redis URL for a cache, login rate limits and callback limits shared by workers",
    "IMPACT_CALLBACKS_PER_ACCOUNT": "callbacks one account may have running at once, over all workers (default 6)",
    "IMPACT_SECRET_KEY": "Flask session secret, for single sign-on's handshake (default: random per process)",
    "IMPACT_SESSION_IDLE_MIN": "minutes without a request after which a sign-in session ends (default 30)",
    "IMPACT_SESSION_MAX_H": "hours after sign-in at which a session ends whatever its use (default 12)",
    "IMPACT_LOGIN_ADDRESS_LIMIT": "failed sign-ins from one address in 15 minutes before it must wait (default 50)",
    "IMPACT_TRUSTED_PROXIES": "reverse proxies in front of the app whose X-Forwarded-For is trusted (default 0)",
    "IMPACT_OIDC_ISSUER": "OpenID Connect issuer URL of the organisation's identity provider (single sign-on)",
    "IMPACT_OIDC_CLIENT_ID": "this app's client id at the identity provider",
    "IMPACT_OIDC_CLIENT_SECRET": "this app's client secret at the identity provider",
    "IMPACT_OIDC_GROUPS_CLAIM": "claim whose values give a role: leadership, donor or government:BD30,BD3026",
    "IMPACT_HTTPS": "1 behind HTTPS: HSTS and secure cookies",
    "IMPACT_DEMO_CASES": "number of cases in the embedded demo (default 20000)",
    "IMPACT_LOG_LEVEL": "log level (default INFO)",
    "HOST": "address the development server binds (default 127.0.0.1)",
    "PORT": "port the development server binds (default 8050)",
}


class SettingsError(ValueError):
    """A setting has a value the app cannot use."""


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset)."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise SettingsError(f"{name}: {raw!r} is not one of {', '.join(choices)}")
    return raw


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _decimal(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, not {value:g}")
    return value


def _oidc(env: Mapping[str, str]) -> dict[str, str | None]:
    """Single sign-on needs its issuer, client id and secret together."""
    names = ("IMPACT_OIDC_ISSUER", "IMPACT_OIDC_CLIENT_ID", "IMPACT_OIDC_CLIENT_SECRET")
    values = [env.get(name, "").strip() or None for name in names]
    if any(values) and not all(values):
        missing = [name for name, value in zip(names, values) if not value]
        raise SettingsError(f"single sign-on needs {', '.join(names)}; missing {', '.join(missing)}")
    if values[0] and not values[0].startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise SettingsError("IMPACT_OIDC_ISSUER must be an https:// URL")
    return {"oidc_issuer": values[0], "oidc_client_id": values[1], "oidc_client_secret": values[2],
            "oidc_groups_claim": env.get("IMPACT_OIDC_GROUPS_CLAIM", "").strip() or None}


def _default_calendar(env: Mapping[str, str]) -> Calendar:
    """IMPACT_CALENDAR, or the calendar whose year starts in the month IMPACT_FISCAL_YEAR_START names (its older
    spelling, kept so that deployments and their `FY2027-Q1` labels go on working)."""
    named = env.get("IMPACT_CALENDAR", "").strip()
    month_text = env.get("IMPACT_FISCAL_YEAR_START", "").strip()
    calendars = ", ".join(CALENDARS)
    try:
        calendar = calendar_named(named) if named else None
    except PeriodError:
        raise SettingsError(f"IMPACT_CALENDAR must be one of {calendars}, not {named[:30]!r}") from None
    if not month_text:
        return calendar or CALENDARS[CALENDAR_YEAR]
    month = _int(env, "IMPACT_FISCAL_YEAR_START", 1, 1, 12)
    try:
        by_month = calendar_starting(month)
    except PeriodError:
        raise SettingsError(f"IMPACT_FISCAL_YEAR_START must be 1, 7 or 10 (the years of {calendars}), not {month}: "
                            f"set IMPACT_CALENDAR instead") from None
    if calendar and calendar != by_month:
        raise SettingsError(f"IMPACT_CALENDAR={named} and IMPACT_FISCAL_YEAR_START={month} disagree: set one")
    return by_month


def _timezone(env: Mapping[str, str]) -> ZoneInfo:
    try:
        return load_zone((env.get("IMPACT_TIMEZONE") or DEFAULT_TIMEZONE).strip())
    except TimeZoneError as error:
        raise SettingsError(f"IMPACT_TIMEZONE: {error}") from None


@dataclass(frozen=True)
class Settings:
    cases_db: str | None
    referrals_db: str | None
    data_dir: Path
    app_db: str | None
    targets_file: Path | None
    users_file: Path | None
    default_calendar: Calendar
    timezone: ZoneInfo
    donor_figures: str
    suppress_below: int
    statement_timeout_s: int
    cache_ttl_s: int
    publication_ttl_s: int
    query_threads: int
    redis_url: str | None
    callbacks_per_account: int
    secret_key: str | None
    session_idle_min: float
    session_max_h: float
    login_address_limit: int
    trusted_proxies: int
    oidc_issuer: str | None
    oidc_client_id: str | None
    oidc_client_secret: str | None
    oidc_groups_claim: str | None
    https: bool
    demo_cases: int
    log_level: str
    host: str
    port: int

    @property
    def fiscal_year_start(self) -> int | None:
        """The month the default calendar's year starts (None: the calendar year); it reads `FY2027-Q1`."""
        return self.default_calendar.fiscal_year_start

    @property
    def released_only_roles(self) -> tuple[str, ...]:
        """The roles shown released figures only."""
        return ("donor",) if self.donor_figures == "released" else ()

    @property
    def demo_mode(self) -> bool:
        """No database configured: the app serves its embedded synthetic demo."""
        return not self.cases_db and not self.referrals_db

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        cases_db = env.get("IMPACT_CASES_DB") or None
        referrals_db = env.get("IMPACT_REFERRALS_DB") or None
        if bool(cases_db) != bool(referrals_db):
            raise SettingsError(
                "set both IMPACT_CASES_DB and IMPACT_REFERRALS_DB (they may be the same URL), or neither for the demo"
            )
        targets = env.get("IMPACT_TARGETS_FILE") or None
        users = env.get("IMPACT_USERS_FILE") or None
        return cls(
            cases_db=cases_db,
            referrals_db=referrals_db,
            data_dir=Path(env.get("IMPACT_DATA_DIR") or "data").resolve(),
            app_db=env.get("IMPACT_APP_DB", "").strip() or None,
            targets_file=Path(targets) if targets else None,
            users_file=Path(users) if users else None,
            default_calendar=_default_calendar(env),
            timezone=_timezone(env),
            donor_figures=_choice(env, "IMPACT_DONOR_FIGURES", ("released", "live")),
            suppress_below=_int(env, "IMPACT_SUPPRESS_BELOW", 10, 1, 1000),
            statement_timeout_s=_int(env, "IMPACT_STATEMENT_TIMEOUT_S", 30, 1, 3600),
            cache_ttl_s=_int(env, "IMPACT_CACHE_TTL_S", 300, 0, 86400),
            publication_ttl_s=_int(env, "IMPACT_PUBLICATION_TTL_S", 3600, 0, 86400),
            query_threads=_int(env, "IMPACT_QUERY_THREADS", 2, 1, 16),
            redis_url=env.get("IMPACT_REDIS_URL") or None,
            callbacks_per_account=_int(env, "IMPACT_CALLBACKS_PER_ACCOUNT", 6, 1, 100),
            secret_key=env.get("IMPACT_SECRET_KEY") or None,
            session_idle_min=_decimal(env, "IMPACT_SESSION_IDLE_MIN", 30, 0.01, 24 * 60),
            session_max_h=_decimal(env, "IMPACT_SESSION_MAX_H", 12, 0.0001, 24 * 7),
            login_address_limit=_int(env, "IMPACT_LOGIN_ADDRESS_LIMIT", 50, 5, 100_000),
            trusted_proxies=_int(env, "IMPACT_TRUSTED_PROXIES", 0, 0, 10),
            **_oidc(env),
            https=env.get("IMPACT_HTTPS", "").strip().lower() in {"1", "true", "yes"},
            demo_cases=_int(env, "IMPACT_DEMO_CASES", 20_000, 100, 10_000_000),
            log_level=(env.get("IMPACT_LOG_LEVEL") or "INFO").upper(),
            host=env.get("HOST") or "127.0.0.1",
            port=_int(env, "PORT", 8050, 1, 65535),
        )

    @property
    def effective_targets_file(self) -> Path | None:
        """The configured targets file, or the demo's own in demo mode."""
        if self.targets_file:
            return self.targets_file
        return self.data_dir / "demo" / "targets.csv" if self.demo_mode else None

    @property
    def store_url(self) -> str:
        """The app's own store: IMPACT_APP_DB, or the SQLite file in the data folder."""
        from queries.store import default_store_url  # with Alembic and pandas: only where the store is used

        return self.app_db or default_store_url(self.data_dir)

    def database_urls(self) -> tuple[str, str]:
        """The case and referral database URLs; in demo mode the demo's SQLite files."""
        if self.demo_mode:
            demo = self.data_dir / "demo"
            return f"sqlite:///{demo / 'cases.sqlite'}", f"sqlite:///{demo / 'referrals.sqlite'}"
        return self.cases_db, self.referrals_db
