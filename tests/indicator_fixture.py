"""A hand-built program whose indicator values were worked out by hand (see EXPECTED).

Quarter under test: 2026-Q1 = [2026-01-01, 2026-04-01). Districts: Dhaka BD3026
and Gazipur BD3033 (division BD30), Chattogram BD2015 (division BD20).
"""

from __future__ import annotations

from itertools import count

DHAKA, GAZIPUR, CHATTOGRAM = "BD3026", "BD3033", "BD2015"
DOMAINS = ("safety", "legal_protection", "mental_wellbeing", "economic_empowerment", "social_support",
           "physical_wellbeing")
_ids = count(1)


def _case(case_id, district, reported_on, case_type="csec", case_ref=None):
    return dict(case_id=case_id, case_ref=case_ref, case_type=case_type, district_pcode=district,
                upazila_pcode=None, source="police", reported_on=reported_on, closed_on=None)


def _victim(victim_id, case_id, sex, age, identified_on, safe_on=None):
    return dict(victim_id=victim_id, case_id=case_id, sex=sex, age_at_identification=age,
                identified_on=identified_on, brought_to_safety_on=safe_on)


def _event(case_id, event_type, event_on, accused_id=None):
    return dict(event_id=f"E{next(_ids)}", case_id=case_id, accused_id=accused_id, event_type=event_type,
                event_on=event_on)


def _session(victim_id, assessed_on, scores):
    return [dict(assessment_id=f"S{next(_ids)}", victim_id=victim_id, assessed_on=assessed_on, domain=domain,
                 score=score) for domain, score in zip(DOMAINS, scores)]


def _referral(referral_id, district, urgency, referred_at, first_service_at, case_ref=None):
    return dict(referral_id=referral_id, report_id=None, case_ref=case_ref, district_pcode=district,
                service_type="medical", provider_type="ngo", urgency=urgency, referred_at=referred_at,
                accepted_at=None, first_service_at=first_service_at, closed_at=None, outcome=None)


def _report(report_id, received_at, district):
    return dict(report_id=report_id, received_at=received_at, channel="hotline", category="csec",
                district_pcode=district, case_ref=None)


