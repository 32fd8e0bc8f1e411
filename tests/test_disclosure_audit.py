"""The disclosure audit of everything an account is shown: nothing disclosed on an awkward program or the demo, and
every leak of cell-by-cell suppression caught when it is fed to the audit."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from impact_monitor import disclosure_audit
from impact_monitor.demo_data import generate_demo
from impact_monitor.disclosure_audit import Inventory, audit_inventory, collect_inventory, run_audit, true_cells
from impact_monitor.services import prepare_services
from impact_monitor.settings import Settings
from queries import publication
from queries.cells import label
from queries.disclosure import HIDDEN, PUBLISHED
from queries.periods import parse_period, recent_quarters
from queries.referral_flow import CURVE_INTERVALS, LEFT_OUT
from queries.scope import make_scope
from queries.universe import family_of
from tests import awkward_program
from tests.builders import sqlite_url, write_database
from tests.conftest import LIVE_FIGURES, REPO_ROOT

K = 10
CASE_TABLES = ("cases", "victims", "accused", "legal_events", "survivor_assessments", "district_population",
               "prevalence_studies")


def _services(data_dir: Path, geo_cache_dir: Path, cases_url: str, referrals_url: str):
    (data_dir / "geo").mkdir(parents=True, exist_ok=True)
    for cached in geo_cache_dir.glob("*.json"):
        (data_dir / "geo" / cached.name).write_bytes(cached.read_bytes())
    return prepare_services(Settings.from_env({**LIVE_FIGURES, 
        "IMPACT_CASES_DB": cases_url, "IMPACT_REFERRALS_DB": referrals_url, "IMPACT_DATA_DIR": str(data_dir),
        "IMPACT_USERS_FILE": str(data_dir / "users.toml"), "IMPACT_QUERY_THREADS": "1"}))


def _awkward_services(folder: Path, geo_cache_dir: Path):
    case_rows, referral_rows = awkward_program.program()
    cases = write_database(sqlite_url(folder / "cases.sqlite"), case_rows, tables=CASE_TABLES)
    referrals = write_database(sqlite_url(folder / "referrals.sqlite"), referral_rows)
    return _services(folder, geo_cache_dir, cases, referrals)


@pytest.fixture(scope="module")
def awkward(tmp_path_factory, geo_cache_dir):
    return _awkward_services(tmp_path_factory.mktemp("awkward"), geo_cache_dir)


AUDIENCES = [("donor", ()), ("government", ("BD30",)), ("government", (awkward_program.GAZIPUR,)),
             ("government", ("BD30", awkward_program.CHATTOGRAM))]


@pytest.mark.parametrize("role, areas", AUDIENCES, ids=["donor", "dhaka-division", "gazipur", "two-areas"])
def test_nothing_is_disclosed_on_the_awkward_program(awkward, gazetteer, role, areas):
    report = run_audit(awkward, make_scope(role, areas, gazetteer), parse_period("2026-Q1"), K)
    assert report.findings == []
    assert report.disclosed == []
    assert report.periods.intervals, "the program has small counts to audit"
    assert report.numbers > 500


@pytest.mark.parametrize("calendar, quarter", [("bd-fiscal", "BD-FY2026-Q3"), ("us-fiscal", "US-FY2026-Q2")])
def test_nothing_is_disclosed_to_a_donor_reporting_in_a_fiscal_year(awkward, gazetteer, calendar, quarter):
    """A donor of a fiscal calendar sees its fiscal years, each protected with its own quarters (2026-Q1 is the
    third quarter of BD-FY2026 and the second of US-FY2026)."""
    scope = make_scope("donor", (), gazetteer, calendar)
    report = run_audit(awkward, scope, parse_period(quarter), K)
    assert family_of(parse_period(quarter)).year == quarter[:-3]
    assert report.findings == [] and report.disclosed == []
    assert report.periods.intervals and report.numbers > 500


def _hidden_band_beside_minors(values, period="2026-Q1"):
    """Cell-by-cell suppression of an age-band table: the one child under 12 hidden, every other band and
    minors_identified shown, as each table checked on its own allowed."""
    inventory = Inventory()
    for cell in values:
        if cell[1] == period and cell[2] == "BD" and cell[3] == "age_band" and cell[0] == "victims":
            inventory.show(cell, None if cell[4] == "<12" else values[cell], "age bands")
    inventory.show(label("minors", period, "BD"), values[label("minors", period, "BD")], "headline")
    return inventory


def _every_division_beside_the_nation(values, period="2026-Q1"):
    inventory = Inventory()
    for cell in values:
        if cell[0] == "reports" and cell[1] == period and not cell[3]:
            inventory.show(cell, values[cell], "reports by division")
    return inventory


def _curve_with_every_step(values, period="2026-Q1", area="BD"):
    """A curve drawn at every step over a shown base count: each step's count given away."""
    inventory = Inventory()
    inventory.show(label("referrals", period, area), values[label("referrals", period, area)], "curve base")
    inventory.revealed |= {label(measure, period, area, "interval", interval)
                           for measure in ("served", "censored") for interval in CURVE_INTERVALS}
    return inventory


