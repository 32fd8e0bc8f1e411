"""Donors shown released figures only (IMPACT_DONOR_FIGURES, default "released"): each quarter from its latest
release, none of a quarter not released nor of a year; records that arrive later move leadership's figures, not
the donor's, until leadership releases the quarter again; nothing hidden is disclosed, and a quarter's hidden cells
stay the same whatever is released after it."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard import panels
from dashboard.builders.iptt import build_iptt_table
from dashboard.builders.quarterly import build_quarterly
from dashboard.builders.targets import build_plan
from impact_monitor.disclosure_audit import run_audit
from impact_monitor.services import attach_store, prepare_services, release_demo_quarters
from impact_monitor.settings import Settings, SettingsError
from queries.iptt import Actual, build_iptt
from queries.periods import parse_period, recent_quarters
from queries.released_years import ADDITIVE_OVER_QUARTERS, released_year
from queries.releases import release_period
from queries.scope import FilterError, make_filter, make_scope
from queries.targets import NO_VALUE, NOT_RELEASED, plan_progress
from tests import awkward_program
from tests.builders import sqlite_url, write_database

K = 10
AFTER_THE_QUARTERS = date(2026, 10, 1)
CASE_TABLES = ("cases", "victims", "accused", "legal_events", "survivor_assessments", "district_population",
               "prevalence_studies")
COUNTS = ("cases_reported", "victims_identified", "minors_identified", "reports_received", "referrals_made")


@pytest.fixture
def program(tmp_path, geo_cache_dir) -> Path:
    """The awkward program's databases, an empty store and the map geometry in one data folder."""
    case_rows, referral_rows = awkward_program.program()
    write_database(sqlite_url(tmp_path / "cases.sqlite"), case_rows, tables=CASE_TABLES)
    write_database(sqlite_url(tmp_path / "referrals.sqlite"), referral_rows)
    (tmp_path / "geo").mkdir()
    for cached in geo_cache_dir.glob("*.json"):
        (tmp_path / "geo" / cached.name).write_bytes(cached.read_bytes())
    return tmp_path


def services(folder: Path, **settings: str):
    """Fresh services over the folder's databases and store (nothing cached from an earlier reading)."""
    svc = prepare_services(Settings.from_env({
        "IMPACT_CASES_DB": sqlite_url(folder / "cases.sqlite"),
        "IMPACT_REFERRALS_DB": sqlite_url(folder / "referrals.sqlite"), "IMPACT_DATA_DIR": str(folder),
        "IMPACT_USERS_FILE": str(folder / "users.toml"), "IMPACT_QUERY_THREADS": "1", "IMPACT_CACHE_TTL_S": "0",
        **settings}))
    attach_store(svc)
    return svc


def release(svc, label: str) -> None:
    release_period(svc.store, svc.engine, svc.gazetteer, parse_period(label), AFTER_THE_QUARTERS, "leadership", "test")


def rows(svc, role: str, label: str, level: str = "division"):
    scope = make_scope(role, (), svc.gazetteer) if role != "government" else make_scope(role, ("BD30",), svc.gazetteer)
    area = "BD30" if role == "government" else "BD"
    filter_ = make_filter(parse_period(label), area, level, scope, svc.gazetteer)
    return svc.engine.compute(filter_, suppress_below=K).set_index(["indicator", "area"])


def national(svc, role: str) -> float:
    """The national count of cases reported in 2026-Q1, as `role` is shown it."""
    return rows(svc, role, "2026-Q1", "national").loc[("cases_reported", "BD"), "value"]


def add_late_case(folder: Path, reported_on: str) -> None:
    """A case entered after the release, dated in the released quarter (the source's own kind of change)."""
    with sqlite3.connect(folder / "cases.sqlite") as connection:
        connection.execute("INSERT INTO cases (case_id, case_ref, case_type, district_pcode, upazila_pcode, source, "
                           "reported_on, closed_on) VALUES ('LATE1', 'REF-LATE1', 'csec', 'BD3026', 'BD30260014', "
                           "'police', ?, NULL)", (reported_on,))


def test_donors_are_shown_released_figures_unless_a_setting_says_otherwise():
    assert Settings.from_env({}).released_only_roles == ("donor",)
    assert Settings.from_env({"IMPACT_DONOR_FIGURES": "Live"}).released_only_roles == ()
    with pytest.raises(SettingsError, match="IMPACT_DONOR_FIGURES: 'approved' is not one of released, live"):
        Settings.from_env({"IMPACT_DONOR_FIGURES": "approved"})


def test_a_quarter_not_released_shows_a_donor_no_figure_and_its_pages_say_why(program):
    svc = services(program)
    shown = rows(svc, "donor", "2026-Q1")
    assert len(shown) > 50
    assert shown["value"].isna().all() and not shown["suppressed"].any() and not shown["withheld"].any()
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "national", make_scope("donor", (), svc.gazetteer),
                          svc.gazetteer)
    with pytest.raises(FilterError, match="2026-Q1 has not been released. This account is shown released figures"):
        panels.period_cells(svc, filter_)


