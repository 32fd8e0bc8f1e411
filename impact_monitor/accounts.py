"""Accounts, password hashes and login rate limits; independent of Flask and Dash.

Roles and scopes follow the data contract's "Access levels and privacy":
`leadership` and `donor` see the whole country (donors with suppression),
`government` accounts see only the divisions or districts in their scope.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
import tomllib
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import argon2
import redis

from queries.periods import CALENDARS

log = logging.getLogger(__name__)

ROLES = ("leadership", "donor", "government")
# Division P-codes are BD + 2 digits (BD30), districts BD + 4 digits (BD3026).
_SCOPE_PCODE = re.compile(r"BD\d{2}(\d{2})?")
_USER_KEYS = {"password_hash", "role", "scope", "sign_in", "calendar"}
_MAX_USERNAME = 64
_WARN_EVERY_S = 60  # at most one Redis-outage warning a minute, not one per request

# OWASP's argon2id minimum (19 MiB, 2 passes): about 50 ms a hash here, so a
# login stays well under 100 ms while guessing offline stays expensive.
_HASHER = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class AccountsError(ValueError):
    """The accounts configuration cannot be used."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str  # leadership | donor | government
    scope: tuple[str, ...]  # division/district P-codes for government, () otherwise
    # The calendar an external account reports in (its periods are protected in it); None: the deployment's.
    calendar: str | None = None


# username -> (password hash, account); no hash for an account that signs in through its organisation only.
Accounts = dict[str, tuple[str | None, Account]]


def hash_password(plain: str) -> str:
    """A salted argon2id hash of `plain`, for the users file."""
    return _HASHER.hash(plain)


