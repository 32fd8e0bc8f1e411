"""Server-side sign-in sessions: a random id in an HttpOnly cookie, the session itself in a store. The store is
Redis when IMPACT_REDIS_URL is set (every worker sees every session), else this process.

A session ends at sign-out (deleted, so a copied cookie stops working), after `idle_s` without a request, or
`max_age_s` after sign-in, whichever comes first (OWASP Session Management Cheat Sheet: idle and absolute
timeouts, enforced on the server). The store keys a session by a digest of its id: what the store holds cannot
be replayed as a cookie.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, replace
from typing import Callable

import redis

# A request within this many seconds (or a quarter of the idle time, if shorter) of the last recorded one does
# not write the session again: a page load makes dozens of requests, and the idle timeout is counted in minutes.
_TOUCH_EVERY_S = 15

# A store keeps a session this long past its lifetime, so that its end is noticed, said and logged as a timeout
# rather than read as an unknown cookie.
_KEPT_AFTER_S = 300


class SessionStoreError(RuntimeError):
    """The session store cannot be reached: nobody can be signed in until it can."""


@dataclass(frozen=True)
class Session:
    """Who signed in, how ("password" or "organisation"), when (epoch seconds), when last seen, and the token
    the page's own forms (sign-out) carry against cross-site requests. `role` and `scope` are set only for a
    person whose organisation's groups gave the role (no entry in the users file)."""

    username: str
    via: str
    csrf: str
    created: float
    last_seen: float
    role: str = ""
    scope: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "scope", tuple(self.scope))  # a list, once read back from JSON


class MemorySessionStore:
    """Sessions in this process (one worker, or tests)."""

    def __init__(self) -> None:
        self._sessions: dict[str, tuple[Session, float]] = {}
        self._lock = threading.Lock()

    def put(self, key: str, session: Session, ttl_s: float) -> None:
        with self._lock:
            now = time.time()
            self._sessions = {k: v for k, v in self._sessions.items() if v[1] > now}
            self._sessions[key] = (session, now + ttl_s)

    def get(self, key: str) -> Session | None:
        with self._lock:
            found = self._sessions.get(key)
        return found[0] if found and found[1] > time.time() else None

    def delete(self, key: str) -> bool:
        """Whether there was such a session to delete."""
        with self._lock:
            return self._sessions.pop(key, None) is not None


class RedisSessionStore:
    """Sessions in Redis, shared by every worker; each expires with the session's absolute lifetime."""

    def __init__(self, client: redis.Redis, prefix: str = "impact-monitor:session") -> None:
        self._client = client
        self._prefix = prefix

    def put(self, key: str, session: Session, ttl_s: float) -> None:
        self._call(lambda: self._client.set(self._name(key), json.dumps(asdict(session)),
                                            px=max(1, int(ttl_s * 1000))))

    def get(self, key: str) -> Session | None:
        raw = self._call(lambda: self._client.get(self._name(key)))
        return None if raw is None else Session(**json.loads(raw))

    def delete(self, key: str) -> bool:
        """Whether there was such a session to delete."""
        return bool(self._call(lambda: self._client.delete(self._name(key))))

    def _name(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    @staticmethod
    def _call(operation: Callable):
        # Fail closed: a session another worker cannot see would sign people out at random.
        try:
            return operation()
        except (redis.RedisError, OSError) as error:
            raise SessionStoreError(f"the session store (Redis) cannot be reached: {error}") from error


class Sessions:
    """Start, read and end sessions with idle and absolute timeouts; `clock` gives epoch seconds."""

    def __init__(self, store, idle_s: float, max_age_s: float, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self.idle_s, self.max_age_s = idle_s, max_age_s
        self._clock = clock

    def start(self, username: str, via: str, role: str = "", scope: tuple[str, ...] = ()) -> tuple[str, Session]:
        """A new session and its id (the cookie's value): a new id at every sign-in."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        session = Session(username, via, secrets.token_urlsafe(32), now, now, role, scope)
        self._store.put(_key(session_id), session, self.max_age_s + _KEPT_AFTER_S)
        return session_id, session

    def read(self, session_id: str | None, touch: bool = True) -> tuple[Session | None, str | None]:
        """(the session, None) while it lasts, marked as seen now unless `touch` is False; (the session that
        ended, "idle" or "expired") when this reading ended it by a timeout (it is deleted, once: parallel
        readings of the same end report None); (None, None) for no, unknown or forged ids."""
        if not session_id or len(session_id) > 100:
            return None, None
        key = _key(session_id)
        session = self._store.get(key)
        if session is None:
            return None, None
        now = self._clock()
        ended = ("expired" if now - session.created >= self.max_age_s
                 else "idle" if now - session.last_seen >= self.idle_s else None)
        if ended:
            return (session, ended) if self._store.delete(key) else (None, None)
        if touch:
            self.touch(session_id, session)
        return session, None

    def touch(self, session_id: str, session: Session) -> None:
        """Mark a live session as used now (written at most every few seconds)."""
        now = self._clock()
        if now - session.last_seen >= min(_TOUCH_EVERY_S, self.idle_s / 4):
            self._store.put(_key(session_id), replace(session, last_seen=now),
                            session.created + self.max_age_s - now + _KEPT_AFTER_S)

    def end(self, session_id: str | None) -> Session | None:
        """Delete the session (sign-out); the session that ended, if there was one."""
        if not session_id or len(session_id) > 100:
            return None
        key = _key(session_id)
        session = self._store.get(key)
        self._store.delete(key)
        return session


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def make_sessions(redis_url: str | None, idle_s: float, max_age_s: float,
                  clock: Callable[[], float] = time.time) -> Sessions:
    """Sessions in Redis when a URL is given, else in this process."""
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return Sessions(RedisSessionStore(client), idle_s, max_age_s, clock)
    return Sessions(MemorySessionStore(), idle_s, max_age_s, clock)
