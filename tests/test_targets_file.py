"""The targets file (IMPACT_TARGETS_FILE): the old three columns, the calendar and type columns, every refusal
naming its line, what an IPTT reads of it, and the app refusing to start with a bad one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from impact_monitor.services import check_targets_file
from impact_monitor.settings import Settings, SettingsError
from queries.periods import PeriodError
from queries.targets import IndicatorTargets, iptt_targets, load_plan, load_targets
from tests.conftest import GEO_CACHE, REPO_ROOT

OLD_FORMAT = "indicator,year,target\ncases_reported,2026,100\nconviction_rate_pct,2026,47.5\n"

# Rows of every kind, the blank cells of the optional columns meaning calendar and annual.
NEW_FORMAT = """indicator,year,target,calendar,type
cases_reported,2025,90,,
cases_reported,2026,100,calendar,annual
cases_reported,2024,70,calendar,baseline
cases_reported,2030,600,calendar,life-of-programme
cases_reported,2027,105,bd-fiscal,annual
cases_reported,2028,115,bd-fiscal,annual
cases_reported,2025,60,bd-fiscal,baseline
cases_reported,2026,98,us-fiscal,annual
referrals_made,2027,300,BD-Fiscal,Annual
referrals_made,2026,200,us-fiscal,baseline
referrals_made,2025,150,bd-fiscal,baseline
referrals_made,2029,1500,us-fiscal,life-of-programme
conviction_rate_pct,2026,47.5,calendar,annual
"""


def _file(tmp_path, text: str, name: str = "targets.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- Reading ----------------------------------------------------------------------------------------

def test_a_file_of_the_three_old_columns_reads_as_before(tmp_path):
    path = _file(tmp_path, OLD_FORMAT)
    assert load_targets(path).to_dict("records") == [
        {"indicator": "cases_reported", "year": 2026, "target": 100.0},
        {"indicator": "conviction_rate_pct", "year": 2026, "target": 47.5}]
    assert load_plan(path).to_dict("records") == [
        {"indicator": "cases_reported", "calendar": "calendar", "type": "annual", "year": 2026, "target": 100.0},
        {"indicator": "conviction_rate_pct", "calendar": "calendar", "type": "annual", "year": 2026,
         "target": 47.5}]


def test_the_pages_read_only_the_calendar_years_annual_targets(tmp_path):
    targets = load_targets(_file(tmp_path, NEW_FORMAT))
    assert list(targets.columns) == ["indicator", "year", "target"]
    assert targets.to_dict("records") == [
        {"indicator": "cases_reported", "year": 2025, "target": 90.0},
        {"indicator": "cases_reported", "year": 2026, "target": 100.0},
        {"indicator": "conviction_rate_pct", "year": 2026, "target": 47.5}]
    assert (targets.dtypes.astype(str).to_dict()
            == {"indicator": "object", "year": "int64", "target": "float64"})


def test_every_row_reads_back_the_same_after_writing_what_was_read(tmp_path):
    plan = load_plan(_file(tmp_path, NEW_FORMAT))
    assert len(plan) == 13
    assert plan.iloc[0].to_dict() == {"indicator": "cases_reported", "calendar": "calendar", "type": "annual",
                                      "year": 2025, "target": 90.0}
    assert plan.iloc[8].to_dict() == {"indicator": "referrals_made", "calendar": "bd-fiscal", "type": "annual",
                                      "year": 2027, "target": 300.0}  # case does not matter
    written = tmp_path / "written.csv"
    plan.to_csv(written, index=False)  # columns in another order than the file's: read by name
    pd.testing.assert_frame_equal(load_plan(written), plan)


def test_spaces_around_the_header_and_the_values_and_a_byte_order_mark_are_read(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("\ufeffindicator, year, target, calendar, type\n cases_reported , 2027 , 5 , bd-fiscal , \n",
                    encoding="utf-8")
    assert load_plan(path).to_dict("records") == [
        {"indicator": "cases_reported", "calendar": "bd-fiscal", "type": "annual", "year": 2027, "target": 5.0}]


def test_one_year_may_have_a_target_in_each_calendar_and_of_each_type(tmp_path):
    text = ("indicator,year,target,calendar,type\n" + "".join(
        f"cases_reported,2026,{n},{calendar},{type_}\n" for n, (calendar, type_) in enumerate(
            (c, t) for c in ("calendar", "bd-fiscal", "us-fiscal")
            for t in ("annual", "baseline", "life-of-programme"))))
    assert len(load_plan(_file(tmp_path, text))) == 9


HEADER = "indicator,year,target,calendar,type\n"
GOOD = "cases_reported,2026,1,,\n"


@pytest.mark.parametrize("text, expected", [
    ("indicator,target\ncases_reported,1\n", "line 1: missing column(s) year"),
    ("", "line 1: missing column(s) indicator, year, target"),
    ("indicator,year,target,calender\ncases_reported,2026,1,bd-fiscal\n", "line 1: unknown column(s) 'calender'"),
    ("indicator,year,target,type,notes\n", "line 1: unknown column(s) 'notes'"),
    ("indicator,year,target,target\n", "line 1: column(s) target more than once"),
    (HEADER + GOOD + "no_such_code,2026,1,,\n", "line 3: unknown indicator code 'no_such_code'"),
    (HEADER + GOOD + "cases_reported,2026,1,bd-fy,\n", "line 3: unknown calendar 'bd-fy'; use calendar, bd-fiscal, "
                                                       "us-fiscal"),
    (HEADER + GOOD + "cases_reported,2026,1,,lop\n", "line 3: unknown type 'lop'; use annual, baseline, "
                                                     "life-of-programme"),
    (HEADER + "cases_reported,26,1,,\n", "line 2: year '26' is not a year like 2026"),
    (HEADER + "cases_reported,1989,1,,\n", "line 2: year '1989' is not a year like 2026 (1990-2100)"),
    (HEADER + "cases_reported,2101,1,,\n", "line 2: year '2101' is not a year"),
    (HEADER + "cases_reported,²⁰²⁶,1,,\n", "line 2: year '²⁰²⁶' is not a year"),
    (HEADER + "cases_reported,BD-FY2027,1,bd-fiscal,\n", "line 2: year 'BD-FY2027' is not a year"),
    (HEADER + "cases_reported,2026,lots,,\n", "line 2: target 'lots' is not a number"),
    (HEADER + "cases_reported,2026,,,\n", "line 2: target '' is not a number"),
    (HEADER + "cases_reported,2026,-5,,baseline\n", "line 2: target '-5' must be a number of 0 or more"),
    (HEADER + "cases_reported,2026,inf,,\n", "line 2: target 'inf' must be a number of 0 or more"),
    (HEADER + "cases_reported,2026,nan,,\n", "line 2: target 'nan' must be"),
    (HEADER + GOOD + "cases_reported,2026,2,calendar,annual\n",
     "line 3: a second target for cases_reported in 2026 (the first is on line 2)"),
    (HEADER + "cases_reported,2027,1,bd-fiscal,\n\ncases_reported,2027,2,bd-fiscal,\n",
     "line 4: a second target for cases_reported in BD-FY2027 (the first is on line 2)"),
    (HEADER + "cases_reported,2024,1,bd-fiscal,baseline\ncases_reported,2025,2,bd-fiscal,baseline\n",
     "line 3: a second baseline row for cases_reported in calendar bd-fiscal (the first is on line 2)"),
    (HEADER + "cases_reported,2030,1,,life-of-programme\n" + GOOD + "cases_reported,2031,2,,life-of-programme\n",
     "line 4: a second life-of-programme row for cases_reported in calendar calendar (the first is on line 2)"),
    (HEADER + "cases_reported,2026,1,000,\n", "line 2: unknown calendar '000'"),
    ("indicator,year,target\ncases_reported,2026,1,000\n", "line 2: more values than the header has columns"),
    (HEADER + GOOD + "cases_reported,2026," + "9" * 200_000 + "\n", "line 3: not CSV (field larger than field limit"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_line(tmp_path, text, expected):
    with pytest.raises(ValueError) as error:
        load_plan(_file(tmp_path, text, "plan-2026.csv"))
    assert str(error.value).startswith("plan-2026.csv ")
    assert expected in str(error.value)


def test_a_file_that_is_not_utf8_is_refused_saying_how_to_save_it(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_bytes("indicator,year,target\ncases_reported,2026,1\n".encode("utf-16"))
    with pytest.raises(ValueError, match='targets.csv: not UTF-8 text; save it as "CSV UTF-8"'):
        load_plan(path)


# --- What an IPTT reads --------------------------------------------------------------------------------

def test_the_asked_calendars_own_baseline_and_life_of_programme_target_win(tmp_path):
    plan = load_plan(_file(tmp_path, NEW_FORMAT))
    assert iptt_targets(plan, "bd-fiscal", 2027)["cases_reported"] == IndicatorTargets(
        baseline=60.0, baseline_period="BD-FY2025", life_of_programme=600.0, annual=105.0,
        programme_start="BD-FY2027")
    assert iptt_targets(plan, "us-fiscal", 2029)["referrals_made"] == IndicatorTargets(
        baseline=200.0, baseline_period="US-FY2026", life_of_programme=1500.0, annual=None,
        programme_start="US-FY2029")


def test_without_its_own_the_calendar_years_baseline_is_used_then_the_next_calendars(tmp_path):
    plan = load_plan(_file(tmp_path, NEW_FORMAT))
    assert iptt_targets(plan, "us-fiscal", 2026)["cases_reported"] == IndicatorTargets(
        baseline=70.0, baseline_period="2024", life_of_programme=600.0, annual=98.0, programme_start="US-FY2026")
    # referrals_made has baselines in bd-fiscal and us-fiscal only: the calendar year takes BD's, in
    # CALENDARS order; its life-of-programme target is only in us-fiscal.
    assert iptt_targets(plan, "calendar", 2026)["referrals_made"] == IndicatorTargets(
        baseline=150.0, baseline_period="BD-FY2025", life_of_programme=1500.0, annual=None, programme_start=None)


def test_the_programme_starts_at_the_calendars_first_planned_year_not_at_its_baseline(tmp_path):
    plan = load_plan(_file(tmp_path, NEW_FORMAT))
    calendar_year = iptt_targets(plan, "calendar", 2026)
    assert calendar_year["cases_reported"] == IndicatorTargets(
        baseline=70.0, baseline_period="2024", life_of_programme=600.0, annual=100.0, programme_start="2025")
    assert calendar_year["conviction_rate_pct"] == IndicatorTargets(
        baseline=None, baseline_period=None, life_of_programme=None, annual=47.5, programme_start="2026")


def test_an_indicator_without_a_row_is_absent_and_the_order_is_the_indicators(tmp_path):
    plan = load_plan(_file(tmp_path, NEW_FORMAT))
    assert list(iptt_targets(plan, "calendar", 2026)) == ["cases_reported", "referrals_made", "conviction_rate_pct"]
    assert iptt_targets(plan.iloc[0:0], "calendar", 2026) == {}


def test_an_iptt_of_an_unknown_calendar_or_year_is_refused(tmp_path):
    plan = load_plan(_file(tmp_path, NEW_FORMAT))
    with pytest.raises(PeriodError, match="'nepal-fiscal' is not a calendar"):
        iptt_targets(plan, "nepal-fiscal", 2026)
    with pytest.raises(PeriodError, match="year 2200 is outside 1990-2100"):
        iptt_targets(plan, "bd-fiscal", 2200)


# --- Refused at start ------------------------------------------------------------------------------

def _real_database_settings(tmp_path, targets) -> dict[str, str]:
    """Settings of real databases (not opened: the targets file is checked first) and a cached gazetteer."""
    (tmp_path / "geo").mkdir(exist_ok=True)
    for cached in GEO_CACHE.glob("*.json"):
        shutil.copy(cached, tmp_path / "geo" / cached.name)
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    return {"IMPACT_DATA_DIR": str(tmp_path), "IMPACT_CASES_DB": url, "IMPACT_REFERRALS_DB": url,
            "IMPACT_TARGETS_FILE": str(targets)}


def test_the_start_check_names_the_setting_and_the_line_or_the_missing_file(tmp_path):
    good = _file(tmp_path, NEW_FORMAT)
    check_targets_file(Settings.from_env({"IMPACT_TARGETS_FILE": str(good)}))
    bad = _file(tmp_path, HEADER + GOOD + "cases_reported,2026,1,calender,\n", "bad.csv")
    with pytest.raises(SettingsError, match=r"^IMPACT_TARGETS_FILE: bad.csv line 3: unknown calendar 'calender'"):
        check_targets_file(Settings.from_env({"IMPACT_TARGETS_FILE": str(bad)}))
    with pytest.raises(SettingsError, match=r"^IMPACT_TARGETS_FILE: cannot read .*absent.csv \(No such file"):
        check_targets_file(Settings.from_env({"IMPACT_TARGETS_FILE": str(tmp_path / "absent.csv")}))


def test_the_app_refuses_to_start_with_a_bad_targets_file_in_one_line(gazetteer, tmp_path):
    targets = _file(tmp_path, OLD_FORMAT + "cases_reported,2027,1.000,00\n")
    env = {**os.environ, **_real_database_settings(tmp_path, targets)}
    started = subprocess.run([sys.executable, "app.py"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert started.returncode == 1
    assert started.stderr.strip() == ("impact-monitor: IMPACT_TARGETS_FILE: targets.csv line 4: more values than the "
                                      "header has columns (a number written with a comma, like 1,000?)")
