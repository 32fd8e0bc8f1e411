"""The numbers a page shows equal the CLI export for the same filter, and follow the filter bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.builders.overview import HEADLINES
from dashboard.builders.quality import rule_words
from dashboard.components import HIDDEN, format_value
from queries.definitions import INDICATORS
from queries.periods import quarter_containing
from tests.conftest import (BROWSER_DEMO_CASES, REPO_ROOT, callbacks_done, console_errors, each_page, open_page,
                            wait_for_callbacks)


# (username, area, by, role, scope): each demo account with its default area and the grouping of that area.
EVERY_ROLE = [("leadership", "BD", "national", "leadership", ""),
              ("donor", "BD", "national", "donor", ""),
              ("dhaka", "BD30", "division", "government", "BD30")]


def run_cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    """`impact-monitor ARGS` over the live app's demo databases."""
    env = {**os.environ, "IMPACT_DATA_DIR": str(data_dir), "IMPACT_DEMO_CASES": BROWSER_DEMO_CASES,
           "IMPACT_CASES_DB": "", "IMPACT_REFERRALS_DB": ""}
    return subprocess.run([sys.executable, "-m", "impact_monitor.cli", *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def cli_json(data_dir, *args: str):
    result = run_cli(data_dir, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def role_args(role: str, scope: str) -> list[str]:
    return ["--role", role] + (["--scope", scope] if scope else [])


def cli_export(data_dir, period: str, area: str, by: str, role: str, scope: str = "") -> dict:
    rows = cli_json(data_dir, "indicators", "--period", period, "--by", by, "--area", area, *role_args(role, scope))
    return {(r["indicator"], r["area"]): r for r in rows}


def shown_headlines(driver) -> dict[str, str]:
    return {element.get_attribute("data-indicator"): element.text.strip()
            for element in driver.find_elements(By.CSS_SELECTOR, "[data-indicator]")}


def as_shown(row: dict, kind: str) -> str:
    """How an exported row reads on a page, its reliability mark included."""
    return format_value(row["value"], kind, row["suppressed"], row["withheld"], row["reliable"])


def expected_headlines(rows: dict, area: str) -> dict[str, str]:
    return {code: as_shown(rows[(code, area)], INDICATORS[code].kind) for code in HEADLINES}


def choose_and_wait(driver, dropdown_id: str, text: str) -> None:
    before = callbacks_done(driver)
    choose(driver, dropdown_id, text)
    wait_for_callbacks(driver, after=before)


def choose(driver, dropdown_id: str, text: str) -> None:
    """Open a dcc.Dropdown, search for an option and pick it, as a person would."""
    driver.find_element(By.ID, dropdown_id).click()
    search = WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "input[placeholder='Search']"))
    search.send_keys(text)
    option = WebDriverWait(driver, 10).until(lambda d: d.find_element(
        By.XPATH, f"//label[contains(@class, 'dash-options-list-option')][normalize-space()='{text}']"
                  f" | //*[@role='option'][normalize-space()='{text}']"))
    option.click()


@pytest.mark.browser
@pytest.mark.parametrize("username, area, by, role, scope", EVERY_ROLE)
def test_overview_equals_the_export_and_follows_the_period(open_browser, app_data_dir, username, area, by, role,
                                                           scope):
    current = quarter_containing(date.today()).previous()
    driver = open_browser(username)
    open_page(driver, "/")
    rows = cli_export(app_data_dir, current.label, area, by, role, scope)
    assert shown_headlines(driver) == expected_headlines(rows, area)

    earlier = current.shifted(-4)
    choose_and_wait(driver, "filter-period", earlier.label)
    assert earlier.label in driver.find_element(By.ID, "filter-period").text
    rows = cli_export(app_data_dir, earlier.label, area, by, role, scope)
    assert shown_headlines(driver) == expected_headlines(rows, area)
    assert not console_errors(driver)


@pytest.mark.browser
def test_changing_the_area_updates_the_overview_and_the_quarterly_table(open_browser, app_data_dir):
    current = quarter_containing(date.today()).previous()
    driver = open_browser("leadership")
    open_page(driver, "/")
    choose_and_wait(driver, "filter-area", "Dhaka division")
    rows = cli_export(app_data_dir, current.label, "BD30", "division", "leadership")
    assert shown_headlines(driver) == expected_headlines(rows, "BD30")

    driver.find_element(By.LINK_TEXT, "Quarterly indicators").click()
    wait_for_callbacks(driver, after=callbacks_done(driver))
    table = driver.find_element(By.CSS_SELECTOR, "#quarterly-panel table")
    header = [cell.text for cell in table.find_elements(By.CSS_SELECTOR, "thead th")]
    column = header.index(current.label)
    for code in ("cases_reported", "victims_identified", "referrals_made"):
        row = table.find_element(By.XPATH, f".//tr[.//a[contains(@href, '#{code}')]]")
        cells = row.find_elements(By.XPATH, "./th|./td")
        expected = as_shown(rows[(code, "BD30")], INDICATORS[code].kind)
        assert cells[column].text.strip() == expected, code


GAZIPUR = "BD3033"


def table_rows(driver, table_id: str) -> list[list[str]]:
    table = driver.find_element(By.ID, table_id)
    return [[cell.text.strip() for cell in row.find_elements(By.XPATH, "./th|./td")]
            for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]


@pytest.mark.browser
@pytest.mark.parametrize("username, area, role, scope, measure, by, areas_shown", [
    ("leadership", "BD", "leadership", "", "count", "district", 64),
    ("leadership", "BD", "leadership", "", "rate", "district", 64),
    ("dhaka", "BD30", "government", "BD30", "count", "district", 13),
    ("donor", "BD", "donor", "", "count", "division", 8),  # donors see the map by division
])
def test_the_map_table_equals_the_export(open_browser, app_data_dir, username, area, role, scope, measure, by,
                                         areas_shown):
    """Every area's value in the table beside the map, as the CLI exports it (cases reported)."""
    current = quarter_containing(date.today()).previous()
    driver = open_browser(username)
    open_page(driver, "/district-map")
    if measure == "rate":
        before = callbacks_done(driver)
        driver.find_element(By.XPATH, "//*[@id='map-measure']//label[contains(., 'per 100,000')]").click()
        wait_for_callbacks(driver, after=before)
    rows = cli_export(app_data_dir, current.label, area, by, role, scope)
    code = "cases_reported" if measure == "count" else "case_rate_per_100k_children"
    assert shown_map_table(driver) == expected_map_table(rows, code)
    assert len(shown_map_table(driver)) == areas_shown
    assert not console_errors(driver)


def shown_map_table(driver) -> dict[str, str]:
    return {row[2]: row[3] for row in table_rows(driver, "district-map-table")}  # P-code -> value text


def expected_map_table(rows: dict, code: str) -> dict[str, str]:
    return {area: as_shown(row, INDICATORS[code].kind)
            for (indicator, area), row in rows.items() if indicator == code}


@pytest.mark.browser
def test_the_upazila_table_equals_the_export_for_a_government_account(open_browser, app_data_dir, gazetteer):
    current = quarter_containing(date.today()).previous()
    driver = open_browser("dhaka")
    open_page(driver, "/district-map")
    choose_and_wait(driver, "map-district", "Gazipur")
    assert "upazilas of Gazipur district" in driver.find_element(By.ID, "district-map-title").text
    rows = cli_export(app_data_dir, current.label, GAZIPUR, "upazila", "government", "BD30")
    assert shown_map_table(driver) == expected_map_table(rows, "cases_reported")
    assert set(shown_map_table(driver)) == {a.pcode for a in gazetteer.children(GAZIPUR)}
    assert not console_errors(driver)


@pytest.mark.browser
@pytest.mark.parametrize("username, area, by, role, scope", EVERY_ROLE)
def test_the_survivor_headline_equals_the_export(open_browser, app_data_dir, username, area, by, role, scope):
    current = quarter_containing(date.today()).previous()
    driver = open_browser(username)
    open_page(driver, "/survivors")
    rows = cli_export(app_data_dir, current.label, area, by, role, scope)
    shown = shown_headlines(driver)
    assert set(shown) == {"survivors_assessed", "survivors_restored_pct"}
    assert shown == {code: as_shown(rows[(code, area)], INDICATORS[code].kind) for code in shown}


@pytest.mark.browser
def test_five_year_actuals_equal_the_export_of_each_year(open_browser, app_data_dir):
    driver = open_browser("leadership")
    open_page(driver, "/five-year-targets")
    labels = {INDICATORS[code].label: code for code in INDICATORS}
    plan = table_rows(driver, "targets-plan-table")
    assert plan, "the plan table is empty"
    exports = {}
    for label, year, actual, *_ in plan:
        if int(year) > date.today().year:
            assert actual == "not yet", (label, year)
            continue
        if year not in exports:
            exports[year] = cli_export(app_data_dir, year, "BD", "national", "leadership")
        row = exports[year][(labels[label], "BD")]
        missing = row["value"] is None and not row["suppressed"]  # a blank in the export, a word on the page
        assert actual == ("not available" if missing else as_shown(row, INDICATORS[labels[label]].kind)), \
            (label, year)
    assert len(exports) >= 2


@pytest.mark.browser
@pytest.mark.parametrize("path, table_id, codes", [
    ("/justice", "justice-trends-table", ("charge_sheets_filed", "accused_convicted", "conviction_rate_pct",
                                          "median_days_complaint_to_verdict")),
    ("/referrals", "referrals-turnaround-table", ("referral_turnaround_median_days", "referral_turnaround_p90_days",
                                                  "referrals_within_target_pct", "referrals_made")),
])
@pytest.mark.parametrize("username, area, by, role, scope", EVERY_ROLE)
def test_quarterly_trend_tables_equal_the_export(open_browser, app_data_dir, path, table_id, codes,
                                                 username, area, by, role, scope):
    """The chosen quarter's row and the row a year before, against the CLI export of each quarter."""
    current = quarter_containing(date.today()).previous()
    driver = open_browser(username)
    open_page(driver, path)
    header = [cell.text.strip() for cell in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} thead th")]
    rows = {row[0]: row for row in table_rows(driver, table_id)}
    for quarter in (current, current.shifted(-4)):
        exported = cli_export(app_data_dir, quarter.label, area, by, role, scope)
        for code in codes:
            row = exported[(code, area)]
            expected = as_shown(row, INDICATORS[code].kind)
            assert rows[quarter.label][header.index(INDICATORS[code].label)] == expected, (quarter.label, code)


@pytest.mark.browser
@pytest.mark.parametrize("username, area, by, role, scope", EVERY_ROLE)
def test_the_reduction_table_equals_the_prevalence_export(open_browser, app_data_dir, username, area, by, role,
                                                          scope):
    exported = cli_json(app_data_dir, "prevalence", *role_args(role, scope))
    driver = open_browser(username)
    open_page(driver, "/violence-reduction")
    header = [cell.text.strip() for cell in driver.find_elements(By.CSS_SELECTOR, "#reduction-table thead th")]
    shown = {row[header.index("P-code")]: row for row in table_rows(driver, "reduction-table")}
    assert exported and set(shown) == {row["area"] for row in exported}
    for row in exported:
        cells = shown[row["area"]]
        for column, name in (("Baseline", "baseline_pct"), ("Latest", "latest_pct"), ("Reduction", "reduction_pct")):
            assert cells[header.index(column)] == f"{row[name]:.1f} %", (row["area"], column)
        assert cells[header.index("Reduction 95 % interval")] == \
            f"{row['reduction_ci_low']:.1f} to {row['reduction_ci_high']:.1f} %", row["area"]


@pytest.mark.browser
@pytest.mark.parametrize("username, area, by, role, scope", EVERY_ROLE)
def test_the_quarterly_table_equals_the_export_of_each_quarter(open_browser, app_data_dir, username, area, by, role,
                                                               scope):
    """Every indicator in every quarter column: the donors' table, cell by cell."""
    driver = open_browser(username)
    open_page(driver, "/quarterly-indicators")
    header = [cell.text.strip() for cell in driver.find_elements(By.CSS_SELECTOR, "#quarterly-panel thead th")]
    quarters = header[1:-1]
    assert len(quarters) == 4 and quarters[-1] == quarter_containing(date.today()).previous().label
    shown = {row[0]: row for row in table_rows(driver, "quarterly-table")}
    assert set(shown) == {indicator.label for indicator in INDICATORS.values()}
    for quarter in quarters:
        exported = cli_export(app_data_dir, quarter, area, by, role, scope)
        for code, indicator in INDICATORS.items():
            row = exported[(code, area)]
            expected = as_shown(row, indicator.kind)
            assert shown[indicator.label][header.index(quarter)] == expected, (quarter, code)


@pytest.mark.browser
@pytest.mark.parametrize("username, area, by, role, scope", EVERY_ROLE)
def test_data_quality_counts_equal_the_quality_export(open_browser, app_data_dir, gazetteer, username, area, by, role,
                                                     scope):
    driver = open_browser(username)
    open_page(driver, "/data-quality")
    totals = cli_json(app_data_dir, "quality", *role_args(role, scope))
    assert totals, "the demo data breaks no rule: nothing to compare"
    assert {(table, rule): records for table, rule, records in table_rows(driver, "quality-totals")} == \
        {(row["table"], rule_words(row["rule"])): count_text(row) for row in totals}
    if role == "donor":
        assert not driver.find_elements(By.ID, "quality-by-district")
        return
    by_district = cli_json(app_data_dir, "quality", "--by", "district", *role_args(role, scope))
    header = [cell.text.strip() for cell in driver.find_elements(By.CSS_SELECTOR, "#quality-by-district thead th")]
    expected = {(name_of(row["district"], gazetteer), f"{row['table']}: {rule_words(row['rule'])}"): count_text(row)
                for row in by_district}
    shown = {(cells[0], column): cell for cells in table_rows(driver, "quality-by-district")
             for column, cell in zip(header[1:], cells[1:]) if cell != "0"}
    assert shown == expected


def count_text(row: dict) -> str:
    return HIDDEN if row["suppressed"] else f"{row['records']:,}"


def name_of(district: str, gazetteer) -> str:
    return district if district == "unknown" else gazetteer.name(district)


@pytest.mark.browser
def test_the_findings_leadership_reads_are_the_checks_own(open_browser, app_data_dir):
    # "WARNING cases: <message>" per finding, then a summary line.
    printed = [line.split(": ", 1)[1] for line in run_cli(app_data_dir, "check").stdout.splitlines()[:-1]]
    driver = open_browser("leadership")
    open_page(driver, "/data-quality")
    listed = [item.text.strip() for item in driver.find_elements(By.CSS_SELECTOR, "#quality-findings li")]
    assert listed and sorted(listed) == sorted(printed)


# Every table of a page as the browser has it: the text of each cell.
_SHOWN_TABLES = """
return Array.from(document.querySelectorAll('#main-content table[id]')).map(t => ({
  table: t.id, caption: t.caption ? t.caption.textContent : '',
  columns: Array.from(t.tHead.rows[0].cells).map(c => c.textContent),
  rows: Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.textContent))}));
"""


@pytest.mark.browser
@pytest.mark.parametrize("page", ["referrals", "justice", "survivors"])
@pytest.mark.parametrize("username, area, by, role, scope", EVERY_ROLE)
def test_every_table_of_the_page_equals_the_tables_export(open_browser, app_data_dir, page, username, area, by,
                                                          role, scope):
    """Funnels, curves, distributions: the tables that exist on a page only, against `impact-monitor tables`."""
    current = quarter_containing(date.today()).previous()
    driver = open_browser(username)
    open_page(driver, f"/{page}")
    exported = cli_json(app_data_dir, "tables", "--page", page, "--period", current.label,
                        *role_args(role, scope))["tables"]
    shown = driver.execute_script(_SHOWN_TABLES)
    # A table without rows is a message on the page (a curve too thin to draw): the export keeps its reason.
    drawn = [table for table in exported if table["rows"]]
    assert all(table["notes"] for table in exported if not table["rows"])
    assert [t["table"] for t in shown] == [t["table"] for t in drawn]
    for shown_table, exported_table in zip(shown, drawn):
        assert shown_table == {"table": exported_table["table"], "caption": exported_table["title"],
                               "columns": [column["heading"] for column in exported_table["columns"]],
                               "rows": exported_table["shown"]}


# Pages whose content depends on the filter bar; the others (prevalence studies, data quality, definitions)
# must still take a change without an error.
_FOLLOW_FILTERS = {"/", "/district-map", "/referrals", "/justice", "/survivors", "/quarterly-indicators"}


def choose_another(driver, dropdown_id: str, choices: tuple[str, str]) -> str:
    """Pick whichever of two options is not shown now (the filter bar keeps its choice across pages)."""
    shown = driver.find_element(By.ID, f"{dropdown_id}-value").text.strip()
    choice = choices[1] if choices[0].strip("· ") == shown.strip("· ") else choices[0]
    choose(driver, dropdown_id, choice)
    return choice


@pytest.mark.browser
@pytest.mark.parametrize("username, areas", [("leadership", ("Dhaka division", "Khulna division")),
                                             ("donor", ("Dhaka division", "Khulna division")),
                                             ("dhaka", ("· Gazipur", "· Narsingdi"))])
def test_every_page_follows_the_period_and_the_area(open_browser, username, areas):
    last = quarter_containing(date.today()).previous()
    periods = (last.shifted(-4).label, last.shifted(-8).label)  # other years: the targets page changes too
    follows_period = _FOLLOW_FILTERS | ({"/five-year-targets"} if username == "leadership" else set())
    driver = open_browser(username)
    problems = []
    for path in each_page(driver):
        shown = [driver.find_element(By.ID, "main-content").text]
        for dropdown, choices, follows in (("filter-period", periods, follows_period),
                                           ("filter-area", areas, _FOLLOW_FILTERS)):
            before = callbacks_done(driver)
            choice = choose_another(driver, dropdown, choices)
            # A page that does not follow the filter sends no callback: wait for quiet only.
            wait_for_callbacks(driver, after=before if path in follows else 0)
            shown.append(driver.find_element(By.ID, "main-content").text)
            if choice.strip("· ") not in driver.find_element(By.ID, dropdown).text:
                problems.append(f"{path}: {dropdown} does not show {choice}")
        if "Something went wrong" in shown[-1]:
            problems.append(f"{path}: a panel failed")
        if path in follows_period and shown[1] == shown[0]:
            problems.append(f"{path}: unchanged after a new period")
        if path in _FOLLOW_FILTERS and shown[2] == shown[1]:
            problems.append(f"{path}: unchanged after a new area")
    errors = console_errors(driver)
    assert not errors, "\n".join(errors)
    assert not problems, "\n".join(problems)