CASES_ROWS = {
    "cases": [
        _case("C1", DHAKA, "2026-01-01", "csec", "R1"),            # first day of the quarter
        _case("C2", DHAKA, "2026-03-31", "osec", "R2"),            # last day of the quarter
        _case("C3", DHAKA, "2026-04-01", "csec", "R3"),            # first day of the next quarter
        _case("C4", GAZIPUR, "2025-12-31", "sex_trafficking"),     # last day of the previous quarter
        _case("C5", CHATTOGRAM, "2026-02-15", "csec", "R5"),
        _case("C6", "BD9999", "2026-02-01", "csec"),               # unknown district: excluded by rule
        _case("C7", DHAKA, "2026-02-20", "csec", "R7"),            # never referred
    ],
    "victims": [
        _victim("V1", "C1", "female", 17, "2026-01-01", "2026-01-05"),
        _victim("V2", "C1", "male", 18, "2026-03-31", "2026-04-01"),
        _victim("V3", "C2", "female", None, "2026-02-01"),
        _victim("V4", "C5", "female", 12, "2025-12-31", "2026-01-10"),
        _victim("V5", "C3", "female", 15, "2026-04-01"),
    ],
    "accused": [
        dict(accused_id=a, case_id=c, role="trafficker")
        for a, c in [("A1", "C1"), ("A2", "C1"), ("A3", "C2"), ("A5", "C2"), ("A4", "C5")]
    ],
    "legal_events": [
        _event("C1", "complaint_filed", "2025-06-01"),
        _event("C1", "complaint_filed", "2025-03-01"),              # the earliest complaint counts
        _event("C1", "charge_sheet", "2026-01-15", "A1"),
        _event("C1", "convicted", "2026-02-01", "A1"),              # 337 days after 2025-03-01
        _event("C1", "acquitted", "2026-03-31", "A2"),              # 395 days after 2025-03-01
        _event("C2", "complaint_filed", "2025-12-01"),
        _event("C2", "charge_sheet", "2026-03-31", "A3"),
        _event("C2", "charge_sheet", "2026-03-31", "A5"),           # same case twice: one distinct case
        _event("C2", "convicted", "2026-04-01", "A3"),              # next quarter
        _event("C5", "convicted", "2026-01-01", "A4"),              # verdict without a complaint
    ],
    "survivor_assessments": [
        *_session("V1", "2026-01-10", [2] * 6),
        *_session("V1", "2026-03-20", [3] * 6),                     # latest session: restored
        *_session("V3", "2026-02-01", [4, 4, 4, 4, 4, 2]),          # one domain below 3
        *_session("V4", "2026-03-31", [4] * 5),                     # a domain missing: not restored
        *_session("V2", "2026-04-01", [4] * 6),                     # next quarter
    ],
    "district_population": [
        dict(district_pcode=DHAKA, year=2026, population=3_000_000, child_population=1_000_000),
        dict(district_pcode=GAZIPUR, year=2026, population=1_500_000, child_population=500_000),
        dict(district_pcode=CHATTOGRAM, year=2026, population=2_000_000, child_population=800_000),
        dict(district_pcode=DHAKA, year=2025, population=2_900_000, child_population=990_000),
    ],
    "prevalence_studies": [
        dict(study_id="P1", area_pcode="BD", area_name="Bangladesh", round="baseline",
             fieldwork_end="2022-06-30", individuals_observed=400, minors_observed=120),
        dict(study_id="P2", area_pcode="BD", area_name="Bangladesh", round="midline",
             fieldwork_end="2024-06-30", individuals_observed=500, minors_observed=50),
        dict(study_id="P3", area_pcode="BD", area_name="Bangladesh", round="endline",
             fieldwork_end="2026-06-30", individuals_observed=450, minors_observed=18),
        dict(study_id="P4", area_pcode="BD30", area_name="Dhaka", round="baseline",
             fieldwork_end="2022-03-31", individuals_observed=200, minors_observed=60),
        dict(study_id="P5", area_pcode="BD30", area_name="Dhaka", round="midline",
             fieldwork_end="2024-03-31", individuals_observed=150, minors_observed=0),
        dict(study_id="P6", area_pcode="BD2015", area_name="Chattogram", round="baseline",
             fieldwork_end="2023-01-31", individuals_observed=300, minors_observed=90),
    ],
}

# Local times in Dhaka (UTC+6), written with their offset as a deployment may store them.
REFERRALS_ROWS = {
    "referrals": [
        _referral("F1", DHAKA, "urgent", "2026-01-10 08:00:00+06:00", "2026-01-11 08:00:00+06:00", "R1"),  # 24 h
        _referral("F2", DHAKA, "urgent", "2026-01-10 08:00:00+06:00", "2026-01-11 08:00:01+06:00"),  # 24 h + 1 s
        _referral("F3", DHAKA, "routine", "2026-02-01 00:00:00+06:00", "2026-02-08 00:00:00+06:00"),  # 7 days
        _referral("F4", DHAKA, "routine", "2026-02-01 00:00:00+06:00", None),  # never served
        _referral("F5", CHATTOGRAM, "routine", "2026-03-31 23:59:59+06:00", "2026-04-02 11:59:59+06:00", "R5"),
        # The next quarter, and the previous one:
        _referral("F6", DHAKA, "routine", "2026-04-01 00:00:00+06:00", "2026-04-01 12:00:00+06:00", "R2"),
        _referral("F7", GAZIPUR, "urgent", "2025-12-31 23:00:00+06:00", "2026-01-01 01:00:00+06:00"),
    ],
    "reports": [
        _report("P1", "2026-01-01 00:00:00+06:00", DHAKA),
        _report("P2", "2026-03-31 23:59:59+06:00", None),       # unknown district: national only
        _report("P3", "2026-04-01 00:00:00+06:00", DHAKA),
        _report("P4", "2026-02-10 12:00:00+06:00", CHATTOGRAM),
    ],
}