def test_a_released_quarter_shows_the_release_until_it_is_revised(program):
    svc = services(program)
    release(svc, "2026-Q1")
    donor, leadership = rows(svc, "donor", "2026-Q1"), rows(svc, "leadership", "2026-Q1")
    shown = donor[donor["value"].notna()]
    assert len(shown) > 20, "most of the released quarter is shown"
    for key, row in shown.iterrows():
        assert row["value"] == pytest.approx(leadership.loc[key, "value"]), key
    national_cases = national(svc, "donor")

    add_late_case(program, "2026-02-10")
    later = services(program)
    assert national(later, "leadership") == national_cases + 1
    assert national(later, "donor") == national_cases
    assert rows(later, "government", "2026-Q1", "district").loc[("cases_reported", "BD3026"), "value"] == (
        rows(later, "leadership", "2026-Q1", "district").loc[("cases_reported", "BD3026"), "value"]), (
        "government partners are shown live figures")

    release(later, "2026-Q1")
    assert national(later, "donor") == national_cases + 1, "the revision is read at once, by the same process too"
    assert national(services(program), "donor") == national_cases + 1


def test_a_quarter_shown_from_a_provisional_release_is_headed_so_in_a_donors_tables(program):
    svc = services(program)
    release(svc, "2026-Q1")
    release_period(svc.store, svc.engine, svc.gazetteer, parse_period("2026-Q2"), date(2026, 5, 1), "leadership",
                   "test", provisional=True)
    for role, headings in (("donor", ["2026-Q1", "2026-Q2 (provisional)"]), ("leadership", ["2026-Q1", "2026-Q2"])):
        chosen = make_filter(parse_period("2026-Q2"), "BD", "national", make_scope(role, (), svc.gazetteer),
                             svc.gazetteer)
        quarterly = build_quarterly(svc, chosen, {"quarters": 4})
        assert [column.heading for column in quarterly.columns][3:5] == headings, role
        iptt = build_iptt_table(svc, chosen, {})
        assert [column.heading for column in iptt.columns][7:9] == headings, role


def test_a_year_is_not_released_and_a_fiscal_quarter_reads_the_same_release(program):
    svc = services(program)
    for label in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        release_period(svc.store, svc.engine, svc.gazetteer, parse_period(label), date(2027, 1, 2), "leadership",
                       "test")
    assert rows(svc, "donor", "2026")["value"].isna().all()
    calendar, fiscal = rows(svc, "donor", "2026-Q3"), rows(svc, "donor", "BD-FY2027-Q1")
    assert calendar["value"].notna().any()
    assert list(calendar["value"].astype(object)) == list(fiscal["value"].astype(object))


def test_a_released_quarter_keeps_its_hidden_cells_when_the_next_is_released(program):
    svc = services(program)
    release(svc, "2026-Q1")
    scope = make_scope("donor", (), svc.gazetteer)
    before = svc.engine.publications.cells(scope, parse_period("2026-Q1"), K)
    assert any(before.hidden(cell) for cell in before.values), "the quarter has hidden cells"
    release(svc, "2026-Q2")
    after = services(program).engine.publications.cells(scope, parse_period("2026-Q1"), K)
    assert after.states == before.states and after.values == before.values


def test_nothing_is_disclosed_to_a_donor_shown_released_quarters(program):
    svc = services(program)
    release(svc, "2026-Q1")
    release(svc, "2026-Q2")
    report = run_audit(svc, make_scope("donor", (), svc.gazetteer), parse_period("2026-Q1"), K)
    assert report.findings == []
    assert report.disclosed == []
    assert report.periods.intervals, "the released quarters have small counts to audit"
    assert report.numbers > 300


