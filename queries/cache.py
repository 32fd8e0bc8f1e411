"""A cache of aggregate frames, in this process or shared through Redis.

Keys always carry the role and scope of the account (through the filter's
cache key), so one role's or scope's numbers can never be served to another.
Frames are stored as JSON (never pickle): a shared Redis must not be able to
make the app run code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from typing import Callable

import pandas as pd

log = logging.getLogger("impact_monitor.cache")
_MAX_MEMORY_ENTRIES = 2048


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _encode(frame: pd.DataFrame) -> bytes:
    """Python's JSON writes floats exactly (shortest repr), unlike pandas' 15-digit JSON."""
    return json.dumps({
        "columns": list(frame.columns),
        "dtypes": {column: str(dtype) for column, dtype in frame.dtypes.items()},
        "rows": [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }).encode("utf-8")


def _decode(payload: bytes) -> pd.DataFrame:
    data = json.loads(payload)
    frame = pd.DataFrame(data["rows"], columns=data["columns"])
    for column, dtype in data["dtypes"].items():
        if dtype in ("bool", "int64", "float64"):
            frame[column] = frame[column].astype(dtype)
    return frame


class _Flight:
    """One computation under way; callers asking for the same key meanwhile wait for its payload."""

    def __init__(self):
        self.done = threading.Event()
        self.payload: bytes | None = None  # stays None if the computation failed


class AggregateCache:
    """get_or_compute(key_parts, compute) with a TTL; ttl 0 disables caching."""

    def __init__(self, ttl_s: int, redis_url: str | None = None, namespace: str = "impact-monitor:agg"):
        self.ttl_s = ttl_s
        self.namespace = namespace
        self._memory: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}  # computations under way, by key
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def key(self, *parts: object) -> str:
        digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()
        return f"{self.namespace}:{digest}"

    def get_or_compute(self, parts: tuple, compute: Callable[[], pd.DataFrame],
                       ttl_s: int | None = None) -> pd.DataFrame:
        """The cached frame of `parts`, computed once when missing; `ttl_s` overrides the cache's own TTL."""
        key = self.key(*parts)
        ttl_s = self.ttl_s if ttl_s is None else ttl_s
        if ttl_s:
            cached = self._get(key)
            if cached is not None:
                return _decode(cached)
        # Callbacks of one page often ask for the same aggregates at once: one computes, the others wait for
        # its result (even with caching off, as they asked at the same moment).
        with self._lock:
            flight = self._flights.get(key)
            leading = flight is None
            if leading:
                flight = self._flights[key] = _Flight()
        if not leading:
            flight.done.wait()
            return _decode(flight.payload) if flight.payload is not None else compute()
        try:
            frame = compute()
            flight.payload = _encode(frame)
            if ttl_s:
                self._put(key, flight.payload, ttl_s)
            return frame
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    def _get(self, key: str) -> bytes | None:
        if self._redis is not None:
            try:
                return self._redis.get(key)
            except Exception as error:  # Redis down: compute instead, never fail the page
                log.warning("cache read failed, computing instead", extra={"error": error.__class__.__name__})
                return None
        with self._lock:
            entry = self._memory.get(key)
            if entry and entry[0] > time.monotonic():
                return entry[1]
        return None

    def _put(self, key: str, payload: bytes, ttl_s: int) -> None:
        if self._redis is not None:
            try:
                self._redis.set(key, payload, ex=ttl_s)
            except Exception as error:  # a cache that cannot write is only slower
                log.warning("cache write failed", extra={"error": error.__class__.__name__})
            return
        with self._lock:
            if len(self._memory) >= _MAX_MEMORY_ENTRIES:
                now = time.monotonic()
                self._memory = {k: v for k, v in self._memory.items() if v[0] > now}
                if len(self._memory) >= _MAX_MEMORY_ENTRIES:
                    self._memory.clear()
            self._memory[key] = (time.monotonic() + ttl_s, payload)
