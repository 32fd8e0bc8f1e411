"""How many callbacks one account may have running at once: a slot per running callback, counted across every
worker through Redis when IMPACT_REDIS_URL is set, else in this process.

A burst from one person (a script, a stuck browser, a shared account open in many places) then queues behind its
own few slots instead of filling every worker's threads, and `/healthz` and other accounts go on being answered.

Every slot is given back when its callback ends, whatever happened; and each one also expires on its own
(`hold_s`), so that a worker killed in the middle of a callback cannot keep an account's slots taken for good.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

import redis

log = logging.getLogger("impact_monitor.callback_slots")

# Longer than any callback should run (statement timeouts are 30 s by default, gunicorn's worker timeout 60 s):
# only a slot its worker could not give back lives this long.
DEFAULT_HOLD_S = 120.0
_WARN_EVERY_S = 60  # at most one Redis-outage warning a minute, not one per callback

# Drops the account's expired slots, then takes one if fewer than the limit are taken; 1 if taken, else 0.
# One script, so that two workers cannot both see the last free slot.
_TAKE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""


@dataclass(frozen=True)
class Slot:
    """One running callback's place: whose (`account`), its own id, and the store that holds it."""

    account: str
    slot_id: str
    store: object


class MemorySlotStore:
    """Slots in this process: each account's slot ids with when they expire (epoch seconds)."""

    def __init__(self) -> None:
        self._slots: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def take(self, account: str, slot_id: str, limit: int, now: float, hold_s: float) -> bool:
        with self._lock:
            taken = {other: until for other, until in self._slots.get(account, {}).items() if until > now}
            if len(taken) >= limit:
                self._slots[account] = taken
                return False
            taken[slot_id] = now + hold_s
            self._slots[account] = taken
            return True

    def give_back(self, account: str, slot_id: str) -> None:
        with self._lock:
            taken = self._slots.get(account, {})
            taken.pop(slot_id, None)
            if not taken:
                self._slots.pop(account, None)


class RedisSlotStore:
    """Slots in Redis, shared by every worker: a sorted set per account, each slot id scored by when it expires.

    When Redis cannot be reached, slots are counted in this process, with a warning, rather than refusing every
    callback: a Redis blip must not stop the app, and a per-process limit still holds a burst back.
    """

    def __init__(self, client: redis.Redis, prefix: str = "impact-monitor:callback-slots") -> None:
        self._client = client
        self._prefix = prefix
        self._take_script = client.register_script(_TAKE_SLOT)
        self.fallback = MemorySlotStore()
        self._warned_at = float("-inf")

    def take(self, account: str, slot_id: str, limit: int, now: float, hold_s: float) -> bool:
        try:
            taken = self._take_script(keys=[self._key(account)],
                                      args=[now, limit, now + hold_s, slot_id, max(1, int(hold_s * 1000))])
        except (redis.RedisError, OSError) as error:
            self._warn(error)
            return self.fallback.take(account, slot_id, limit, now, hold_s)
        return bool(taken)

    def give_back(self, account: str, slot_id: str) -> None:
        try:
            self._client.zrem(self._key(account), slot_id)
        except (redis.RedisError, OSError) as error:
            self._warn(error)  # the slot expires on its own after hold_s
        self.fallback.give_back(account, slot_id)  # in case it was taken there, during an outage

    def _key(self, account: str) -> str:
        # Hashed: account names may be e-mail addresses, and keys show up in Redis tooling.
        return f"{self._prefix}:{hashlib.sha256(account.encode()).hexdigest()[:32]}"

    def _warn(self, error: Exception) -> None:
        if time.monotonic() - self._warned_at > _WARN_EVERY_S:
            self._warned_at = time.monotonic()
            log.warning("callback limits: Redis unavailable (%s); counting in this process", error)


class CallbackSlots:
    """At most `limit` callbacks of one account at once; a slot expires `hold_s` seconds after it was taken if
    nothing gave it back. `clock` gives epoch seconds (Redis compares the workers' clocks: keep them in time)."""

    def __init__(self, store, limit: int, hold_s: float = DEFAULT_HOLD_S,
                 clock: Callable[[], float] = time.time) -> None:
        if limit < 1:
            raise ValueError(f"a callback limit must be at least 1, not {limit}")
        self._store = store
        self.limit, self.hold_s = limit, hold_s
        self._clock = clock

    def take(self, account: str) -> Slot | None:
        """A slot for one callback of `account`, or None when the account already has `limit` running."""
        slot_id = secrets.token_hex(8)
        if not self._store.take(account, slot_id, self.limit, self._clock(), self.hold_s):
            return None
        return Slot(account, slot_id, self._store)

    @staticmethod
    def give_back(slot: Slot) -> None:
        """Frees `slot`; giving one back twice does nothing."""
        slot.store.give_back(slot.account, slot.slot_id)


def make_callback_slots(redis_url: str | None, limit: int, hold_s: float = DEFAULT_HOLD_S,
                        key_prefix: str = "impact-monitor:callback-slots") -> CallbackSlots:
    """Slots shared through Redis when a URL is given, else counted in this process."""
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return CallbackSlots(RedisSlotStore(client, key_prefix), limit, hold_s)
    return CallbackSlots(MemorySlotStore(), limit, hold_s)
