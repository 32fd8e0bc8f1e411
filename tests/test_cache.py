"""The aggregate cache: same numbers as uncached, and never one scope's numbers for another."""

from __future__ import annotations

import threading
import uuid

import pandas as pd
import pytest

from queries.cache import AggregateCache
from queries.db import Databases
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.scope import make_filter, make_scope
from tests.builders import sqlite_url, write_database
from tests.indicator_fixture import CASES_ROWS, REFERRALS_ROWS


@pytest.fixture(params=["memory", "redis"])
def cache(request):
    namespace = f"impact-monitor-test:{uuid.uuid4().hex}"
    if request.param == "memory":
        return AggregateCache(60, namespace=namespace)
    return AggregateCache(60, request.getfixturevalue("redis_url"), namespace=namespace)


@pytest.fixture
def databases(tmp_path):
    cases = write_database(sqlite_url(tmp_path / "c.sqlite"), CASES_ROWS)
    referrals = write_database(sqlite_url(tmp_path / "r.sqlite"), REFERRALS_ROWS)
    return Databases.from_urls(cases, referrals)


def test_cached_rows_equal_uncached_rows(cache, databases, gazetteer):
    leadership = make_scope("leadership", [], gazetteer)
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "district", leadership, gazetteer)
    uncached = IndicatorEngine(databases, gazetteer).compute(filter_)
    engine = IndicatorEngine(databases, gazetteer, cache)
    first, second = engine.compute(filter_), engine.compute(filter_)
    pd.testing.assert_frame_equal(first, uncached)
    pd.testing.assert_frame_equal(second.astype(object), uncached.astype(object), check_dtype=False)


def test_a_cached_leadership_result_is_never_served_to_a_donor(cache, databases, gazetteer):
    engine = IndicatorEngine(databases, gazetteer, cache)
    period = parse_period("2026-Q1")
    exact = engine.compute(make_filter(period, "BD", "division", make_scope("leadership", [], gazetteer), gazetteer))
    donor = engine.compute(make_filter(period, "BD", "division", make_scope("donor", [], gazetteer), gazetteer))
    assert not exact["suppressed"].any() and donor["suppressed"].any()
    government = engine.compute(make_filter(period, "BD30", "district",
                                            make_scope("government", ["BD30"], gazetteer), gazetteer))
    other = engine.compute(make_filter(period, "BD30", "district",
                                       make_scope("government", ["BD30", "BD20"], gazetteer), gazetteer))
    assert cache.key("x", make_scope("government", ["BD30"], gazetteer).cache_key) != \
        cache.key("x", make_scope("government", ["BD30", "BD20"], gazetteer).cache_key)
    assert len(government) == len(other)


def test_the_cache_serves_without_asking_the_database(cache, databases, gazetteer, tmp_path):
    engine = IndicatorEngine(databases, gazetteer, cache)
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "national", make_scope("leadership", [], gazetteer),
                          gazetteer)
    before = engine.compute(filter_)
    databases.dispose()
    (tmp_path / "c.sqlite").rename(tmp_path / "gone.sqlite")
    after = engine.compute(filter_)
    assert list(after["value"].fillna(-1)) == list(before["value"].fillna(-1))


def test_ttl_zero_disables_caching(databases, gazetteer):
    cache = AggregateCache(0)
    calls = []
    cache.get_or_compute(("a",), lambda: calls.append(1) or pd.DataFrame({"x": [1]}))
    cache.get_or_compute(("a",), lambda: calls.append(1) or pd.DataFrame({"x": [1]}))
    assert len(calls) == 2


@pytest.mark.parametrize("ttl_s", [60, 0])
def test_callers_asking_at_once_share_one_computation(cache, ttl_s):
    cache.ttl_s = ttl_s
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_compute():
        calls.append(1)
        started.set()
        release.wait(5)
        return pd.DataFrame({"n": [len(calls)]})

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute(("same",), slow_compute)))
               for _ in range(4)]
    threads[0].start()
    assert started.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1
    assert [int(frame["n"].iloc[0]) for frame in results] == [1, 1, 1, 1]
    assert not cache._flights