def test_the_audit_catches_each_leak_of_cell_by_cell_suppression(awkward, gazetteer):
    """What the app showed before this audit existed, fed to it: each kind of leak is caught."""
    donor = make_scope("donor", (), gazetteer)
    period = parse_period("2026-Q1")
    values, current = true_cells(awkward, donor, period)
    family = family_of(period)

    def report(inventory):
        return audit_inventory(inventory, values, current, family, donor, gazetteer, K)

    assert values[label("victims", "2026-Q1", "BD", "age_band", "<12")] == 1
    leak = report(_hidden_band_beside_minors(values))
    assert [(i.label, i.low, i.high) for i in leak.disclosed] == [
        (label("victims", "2026-Q1", "BD", "age_band", "<12"), 1, 1)]
    residual = report(_every_division_beside_the_nation(values))
    # The one report with no district: the nation minus its divisions, in its quarter and so in its year.
    assert {(i.label, i.low, i.high) for i in residual.disclosed} == {
        (label("reports", "2026-Q1", "BD/none"), 1, 1), (label("reports", "2026", "BD/none"), 1, 1)}
    curve = report(_curve_with_every_step(values, area="BD20"))  # Chattogram: 12 referrals a quarter
    assert any("a count under 10" in finding for finding in curve.findings)


def test_the_app_shows_none_of_these_leaks(awkward, gazetteer):
    donor = make_scope("donor", (), gazetteer)
    inventory = collect_inventory(awkward, donor, parse_period("2026-Q1"), K)
    under_12 = label("victims", "2026-Q1", "BD", "age_band", "<12")
    assert under_12 not in inventory.published and under_12 in inventory.hidden | inventory.withheld
    divisions = [label("reports", "2026-Q1", code) for code in ("BD30", "BD20")]
    assert not all(cell in inventory.published for cell in divisions)  # the nation shown, not both divisions


def test_the_audit_fails_when_complementary_suppression_is_switched_off(tmp_path, geo_cache_dir, gazetteer,
                                                                        monkeypatch):
    """Protection reduced to hiding counts under k, cell by cell: the audit must find what that leaves. (Services
    of its own: the shared ones hold publications protected already.)"""
    awkward = _awkward_services(tmp_path, geo_cache_dir)

    def primary_only(publication_, k, shown):
        return [(HIDDEN if 1 <= value < k else PUBLISHED) if is_shown else state
                for value, is_shown, state in zip(publication_.values, shown, publication_.states)]

    monkeypatch.setattr(publication, "protect", primary_only)
    monkeypatch.setattr("queries.current.protect", primary_only)
    report = run_audit(awkward, make_scope("donor", (), gazetteer), parse_period("2026-Q2"), K)
    assert report.disclosed


@pytest.fixture(scope="module")
def demo(tmp_path_factory, geo_cache_dir):
    folder = tmp_path_factory.mktemp("audit-demo")
    generate_demo(folder / "demo", 4000, 1, geo_cache_dir=geo_cache_dir)
    return _services(folder, geo_cache_dir, sqlite_url(folder / "demo" / "cases.sqlite"),
                     sqlite_url(folder / "demo" / "referrals.sqlite"))


@pytest.mark.parametrize("role, areas", [("donor", ()), ("government", ("BD30",))], ids=["donor", "dhaka"])
def test_nothing_is_disclosed_on_the_demo_in_any_year_offered(demo, gazetteer, role, areas):
    """Every quarter the period menu offers lies in one of these years; each year is audited with its quarters."""
    years = sorted({quarter.start.year for quarter in recent_quarters(date.today(), 16)})
    scope = make_scope(role, areas, gazetteer)
    for year in years:
        report = run_audit(demo, scope, parse_period(str(year)), K)
        assert report.findings == [], year
        assert report.disclosed == [], year


def test_the_command_prints_the_counts_and_exits_zero(awkward, gazetteer, monkeypatch, capsys):
    monkeypatch.setattr("impact_monitor.cli._services", lambda _settings, _role=None: awkward)
    from impact_monitor.cli import main

    assert main(["disclosure-audit", "--role", "donor", "--period", "2026-Q1"]) == 0
    printed = capsys.readouterr().out
    assert "hidden counts under 10 audited" in printed and "0 disclosed cell(s), 0 finding(s)" in printed
    assert main(["disclosure-audit", "--role", "leadership", "--period", "2026-Q1"]) == 2


