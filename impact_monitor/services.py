"""What both the app and the CLI read from: gazetteer, read-only databases, indicator engine."""

from __future__ import annotations

from dataclasses import dataclass

from queries.cache import AggregateCache
from queries.current import CurrentTables
from queries.db import Databases
from queries.health import DatabaseMonitor
from queries.geography import Gazetteer, load_gazetteer
from queries.indicators import IndicatorEngine

from .settings import Settings, SettingsError


@dataclass
class Services:
    settings: Settings
    databases: Databases
    gazetteer: Gazetteer
    engine: IndicatorEngine
    cache: AggregateCache
    monitor: DatabaseMonitor
    current: CurrentTables


def prepare_services(settings: Settings) -> Services:
    """Open the configured databases read-only; in demo mode build the embedded demo on first use."""
    gazetteer = load_gazetteer(settings.data_dir / "geo")
    if settings.demo_mode:
        from .demo_data import ensure_demo

        try:
            ensure_demo(settings.data_dir / "demo", settings.demo_cases, geo_cache_dir=settings.data_dir / "geo")
        except OSError as error:
            raise SettingsError(
                f"IMPACT_DATA_DIR: cannot write the demo databases to {settings.data_dir / 'demo'} "
                f"({error.strerror}); build them there once where it is writable, or set IMPACT_CASES_DB and "
                "IMPACT_REFERRALS_DB") from None
    cases_url, referrals_url = settings.database_urls()
    databases = Databases.from_urls(cases_url, referrals_url, settings.statement_timeout_s, settings.timezone)
    cache = AggregateCache(settings.cache_ttl_s, settings.redis_url)
    engine = IndicatorEngine(databases, gazetteer, cache, settings.query_threads, settings.publication_ttl_s)
    current = CurrentTables(databases, gazetteer, cache, settings.publication_ttl_s, settings.query_threads)
    return Services(settings, databases, gazetteer, engine, cache, DatabaseMonitor(databases), current)
