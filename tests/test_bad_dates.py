"""A date column holding text that is no real day (SQLite keeps any text) is in no period: a year stays the sum
of its quarters, and the contract check counts every such row."""

from __future__ import annotations

import sqlite3
from datetime import date

from queries.contract_check import check_values
from queries.db import Databases
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.scope import LEADERSHIP, make_filter
from tests.builders import sqlite_url, write_database

DHAKA = "BD3026"
GOOD_DAYS = ["2026-01-15", "2026-03-31", "2026-04-01", "2026-07-05", "2026-11-30"]
NO_REAL_DAY = ["2026-11-31", "2026-02-30", "2026-7-5", "2026-08-31 junk", "31/12/2026"]


def _case(case_id: str, reported_on: str) -> dict:
    return dict(case_id=case_id, case_ref=None, case_type="csec", district_pcode=DHAKA, upazila_pcode=None,
                source="police", reported_on=reported_on, closed_on=None)


def test_text_that_is_no_real_day_is_in_no_period_and_counted(tmp_path, gazetteer):
    path = tmp_path / "cases.sqlite"
    url = write_database(sqlite_url(path), {"cases": [_case(f"G{n}", day) for n, day in enumerate(GOOD_DAYS)]})
    with sqlite3.connect(path) as connection:
        for n, written in enumerate(NO_REAL_DAY):
            row = _case(f"B{n}", written)
            connection.execute(f"INSERT INTO cases ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                               list(row.values()))
    databases = Databases.from_urls(url, url)
    try:
        engine = IndicatorEngine(databases, gazetteer)

        def cases_in(label: str) -> int:
            rows = engine.compute(make_filter(parse_period(label), "BD", "national", LEADERSHIP, gazetteer),
                                  ("cases_reported",))
            return int(rows.iloc[0]["value"])

        quarters = [cases_in(f"2026-Q{quarter}") for quarter in (1, 2, 3, 4)]
        assert quarters == [2, 1, 1, 1] and cases_in("2026") == sum(quarters) == len(GOOD_DAYS)
        findings = {(f.table, f.column, f.rule): f.count for f in check_values(databases, gazetteer,
                                                                               date(2026, 11, 30))}
        assert findings[("cases", "reported_on", "unreadable_date")] == len(NO_REAL_DAY)
    finally:
        databases.dispose()
