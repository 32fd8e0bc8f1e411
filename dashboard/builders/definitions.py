"""Pure builder of the definitions page: one reference sheet per indicator, the reduction method, periods."""

from __future__ import annotations

from datetime import timedelta

from dash import html

from queries.definitions import INDICATORS, Indicator
from queries.periods import parse_period
from queries.prevalence import BENCHMARK_REDUCTION_PCT, Z_95

REDUCTION_SECTION, PERIODS_SECTION = "violence-reduction-method", "periods"
_KIND_WORDS = {"count": "count", "percent": "percentage", "rate": "rate", "median": "median or percentile"}


def suppression_rule(indicator: Indicator, k: int) -> str:
    """The contract's small-cell rule as it applies to this indicator, for donor and government accounts."""
    if indicator.kind == "count":
        rule = (f"A count from 1 to {k - 1} is shown as <{k}. Where a table shows a total and exactly one of its "
                "cells is hidden, the next smallest non-zero cell is hidden too.")
    elif indicator.kind == "median":
        rule = f"Hidden when it is taken over fewer than {k} values."
    else:
        rule = f"Hidden when its numerator or denominator is a count from 1 to {k - 1}."
        if indicator.follows:
            followed = ", ".join(INDICATORS[code].label for code in indicator.follows)
            rule += f" Also hidden wherever {followed} is hidden."
    return rule + " Leadership sees exact values."


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
                    f"interval (z = {Z_95})."),
            html.Li("Reduction: 100 × (1 − latest prevalence / baseline prevalence), where latest is the most "
                    "recent round after the baseline."),
            html.Li(f"Its 95 % interval comes from the Katz log interval of the ratio r of the two prevalences: "
                    f"exp(ln r ± {Z_95} √(1/x₁ − 1/n₁ + 1/x₀ − 1/n₀)), with x minors and n individuals of the "
                    "latest (1) and baseline (0) rounds. Where a minors count is 0, 0.5 is added to both minors "
                    "counts for the interval."),
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


def periods_section(fiscal_year_start: int | None) -> html.Section:
    if fiscal_year_start is None:
        quarters = f"This deployment uses calendar quarters, labelled like 2026-Q3 ({_months('2026-Q3', None)})."
    else:
        quarters = (f"This deployment uses fiscal quarters; its fiscal year starts in month {fiscal_year_start}. "
                    "FY2027-Q1 is the first quarter of the fiscal year that ends in 2027 "
                    f"({_months('FY2027-Q1', fiscal_year_start)}).")
    return html.Section([
        html.H3("Periods"),
        html.P(quarters),
        html.P("A year, like 2026, is a calendar year. An event belongs to the period its date (or timestamp, in "
               "UTC) falls in. Donor and government accounts see whole quarters and years only, never an arbitrary "
               "date range, so hidden counts cannot be recovered by comparing two overlapping ranges."),
    ], id=PERIODS_SECTION, className="definition")


def definitions_content(k: int, fiscal_year_start: int | None) -> list:
    """The whole reference: a contents list, every indicator's sheet, the reduction method and periods."""
    contents = [html.Li(html.A(i.label, href=f"#{code}")) for code, i in INDICATORS.items()]
    contents += [html.Li(html.A("Violence reduction against baseline", href=f"#{REDUCTION_SECTION}")),
                 html.Li(html.A("Periods", href=f"#{PERIODS_SECTION}"))]
    return [
        html.Nav(html.Ul(contents), className="definitions-contents", **{"aria-label": "Definitions"}),
        *(indicator_sheet(indicator, k) for indicator in INDICATORS.values()),
        reduction_method(),
        periods_section(fiscal_year_start),
    ]
