"""Every indicator of the data contract, as a reference sheet the UI and exports share."""

from __future__ import annotations

from dataclasses import dataclass

from .words import N_

AGE_BANDS = ("<12", "12-14", "15-17", "18+", "unknown")
DISAGGREGATIONS = ("case_type", "sex", "age_band")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    kind: str  # count, percent, rate, median
    family: str
    numerator: str
    denominator: str
    source: str
    disaggregations: tuple[str, ...] = ()
    caveats: str = ""
    # The count indicator this one is derived from: when that count is hidden, so is this.
    follows: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        return {"count": "", "percent": "%", "rate": N_("per 100,000 children"), "median": N_("days")}[self.kind]


_VICTIM_GROUPS = ("case_type", "sex", "age_band")

INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in [
        Indicator("cases_reported", N_("Cases reported"), "count", "cases",
                  N_("cases with reported_on in the period"), "", "cases", ("case_type",),
                  N_("Area is the district where the exploitation took place.")),
        Indicator("victims_identified", N_("Victims identified"), "count", "victims",
                  N_("victims with identified_on in the period"), "", "victims joined to cases", _VICTIM_GROUPS,
                  N_("Area is the victim's case district.")),
        Indicator("minors_identified", N_("Minors identified"), "count", "victims",
                  N_("victims identified in the period with age_at_identification < 18"), "",
                  "victims joined to cases", _VICTIM_GROUPS, N_("Unknown age is not counted as a minor.")),
        Indicator("victims_brought_to_safety", N_("Victims brought to safety"), "count", "victims",
                  N_("victims with brought_to_safety_on in the period"), "", "victims joined to cases", _VICTIM_GROUPS),
        Indicator("case_rate_per_100k_children", N_("Cases per 100,000 children"), "rate", "cases",
                  N_("cases reported in the period"), N_("child population of the area in the period's year"),
                  "cases, district_population", ("case_type",),
                  N_("Null where the area's child population is missing; not available for upazilas."),
                  follows=("cases_reported",)),
        Indicator("reports_received", N_("Reports received"), "count", "reports",
                  N_("reports with received_at in the period"), "", "reports",
                  caveats=N_("Reports with an unknown district count only nationally.")),
        Indicator("referrals_made", N_("Referrals made"), "count", "referrals",
                  N_("referrals with referred_at in the period"), "", "referrals",
                  caveats=N_("Area is the district where the service is delivered.")),
        Indicator("referral_turnaround_median_days", N_("Median days to first service"), "median", "referrals",
                  N_("median of (first_service_at - referred_at) in days, percentile_cont(0.5)"),
                  N_("referrals made in the period that have a first service"), "referrals",
                  caveats=N_("Referrals still waiting are not in this median; a first service recorded "
                          "before the referral is excluded as a data error.")),
        Indicator("referral_turnaround_p90_days", N_("90th percentile days to first service"), "median", "referrals",
                  N_("percentile_cont(0.9) of (first_service_at - referred_at) in days"),
                  N_("referrals made in the period that have a first service"), "referrals"),
        Indicator("referrals_within_target_pct", N_("Referrals served within target"), "percent", "referrals",
                  N_("referrals made in the period first served within 24 hours (urgent) or 7 days (routine)"),
                  N_("all referrals made in the period"), "referrals",
                  caveats=N_("Exactly 24 hours or 7 days counts as within target."),
                  follows=("referrals_made",)),
        Indicator("cases_referred_pct", N_("Cases referred to services"), "percent", "cases_referred",
                  N_("cases reported in the period whose case_ref appears on at least one referral (any date)"),
                  N_("cases reported in the period"), "cases, referrals (joined on case_ref)", ("case_type",),
                  follows=("cases_reported",)),
        Indicator("charge_sheets_filed", N_("Charge sheets filed"), "count", "legal",
                  N_("distinct cases with a charge_sheet event in the period"), "", "legal_events joined to cases",
                  ("case_type",)),
        Indicator("accused_convicted", N_("Accused convicted"), "count", "legal",
                  N_("distinct accused with a convicted event in the period"), "", "legal_events joined to cases",
                  ("case_type",)),
        Indicator("conviction_rate_pct", N_("Conviction rate"), "percent", "legal",
                  N_("accused convicted in the period"),
                  N_("accused with a convicted or acquitted event in the period"), "legal_events joined to cases",
                  ("case_type",), N_("Null in a period with no verdicts."), follows=("accused_convicted",)),
        Indicator("median_days_complaint_to_verdict", N_("Median days from complaint to verdict"), "median", "legal",
                  N_("median days from the case's earliest complaint_filed to the accused's first verdict "
                  "in the period, percentile_cont(0.5)"),
                  N_("accused with a verdict in the period whose case has a complaint"), "legal_events joined to cases",
                  ("case_type",), N_("Verdicts on cases without a complaint are excluded (a data error).")),
        Indicator("survivors_assessed", N_("Survivors assessed"), "count", "survivors",
                  N_("distinct victims with an assessment session in the period"), "",
                  "survivor_assessments joined to victims and cases", _VICTIM_GROUPS),
        Indicator("survivors_restored_pct", N_("Survivors restored"), "percent", "survivors",
                  N_("survivors whose latest session in the period scores 3 or more in all six domains"),
                  N_("survivors assessed in the period"), "survivor_assessments joined to victims and cases",
                  _VICTIM_GROUPS, N_("A latest session missing a domain does not count as restored; "
                                  "scores outside 1-4 are excluded as data errors."),
                  follows=("survivors_assessed",)),
    ]
}

INDICATOR_CODES = tuple(INDICATORS)

# NCHS practice: a rate built on fewer than 20 events has a relative standard error of 23 % or more, so it is
# shown with a mark rather than hidden (NCHS Data Presentation Standards; Health, United States, "Reliability
# of estimates"). The same holds for a percentage whose numerator counts fewer than 20 people.
RELIABLE_EVENTS = 20
UNRELIABLE_TEMPLATE = N_("unreliable: fewer than {events} events")
UNRELIABLE = UNRELIABLE_TEMPLATE.format(events=RELIABLE_EVENTS)


def reliable(kind: str, value, numerator) -> bool | None:
    """Whether a rate or percentage rests on at least RELIABLE_EVENTS events (its numerator); None where the
    question does not arise: a count or a median, or a value not shown (hidden, withheld or null)."""
    if kind not in ("rate", "percent") or _missing(value) or _missing(numerator):
        return None
    return float(numerator) >= RELIABLE_EVENTS


def _missing(value) -> bool:
    return value is None or value != value  # NaN is the one value unequal to itself