def verify_password(password_hash: str, plain: str) -> bool:
    """True when `plain` matches; False on a mismatch or a malformed hash."""
    try:
        return _HASHER.verify(password_hash, plain)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against for unknown usernames, so they take as long as known ones."""
    return hash_password("no account has this password")


def load_users(path: Path, known_pcodes: set[str] | None = None) -> Accounts:
    """Accounts from a TOML users file; refuses anything ambiguous or unsafe."""
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise AccountsError(f"users file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise AccountsError(f"users file {path} is not valid TOML: {error}") from None
    users = document.get("users")
    if not isinstance(users, dict) or not users:
        raise AccountsError(f"users file {path} has no [users.NAME] tables")
    return {name: _parse_user(name, entry, known_pcodes) for name, entry in users.items()}


def _parse_user(name: str, entry: object, known_pcodes: set[str] | None) -> tuple[str, Account]:
    _check_username(name)
    if not isinstance(entry, dict):
        raise AccountsError(f"user {name} must be a table [users.{name}]")
    if "password" in entry:
        raise AccountsError(
            f"user {name} has a plain password; store a hash from `impact-monitor hash-password`"
        )
    unknown = set(entry) - _USER_KEYS
    if unknown:
        raise AccountsError(f"user {name} has unknown keys: {', '.join(sorted(unknown))}")
    sign_in = entry.get("sign_in", "password")
    if sign_in not in ("password", "organisation"):
        raise AccountsError(f"user {name}: sign_in is {sign_in!r}; use \"password\" or \"organisation\"")
    password_hash = entry.get("password_hash")
    if sign_in == "organisation":
        if password_hash is not None or "@" not in name:
            raise AccountsError(f"user {name} signs in through its organisation: name it by its e-mail address "
                                f"and give it no password_hash")
    elif not _is_argon2_hash(password_hash):
        raise AccountsError(
            f"user {name} has no argon2 password_hash; store a hash from `impact-monitor hash-password`"
        )
    role = entry.get("role")
    if role not in ROLES:
        raise AccountsError(f"user {name} has role {role!r}; use one of {', '.join(ROLES)}")
    scope = _parse_scope(name, role, entry.get("scope", []), known_pcodes)
    calendar = entry.get("calendar")
    if calendar is not None and calendar not in CALENDARS:
        raise AccountsError(f"user {name} has calendar {calendar!r}; use one of {', '.join(CALENDARS)}")
    return password_hash, Account(name, role, scope, calendar)


def _check_username(name: str) -> None:
    # Basic authentication cannot carry a colon in the username.
    if not name or len(name) > _MAX_USERNAME or ":" in name or not name.isprintable():
        raise AccountsError(
            f"username {name!r} must be 1-{_MAX_USERNAME} printable characters without ':'"
        )


def _is_argon2_hash(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        argon2.extract_parameters(value)
    except argon2.exceptions.InvalidHashError:
        return False
    return True


def _parse_scope(name: str, role: str, scope: object, known_pcodes: set[str] | None) -> tuple[str, ...]:
    if not isinstance(scope, list) or not all(isinstance(code, str) for code in scope):
        raise AccountsError(f"user {name}: scope must be a list of P-code strings")
    if role != "government":
        if scope:
            raise AccountsError(f"user {name} is {role} and sees the whole country; remove its scope")
        return ()
    if not scope:
        raise AccountsError(f"government user {name} needs a scope of division or district P-codes")
    malformed = [code for code in scope if not _SCOPE_PCODE.fullmatch(code)]
    if malformed:
        raise AccountsError(
            f"user {name}: {', '.join(malformed)} not division (BD30) or district (BD3026) P-codes"
        )
    if known_pcodes is not None:
        unknown = [code for code in scope if code not in known_pcodes]
        if unknown:
            raise AccountsError(f"user {name}: unknown P-codes {', '.join(unknown)}")
    return tuple(dict.fromkeys(scope))


def organisation_account(claims: dict, accounts: Accounts, groups_claim: str | None,
                         known_pcodes: set[str] | None = None) -> tuple[Account | None, bool]:
    """The account of a person an OpenID Connect provider has signed in, from the claims of its ID token, and
    whether their groups gave it: the users file's entry named by the person's verified e-mail address (any case),
    else a role in the configured groups claim ("leadership", "donor" or "government:BD30,BD3026"), named after
    the verified e-mail or the provider's subject; (None, False) when neither knows them. A role from groups is
    never looked up in the users file, whatever the name."""
    email = claims.get("email")
    verified = isinstance(email, str) and claims.get("email_verified") is True
    if verified:
        by_email = {name.casefold(): entry[1] for name, entry in accounts.items()}
        if email.casefold() in by_email:
            return by_email[email.casefold()], False
    groups = claims.get(groups_claim) if groups_claim else None
    if not isinstance(groups, list):
        return None, False
    who = provider_name(claims)
    for group in groups:
        role, _, codes = str(group).partition(":")
        if role not in ROLES:
            continue
        try:
            return Account(who, role, _parse_scope(who, role, [c for c in codes.split(",") if c], known_pcodes)), True
        except AccountsError:
            continue
    return None, False


def provider_name(claims: dict) -> str:
    """How a person signed in by a provider is named: their verified e-mail address, else the provider's subject
    marked as such, so that it never reads as an account of the users file."""
    email = claims.get("email")
    if isinstance(email, str) and claims.get("email_verified") is True:
        return email
    return f"oidc:{claims.get('sub', '')}"


def demo_accounts() -> Accounts:
    """The demo's four accounts, all with password `demo`."""
    return dict(_demo_accounts())


@functools.cache
def _demo_accounts() -> tuple[tuple[str, tuple[str, Account]], ...]:
    # Hashed at first use, not at import: argon2 is slow on purpose.
    accounts = (
        Account("leadership", "leadership", ()),
        Account("donor", "donor", ()),
        Account("dhaka", "government", ("BD30",)),
        Account("usaid", "donor", (), "us-fiscal"),  # a donor whose grant runs on the US fiscal year
    )
    return tuple((a.username, (hash_password("demo"), a)) for a in accounts)


def resolve_accounts(settings, known_pcodes: set[str] | None = None) -> Accounts:
    """The users file if set; demo accounts only for the demo's synthetic data."""
    if settings.users_file:
        return load_users(settings.users_file, known_pcodes)
    if settings.demo_mode:
        return demo_accounts()
    raise AccountsError(
        "real databases are configured but IMPACT_USERS_FILE is not set; demo passwords exist "
        "only in demo mode. Create a users file with hashes from `impact-monitor hash-password`."
    )


class MemoryFailures:
    """Failed-login times per key, in this process only."""

    _SWEEP_ABOVE = 10_000  # keys; stale ones are dropped beyond this

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def times(self, key: str, since: float) -> list[float]:
        with self._lock:
            times = self._times.get(key)
            if times is None:
                return []
            while times and times[0] <= since:
                times.popleft()
            if not times:
                del self._times[key]
            return list(times)

    def add(self, key: str, when: float, window_s: float) -> None:
        with self._lock:
            self._times.setdefault(key, deque()).append(when)
            if len(self._times) > self._SWEEP_ABOVE:
                self._sweep(when - window_s)

    def clear(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)

    def _sweep(self, since: float) -> None:
        for key in [k for k, times in self._times.items() if times[-1] <= since]:
            del self._times[key]


