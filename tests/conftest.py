"""Shared fixtures: a throwaway PostgreSQL database and the gazetteer.

PostgreSQL and browser tests skip with a reason on a developer machine that
lacks the server or Chromium; under CI=true such a skip is a failure.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from queries.geography import load_gazetteer

PG_SERVER_URL = os.environ.get("IMPACT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
GEO_CACHE = Path(tempfile.gettempdir()) / "impact-monitor-test-geo"


def require(reason: str) -> None:
    """Skip on a developer machine, fail in CI: CI must run every test."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer(GEO_CACHE)


@pytest.fixture(scope="session")
def geo_cache_dir() -> Path:
    return GEO_CACHE


@pytest.fixture(scope="session")
def pg_admin_engine():
    engine = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # any connection failure means: no server here
        engine.dispose()
        require(f"no PostgreSQL server at {PG_SERVER_URL}: {error.__class__.__name__}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url_factory(pg_admin_engine):
    """Creates throwaway databases on the PostgreSQL server and drops them afterwards."""
    created: list[str] = []

    def create_database() -> str:
        name = f"impact_test_{uuid.uuid4().hex[:12]}"
        with pg_admin_engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)

    yield create_database
    with pg_admin_engine.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url(pg_url_factory) -> str:
    return pg_url_factory()
