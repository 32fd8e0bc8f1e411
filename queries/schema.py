"""The data contract in code: every table and column the app may read.

Only the contract's columns are declared here, so no query built from these
tables can name a victim's identifying columns (name, telephone, home).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Integer, MetaData, Table, Text

CASE_TYPES = ("csec", "osec", "sex_trafficking", "labour_trafficking", "child_labour", "other")
CASE_SOURCES = ("police", "ctc", "hotline", "ngo", "online", "other")
SEXES = ("female", "male", "other", "unknown")
ACCUSED_ROLES = ("trafficker", "establishment_owner", "customer", "facilitator", "other")
LEGAL_EVENT_TYPES = (
    "complaint_filed",
    "arrest",
    "charge_sheet",
    "trial_started",
    "convicted",
    "acquitted",
    "dismissed",
    "appeal_filed",
)
ASSESSMENT_DOMAINS = (
    "safety",
    "legal_protection",
    "mental_wellbeing",
    "economic_empowerment",
    "social_support",
    "physical_wellbeing",
)
STUDY_ROUNDS = ("baseline", "midline", "endline")
REPORT_CHANNELS = ("hotline", "web", "mobile_app", "ctc", "walk_in", "other")
REPORT_CATEGORIES = ("csec", "child_trafficking", "child_labour", "labour_trafficking", "sex_trafficking", "other")
SERVICE_TYPES = (
    "medical",
    "psychosocial",
    "legal_aid",
    "shelter",
    "repatriation",
    "family_reintegration",
    "education",
    "livelihood",
)
PROVIDER_TYPES = ("government", "ngo", "other")
URGENCIES = ("urgent", "routine")
REFERRAL_OUTCOMES = ("completed", "declined", "no_contact", "transferred")

# Hours within which a referral's first service meets its urgency's target.
URGENCY_TARGET_HOURS = {"urgent": 24, "routine": 7 * 24}

cases_metadata = MetaData()
referrals_metadata = MetaData()

cases = Table(
    "cases",
    cases_metadata,
    Column("case_id", Text, primary_key=True),
    Column("case_ref", Text, unique=True),
    Column("case_type", Text, nullable=False),
    Column("district_pcode", Text, nullable=False),
    Column("upazila_pcode", Text),
    Column("source", Text, nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("closed_on", Date),
)

victims = Table(
    "victims",
    cases_metadata,
    Column("victim_id", Text, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("sex", Text, nullable=False),
    Column("age_at_identification", Integer),
    Column("identified_on", Date, nullable=False),
    Column("brought_to_safety_on", Date),
)

accused = Table(
    "accused",
    cases_metadata,
    Column("accused_id", Text, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("role", Text, nullable=False),
)

legal_events = Table(
    "legal_events",
    cases_metadata,
    Column("event_id", Text, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("accused_id", Text),
    Column("event_type", Text, nullable=False),
    Column("event_on", Date, nullable=False),
)

survivor_assessments = Table(
    "survivor_assessments",
    cases_metadata,
    Column("assessment_id", Text, primary_key=True),
    Column("victim_id", Text, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("domain", Text, nullable=False),
    Column("score", Integer, nullable=False),
)

district_population = Table(
    "district_population",
    cases_metadata,
    Column("district_pcode", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("population", Integer, nullable=False),
    Column("child_population", Integer, nullable=False),
)

prevalence_studies = Table(
    "prevalence_studies",
    cases_metadata,
    Column("study_id", Text, primary_key=True),
    Column("area_pcode", Text, nullable=False),
    Column("area_name", Text, nullable=False),
    Column("round", Text, nullable=False),
    Column("fieldwork_end", Date, nullable=False),
    Column("individuals_observed", Integer, nullable=False),
    Column("minors_observed", Integer, nullable=False),
    # An extension of the contract: the survey's design effect (>= 1); a missing column or a null means 1.
    Column("design_effect", Float, info={"optional": True}),
)

reports = Table(
    "reports",
    referrals_metadata,
    Column("report_id", Text, primary_key=True),
    Column("received_at", DateTime, nullable=False),
    Column("channel", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("district_pcode", Text),
    Column("case_ref", Text),
)

referrals = Table(
    "referrals",
    referrals_metadata,
    Column("referral_id", Text, primary_key=True),
    Column("report_id", Text),
    Column("case_ref", Text),
    Column("district_pcode", Text, nullable=False),
    Column("service_type", Text, nullable=False),
    Column("provider_type", Text, nullable=False),
    Column("urgency", Text, nullable=False),
    Column("referred_at", DateTime, nullable=False),
    Column("accepted_at", DateTime),
    Column("first_service_at", DateTime),
    Column("closed_at", DateTime),
    Column("outcome", Text),
)

# Allowed values per (table, column), for the contract check and data quality.
ALLOWED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("cases", "case_type"): CASE_TYPES,
    ("cases", "source"): CASE_SOURCES,
    ("victims", "sex"): SEXES,
    ("accused", "role"): ACCUSED_ROLES,
    ("legal_events", "event_type"): LEGAL_EVENT_TYPES,
    ("survivor_assessments", "domain"): ASSESSMENT_DOMAINS,
    ("prevalence_studies", "round"): STUDY_ROUNDS,
    ("reports", "channel"): REPORT_CHANNELS,
    ("reports", "category"): REPORT_CATEGORIES,
    ("referrals", "service_type"): SERVICE_TYPES,
    ("referrals", "provider_type"): PROVIDER_TYPES,
    ("referrals", "urgency"): URGENCIES,
    ("referrals", "outcome"): REFERRAL_OUTCOMES,
}
