"""Justice and Survivors pages: queries against hand-worked values on SQLite and PostgreSQL, and their builders.

Period 2026-Q1; the justice "today" is 2026-06-30. Cases are in Dhaka
(BD3026, division BD30) unless they say Chattogram (BD2015, division BD20).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from fractions import Fraction
from itertools import count

import pandas as pd
import plotly
import pytest

from dashboard import panels
from dashboard.builders import justice as justice_build
from dashboard.builders import survivors as survivors_build
from impact_monitor.services import prepare_services
from impact_monitor.settings import Settings
from queries import justice, publication, schema, survivors
from queries.db import Databases
from queries.localtime import local_midnight
from queries.periods import parse_period
from queries.scope import LEADERSHIP, make_filter, make_scope
from tests.panel_parts import PARAMS, chart_titles, figures, tables_in, walk
from tests.builders import sqlite_url, write_database
from tests.conftest import LIVE_FIGURES

DHAKA, CHATTOGRAM = "BD3026", "BD2015"
AS_OF = date(2026, 6, 30)
DOMAINS = schema.ASSESSMENT_DOMAINS
_ids = count(1)


def _case(case_id, district=DHAKA):
    return dict(case_id=case_id, case_ref=None, case_type="csec", district_pcode=district, upazila_pcode=None,
                source="police", reported_on="2025-01-01", closed_on=None)


def _events(case_id, *events):
    return [dict(event_id=f"E{next(_ids)}", case_id=case_id, accused_id=None, event_type=kind, event_on=on)
            for kind, on in events]


def _session(victim_id, on, scores):
    return [dict(assessment_id=f"S{next(_ids)}", victim_id=victim_id, assessed_on=on, domain=domain, score=score)
            for domain, score in zip(DOMAINS, scores)]


def _victim(victim_id, case_id):
    return dict(victim_id=victim_id, case_id=case_id, sex="female", age_at_identification=15,
                identified_on="2025-01-01", brought_to_safety_on=None)


def _referral(referral_id, district, service, referred_at, first_service_at):
    return dict(referral_id=referral_id, report_id=None, case_ref=None, district_pcode=district, service_type=service,
                provider_type="ngo", urgency="routine", referred_at=referred_at, accepted_at=None,
                first_service_at=first_service_at, closed_at=None, outcome=None)


CASE_IDS = [f"J{n}" for n in range(1, 17)] + ["S1"]
ROWS = {
    "cases": [_case(c, CHATTOGRAM if c in ("J6", "S2") else DHAKA) for c in CASE_IDS] + [_case("S2", CHATTOGRAM)],
    "legal_events": [
        *_events("J1", ("complaint_filed", "2026-01-10"), ("charge_sheet", "2026-02-01"),
                 ("trial_started", "2026-03-01"), ("convicted", "2026-05-01")),
        *_events("J2", ("complaint_filed", "2026-02-15"), ("complaint_filed", "2026-03-01"),
                 ("charge_sheet", "2026-04-01")),
        *_events("J3", ("complaint_filed", "2026-03-31"), ("acquitted", "2026-06-01")),  # verdict, no trial recorded
        *_events("J4", ("complaint_filed", "2025-12-31"), ("complaint_filed", "2026-01-05")),  # earliest: last quarter
        *_events("J5", ("complaint_filed", "2026-02-01"), ("trial_started", "2026-07-15")),  # trial after today
        *_events("J6", ("complaint_filed", "2026-01-20"), ("charge_sheet", "2026-01-25")),  # Chattogram
        *_events("J7", ("complaint_filed", "2026-04-01")),                                   # next quarter
        *_events("J8", ("complaint_filed", "2026-02-10"), ("dismissed", "2026-03-10")),
        *_events("J9", ("complaint_filed", "2025-06-30")),    # exactly 1 year before today
        *_events("J10", ("complaint_filed", "2025-07-01")),   # a day under 1 year
        *_events("J11", ("complaint_filed", "2021-06-30")),   # exactly 5 years
        *_events("J12", ("complaint_filed", "2022-01-01")),
        *_events("J13", ("complaint_filed", "2024-06-30")),   # exactly 2 years
        *_events("J14", ("complaint_filed", "2020-01-01"), ("convicted", "2026-08-01")),  # verdict after today
        *_events("J15", ("complaint_filed", "2026-07-05")),   # complaint after today
        *_events("J16", ("charge_sheet", "2026-02-01")),      # no complaint
    ],
    "victims": [_victim("V1", "S1"), _victim("V2", "S1"), _victim("V3", "S2"), _victim("V4", "S1")],
    "survivor_assessments": [
        *_session("V1", "2026-01-10", [1, 2, 2, 1, 3, 4]),
        *_session("V1", "2026-02-10", [2, 2, 3, 2, 3, 4]),
        *_session("V1", "2026-03-20", [3, 3, 3, 3, 4, 4]),
        *_session("V2", "2024-11-01", [0] * 6),              # out of range: no session, not a baseline
        *_session("V2", "2025-12-01", [1] * 6),              # V2's baseline, the year before
        *_session("V2", "2026-02-01", [2, 3, 4, 1, 2, 3]),  # V2's only session in the period
        *_session("V2", "2026-04-02", [4] * 6),              # after the period: ignored
        *_session("V3", "2026-01-15", [4] * 6),
        *_session("V3", "2026-03-01", [4, 4, 4, 4, 4, 9]),  # 9 is out of range: left out
        *_session("V4", "2026-03-05", [2] * 6),              # V4's one session ever: not followed up
    ],
    "referrals": [
        # Local times in Dhaka, with their offset.
        _referral("R1", DHAKA, "medical", "2025-12-30 10:00:00+06:00", "2026-01-02 10:00:00+06:00"),
        _referral("R2", DHAKA, "medical", "2026-03-31 10:00:00+06:00", "2026-03-31 23:00:00+06:00"),
        _referral("R3", "BD3033", "shelter", "2026-03-31 10:00:00+06:00", "2026-04-01 00:00:00+06:00"),  # next quarter
        _referral("R4", CHATTOGRAM, "legal_aid", "2026-01-20 10:00:00+06:00", "2026-02-01 10:00:00+06:00"),
        _referral("R5", DHAKA, "education", "2026-02-10 10:00:00+06:00", "2026-02-09 10:00:00+06:00"),  # data error
    ],
}
EVERY_TABLE = [*schema.cases_metadata.tables, *schema.referrals_metadata.tables]


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    url = sqlite_url(tmp_path / "program.sqlite") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    write_database(url, ROWS, tables=EVERY_TABLE)
    if request.param == "sqlite":  # SQLite keeps any text in a date column: a day that is no day is no baseline
        with sqlite3.connect(tmp_path / "program.sqlite") as connection:
            connection.executemany("INSERT INTO survivor_assessments VALUES (:assessment_id, :victim_id, "
                                   ":assessed_on, :domain, :score)", _session("V4", "2025-02-30", [1] * 6))
    dbs = Databases.from_urls(url, url)
    yield dbs
    dbs.dispose()


def _filter(gazetteer, area="BD"):
    return make_filter(parse_period("2026-Q1"), area, gazetteer.areas[area].level, LEADERSHIP, gazetteer)


# Justice queries.

def test_funnel_counts_cases_at_each_step_reached(databases, gazetteer):
    funnel = justice.complaint_funnel(databases, gazetteer, _filter(gazetteer), AS_OF)
    # Cohort J1 J2 J3 J5 J6 J8; charge sheet or later J1 J2 J3 J6; trial or later J1 J3; verdict J1 J3.
    assert funnel["cases"].tolist() == [6, 4, 2, 2]
    assert funnel["drop_off_pct"].tolist()[1:] == pytest.approx([100 / 3, 50.0, 0.0])
    assert funnel["drop_off_pct"].isna().tolist()[0]
    division = justice.complaint_funnel(databases, gazetteer, _filter(gazetteer, "BD30"), AS_OF)
    assert division["cases"].tolist() == [5, 3, 2, 2]  # without Chattogram's J6


def test_an_external_audiences_funnel_counts_the_steps_reached_by_the_same_local_day(page_services, gazetteer):
    """Protected cells are built at the start of a local day (naive UTC: 18:00 the day before, in Dhaka); J1's
    verdict on that day counts for a donor as it does for leadership."""
    day = date(2026, 5, 1)
    leadership = justice.complaint_funnel(page_services.databases, gazetteer, _filter(gazetteer), day)
    cells = page_services.engine.publications.cells(make_scope("donor", (), gazetteer), parse_period("2026-Q1"), 1,
                                                    local_midnight(day, page_services.databases.zone))
    donor = publication.funnel_table(cells, "2026-Q1", "BD")
    # J1 J2 J3 J5 J6 J8; by 1 May J1 (verdict that day), J2 and J6 have a charge sheet, J1 a trial and a verdict.
    assert leadership["cases"].tolist() == donor["cases"].tolist() == [6, 3, 1, 1]


def test_funnel_ignores_events_after_today(databases, gazetteer):
    earlier = justice.complaint_funnel(databases, gazetteer, _filter(gazetteer), date(2026, 3, 15))
    # J3 (31 March) is not yet filed; J1 has its charge sheet and trial; J6 its charge sheet; no verdicts yet.
    assert earlier["cases"].tolist() == [5, 2, 1, 0]


def test_pending_cases_by_time_since_the_complaint(databases, gazetteer):
    ages = justice.pending_case_ages(databases, gazetteer, _filter(gazetteer), AS_OF).iloc[0].to_dict()
    # Under 1 year: J2 J4 J5 J6 J7 J10; 1 to 2: J9; 2 to 5: J12 J13; 5 or more: J11 J14.
    assert ages == {"under 1 year": 6, "1 to under 2 years": 1, "2 to under 5 years": 2, "5 years or more": 2,
                    "total": 11}
    dhaka = justice.pending_case_ages(databases, gazetteer, _filter(gazetteer, DHAKA), AS_OF).iloc[0]
    assert dhaka["under 1 year"] == 5 and dhaka["total"] == 10


# Survivors queries.

# Scores of V1, V2, V3, V4 (in that order): at their first session ever (V2's baseline is in 2025) and at their
# latest up to the period's end (V2's session in April is not); V4 has one session, the same in both.
FIRST = {"safety": [1, 1, 4, 2], "legal_protection": [2, 1, 4, 2], "mental_wellbeing": [2, 1, 4, 2],
         "economic_empowerment": [1, 1, 4, 2], "social_support": [3, 1, 4, 2], "physical_wellbeing": [4, 1, 4, 2]}
LATEST = {"safety": [3, 2, 4, 2], "legal_protection": [3, 3, 4, 2], "mental_wellbeing": [3, 4, 4, 2],
          "economic_empowerment": [3, 1, 4, 2], "social_support": [4, 2, 4, 2], "physical_wellbeing": [4, 3, 2]}


def test_domain_scores_at_first_and_latest_session(databases, gazetteer):
    counts = survivors.score_counts(databases, gazetteer, _filter(gazetteer))
    for moment, scores in (("first", FIRST), ("latest", LATEST)):
        for domain, values in scores.items():
            got = counts[(counts["moment"] == moment) & (counts["domain"] == domain)].set_index("score")["victims"]
            assert got.to_dict() == {s: values.count(s) for s in (1, 2, 3, 4)}, (moment, domain)
    tables = {moment: table.set_index("domain")
              for moment, table in survivors_build.score_tables(survivors_build.with_totals(counts)).items()}
    assert survivors_build.domain_mean(tables["first"].loc["safety"]) == pytest.approx(8 / 4)
    assert survivors_build.domain_mean(tables["latest"].loc["economic_empowerment"]) == pytest.approx(10 / 4)
    assert survivors_build.domain_mean(tables["latest"].loc["physical_wellbeing"]) == pytest.approx(9 / 3)
    assert tables["latest"].loc["physical_wellbeing", "total"] == 3


def test_domain_scores_and_follow_up_in_an_area(databases, gazetteer):
    counts = survivors.score_counts(databases, gazetteer, _filter(gazetteer, "BD30"))
    first_safety = counts[(counts["moment"] == "first") & (counts["domain"] == "safety")]
    assert first_safety.set_index("score")["victims"].to_dict() == {1: 2, 2: 1, 3: 0, 4: 0}  # V1, V2; V4
    # V1, V2 (a baseline before the period) and V3; V4 has one session ever.
    assert survivors.victims_followed_up(databases, gazetteer, _filter(gazetteer)).iloc[0]["victims"] == 3
    assert survivors.victims_followed_up(databases, gazetteer, _filter(gazetteer, "BD30")).iloc[0]["victims"] == 2


def test_survivor_cube_compares_each_baseline_with_the_latest_session(databases, gazetteer):
    """The cube external audiences' tables are protected from: the same comparison as leadership's."""
    quarter, year = parse_period("2026-Q1"), parse_period("2026")
    cube = survivors.survivor_cube(databases, gazetteer, (quarter,))
    followed = cube[cube["moment"] == "all"]
    assert dict(zip(followed["area"], followed["victims"])) == {DHAKA: 2, CHATTOGRAM: 1}  # V1, V2; V3. Not V4.
    social = cube[(cube["area"] == DHAKA) & (cube["domain"] == "social_support")]
    # V1 3 -> 4, V2 1 (baseline) -> 2, V4 2 -> 2.
    assert dict(zip(zip(social["moment"], social["score"]), social["victims"])) == {
        ("first", 1): 1, ("first", 2): 1, ("first", 3): 1, ("latest", 2): 2, ("latest", 4): 1}
    over_year = survivors.survivor_cube(databases, gazetteer, (year,)).set_index(["area", "moment", "domain", "score"])
    assert over_year.loc[(DHAKA, "latest", "social_support", 4), "victims"] == 2  # V2's latest of 2026 is April's
    assert over_year.loc[(DHAKA, "first", "social_support", 1), "victims"] == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def page_services(request, tmp_path, geo_cache_dir):
    """The app's services on the hand-built program, with k = 1: nothing is hidden, and an external audience's
    tables still come from its protected cells."""
    url = sqlite_url(tmp_path / "program.sqlite") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    write_database(url, ROWS, tables=EVERY_TABLE)
    (tmp_path / "geo").mkdir()
    for cached in geo_cache_dir.glob("*.json"):
        (tmp_path / "geo" / cached.name).write_bytes(cached.read_bytes())
    svc = prepare_services(Settings.from_env({**LIVE_FIGURES, 
        "IMPACT_CASES_DB": url, "IMPACT_REFERRALS_DB": url, "IMPACT_DATA_DIR": str(tmp_path),
        "IMPACT_USERS_FILE": str(tmp_path / "users.toml"), "IMPACT_QUERY_THREADS": "1", "IMPACT_SUPPRESS_BELOW": "1",
        "IMPACT_CACHE_TTL_S": "0"}))
    yield svc
    svc.databases.dispose()


@pytest.mark.parametrize("role", ["leadership", "donor"])
def test_the_page_compares_each_survivors_baseline_with_their_latest_session(page_services, gazetteer, role):
    scope = LEADERSHIP if role == "leadership" else make_scope("donor", (), gazetteer)
    filter_ = make_filter(parse_period("2026-Q1"), "BD", "national", scope, gazetteer)
    tables = {table["table"]: table["rows"] for table in tables_in(panels.survivor_domains(page_services, filter_,
                                                                                          "en"))}
    first = {row[0]: row[1:] for row in tables["survivors-scores-first-table"]}
    latest = {row[0]: row[1:] for row in tables["survivors-scores-latest-table"]}
    # Scores 1, 2, 3, 4 and the total. Social support: V1 3 -> 4, V2 1 (a baseline in 2025) -> 2, V3 4 -> 4,
    # V4 2 (one session ever) -> 2; V2's session after the period is not their latest.
    assert first["Social support"] == ["1", "1", "1", "1", "4"]
    assert latest["Social support"] == ["0", "2", "0", "2", "4"]
    means = {row[0]: row[1:] for row in tables["survivors-means-table"]}
    assert means["Social support"] == ["2.5", "3.0"]
    headline = panels.survivor_headline(page_services, filter_, "en")
    followed = next(part for part in walk(headline) if getattr(part, "id", None) == "survivors-followed-up")
    assert followed.children == "3"  # V1, V2 and V3; not V4


def test_services_delivered_in_the_area(databases, gazetteer):
    national = survivors.services_delivered(databases, gazetteer, _filter(gazetteer)).set_index("service_type")
    assert national["services"].to_dict() == {"medical": 2, "psychosocial": 0, "legal_aid": 1, "shelter": 0,
                                              "repatriation": 0, "family_reintegration": 0, "education": 0,
                                              "livelihood": 0}
    division = survivors.services_delivered(databases, gazetteer, _filter(gazetteer, "BD30"))
    assert division["services"].sum() == 2


# Builders.

def _payload(parts) -> str:
    return json.dumps(parts, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)



def test_funnel_rows_show_a_drop_off_only_between_two_shown_steps():
    shown = pd.DataFrame({"step": list(justice.FUNNEL_STEPS), "cases": [120, 80, None, 38]}, dtype=object)
    rows = justice_build.funnel_rows(shown)
    assert rows["cases"].tolist() == [120, 80, None, 38]
    assert rows["drop_off_pct"][1] == pytest.approx(100 / 3)
    assert rows["drop_off_pct"][2] is None and rows["drop_off_pct"][3] is None
    parts = justice_build.funnel_panel(shown, PARAMS)
    bars, marks = figures(parts)[0].data
    assert list(bars.x) == [120, 80, None, 38]
    assert (marks.y, marks.x, marks.text, marks.offsetgroup) == (("Trial started",), (0,), ("hidden",), "cases")
    # A drop-off to or from a hidden step would tell it: hidden too. The first step has none: empty.
    assert [row[2] for row in tables_in(parts)[0]["rows"]] == ["–", "33.3 %", "hidden", "hidden"]


def test_pending_panel_reads_hidden_bands_as_hidden():
    shown = pd.Series({"under 1 year": 25, "1 to under 2 years": None, "2 to under 5 years": None,
                       "5 years or more": 0, "total": 40}, dtype=object)
    parts = justice_build.pending_panel(shown, PARAMS)
    assert list(figures(parts)[0].data[0].y) == [25, None, None, 0]
    assert [row[1] for row in tables_in(parts)[0]["rows"]] == ["25", "hidden", "hidden", "0", "40"]


def test_domains_panel_hides_means_that_would_reveal_hidden_counts():
    rows = []
    for moment in survivors.MOMENTS:
        for domain in DOMAINS:
            scores = [None, 40, 30, None] if (moment, domain) == ("first", "safety") else [20, 30, 25, 25]
            rows += [dict(moment=moment, domain=domain, score=s, victims=n) for s, n in zip((1, 2, 3, 4), scores)]
            rows.append(dict(moment=moment, domain=domain, score=0, victims=100))
    counts = pd.DataFrame(rows)
    tables = survivors_build.score_tables(counts)
    first_safety = tables["first"].set_index("domain").loc["safety"]
    assert survivors_build.domain_mean(first_safety) is None
    latest_safety = tables["latest"].set_index("domain").loc["safety"]
    assert survivors_build.domain_mean(latest_safety) == pytest.approx(float(Fraction(255, 100)))
    parts = survivors_build.domains_panel(counts, PARAMS)
    means = tables_in(parts)[0]["rows"][0]
    assert means == ["Safety", "hidden", "2.5"]  # 2.55 to the one decimal of every mean shown
    scores_first = figures(parts)[1]
    assert scores_first.data[0].y[0] is None
    assert len(chart_titles(parts)) == len(figures(parts)) == 3 and all(chart_titles(parts))


def test_leadership_score_counts_get_their_domain_totals():
    counts = pd.DataFrame([dict(moment=m, domain=d, score=s, victims=s) for m in survivors.MOMENTS for d in DOMAINS
                           for s in (1, 2, 3, 4)])
    tables = survivors_build.score_tables(survivors_build.with_totals(counts))
    assert tables["first"]["total"].tolist() == [10] * len(DOMAINS)


def test_headline_reads_a_hidden_follow_up_as_hidden_and_leaves_out_one_not_offered():
    rows = pd.DataFrame([
        {"indicator": "survivors_assessed", "period": "2026-Q1", "area": "BD", "value": 30.0, "suppressed": False,
         "withheld": False},
        {"indicator": "survivors_restored_pct", "period": "2026-Q1", "area": "BD", "value": 40.0, "suppressed": False,
         "withheld": False},
    ])

    def text(followed_up):
        return json.dumps(survivors_build.headline_panel(rows, "BD", "Bangladesh", followed_up),
                          cls=plotly.utils.PlotlyJSONEncoder)

    assert "hidden" in text(None) and "40.0 %" in text(None) and "Bangladesh, 2026-Q1" in text(None)
    assert "15" in text(15)
    assert "two or more sessions" not in text(survivors_build.NOT_OFFERED)


def test_services_panel_draws_hidden_counts_as_gaps_not_numbers():
    shown = pd.DataFrame({"service_type": list(schema.SERVICE_TYPES),
                          "services": [50, None, 30, None, 0, 0, 0, 0]}, dtype=object)
    parts = survivors_build.services_panel(shown, PARAMS)
    assert list(figures(parts)[0].data[0].y) == [50, None, 30, None, 0, 0, 0, 0]
    assert "services delivered in the area" in _payload(parts).lower()