def test_a_donors_iptt_adds_its_year_up_from_the_released_quarters(program):
    svc = services(program)
    scope = make_scope("donor", (), svc.gazetteer)
    for label in ("2026-Q1", "2026-Q2"):
        release(svc, label)

    def iptt(today: date):
        table = build_iptt(svc.engine, svc.gazetteer, scope, "calendar", 2026, "BD", {}, today, K)
        return {(row.indicator, row.breakdown, row.category): row for row in table.rows}, table

    # Mid-year, with every quarter begun released: the year so far is their sum.
    rows_, table = iptt(date(2026, 6, 30))
    assert table.released_only
    cases = rows_[("cases_reported", "", "")]
    assert all(quarter.value is not None for quarter in cases.quarters[:2])
    assert cases.year_to_date.value == cases.quarters[0].value + cases.quarters[1].value
    live = rows(services(program), "leadership", "2026-Q1", "national").loc[("cases_reported", "BD"), "value"] + (
        rows(services(program), "leadership", "2026-Q2", "national").loc[("cases_reported", "BD"), "value"])
    assert cases.year_to_date.value == live
    referred = rows_[("cases_referred_pct", "", "")]
    if not any(quarter.hidden for quarter in referred.quarters[:2]):
        assert referred.year_to_date.value is not None
    for distinct in ("survivors_assessed", "charge_sheets_filed", "referral_turnaround_median_days"):
        assert rows_[(distinct, "", "")].year_to_date == Actual(), distinct
    hidden_somewhere = [row for row in rows_.values() if row.indicator in ADDITIVE_OVER_QUARTERS
                        and any(quarter.hidden for quarter in row.quarters[:2])]
    assert hidden_somewhere and all(row.year_to_date.hidden for row in hidden_somewhere)

    # Later, with Q3 under way and not released: the year to date runs to Q2, the last quarter released in order.
    rows_, _table = iptt(date(2026, 8, 1))
    assert rows_[("cases_reported", "", "")].year_to_date == cases.year_to_date

    # A year whose first quarter was never released has no year to date; an earlier year needs all four.
    shown = {"value": 5.0, "numerator": 5.0, "denominator": None, "suppressed": False, "withheld": False}
    assert released_year("cases_reported", parse_period("2026"), {"2026-Q2": shown}, date(2026, 8, 1),
                         whole=False) is None
    first_two = {"2026-Q1": shown, "2026-Q2": shown}
    assert released_year("cases_reported", parse_period("2026"), first_two, date(2026, 8, 1), whole=False)[
        "value"] == 10.0
    assert released_year("cases_reported", parse_period("2026"), first_two, date(2026, 8, 1)) is None


def test_the_demo_releases_its_last_three_ended_quarters_once(tmp_path, geo_cache_dir):
    (tmp_path / "geo").mkdir()
    for cached in geo_cache_dir.glob("*.json"):
        (tmp_path / "geo" / cached.name).write_bytes(cached.read_bytes())
    settings = {"IMPACT_DATA_DIR": str(tmp_path), "IMPACT_DEMO_CASES": "600", "IMPACT_DONOR_FIGURES": "released"}
    for _start in range(2):
        svc = prepare_services(Settings.from_env(settings))
        attach_store(svc)
        release_demo_quarters(svc)
    today = svc.databases.today()
    ended = [quarter.label for quarter in recent_quarters(today, 4)[:-1]]
    released = [(release.period, release.revision, release.released_by) for release in svc.store.releases("calendar")]
    assert released == [(label, 1, "demo") for label in ended]
    assert rows(svc, "donor", ended[-1], "national").loc[("cases_reported", "BD"), "value"] > 0

    live = prepare_services(Settings.from_env({**settings, "IMPACT_DONOR_FIGURES": "live", "IMPACT_APP_DB":
                                               f"sqlite:///{tmp_path / 'other-store.sqlite'}"}))
    attach_store(live)
    release_demo_quarters(live)
    assert live.store.releases("calendar") == [], "donors shown live figures need no release"


def test_the_five_year_targets_add_a_donors_year_up_from_the_released_quarters(program):
    svc = services(program)
    for label in ("2026-Q1", "2026-Q2"):
        release(svc, label)
    targets = pd.DataFrame([{"indicator": code, "year": 2026, "target": 100.0}
                            for code in ("cases_reported", "survivors_assessed")])

    def national(period):
        return make_filter(period, "BD", "national", make_scope("donor", (), svc.gazetteer), svc.gazetteer)

    progress = plan_progress(svc.engine, targets, national, date(2026, 6, 30), K).set_index("indicator")
    quarters = [rows(svc, "donor", label, "national").loc[("cases_reported", "BD"), "value"]
                for label in ("2026-Q1", "2026-Q2")]
    assert progress.loc["cases_reported", "actual"] == sum(quarters)
    assert progress.loc["survivors_assessed", "actual"] is None, "distinct people do not add up over quarters"
    assert not progress.loc["survivors_assessed", "suppressed"]
    assert progress.loc["survivors_assessed", "status"] == NOT_RELEASED
    assert progress.loc["cases_reported", "status"] not in (NOT_RELEASED, NO_VALUE)

    # In Q3, not released: the year's actual is not released, and the page says so rather than leave it blank.
    later = plan_progress(svc.engine, targets, national, date(2026, 8, 1), K)
    assert later.set_index("indicator").loc["cases_reported", "status"] == NOT_RELEASED
    targets.to_csv(program / "targets.csv", index=False)
    with_targets = services(program, IMPACT_TARGETS_FILE=str(program / "targets.csv"))
    table = build_plan(with_targets, national(parse_period("2026-Q2")), {})  # today: Q3 and Q4 begun, not released
    assert [cell.mark for cell in table.rows[0][2:3] + table.rows[0][4:5]] == ["not released"] * 2
    assert any(note.startswith("Released figures only") for note in table.notes)
