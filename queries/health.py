"""Whether each database answers, since when it does not, and whether its schema still fits the contract."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from .contract_check import check_schema
from .db import Databases, ping

log = logging.getLogger("impact_monitor.databases")
_PING_EVERY_S = 10
_SCHEMA_EVERY_S = 300


@dataclass(frozen=True)
class DatabaseState:
    name: str
    up: bool
    down_since: datetime | None
    missing: tuple[str, ...]  # "table" or "table.column" the contract needs and the database lacks


class DatabaseMonitor:
    """Pings at most every 10 s and reads the schema at most every 5 min, whoever asks."""

    def __init__(self, databases: Databases, clock: Callable[[], float] = time.time):
        self.databases = databases
        self.clock = clock
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._schema_checked_at: float | None = None
        self._down_since: dict[str, datetime] = {}
        self._up: dict[str, bool] = {}
        self._missing: dict[str, tuple[str, ...]] = {}

    def _engines(self):
        engines = [("cases", self.databases.cases)]
        if not self.databases.same_database:
            engines.append(("referrals", self.databases.referrals))
        return engines

    def states(self, force: bool = False) -> list[DatabaseState]:
        now = self.clock()
        with self._lock:
            if force or self._checked_at is None or now - self._checked_at >= _PING_EVERY_S:
                self._ping_all(now)
            if force or self._schema_checked_at is None or now - self._schema_checked_at >= _SCHEMA_EVERY_S:
                self._read_schemas(now)
            return [DatabaseState(name, self._up[name], self._down_since.get(name), self._missing.get(name, ()))
                    for name, _ in self._engines()]

    def _ping_all(self, now: float) -> None:
        for name, engine in self._engines():
            up = ping(engine)
            if up and name in self._down_since:
                log.info("database answers again", extra={"database": name})
            if not up and self._up.get(name, True):
                log.warning("database unreachable", extra={"database": name})
            self._up[name] = up
            if up:
                self._down_since.pop(name, None)
            else:
                self._down_since.setdefault(name, datetime.fromtimestamp(now, timezone.utc))
        self._checked_at = now

    def _read_schemas(self, now: float) -> None:
        if not all(self._up.values()):
            return  # read the schema once the database answers again
        missing: dict[str, list[str]] = {}
        for finding in check_schema(self.databases):
            label = f"{finding.table}.{finding.column}" if finding.column else finding.table
            missing.setdefault(finding.database, []).append(label)
        if self.databases.same_database:
            missing = {"cases": [m for labels in missing.values() for m in labels]}
        self._missing = {name: tuple(labels) for name, labels in missing.items()}
        for name, labels in self._missing.items():
            log.warning("database does not match the data contract", extra={"database": name, "missing": labels})
        self._schema_checked_at = now
