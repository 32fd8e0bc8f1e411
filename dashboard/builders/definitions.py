"""Pure builder of the definitions page: one reference sheet per indicator, the reduction method, periods and
disclosure control."""

from __future__ import annotations

from datetime import timedelta

from dash import html

from queries.definitions import INDICATORS, RELIABLE_EVENTS, UNRELIABLE, Indicator
from queries.periods import parse_period
from queries.prevalence import BENCHMARK_REDUCTION_PCT, Z_95

REDUCTION_SECTION, PERIODS_SECTION, DISCLOSURE_SECTION = "violence-reduction-method", "periods", "disclosure-control"
RECORDS_SECTION = "records-counted"
_KIND_WORDS = {"count": "count", "percent": "percentage", "rate": "rate", "median": "median or percentile"}


def suppression_rule(indicator: Indicator, k: int) -> str:
    """The contract's small-cell rule as it applies to this indicator, for donor and government accounts."""
    if indicator.kind == "count":
        rule = (f"A count from 1 to {k - 1} reads \u201chidden\u201d, and so does any other count that would let "
                "one be worked out from what is shown (see Disclosure control). A part of a breakdown withheld as "
                "a whole reads \u201cwithheld\u201d.")
    elif indicator.kind == "median":
        rule = f"Hidden when it is taken over fewer than {k} values, or when the count of its values is hidden."
    else:
        rule = "Hidden when its numerator or denominator is hidden."
        if indicator.follows:
            followed = ", ".join(INDICATORS[code].label for code in indicator.follows)
            rule += f" Also hidden wherever {followed} is hidden."
    return rule + " Leadership sees exact values."


def reliability_rule() -> str:
    """When a rate or percentage carries the unreliable mark (`queries.definitions.reliable`)."""
    return (f"Shown with the mark \u201c{UNRELIABLE}\u201d when its numerator counts fewer than {RELIABLE_EVENTS} "
            "events: a rate from so few events has a relative standard error of about 23 % or more (the NCHS "
            "practice for rates from small counts). Exports flag it with reliable = false. The mark is never "
            "put on a hidden value, and applies to every account.")


def _kind_and_unit(indicator: Indicator) -> str:
    kind = _KIND_WORDS[indicator.kind]
    return f"{kind} ({indicator.unit})" if indicator.unit else kind


def _entry(term: str, description: str) -> html.Tr:
    return html.Tr([html.Th(term, scope="row"), html.Td(description)])


def indicator_sheet(indicator: Indicator, k: int) -> html.Section:
    """A reference sheet, like a donor's performance indicator reference sheet."""
    entries = [
        ("Code", indicator.code),
        ("Kind and unit", _kind_and_unit(indicator)),
        ("Numerator" if indicator.denominator else "Counts", indicator.numerator),
        ("Denominator", indicator.denominator or "none (a count)"),
        ("Source tables", indicator.source),
        ("Disaggregations", ", ".join(d.replace("_", " ") for d in indicator.disaggregations) or "none"),
        ("Caveats", indicator.caveats or "none"),
        ("Small-cell suppression (external audiences)", suppression_rule(indicator, k)),
    ]
    if indicator.kind in ("rate", "percent"):
        entries.append(("Reliability", reliability_rule()))
    return html.Section([
        html.H3(indicator.label),
        html.Table(html.Tbody([_entry(term, description) for term, description in entries]),
                   className="data-table definition-sheet"),
    ], id=indicator.code, className="definition")


def reduction_method() -> html.Section:
    return html.Section([
        html.H3("Violence reduction against baseline"),
        html.P("Prevalence is the share of minors among the people found in the commercial sex trade of a study "
               "area, from a baseline study and later rounds (midline, endline) in the same area. It comes from "
               "the studies, not from case records, so the period filter does not apply to it."),
        html.Ul([
            html.Li(f"Prevalence of a round: 100 × minors observed / individuals observed, with a 95 % Wilson score "
                    f"interval (Wilson 1927; z = {Z_95}) over the effective sample size n / deff, where deff is the "
                    "round's design effect: these studies are weighted venue-based samples, so a plain binomial "
                    "interval would be too narrow (Kish 1965). A round with no design effect recorded counts as 1; "
                    "one below 1 is a data error, left out and counted on the Data quality page."),
            html.Li("Reduction: 100 × (1 − latest prevalence / baseline prevalence), where latest is the most "
                    "recent round after the baseline."),
            html.Li(f"Its 95 % interval comes from the Katz log interval of the ratio r of the two prevalences "
                    f"(Katz et al., Biometrics 1978): exp(ln r ± {Z_95} √(deff₁ (1/x₁ − 1/n₁) + deff₀ (1/x₀ − 1/n₀))), "
                    "with x minors and n individuals of the latest (1) and baseline (0) rounds."),
            html.Li("When the latest round found no minors, the reduction is 100 % and so is its upper bound (the "
                    "ratio's lower bound is 0); its lower bound is Katz's with 0.5 added to both minors counts. "
                    "When the baseline found no minors, there is no ratio: the reduction and its interval are "
                    "left empty and the page says why. An interval always contains its estimate."),
            html.Li(f"Benchmark: a reduction of {BENCHMARK_REDUCTION_PCT:.0f} % (IJM's reported result in its "
                    f"strongest program areas). An area has met it when its reduction is at least "
                    f"{BENCHMARK_REDUCTION_PCT:.0f} %; when the interval still reaches below "
                    f"{BENCHMARK_REDUCTION_PCT:.0f} %, the benchmark is not yet shown with confidence."),
            html.Li("Areas with a baseline and no later round are listed as baseline only."),
        ]),
    ], id=REDUCTION_SECTION, className="definition")


