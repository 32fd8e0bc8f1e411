"""Referrals page: queries against hand-worked values on SQLite and PostgreSQL, and its pure builders.

as_of is 2026-04-10 00:00 UTC; the period is 2026-Q1. Every expected value
below is worked out by hand from the rows in REFERRALS.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import pandas as pd
import plotly.io
import pytest
from lifelines import KaplanMeierFitter

from dashboard.builders import referrals as build
from queries import referral_flow, schema
from queries.db import Databases
from queries.indicators import IndicatorEngine
from queries.periods import parse_period
from queries.scope import LEADERSHIP, FilterError, make_filter
from tests.panel_parts import PARAMS, chart_titles, figures, tables_in
from tests.builders import sqlite_url, write_database

DHAKA, GAZIPUR, CHATTOGRAM = "BD3026", "BD3033", "BD2015"
AS_OF = datetime(2026, 4, 10)


def _referral(referral_id, district, service, provider, urgency, referred_at, first_service_at=None,
              closed_at=None):
    return dict(referral_id=referral_id, report_id=None, case_ref=None, district_pcode=district,
                service_type=service, provider_type=provider, urgency=urgency, referred_at=referred_at,
                accepted_at=None, first_service_at=first_service_at, closed_at=closed_at, outcome=None)


REFERRALS = {"referrals": [
    _referral("F1", DHAKA, "medical", "ngo", "urgent", "2026-01-10 08:00:00", "2026-01-10 20:00:00"),   # 0.5 d
    _referral("F2", DHAKA, "medical", "government", "urgent", "2026-01-10 08:00:00", "2026-01-12 09:00:00"),  # 2 d 1 h
    _referral("F3", DHAKA, "shelter", "ngo", "routine", "2026-02-01 00:00:00", "2026-02-03 00:00:00"),  # 2 d
    _referral("F4", DHAKA, "shelter", "ngo", "routine", "2026-03-30 00:00:00"),                         # waits 11 d
    _referral("F5", DHAKA, "legal_aid", "other", "routine", "2026-03-31 12:00:00", "2026-04-20 00:00:00"),  # 9.5 d by as_of
    _referral("F6", DHAKA, "medical", "ngo", "routine", "2026-02-01 00:00:00", "2026-02-06 00:00:00"),  # 5 d
    _referral("F7", CHATTOGRAM, "medical", "ngo", "urgent", "2026-01-05 00:00:00", None,
              "2026-01-20 00:00:00"),                                                                    # closed unserved, 15 d
    _referral("F8", DHAKA, "education", "government", "routine", "2026-02-10 00:00:00",
              "2026-02-09 00:00:00"),                                                                    # data error
    _referral("F9", DHAKA, "medical", "ngo", "routine", "2025-12-20 00:00:00"),                         # 111 d, last quarter
    _referral("F10", DHAKA, "medical", "ngo", "routine", "2025-11-01 00:00:00", None, "2025-12-01 00:00:00"),
    _referral("F11", DHAKA, "medical", "ngo", "routine", "2026-04-05 00:00:00"),                        # 5 d, next quarter
    _referral("F12", GAZIPUR, "medical", "ngo", "routine", "2026-03-01 00:00:00"),                      # waits 40 d
]}


EVERY_TABLE = [*schema.cases_metadata.tables, *schema.referrals_metadata.tables]  # the engine reads them all


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    url = sqlite_url(tmp_path / "referrals.sqlite") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    write_database(url, REFERRALS, tables=EVERY_TABLE)
    dbs = Databases.from_urls(url, url)
    yield dbs
    dbs.dispose()


def _filter(gazetteer, area="BD", period="2026-Q1"):
    return make_filter(parse_period(period), area, gazetteer.areas[area].level, LEADERSHIP, gazetteer)


def test_volume_by_service_and_provider(databases, gazetteer):
    table = referral_flow.volume_by_service_and_provider(databases, gazetteer, _filter(gazetteer)).set_index(
        "service_type")
    assert table.loc["medical"].to_dict() == {"government": 1, "ngo": 4, "other": 0, "total": 5}
    assert table.loc["shelter"].to_dict() == {"government": 0, "ngo": 2, "other": 0, "total": 2}
    assert table.loc["legal_aid", "other"] == 1 and table.loc["education", "government"] == 1
    assert table["total"].sum() == 9 and table.loc["livelihood", "total"] == 0
    assert list(table.index)[0] == "medical" and len(table) == 8


def test_within_target_by_urgency_adds_up_to_the_indicator(databases, gazetteer):
    frame = referral_flow.within_target_by_urgency(databases, gazetteer, _filter(gazetteer)).set_index("urgency")
    assert frame.loc["urgent"].to_dict() == {"referrals": 3, "within_target": 1}   # F1 only
    assert frame.loc["routine"].to_dict() == {"referrals": 6, "within_target": 2}  # F3 (exactly 2 d) and F6
    engine = IndicatorEngine(databases, gazetteer)
    row = engine.compute(_filter(gazetteer), ("referrals_within_target_pct",)).iloc[0]
    assert (row["numerator"], row["denominator"]) == (3, 9)


def test_waiting_hour_counts_censor_at_as_of_or_closing(databases, gazetteer):
    counts = referral_flow.waiting_hour_counts(databases, gazetteer, _filter(gazetteer), AS_OF)
    rows = {hour: (served, closed, still_open) for hour, served, closed, still_open in counts.itertuples(index=False)}
    # Served: F1 after 12 h, F3 48 h, F2 49 h, F6 120 h. Censored: F5 (served after as_of) open at 228 h, F4 open
    # at 264 h, F7 closed unserved at 360 h, F12 open at 960 h. F8 (a service before the referral) left out.
    assert rows == {12: (1, 0, 0), 48: (1, 0, 0), 49: (1, 0, 0), 120: (1, 0, 0), 228: (0, 0, 1), 264: (0, 0, 1),
                    360: (0, 1, 0), 960: (0, 0, 1)}


def test_kaplan_meier_of_the_fixture(databases, gazetteer):
    curve = referral_flow.kaplan_meier(
        referral_flow.waiting_hour_counts(databases, gazetteer, _filter(gazetteer), AS_OF))
    # 8 at risk: 7/8, x 6/7 = 0.75, x 5/6 = 0.625, x 4/5 = 0.5; censorings keep 0.5.
    assert list(curve["at_risk"]) == [8, 7, 6, 5, 4, 3, 2, 1]
    assert [round(s, 12) for s in curve["still_waiting"]] == [0.875, 0.75, 0.625, 0.5, 0.5, 0.5, 0.5, 0.5]
    division = referral_flow.kaplan_meier(
        referral_flow.waiting_hour_counts(databases, gazetteer, _filter(gazetteer, "BD30"), AS_OF))
    # Without Chattogram's F7: 6/7, x 5/6 = 5/7, x 4/5 = 4/7, x 3/4 = 3/7.
    assert [round(s, 12) for s in division["still_waiting"][:4]] == [round(f, 12) for f in (6 / 7, 5 / 7, 4 / 7,
                                                                                         3 / 7)]


def test_open_referrals_by_waiting_band(databases, gazetteer):
    frame = referral_flow.open_referrals_by_waiting_band(databases, gazetteer, _filter(gazetteer), AS_OF)
    rows = {(d, t): tuple(row) for d, t, *row in frame.itertuples(index=False)}
    assert rows == {
        (DHAKA, "legal_aid"): (1, 0, 0, 1, 9),   # F5: first service after as_of, so still open
        (DHAKA, "medical"): (0, 0, 1, 1, 111),   # F9; F10 closed, F11 only 5 days
        (DHAKA, "shelter"): (1, 0, 0, 1, 11),    # F4
        (GAZIPUR, "medical"): (0, 1, 0, 1, 40),  # F12
    }
    assert "referral_id" not in frame.columns


def test_upazila_filter_is_refused_for_referrals(databases, gazetteer):
    upazila = next(a.pcode for a in gazetteer.level("upazila") if a.parent == DHAKA)
    filter_ = make_filter(parse_period("2026-Q1"), upazila, "upazila", LEADERSHIP, gazetteer)
    with pytest.raises(FilterError, match="upazila"):
        referral_flow.volume_by_service_and_provider(databases, gazetteer, filter_)


def test_kaplan_meier_worked_by_hand_with_ties_and_censoring():
    counts = pd.DataFrame({"hour": [0, 1, 3, 4], "served": [1, 1, 0, 1], "closed": [1, 0, 0, 0],
                           "open": [0, 0, 1, 0]})
    curve = referral_flow.kaplan_meier(counts)
    # n=5: 1 - 1/5 = 0.8; the hour-0 censoring leaves 3: 0.8 x 2/3; hour 3 censors one; hour 4: 1 left, served.
    assert list(curve["at_risk"]) == [5, 3, 2, 1]
    assert [round(s, 12) for s in curve["still_waiting"]] == [0.8, round(0.8 * 2 / 3, 12), round(0.8 * 2 / 3, 12),
                                                              0.0]
    assert referral_flow.kaplan_meier(counts.iloc[0:0]).empty


# Builders.


def _payload(parts) -> str:
    return json.dumps(parts, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def _y_values(fig) -> list:
    return [value for trace in fig.data for value in (trace.y if trace.orientation != "h" else trace.x)]


def test_volume_panel_draws_hidden_cells_as_gaps_and_reads_them_as_hidden():
    table = pd.DataFrame({"service_type": ["medical", "shelter", "education"], "government": [40, 26, 35],
                          "ngo": [None, 55, None], "other": [None, 30, None], "total": [59, 111, 73]}, dtype=object)
    parts = build.volume_panel(table, PARAMS)
    fig = figures(parts)[0]
    bars, marks = fig.data[:3], fig.data[3]
    assert [trace.y for trace in bars] == [(40, 26, 35), (None, 55, None), (None, 30, None)]
    # The mark of the hidden parts, stacked on what is shown of Medical and Education, never a number.
    assert (marks.x, marks.y, marks.text) == (("Medical", "Education"), (0, 0), ("hidden", "hidden"))
    assert tables_in(parts)[0]["rows"][0] == ["Medical", "40", "hidden", "hidden", "59"]
    assert chart_titles(parts) == ["Referrals made by service type and provider"]
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_within_target_rows_give_a_share_only_where_both_counts_are_shown():
    frame = pd.DataFrame({"urgency": ["urgent", "routine"], "referrals": [40, 120], "within_target": [None, 90]},
                         dtype=object)
    rows = build.within_target_rows(frame).set_index("urgency")
    assert rows["pct"].tolist() == [None, 75.0]
    parts = build.within_target_panel(frame, PARAMS)
    assert list(figures(parts)[0].data[0].y) == [None, 75.0]
    assert tables_in(parts)[0]["rows"][0][2:] == ["hidden", "hidden"]


def test_leadership_curve_has_every_hour_and_its_counts():
    # Hours 23, 47, 71 and 143 end after 1, 2, 3 and 6 days.
    curve = referral_flow.kaplan_meier(pd.DataFrame({"hour": [23, 47, 71, 143], "served": [10, 5, 3, 1],
                                                     "closed": [0, 1, 0, 0], "open": [0, 0, 2, 0]}))
    full = build.waiting_curve_panel(curve, PARAMS)
    assert list(figures(full)[0].data[0].x) == [0, 1, 2, 3, 6]
    # Rows after 1, 2 and 3 days and on the last day (6): served, closed and open so far, and still followed.
    table = tables_in(full)[0]
    assert table["rows"] == [["1", "54.5", "10", "0", "0", "12"], ["2", "31.8", "15", "1", "0", "6"],
                             ["3", "15.9", "18", "1", "2", "1"], ["6", "0.0", "19", "1", "2", "0"]]
    assert "measured in hours" in table["caption"] and "censored at its closing" in table["caption"]


def test_an_external_curve_is_read_at_fixed_days_from_interval_counts_and_stops_at_a_hidden_one():
    # 100 referrals: 40 served in the first day, 20 by day 3 with 10 censored (at risk for half the interval).
    intervals = pd.DataFrame({"interval": referral_flow.CURVE_INTERVALS[:2], "served": [40, 20],
                              "censored": [0, 10]})
    parts = build.interval_curve_panel((intervals, 100, 0), PARAMS)
    second = (1 - 40 / 100) * (1 - 20 / (60 - 10 / 2))
    assert list(figures(parts)[0].data[0].x) == [0, 1, 3]
    assert tables_in(parts)[0]["rows"] == [["1", "60.0"], ["3", f"{100 * second:.1f}"]]
    assert "later days hold too few" in tables_in(parts)[0]["caption"]
    assert "not shown" in _payload(build.interval_curve_panel(None, PARAMS))


def test_the_curve_table_reads_fixed_days_and_the_last_one():
    # 400 referrals, one served each day: after d days, (400 - d) / 400 still wait.
    curve = referral_flow.kaplan_meier(pd.DataFrame({"hour": [24 * day + 23 for day in range(400)], "served": 1,
                                                     "closed": 0, "open": 0}))
    rows = build.curve_at_table_days(curve)
    assert list(rows["days"]) == [1, 2, 3, 7, 14, 30, 60, 90, 180, 365, 400]
    assert [round(p, 6) for p in rows["still_waiting_pct"]] == [round(100 * (400 - d) / 400, 6) for d in rows["days"]]
    assert list(rows["served"]) == list(rows["days"]) and list(rows["followed"]) == [400 - d for d in rows["days"]]


def test_open_referrals_rank_hidden_groups_last_and_show_no_oldest_wait_to_external_audiences():
    frame = pd.DataFrame({"district_pcode": [DHAKA, GAZIPUR, CHATTOGRAM],
                          "service_type": ["medical", "shelter", "medical"],
                          "over 7 to 30 days": [20, 0, 31], "over 30 to 90 days": [15, 0, 12],
                          "over 90 days": [11, 3, 14], "total": [46, None, 57], "oldest_days": [400, 377, 512]},
                         dtype=object)
    rows = build.open_referral_rows(frame)
    assert rows["district_pcode"].tolist() == [CHATTOGRAM, DHAKA, GAZIPUR]  # hidden totals sort last
    external = _payload(build.open_referrals_panel(frame.assign(oldest_days=None), {DHAKA: "Dhaka"}, True,
                                                   PARAMS))
    assert "Oldest wait" not in external and "Dhaka – Medical" in external
    leadership = _payload(build.open_referrals_panel(frame, {}, False, PARAMS))
    assert "377" in leadership and "512" in leadership


def test_trend_quarters_end_with_the_chosen_period():
    quarters = build.trend_quarters(parse_period("2026-Q1"), 8, None)
    assert [q.label for q in quarters][0] == "2024-Q2" and quarters[-1].label == "2026-Q1"
    assert build.trend_quarters(parse_period("2025"), 8, None)[-1].label == "2025-Q4"


def test_kaplan_meier_equals_lifelines_with_ties_between_services_and_censorings(tmp_path, gazetteer):
    """Time to first service from the database, against lifelines' estimator on the same durations: 300 referrals
    with services, closings without one and referrals still open, many in the same hour."""
    rng = random.Random(7)
    start, as_of = datetime(2026, 1, 1, 6), datetime(2026, 4, 20)
    rows, durations, served = [], [], []
    for number in range(300):
        referred = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 85))
        waited = timedelta(minutes=rng.choice((30, 90, 90, 600, 1440, 1500, 4000, 4030)) + rng.randrange(0, 20))
        fate = rng.choice(("served", "served", "closed", "open"))
        left = min(referred + waited, as_of) if fate != "open" else as_of
        rows.append(_referral(f"K{number}", DHAKA, "medical", "ngo", "routine", referred.isoformat(sep=" "),
                              left.isoformat(sep=" ") if fate == "served" and left < as_of else None,
                              left.isoformat(sep=" ") if fate == "closed" and left < as_of else None))
        durations.append((left - referred).total_seconds() // 3600)
        served.append(fate == "served" and left < as_of)
    url = write_database(sqlite_url(tmp_path / "referrals.sqlite"), {"referrals": rows})
    databases = Databases.from_urls(url, url)
    try:
        curve = referral_flow.kaplan_meier(referral_flow.waiting_hour_counts(databases, gazetteer,
                                                                             _filter(gazetteer), as_of))
    finally:
        databases.dispose()
    fitter = KaplanMeierFitter().fit(durations, event_observed=served)
    expected = fitter.survival_function_at_times(list(curve["hour"])).to_numpy()
    assert curve["served"].gt(0).sum() > 5 and curve["closed"].sum() and curve["open"].sum()
    assert curve["still_waiting"].to_numpy() == pytest.approx(expected, abs=1e-12)


def test_a_referral_closed_before_it_was_made_is_left_out_of_the_curve(tmp_path, gazetteer):
    rows = [_referral("N1", DHAKA, "medical", "ngo", "routine", "2026-02-10 10:00:00", None, "2026-02-09 10:00:00"),
            _referral("N2", DHAKA, "medical", "ngo", "routine", "2026-02-10 10:00:00", "2026-02-10 13:30:00")]
    url = write_database(sqlite_url(tmp_path / "referrals.sqlite"), {"referrals": rows})
    databases = Databases.from_urls(url, url)
    try:
        counts = referral_flow.waiting_hour_counts(databases, gazetteer, _filter(gazetteer), AS_OF)
    finally:
        databases.dispose()
    assert counts.to_dict("records") == [{"hour": 3, "served": 1, "closed": 0, "open": 0}]


def test_the_cube_leaves_out_of_the_curve_what_the_kaplan_meier_estimate_leaves_out(databases, gazetteer):
    cube = referral_flow.referral_cube(databases, gazetteer, (parse_period("2026-Q1"),), AS_OF)
    left_out = cube[cube["interval"] == referral_flow.LEFT_OUT]
    assert left_out["referrals"].sum() == 1 and list(left_out["service_type"]) == ["education"]  # F8
    on_curve = int(cube.loc[cube["interval"] != referral_flow.LEFT_OUT, "referrals"].sum())
    curve = referral_flow.kaplan_meier(referral_flow.waiting_hour_counts(databases, gazetteer, _filter(gazetteer),
                                                                         AS_OF))
    assert on_curve == curve["at_risk"].iloc[0] == 8
    closed_unserved = cube[cube["service_type"].eq("medical") & cube["area"].eq(CHATTOGRAM)]
    assert list(closed_unserved["interval"]) == ["14-30"]  # F7: censored at its closing after 15 days


def test_an_external_curve_says_how_many_referrals_it_leaves_out():
    intervals = pd.DataFrame({"interval": referral_flow.CURVE_INTERVALS[:1], "served": [40], "censored": [0]})
    caption = tables_in(build.interval_curve_panel((intervals, 97, 3), PARAMS))[0]["caption"]
    assert "3 referrals with a first service or closing recorded before the referral left out" in caption
    rows = tables_in(build.interval_curve_panel((intervals, 97, 3), PARAMS))[0]["rows"]
    assert rows == [["1", f"{100 * 57 / 97:.1f}"]]