def test_what_leaks_is_printed_and_the_command_fails(awkward, gazetteer, monkeypatch, capsys):
    def leaky(svc, scope, period, k):
        values, _ = true_cells(svc, scope, period)
        return _hidden_band_beside_minors(values)

    monkeypatch.setattr("impact_monitor.cli._services", lambda _settings, _role=None: awkward)
    monkeypatch.setattr(disclosure_audit, "collect_inventory", leaky)
    from impact_monitor.cli import main

    assert main(["disclosure-audit", "--role", "donor", "--period", "2026-Q1"]) == 1
    assert "DISCLOSED ('victims', '2026-Q1', 'BD', 'age_band', '<12'): between 1 and 1" in capsys.readouterr().out


_HIDDEN_CELLS = """
import json, sys
from impact_monitor.services import prepare_services
from impact_monitor.settings import Settings
from queries.periods import parse_period
from queries.scope import make_scope

svc = prepare_services(Settings.from_env())
for role, areas in (("donor", ()), ("government", ("BD30",))):
    cells = svc.engine.publications.cells(make_scope(role, areas, svc.gazetteer), parse_period("2026-Q1"), 10)
    print(json.dumps(sorted([list(cell), state] for cell, state in cells.states.items() if state)))
"""


def test_the_same_data_gives_the_same_hidden_cells_in_every_process(demo):
    """Pages, workers and the command line each protect on their own: they must hide exactly the same cells,
    whatever the process's hash seed (a set of strings iterates in a per-process order)."""
    settings = demo.settings
    env = {**os.environ, "IMPACT_CASES_DB": settings.cases_db, "IMPACT_REFERRALS_DB": settings.referrals_db,
           "IMPACT_DATA_DIR": str(settings.data_dir), "IMPACT_USERS_FILE": str(settings.users_file)}
    hidden = [subprocess.run([sys.executable, "-c", _HIDDEN_CELLS], env={**env, "PYTHONHASHSEED": seed},
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=True).stdout
              for seed in ("1", "2", "3")]
    assert hidden[0] and hidden[0] == hidden[1] == hidden[2]


def _referrals_with_some_left_out(left_out: int) -> dict:
    """2026-Q1: 240 referrals in Dhaka district and 60 in Chattogram, served the same day, two days later or
    still open, and `left_out` in Chattogram whose first service is recorded the day before the referral."""
    rows = []
    for number in range(300 + left_out):
        district = DHAKA_DISTRICT if number < 240 else CHATTOGRAM_DISTRICT
        day = date(2026, 1, 5) + timedelta(days=number % 80)
        served_after = (None, 0, 0, 2)[number % 4] if number < 300 else -1
        first_service = None if served_after is None else f"{day + timedelta(days=served_after)} 15:00:00"
        rows.append(dict(referral_id=f"F{number}", report_id=None, case_ref=None, district_pcode=district,
                         service_type="medical", provider_type="ngo", urgency="routine",
                         referred_at=f"{day} 10:00:00", accepted_at=None, first_service_at=first_service,
                         closed_at=None, outcome=None))
    return {"referrals": rows, "reports": []}


DHAKA_DISTRICT, CHATTOGRAM_DISTRICT = awkward_program.DHAKA, awkward_program.CHATTOGRAM


@pytest.mark.parametrize("left_out", [3, 12])
def test_the_referrals_left_off_the_waiting_curve_are_protected_like_any_count(tmp_path, geo_cache_dir, gazetteer,
                                                                               left_out):
    """The curve's base is the referrals made less those it leaves out, so drawing it shows how many it left
    out: a curve is drawn only where that count may be shown."""
    cases = write_database(sqlite_url(tmp_path / "cases.sqlite"), {name: [] for name in CASE_TABLES})
    referrals = write_database(sqlite_url(tmp_path / "referrals.sqlite"), _referrals_with_some_left_out(left_out))
    services = _services(tmp_path, geo_cache_dir, cases, referrals)
    donor, quarter = make_scope("donor", (), gazetteer), parse_period("2026-Q1")
    curve = publication.curve_intervals_table(services.engine.publications.cells(donor, quarter, K), quarter.label,
                                              "BD", CURVE_INTERVALS, LEFT_OUT)
    if left_out < K:
        assert curve is None
    else:
        table, at_risk, shown_left_out = curve
        assert (at_risk, shown_left_out) == (300, left_out) and len(table) >= 2
    report = run_audit(services, donor, quarter, K)
    assert report.findings == [] and report.disclosed == []
