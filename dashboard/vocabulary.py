"""The contract's codes in words a person reads, in the current language: `code_name("legal_aid")` is "Legal aid"
in English and "আইনি সহায়তা" in Bangla. Every allowed value of the contract has its name here; a code a source
stores outside the contract reads as its own words."""

from __future__ import annotations

from .i18n import N_, _

NAMES = {
    # case types and report categories
    "csec": N_("Commercial sexual exploitation of children"),
    "osec": N_("Online sexual exploitation of children"),
    "sex_trafficking": N_("Sex trafficking"),
    "labour_trafficking": N_("Labour trafficking"),
    "child_labour": N_("Child labour"),
    "child_trafficking": N_("Child trafficking"),
    "other": N_("Other"),
    # sources and channels
    "police": N_("Police"), "ctc": N_("Counter-trafficking committee"), "hotline": N_("Hotline"),
    "ngo": N_("NGO"), "online": N_("Online"), "web": N_("Web"), "mobile_app": N_("Mobile app"),
    "walk_in": N_("Walk-in"),
    # sex
    "female": N_("Female"), "male": N_("Male"), "unknown": N_("Unknown"),
    # accused
    "trafficker": N_("Trafficker"), "establishment_owner": N_("Establishment owner"), "customer": N_("Customer"),
    "facilitator": N_("Facilitator"),
    # legal events
    "complaint_filed": N_("Complaint filed"), "arrest": N_("Arrest"), "charge_sheet": N_("Charge sheet"),
    "trial_started": N_("Trial started"), "convicted": N_("Convicted"), "acquitted": N_("Acquitted"),
    "dismissed": N_("Dismissed"), "appeal_filed": N_("Appeal filed"),
    # recovery domains
    "safety": N_("Safety"), "legal_protection": N_("Legal protection"), "mental_wellbeing": N_("Mental wellbeing"),
    "economic_empowerment": N_("Economic empowerment"), "social_support": N_("Social support"),
    "physical_wellbeing": N_("Physical wellbeing"),
    # study rounds
    "baseline": N_("Baseline"), "midline": N_("Midline"), "endline": N_("Endline"),
    # services, providers, urgency, outcomes
    "medical": N_("Medical"), "psychosocial": N_("Psychosocial"), "legal_aid": N_("Legal aid"),
    "shelter": N_("Shelter"), "repatriation": N_("Repatriation"), "family_reintegration": N_("Family reintegration"),
    "education": N_("Education"), "livelihood": N_("Livelihood"), "government": N_("Government"),
    "urgent": N_("Urgent"), "routine": N_("Routine"), "completed": N_("Completed"), "declined": N_("Declined"),
    "no_contact": N_("No contact"), "transferred": N_("Transferred"),
    # age bands and disaggregations
    "<12": N_("Under 12"), "12-14": N_("12 to 14"), "15-17": N_("15 to 17"), "18+": N_("18 and over"),
    "case_type": N_("Case type"), "sex": N_("Sex"), "age_band": N_("Age band"),
}


def code_name(code: object) -> str:
    """A contract code in words, in the current language; a code outside the contract in its own words."""
    text = str(code)
    return _(NAMES[text]) if text in NAMES else text.replace("_", " ").capitalize()