_SERVED_DHAKA = [1.0, 1 + 1 / 86400, 7.0]
_SERVED_ALL = sorted(_SERVED_DHAKA + [1.5])

# indicator -> area -> (value, numerator, denominator), for 2026-Q1.
EXPECTED = {
    "cases_reported": {"BD": (4, 4, None), "BD30": (3, 3, None), "BD20": (1, 1, None),
                       DHAKA: (3, 3, None), GAZIPUR: (0, 0, None), CHATTOGRAM: (1, 1, None)},
    "victims_identified": {"BD": (3, 3, None), DHAKA: (3, 3, None), CHATTOGRAM: (0, 0, None)},
    "minors_identified": {"BD": (1, 1, None), DHAKA: (1, 1, None)},
    "victims_brought_to_safety": {"BD": (2, 2, None), DHAKA: (1, 1, None), CHATTOGRAM: (1, 1, None)},
    "case_rate_per_100k_children": {
        "BD": (4 / 2_300_000 * 1e5, 4, 2_300_000), DHAKA: (0.3, 3, 1_000_000),
        GAZIPUR: (0.0, 0, 500_000), CHATTOGRAM: (0.125, 1, 800_000), "BD30": (3 / 1_500_000 * 1e5, 3, 1_500_000),
        "BD3029": (None, 0, None),  # Faridpur: no population row
    },
    "reports_received": {"BD": (3, 3, None), "BD30": (1, 1, None), DHAKA: (1, 1, None), CHATTOGRAM: (1, 1, None)},
    "referrals_made": {"BD": (5, 5, None), DHAKA: (4, 4, None), CHATTOGRAM: (1, 1, None), GAZIPUR: (0, 0, None)},
    "referral_turnaround_median_days": {
        "BD": (_SERVED_ALL[1] + 0.5 * (_SERVED_ALL[2] - _SERVED_ALL[1]), None, 4),
        DHAKA: (_SERVED_DHAKA[1], None, 3), CHATTOGRAM: (1.5, None, 1), GAZIPUR: (None, None, 0),
    },
    "referral_turnaround_p90_days": {
        "BD": (_SERVED_ALL[2] + 0.7 * (_SERVED_ALL[3] - _SERVED_ALL[2]), None, 4),
        DHAKA: (_SERVED_DHAKA[1] + 0.8 * (_SERVED_DHAKA[2] - _SERVED_DHAKA[1]), None, 3),
    },
    "referrals_within_target_pct": {"BD": (60.0, 3, 5), DHAKA: (50.0, 2, 4), CHATTOGRAM: (100.0, 1, 1),
                                    GAZIPUR: (None, 0, 0)},
    "cases_referred_pct": {"BD": (75.0, 3, 4), DHAKA: (200 / 3, 2, 3), CHATTOGRAM: (100.0, 1, 1),
                           GAZIPUR: (None, 0, 0)},
    "charge_sheets_filed": {"BD": (2, 2, None), DHAKA: (2, 2, None), CHATTOGRAM: (0, 0, None)},
    "accused_convicted": {"BD": (2, 2, None), DHAKA: (1, 1, None), CHATTOGRAM: (1, 1, None)},
    "conviction_rate_pct": {"BD": (200 / 3, 2, 3), DHAKA: (50.0, 1, 2), CHATTOGRAM: (100.0, 1, 1),
                            GAZIPUR: (None, 0, 0)},
    "median_days_complaint_to_verdict": {"BD": (366.0, None, 2), DHAKA: (366.0, None, 2),
                                         CHATTOGRAM: (None, None, 0)},
    "survivors_assessed": {"BD": (3, 3, None), DHAKA: (2, 2, None), CHATTOGRAM: (1, 1, None)},
    "survivors_restored_pct": {"BD": (100 / 3, 1, 3), DHAKA: (50.0, 1, 2), CHATTOGRAM: (0.0, 0, 1),
                               GAZIPUR: (None, 0, 0)},
}
