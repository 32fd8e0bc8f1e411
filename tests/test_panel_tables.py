"""The tables, chart marks and empty states of the Referrals, Justice and Survivors pages: table models with typed
numbers and marks, the same table on screen and in its downloads, hidden values drawn as marks and never as zero,
and a period without records said in words."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import panels
from dashboard.builders import justice as justice_build
from dashboard.builders import referrals as build
from dashboard.builders import survivors as survivors_build
from dashboard.components import HIDDEN
from dashboard.i18n import speaking
from dashboard.table_view import cell_text, sources_of
from impact_monitor.table_model import Table
from queries import justice, schema, survivors
from queries.periods import parse_period
from queries.publication import WITHHELD
from queries.scope import FilterError, make_filter, make_scope
from tests.panel_parts import PARAMS, chart_titles, figures, tables_in, text_of, walk
from tests.test_disclosure_audit import _awkward_services

NUMBER_KINDS = ("count", "percent", "rate", "median", "number")


def _series(values: dict[str, list], hidden: dict[str, list[bool]] | None = None) -> pd.DataFrame:
    """Engine rows of four quarters for BD: `values` per indicator, `hidden` flags per indicator."""
    quarters = ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    rows = []
    for code, numbers in values.items():
        flags = (hidden or {}).get(code, [False] * len(quarters))
        rows += [{"indicator": code, "period": quarter, "area": "BD", "value": None if flag else value,
                  "suppressed": flag, "withheld": False, "reliable": None}
                 for quarter, value, flag in zip(quarters, numbers, flags)]
    return pd.DataFrame(rows)


def _messages(parts) -> list[str]:
    return [text_of(part) for part in walk(parts) if "message" in (getattr(part, "className", None) or "")]


def test_the_volume_table_holds_whole_numbers_and_the_marks_of_hidden_and_withheld_counts():
    shown = pd.DataFrame({"service_type": ["medical", "shelter"], "government": [1200, WITHHELD],
                          "ngo": [None, 55], "other": [3, WITHHELD], "total": [1234, 111]}, dtype=object)
    table = build.volume_table(shown)
    assert [column.kind for column in table.columns] == ["text", "count", "count", "count", "count"]
    medical, shelter = table.rows
    assert [(cell.value, cell.mark) for cell in medical] == [("Medical", None), (1200, None), (None, HIDDEN),
                                                             (3, None), (1234, None)]
    assert type(medical[1].value) is int  # a Python int, not numpy's: the files and JSON write it as a number
    assert [cell.mark for cell in shelter[1:]] == [WITHHELD, None, WITHHELD, None]
    marks = figures(build.volume_panel(shown, PARAMS))[0].data[-1]
    assert list(zip(marks.x, marks.text)) == [("Medical", "hidden"), ("Shelter", "withheld")]


def test_a_trend_table_keeps_each_indicator_s_kind_and_marks_hidden_quarters():
    series = _series({"referral_turnaround_median_days": [1.25, 2.0, None, 3.5],
                      "referral_turnaround_p90_days": [4.0, 5.0, None, 6.0],
                      "referrals_within_target_pct": [70.0, 71.0, None, 72.0],
                      "referrals_made": [120, 130, None, 0]},
                     hidden={code: [False, False, True, False] for code in build.TREND_CODES})
    table = build.turnaround_table(series, "BD")
    assert [column.kind for column in table.columns] == ["text", "median", "median", "percent", "count"]
    assert [cell.mark for cell in table.rows[2][1:]] == [HIDDEN] * 4
    assert table.rows[0][1].value == 1.25 and table.rows[3][4].value == 0
    assert [cell_text(cell, column) for cell, column in zip(table.rows[0], table.columns)] == [
        "2025-Q2", "1.2 days", "4.0 days", "70.0 %", "120"]  # days to one decimal, as everywhere
    parts = build.turnaround_panel(series, "BD", PARAMS)
    days = figures(parts)[0]
    assert days.data[0].y[2] is None  # a gap, never a zero
    assert [(note.x, note.text) for note in days.layout.annotations] == [("2025-Q4", "hidden")]
    assert chart_titles(parts) == ["Days from referral to first service", "Referrals served within target"]


def test_trend_bars_carry_a_mark_in_the_hidden_bar_s_own_place():
    series = _series({"charge_sheets_filed": [12, 15, 30, 8], "accused_convicted": [4, 6, 9, 3],
                      "conviction_rate_pct": [40.0, 50.0, 45.0, 30.0], "median_days_complaint_to_verdict": [
                          300.0, 310.0, 320.0, 330.0]},
                     hidden={"accused_convicted": [False, True, False, False]})
    counts = figures(justice_build.trends_panel(series, "BD", PARAMS))[0]
    charges, convicted, convicted_marks = counts.data  # no marks for charge sheets: none hidden
    assert convicted.offsetgroup == convicted_marks.offsetgroup == "accused_convicted" != charges.offsetgroup
    assert list(convicted_marks.x) == ["2025-Q3"] and list(convicted_marks.text) == ["hidden"]


def test_an_empty_period_says_so_instead_of_drawing_blank_axes():
    zeros = pd.DataFrame({"service_type": list(schema.SERVICE_TYPES), "government": 0, "ngo": 0, "other": 0,
                          "total": 0}, dtype=object)
    parts = build.volume_panel(zeros, PARAMS)
    assert not figures(parts) and _messages(parts) == ["No records here in this period."]
    assert len(tables_in(parts)[0]["rows"]) == len(schema.SERVICE_TYPES)  # the zeros stay readable, with downloads
    funnel = pd.DataFrame({"step": list(justice.FUNNEL_STEPS), "cases": [0, 0, 0, 0]}, dtype=object)
    assert _messages(justice_build.funnel_panel(funnel, PARAMS)) == ["No records here in this period."]
    services = pd.DataFrame({"service_type": list(schema.SERVICE_TYPES), "services": 0}, dtype=object)
    with speaking("bn"):
        assert _messages(survivors_build.services_panel(services, PARAMS)) == ["এই সময়কালে এখানে কোনো রেকর্ড নেই।"]
    empty_series = _series({code: [0, 0, 0, 0] if code == "referrals_made" else [None] * 4
                            for code in build.TREND_CODES})
    assert _messages(build.turnaround_panel(empty_series, "BD", PARAMS)) == ["No records here in this period."]


def test_a_hidden_count_is_not_an_empty_period():
    hidden = pd.DataFrame({"service_type": list(schema.SERVICE_TYPES), "services": [None] + [0] * 7}, dtype=object)
    parts = survivors_build.services_panel(hidden, PARAMS)
    assert not _messages(parts)
    bars, marks = figures(parts)[0].data
    assert bars.y[0] is None and list(marks.x) == ["Medical"] and list(marks.y) == [0]
    assert tables_in(parts)[0]["rows"][0] == ["Medical", "hidden"]


def test_the_means_chart_marks_a_hidden_mean_beside_its_own_session_and_says_what_it_compares():
    rows = []
    for moment in survivors.MOMENTS:
        for domain in schema.ASSESSMENT_DOMAINS:
            scores = [None, 40, 30, None] if (moment, domain) == ("latest", "safety") else [20, 30, 30, 20]
            rows += [dict(moment=moment, domain=domain, score=s, victims=n) for s, n in zip((1, 2, 3, 4), scores)]
            rows.append(dict(moment=moment, domain=domain, score=0, victims=100))
    parts = survivors_build.domains_panel(pd.DataFrame(rows), PARAMS)
    means = figures(parts)[0]
    first, latest, latest_marks = means.data
    assert latest.y[0] is None and latest_marks.offsetgroup == latest.offsetgroup == "latest" != first.offsetgroup
    assert list(latest_marks.x) == ["Safety"] and first.y[0] == 2.5
    assert "each survivor's first and latest session" in chart_titles(parts)[0]
    table = survivors_build.means_table(pd.DataFrame(rows))
    assert table.rows[0][1].value == 2.5 and table.rows[0][2].mark == HIDDEN
    assert "compare the same survivors" in table.notes[0]


def test_a_drop_off_reads_the_reliability_of_the_cases_it_rests_on():
    funnel = pd.DataFrame({"step": list(justice.FUNNEL_STEPS), "cases": [30, 25, 25, 10]}, dtype=object)
    table = justice_build.funnel_table(funnel)
    drop_offs = [row[2] for row in table.rows]
    assert drop_offs[0].value is None and drop_offs[0].mark is None  # no step before the first
    assert drop_offs[1].value == pytest.approx(100 / 6) and drop_offs[1].reliable is False  # 5 cases dropped
    assert drop_offs[2].value == 0.0


# The same tables on screen and in downloads, for each audience, from a real program.

@pytest.fixture(scope="module")
def awkward(tmp_path_factory, geo_cache_dir):
    return _awkward_services(tmp_path_factory.mktemp("awkward-tables"), geo_cache_dir)


@pytest.mark.parametrize("role", ["leadership", "donor"])
@pytest.mark.parametrize("page", ["referrals", "justice", "survivors"])
def test_every_table_a_page_shows_is_a_registered_source_that_builds_the_same_cells(awkward, gazetteer, role,
                                                                                    page):
    scope = make_scope(role, (), gazetteer)
    filter_ = make_filter(parse_period("2026-Q2"), "BD", "national", scope, gazetteer)
    shown = []
    for panel in panels.PAGE_PANELS[page]:
        try:
            drawn = tables_in(panel(awkward, filter_, "en"))
        except FilterError:
            continue
        # The disclosure audit checks each panel's charts against the tables the panel is said to draw.
        ids = [table["table"] for table in drawn]
        assert ids == [table_id for table_id in panels.PANEL_TABLES[panel] if table_id in ids], panel.__name__
        shown += drawn
    sources = {source.table_id: source for source in sources_of(page)}
    assert [table["table"] for table in shown] == [table_id for table_id in sources if table_id in
                                                  {t["table"] for t in shown}]
    assert shown, "the page shows no table"
    for on_screen in shown:
        with speaking("en"):
            model = sources[on_screen["table"]].build(awkward, filter_, PARAMS)
            texts = [[cell_text(cell, column) for cell, column in zip(row, model.columns)] for row in model.rows]
        assert isinstance(model, Table) and model.title == on_screen["caption"]
        assert [column.heading for column in model.columns] == on_screen["columns"]
        assert texts == on_screen["rows"]
        for row in model.rows:
            for cell, column in zip(row, model.columns):
                if column.kind in NUMBER_KINDS and cell.mark is None and cell.value is not None:
                    assert type(cell.value) in (int, float), (on_screen["table"], column.heading, cell)
                if role == "leadership":
                    assert cell.mark is None, (on_screen["table"], column.heading)
