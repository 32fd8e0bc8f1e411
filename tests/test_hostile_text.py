"""Text from a source database written to be hostile reaches pages and exports as plain text: never a formula in a
spreadsheet, never markup in a chart, and a control character never breaks a workbook."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime, timedelta

import openpyxl
import pandas as pd
import pytest
from selenium.webdriver.common.by import By

from impact_monitor.demo_data import generate_demo
from impact_monitor.exports import FORMULA_TRIGGERS, csv_bytes, workbook_bytes
from tests.builders import sqlite_url
from tests.conftest import open_page, running_app
from tests.signin import sign_in_browser

LINK = '<a href="https://example.org/">hostile</a>'
FORMULA = '=HYPERLINK("https://example.org/","open")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_csv_cell_that_would_start_a_formula_is_quoted(text):
    written = _csv_rows(csv_bytes(pd.DataFrame({"cell": [text]})))[1][0]
    assert written == "'" + text


def test_numbers_and_plain_text_are_written_as_they_are():
    frame = pd.DataFrame({"text": ["Dhaka", "12 %", None], "number": [-3.5, 0.0, 7.0]})
    assert _csv_rows(csv_bytes(frame))[1:] == [["Dhaka", "-3.5"], ["12 %", "0.0"], ["", "7.0"]]


def test_a_workbook_holds_formula_text_as_text_and_drops_control_characters():
    frame = pd.DataFrame({"cell": ["=1+1", "@SUM(A1)", "nul\x00 and bell\x07", "line\nbreak"], "n": [1, 2, 3, 4]})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes({"cells": frame}))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == ["=1+1", "@SUM(A1)", "nul and bell", "line\nbreak"]
    assert {cell.data_type for cell in cells} == {"s"}
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [1, 2, 3, 4]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory, geo_cache_dir):
    """A small demo, plus what a careless or hostile source system can store: a study area named with a link, one
    whose P-code is a formula ending in a NUL byte, and an open referral whose service type is a link and a NUL."""
    folder = tmp_path_factory.mktemp("hostile")
    generate_demo(folder, 600, 1, geo_cache_dir=geo_cache_dir)
    studies = [(f"PS-{number}-{round_}", pcode, name, round_, day, 400, minors)
               for number, (pcode, name) in enumerate((("XX99", LINK), (FORMULA + "\x00", "Formula study")))
               for round_, day, minors in (("baseline", "2022-03-01", 80), ("endline", "2026-03-01", 20))]
    with sqlite3.connect(folder / "cases.sqlite") as cases:
        cases.executemany("INSERT INTO prevalence_studies (study_id, area_pcode, area_name, round, fieldwork_end, "
                          "individuals_observed, minors_observed) VALUES (?, ?, ?, ?, ?, ?, ?)", studies)
    referred = (datetime.now() - timedelta(days=40)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(folder / "referrals.sqlite") as referrals:
        referrals.execute("INSERT INTO referrals (referral_id, district_pcode, service_type, provider_type, urgency, "
                          "referred_at) VALUES (?, ?, ?, ?, ?, ?)",
                          ("F-hostile", "BD3026", LINK + "\x00", "ngo", "routine", referred))
    (folder / "geo").mkdir(exist_ok=True)
    for cached in geo_cache_dir.glob("*.json"):
        (folder / "geo" / cached.name).write_bytes(cached.read_bytes())
    return folder


@pytest.fixture
def hostile_cli(hostile_folder, monkeypatch, tmp_path):
    """cli(command, *args, format) -> the bytes `impact-monitor` writes over the hostile databases."""
    from impact_monitor.cli import main

    monkeypatch.setenv("IMPACT_CASES_DB", sqlite_url(hostile_folder / "cases.sqlite"))
    monkeypatch.setenv("IMPACT_REFERRALS_DB", sqlite_url(hostile_folder / "referrals.sqlite"))
    monkeypatch.setenv("IMPACT_DATA_DIR", str(hostile_folder))
    monkeypatch.setenv("IMPACT_USERS_FILE", "/dev/null")

    def cli(*args: str, file_format: str) -> bytes:
        out = tmp_path / f"export.{file_format}"
        assert main([*args, "--format", file_format, "--out", str(out)]) == 0
        return out.read_bytes()

    return cli


def test_a_formula_from_the_source_is_quoted_in_csv_and_text_in_a_workbook(hostile_cli):
    areas = [row["area"] for row in csv.DictReader(io.StringIO(hostile_cli("prevalence", file_format="csv")
                                                               .decode("utf-8"), newline=""))]
    assert "'" + FORMULA in areas and not [area for area in areas if area.startswith(FORMULA_TRIGGERS)]
    sheet = openpyxl.load_workbook(io.BytesIO(hostile_cli("prevalence", file_format="xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("area")] for row in sheet.iter_rows(min_row=2)]
    assert FORMULA in [cell.value for cell in cells] and {cell.data_type for cell in cells} == {"s"}


def test_a_nul_byte_from_the_source_does_not_break_the_tables_workbook(hostile_cli):
    workbook = openpyxl.load_workbook(io.BytesIO(hostile_cli("tables", "--page", "referrals", "--period", "2026-Q3",
                                                             file_format="xlsx")))
    texts = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)]
    assert any(LINK in text for text in texts) and not any("\x00" in text for text in texts)


@pytest.fixture(scope="module")
def hostile_app(hostile_folder, tmp_path_factory):
    from impact_monitor.accounts import hash_password

    users = tmp_path_factory.mktemp("hostile-users") / "users.toml"
    users.write_text(f'[users.leadership]\npassword_hash = "{hash_password("demo")}"\nrole = "leadership"\n')
    with running_app(hostile_folder, IMPACT_CASES_DB=sqlite_url(hostile_folder / "cases.sqlite"),
                     IMPACT_REFERRALS_DB=sqlite_url(hostile_folder / "referrals.sqlite"),
                     IMPACT_USERS_FILE=str(users)) as url:
        yield url


def _chart_text(driver) -> tuple[list[str], list]:
    """The text of every chart's labels, and every link inside a chart."""
    labels = [element.get_attribute("textContent") for element in
              driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot text")]
    return labels, driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot a")


@pytest.mark.browser
def test_charts_show_hostile_source_text_as_text(open_browser, hostile_app, tmp_path):
    driver = open_browser("leadership")
    driver.base_url = hostile_app
    sign_in_browser(driver, hostile_app, "leadership", "demo")  # its own sessions: sign in there too
    open_page(driver, "/violence-reduction")
    labels, links = _chart_text(driver)
    assert LINK in labels and not links
    driver.save_screenshot(str(tmp_path / "violence-reduction.png"))
    open_page(driver, "/referrals")
    labels, links = _chart_text(driver)
    assert any(LINK in label for label in labels) and not links