def _months(label: str, fiscal_year_start: int | None) -> str:
    quarter = parse_period(label, fiscal_year_start)
    last_day = quarter.end - timedelta(days=1)
    return f"{quarter.start:%B %Y} to {last_day:%B %Y}"


def periods_section(fiscal_year_start: int | None, zone: str) -> html.Section:
    if fiscal_year_start is None:
        quarters = f"This deployment uses calendar quarters, labelled like 2026-Q3 ({_months('2026-Q3', None)})."
    else:
        quarters = (f"This deployment uses fiscal quarters; its fiscal year starts in month {fiscal_year_start}. "
                    "FY2027-Q1 is the first quarter of the fiscal year that ends in 2027 "
                    f"({_months('FY2027-Q1', fiscal_year_start)}).")
    return html.Section([
        html.H3("Periods"),
        html.P(quarters),
        html.P(f"A year, like 2026, is a calendar year. The program's time zone is {zone}: an event belongs to "
               "the period its local date falls in there. A date is a local date already; a timestamp is read "
               f"as the instant it records (a time with no offset is UTC) and dated in {zone}, so a referral made "
               "at 01:00 on 1 July in Dhaka belongs to July's quarter. \"Today\", waiting times and the ages of "
               f"pending cases start at midnight in {zone}. (Earlier versions dated timestamps in UTC; a "
               "Bangladeshi program's quarters and fiscal years begin at its own midnight.)"),
        html.P("Donor and government accounts see whole quarters and years only, never an arbitrary date range, so "
               "hidden counts cannot be recovered by comparing two overlapping ranges."),
    ], id=PERIODS_SECTION, className="definition")


def records_section() -> html.Section:
    """Which records count, whatever the source holds."""
    return html.Section([
        html.H3("Records counted"),
        html.Ul([
            html.Li("Each record counts once, by its key (a case by its case_id, a referral by its referral_id, "
                    "and so on), even where the source repeats a row, as a view without keys can. Such repeats are "
                    "named on the Data quality page."),
            html.Li("A record that breaks the data contract (a date that is no real day, a P-code that is no "
                    "district, a first service recorded before its referral, a count written as text) is left "
                    "out of the figures it cannot join, never guessed, and counted by rule on the Data quality "
                    "page. The other figures keep it."),
            html.Li("A district's child population counts only from exactly one positive row per year; otherwise "
                    "its rate per 100,000 children is empty, as if the population were missing."),
        ]),
    ], id=RECORDS_SECTION, className="definition")


def disclosure_section(k: int) -> html.Section:
    """How small counts are protected for donor and government accounts."""
    return html.Section([
        html.H3("Disclosure control"),
        html.P(f"Donor and government accounts never see a count from 1 to {k - 1}, and cannot work one out by "
               "combining numbers they are shown: a total and its groups, an area and the areas inside it, a year "
               "and its quarters, minors and the age bands, a percentage and its denominator."),
        html.Ul([
            html.Li(f"Every count such an account can be shown for a calendar year and its quarters is protected "
                    f"together. Counts from 1 to {k - 1} are hidden; then a linear-programming audit finds the "
                    "smallest and largest value each hidden count can take given everything shown, and more counts "
                    f"are hidden until no hidden count can be narrowed below {k} or to one value."),
            html.Li("\u201chidden\u201d always means at least 1: zeros are shown. A count hidden to protect another "
                    "carries the same mark. Where hiding single counts is not enough, a breakdown is withheld as a "
                    "whole and its parts read \u201cwithheld\u201d, zeros included; its total stays."),
            html.Li("The records that no group or area shows (a code outside the contract's list, a report with no "
                    "district, a case with no upazila, victims who are not minors) are counted as unknowns that the "
                    "audit takes into account."),
            html.Li("Donors see breakdowns by case type, sex and age band for Bangladesh, and the pages' detail "
                    "tables for Bangladesh and each division; government accounts for their own divisions or "
                    "districts. Smaller areas show their totals."),
            html.Li("The time-to-first-service curve these accounts see is an actuarial estimate read at 1, 3, 7, 14, "
                    "30 and 90 days, each step standing for a count that is shown; it stops where a count is "
                    "hidden. Like the leadership's curve, it leaves out referrals with a first service or closing "
                    "recorded before the referral, and says how many; where that count is hidden, so is the curve."),
            html.Li("Leadership sees exact values."),
        ]),
    ], id=DISCLOSURE_SECTION, className="definition")


def definitions_content(k: int, fiscal_year_start: int | None, zone: str) -> list:
    """The whole reference: a contents list, every indicator's sheet, the reduction method and periods."""
    contents = [html.Li(html.A(i.label, href=f"#{code}")) for code, i in INDICATORS.items()]
    contents += [html.Li(html.A("Violence reduction against baseline", href=f"#{REDUCTION_SECTION}")),
                 html.Li(html.A("Periods", href=f"#{PERIODS_SECTION}")),
                 html.Li(html.A("Records counted", href=f"#{RECORDS_SECTION}")),
                 html.Li(html.A("Disclosure control", href=f"#{DISCLOSURE_SECTION}"))]
    return [
        html.Nav(html.Ul(contents), className="definitions-contents", **{"aria-label": "Definitions"}),
        *(indicator_sheet(indicator, k) for indicator in INDICATORS.values()),
        reduction_method(),
        periods_section(fiscal_year_start, zone),
        records_section(),
        disclosure_section(k),
    ]
