"""What both the app and the CLI read from: gazetteer, read-only databases, indicator engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from queries.cache import AggregateCache
from queries.current import CurrentTables
from queries.db import Databases
from queries.health import DatabaseMonitor
from queries.geography import Gazetteer, load_gazetteer
from queries.indicators import IndicatorEngine
from queries.store import AppStore, StoreError, StoreOutOfDate
from queries.targets import load_plan
from sqlalchemy.exc import SQLAlchemyError

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
    # The app's own store, once `attach_store` opened it; else why it could not be (the pages say so).
    store: AppStore | None = None
    store_problem: str | None = None


log = logging.getLogger("impact_monitor.store")


def attach_store(services: Services) -> None:
    """Open the app's own store (creating a new one, and in demo mode applying any migration it lacks). A store
    whose schema is not this code's stops the app (SettingsError: `impact-monitor migrate` says how); one that
    cannot be reached or written leaves the app serving live figures, with `store_problem` saying why (an audience
    shown released figures only is then shown none). Audiences shown released figures only read them from it."""
    settings = services.settings
    try:
        services.store = AppStore.open(settings.store_url, apply_migrations=settings.demo_mode)
    except StoreOutOfDate as error:
        raise SettingsError(f"IMPACT_APP_DB: {error}") from None
    except (StoreError, OSError, SQLAlchemyError) as error:
        services.store_problem = str(error) if isinstance(error, StoreError) else (
            f"the app's store cannot be opened ({error.__class__.__name__}: {getattr(error, 'strerror', None) or error})"
            "; set IMPACT_APP_DB, or make IMPACT_DATA_DIR writable")
        log.warning("releases and narratives are unavailable: %s", services.store_problem)
    # Without a store nothing is released: such an audience is then shown no period's figures.
    services.engine.publications.show_released_only(settings.released_only_roles, services.store)


def check_targets_file(settings: Settings) -> None:
    """Read the whole targets file once, so that a bad one stops the app at start (SettingsError naming its line)
    rather than the pages that read it; a configured file that is not there stops it too."""
    path = settings.effective_targets_file
    if path is None:
        return
    try:
        load_plan(path)
    except OSError as error:
        raise SettingsError(f"IMPACT_TARGETS_FILE: cannot read {path} ({error.strerror})") from None
    except ValueError as error:
        raise SettingsError(f"IMPACT_TARGETS_FILE: {error}") from None


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
    check_targets_file(settings)
    cases_url, referrals_url = settings.database_urls()
    databases = Databases.from_urls(cases_url, referrals_url, settings.statement_timeout_s, settings.timezone)
    cache = AggregateCache(settings.cache_ttl_s, settings.redis_url)
    engine = IndicatorEngine(databases, gazetteer, cache, settings.query_threads, settings.publication_ttl_s)
    # Until `attach_store` opens the store, an audience shown released figures only is shown none.
    engine.publications.show_released_only(settings.released_only_roles, None)
    current = CurrentTables(databases, gazetteer, cache, settings.publication_ttl_s, settings.query_threads)
    return Services(settings, databases, gazetteer, engine, cache, DatabaseMonitor(databases), current)


DEMO_RELEASED_QUARTERS = 3


def release_demo_quarters(services: Services) -> None:
    """In the demo, a store with no release at all gets its last DEMO_RELEASED_QUARTERS ended quarters released
    (by "demo", audited), so that a donor account, shown released figures only, has figures to see. Once per
    store: workers starting together take turns behind a file lock, and the later ones find the releases made."""
    import fcntl
    from importlib.metadata import version

    from dashboard.security import AUDIT, audit_event
    from queries.periods import recent_quarters
    from queries.releases import release_period

    settings = services.settings
    if not (settings.demo_mode and settings.released_only_roles and services.store is not None):
        return
    with open(settings.data_dir / "demo" / "releasing.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if services.store.releases("calendar"):
            return
        today = services.databases.today()
        ended = recent_quarters(today, DEMO_RELEASED_QUARTERS + 1)[:-1]  # the quarter of today has not ended
        log.info("the demo releases %s for donors (first start only)", ", ".join(q.label for q in ended))
        for quarter in ended:
            release = release_period(services.store, services.engine, services.gazetteer, quarter, today, "demo",
                                     version("impact-monitor"))
            audit_event(AUDIT, "release", release.released_by, calendar=release.calendar, period=release.period,
                        revision=release.revision, provisional=release.provisional, via="demo start")