class RedisFailures:
    """Failed-login times per key in Redis sorted sets, shared by all workers.

    When Redis cannot be reached, it falls back to in-process counting and
    logs a warning rather than failing closed: a Redis blip must not lock
    every user out, and per-process limits still slow guessing down.
    """

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._fallback = MemoryFailures()
        self._warned_at = float("-inf")

    def times(self, key: str, since: float) -> list[float]:
        def query():
            scored = self._client.zrangebyscore(self._key(key), f"({since}", "+inf", withscores=True)
            return [score for _, score in scored]

        return self._guarded(query, lambda: self._fallback.times(key, since))

    def add(self, key: str, when: float, window_s: float) -> None:
        def write():
            name = self._key(key)
            pipe = self._client.pipeline()
            # A unique member per failure: two at the same instant both count.
            pipe.zadd(name, {f"{when}:{time.perf_counter_ns()}:{threading.get_ident()}": when})
            pipe.zremrangebyscore(name, "-inf", when - window_s)
            pipe.pexpire(name, max(1, int(window_s * 1000)))
            pipe.execute()

        self._guarded(write, lambda: self._fallback.add(key, when, window_s))

    def clear(self, key: str) -> None:
        self._guarded(lambda: self._client.delete(self._key(key)), lambda: self._fallback.clear(key))

    def _key(self, key: str) -> str:
        # Hashed: usernames and addresses come from anonymous clients.
        return f"{self._prefix}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"

    def _guarded(self, operation: Callable, fallback: Callable):
        try:
            return operation()
        except (redis.RedisError, OSError) as error:
            if time.monotonic() - self._warned_at > _WARN_EVERY_S:
                self._warned_at = time.monotonic()
                log.warning("login rate limits: Redis unavailable (%s); counting in this process", error)
            return fallback()


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in may not be tried now: `by` "account" (its own failures) or "address" (failures from where
    the request comes), and the seconds to wait."""

    by: str
    wait_s: float


class LoginLimiter:
    """Makes an account wait after `max_failures` failed sign-ins within `window_s`, wherever they came from;
    and an address after `max_address_failures` (much higher: a whole office, or every user of a reverse proxy,
    may share one address, and one person's typos must not lock colleagues out)."""

    def __init__(self, store, max_failures: int = 5, window_s: float = 900, max_address_failures: int = 50,
                 clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._limits = {"account": max_failures, "address": max_address_failures}
        self._window = window_s
        self._clock = clock

    def check(self, username: str, address: str) -> Refusal | None:
        """Why not now (the longer wait when both apply), or None when a sign-in may be tried."""
        now = self._clock()
        waits = [Refusal(by, self._wait(key, self._limits[by], now))
                 for by, key in zip(("account", "address"), _keys(username, address))]
        longest = max(waits, key=lambda refusal: refusal.wait_s)
        return longest if longest.wait_s > 0 else None

    def record_failure(self, username: str, address: str) -> None:
        now = self._clock()
        for key in _keys(username, address):
            self._store.add(key, now, self._window)

    def record_success(self, username: str, address: str) -> None:
        # Only the account is forgiven: one valid sign-in must not let an address go on guessing other
        # accounts' passwords.
        self._store.clear(_keys(username, address)[0])

    def _wait(self, key: str, limit: int, now: float) -> float:
        times = sorted(self._store.times(key, now - self._window))
        if len(times) < limit:
            return 0.0
        # Allowed again once failures in the window drop below the limit.
        return times[-limit] + self._window - now


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"account:{username}", f"address:{address}"


def make_limiter(redis_url: str | None, max_failures: int = 5, window_s: float = 900,
                 max_address_failures: int = 50, key_prefix: str = "impact-monitor:login-failures",
                 clock: Callable[[], float] = time.time) -> LoginLimiter:
    """A limiter shared through Redis when a URL is given, else in this process."""
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        store = RedisFailures(client, key_prefix)
    else:
        store = MemoryFailures()
    return LoginLimiter(store, max_failures, window_s, max_address_failures, clock)
