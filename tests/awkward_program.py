"""A small program built to be awkward for disclosure control, in 2026.

- One victim in an age band: a single child under 12 (Dhaka, 2026-Q1) beside
  many aged 15-17, and minors_identified shown beside the bands.
- A district whose cases all lie in one upazila (Gazipur), so the upazila is
  the district; and cases with no upazila in Dhaka.
- A report with no district (2026-Q1), so the nation is not the sum of its
  divisions.
- Divisions of very different sizes (Dhaka, Chattogram), a handful of
  convictions, survivors with one or two sessions, referrals served on the
  same day, later, or never, and one whose first service is recorded the day
  before it was made (Chattogram, 2026-Q1: left off the waiting curve).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

DHAKA, GAZIPUR, CHATTOGRAM = "BD3026", "BD3033", "BD2015"
DHAKA_UPAZILAS = ("BD30260014", "BD30260018", "BD30260038", None)  # None: no upazila recorded
GAZIPUR_UPAZILA = "BD30330030"
CHATTOGRAM_UPAZILAS = ("BD20150004", "BD20150008")
DOMAINS = ("safety", "legal_protection", "mental_wellbeing", "economic_empowerment", "social_support",
           "physical_wellbeing")
QUARTER_STARTS = (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1))
CASES_PER_QUARTER = {DHAKA: 40, GAZIPUR: 15, CHATTOGRAM: 12}


def _upazila(district: str, number: int) -> str | None:
    if district == DHAKA:
        return DHAKA_UPAZILAS[number % len(DHAKA_UPAZILAS)]
    if district == GAZIPUR:
        return GAZIPUR_UPAZILA
    return CHATTOGRAM_UPAZILAS[number % len(CHATTOGRAM_UPAZILAS)]


def _age(district: str, quarter: int, number: int) -> int:
    if (district, quarter, number) == (DHAKA, 0, 0):
        return 8  # the only child under 12
    if district == DHAKA and quarter == 1 and number < 3:
        return 20  # three adults
    return 16 if number % 3 else 14


def program() -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """(case database rows, referral database rows), table -> rows."""
    ids = count(1)
    cases, victims, accused, events, sessions, reports, referrals = [], [], [], [], [], [], []
    for quarter, start in enumerate(QUARTER_STARTS):
        for district, many in CASES_PER_QUARTER.items():
            for number in range(many):
                n = next(ids)
                day = start + timedelta(days=number % 80)
                case_id, ref = f"C{n}", f"REF{n}"
                cases.append(dict(case_id=case_id, case_ref=ref, case_type="csec" if number % 4 else "osec",
                                  district_pcode=district, upazila_pcode=_upazila(district, number), source="police",
                                  reported_on=day.isoformat(), closed_on=None))
                victim = f"V{n}"
                victims.append(dict(victim_id=victim, case_id=case_id,
                                    sex="male" if number in (5, 17) else "female",
                                    age_at_identification=_age(district, quarter, number),
                                    identified_on=day.isoformat(),
                                    brought_to_safety_on=(day + timedelta(days=2)).isoformat() if number % 2 else None))
                accused.append(dict(accused_id=f"A{n}", case_id=case_id, role="trafficker"))
                events.append(dict(event_id=f"E{n}a", case_id=case_id, accused_id=None, event_type="complaint_filed",
                                   event_on=day.isoformat()))
                if number % 3 == 0:
                    events.append(dict(event_id=f"E{n}b", case_id=case_id, accused_id=f"A{n}",
                                       event_type="charge_sheet", event_on=(day + timedelta(days=5)).isoformat()))
                if number % 9 == 0:
                    events.append(dict(event_id=f"E{n}c", case_id=case_id, accused_id=f"A{n}",
                                       event_type="convicted" if number % 2 else "acquitted",
                                       event_on=(day + timedelta(days=6)).isoformat()))
                for session, offset in enumerate((3, 40) if number % 2 else (3,)):
                    sessions += [dict(assessment_id=f"S{n}-{session}-{domain}", victim_id=victim,
                                      assessed_on=(day + timedelta(days=offset)).isoformat(), domain=domain,
                                      score=2 + session + (number % 2)) for domain in DOMAINS]
                reports.append(dict(report_id=f"R{n}", received_at=f"{day.isoformat()} 09:00:00", channel="hotline",
                                    category="csec", district_pcode=district, case_ref=ref))
                first_service = None if number % 7 == 0 else f"{(day + timedelta(days=number % 4)).isoformat()} 15:00:00"
                referrals.append(dict(referral_id=f"F{n}", report_id=f"R{n}", case_ref=ref, district_pcode=district,
                                      service_type="medical" if number % 2 else "psychosocial",
                                      provider_type="ngo" if number % 3 else "government",
                                      urgency="urgent" if number % 2 else "routine",
                                      referred_at=f"{day.isoformat()} 10:00:00", accepted_at=None,
                                      first_service_at=first_service, closed_at=None, outcome=None))
    referrals.append(dict(referral_id="F-early", report_id=None, case_ref=None, district_pcode=CHATTOGRAM,
                          service_type="medical", provider_type="ngo", urgency="routine",
                          referred_at="2026-02-10 10:00:00", accepted_at=None,
                          first_service_at="2026-02-09 15:00:00", closed_at=None, outcome=None))  # left off the curve
    reports.append(dict(report_id="R-nowhere", received_at="2026-02-03 11:00:00", channel="hotline", category="csec",
                        district_pcode=None, case_ref=None))  # a report with no district
    population = [dict(district_pcode=code, year=2026, population=3_000_000, child_population=1_000_000)
                  for code in (DHAKA, GAZIPUR, CHATTOGRAM)]
    case_rows = {"cases": cases, "victims": victims, "accused": accused, "legal_events": events,
                 "survivor_assessments": sessions, "district_population": population, "prevalence_studies": []}
    return case_rows, {"reports": reports, "referrals": referrals}
