"""Pure builder of the definitions page: one reference sheet per indicator, the reduction method, periods and
disclosure control, in the current language."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from babel.dates import format_date
from dash import html

from impact_monitor.services import Services
from impact_monitor.table_model import Cell, Column, Table
from queries.definitions import INDICATORS, RELIABLE_EVENTS, Indicator
from queries.periods import BD_FISCAL, CALENDAR_YEAR, CALENDARS, US_FISCAL, Calendar, parse_period
from queries.prevalence import BENCHMARK_REDUCTION_PCT, Z_95
from queries.publication import WITHHELD
from queries.scope import AreaFilter

from ..components import HIDDEN, unreliable_mark, with_parts
from ..i18n import N_, _, current_language, digits, number, period_name, zone_name
from ..table_view import model_table, register_table_source
from ..vocabulary import code_name

REDUCTION_SECTION, PERIODS_SECTION, DISCLOSURE_SECTION = "violence-reduction-method", "periods", "disclosure-control"
RECORDS_SECTION, SURVIVORS_SECTION = "records-counted", "survivors-first-and-latest"
NARRATIVES_SECTION, RELEASES_SECTION = "narratives", "releases"
PAGE = "definitions"
# The column and value with which exports flag an unreliable value: written as code in either language.
RELIABLE_FLAG = "reliable = false"
_KIND_WORDS = {"count": N_("count"), "percent": N_("percentage"), "rate": N_("rate"),
               "median": N_("median or percentile")}
# The source tables of `queries.definitions` in words (that module leaves them unmarked, as code).
SOURCE_PHRASES = (
    N_("cases"), N_("cases, district_population"), N_("cases, referrals (joined on case_ref)"),
    N_("legal_events joined to cases"), N_("referrals"), N_("reports"),
    N_("survivor_assessments joined to victims and cases"), N_("victims joined to cases"),
)


def _quoted(mark: str) -> str:
    return f"\u201c{_(mark)}\u201d"


def suppression_rule(indicator: Indicator, k: int) -> str:
    """The contract's small-cell rule as it applies to this indicator, for donor and government accounts."""
    if indicator.kind == "count":
        rules = [_("A count from 1 to {largest} reads {hidden}, and so does any other count that would let one be "
                   "worked out from what is shown (see Disclosure control). A part of a breakdown withheld as a "
                   "whole reads {withheld}.").format(largest=number(k - 1), hidden=_quoted(HIDDEN),
                                                      withheld=_quoted(WITHHELD))]
    elif indicator.kind == "median":
        rules = [_("Hidden when it is taken over fewer than {k} values, or when the count of its values is "
                   "hidden.").format(k=number(k))]
    else:
        rules = [_("Hidden when its numerator or denominator is hidden.")]
        if indicator.follows:
            followed = ", ".join(_(INDICATORS[code].label) for code in indicator.follows)
            rules.append(_("Also hidden wherever {indicators} is hidden.").format(indicators=followed))
    return " ".join([*rules, _("Leadership sees exact values.")])


def reliability_rule() -> str:
    """When a rate or percentage carries the unreliable mark (`queries.definitions.reliable`)."""
    text = _("Shown with the mark \u201c{mark}\u201d when its numerator counts fewer than {events} events: a rate "
             "from so few events has a relative standard error of about 23 % or more (the NCHS practice for rates "
             "from small counts). Exports flag it with {flag}. The mark is never put on a hidden value, and "
             "applies to every account.")
    return text.format(mark=unreliable_mark(), events=number(RELIABLE_EVENTS), flag=RELIABLE_FLAG)


def _kind_and_unit(indicator: Indicator) -> str:
    kind = _(_KIND_WORDS[indicator.kind])
    return f"{kind} ({_(indicator.unit)})" if indicator.unit else kind


def _source_words(source: str) -> str:
    return _(source) if source in SOURCE_PHRASES else source


def sheet_table_id(code: str) -> str:
    return f"definition-{code}"


def sheet_table(indicator: Indicator, k: int) -> Table:
    """A reference sheet, like a donor's performance indicator reference sheet: a row per entry."""
    entries = [
        (_("Code"), indicator.code),
        (_("Kind and unit"), _kind_and_unit(indicator)),
        (_("Numerator") if indicator.denominator else _("Counts"), _(indicator.numerator)),
        (_("Denominator"), _(indicator.denominator) if indicator.denominator else _("none (a count)")),
        (_("Source tables"), _source_words(indicator.source)),
        (_("Disaggregations"), ", ".join(code_name(d) for d in indicator.disaggregations) or _("none")),
        (_("Caveats"), _(indicator.caveats) if indicator.caveats else _("none")),
        (_("Small-cell suppression (external audiences)"), suppression_rule(indicator, k)),
    ]
    if indicator.kind in ("rate", "percent"):
        entries.append((_("Reliability"), reliability_rule()))
    return Table(sheet_table_id(indicator.code),
                 _("Reference sheet: {indicator}").format(indicator=_(indicator.label)),
                 (Column(_("Entry")), Column(_("Definition"))),
                 tuple((Cell(term), Cell(description)) for term, description in entries))


def _with_code(component, code: str):
    """`component` with `code` set as code wherever its text writes it, as every formula of the page is (a cell
    of a table model is plain text, for the files)."""
    children = getattr(component, "children", None)
    if isinstance(children, str) and code in children:
        before, _code, after = children.partition(code)
        component.children = [before, html.Code(code), after]
    elif isinstance(children, (list, tuple)):
        for child in children:
            _with_code(child, code)
    elif children is not None and not isinstance(children, (int, float)):
        _with_code(children, code)
    return component


def indicator_sheet(indicator: Indicator, k: int, params: dict) -> html.Section:
    """An indicator's section: its heading, and its reference sheet with the sheet's downloads (`params`)."""
    sheet = html.Div(model_table(sheet_table(indicator, k), params), className="definition-sheet")
    return html.Section([html.H3(_(indicator.label)), _with_code(sheet, RELIABLE_FLAG)],
                        id=indicator.code, className="definition")


def _katz_interval() -> html.Code:
    """The Katz log interval of a ratio of prevalences, with design effects: a formula, in the locale's digits."""
    return html.Code(digits(f"exp(ln r ± {Z_95} √(deff₁ (1/x₁ − 1/n₁) + deff₀ (1/x₀ − 1/n₀)))"))


def reduction_method() -> html.Section:
    benchmark = number(BENCHMARK_REDUCTION_PCT, 0)
    return html.Section([
        html.H3(_("Violence reduction against baseline")),
        html.P(_("Prevalence is the share of minors among the people found in the commercial sex trade of a study "
                 "area, from a baseline study and later rounds (midline, endline) in the same area. It comes from "
                 "the studies, not from case records, so the period filter does not apply to it.")),
        html.Ul([
            html.Li(with_parts(_(
                "Prevalence of a round: 100 × minors observed / individuals observed, with a 95 % Wilson score "
                "interval (Wilson 1927; {z} = {z_value}) over the effective sample size {n} / {deff}, where {deff} "
                "is the round's design effect: these studies are weighted venue-based samples, so a plain binomial "
                "interval would be too narrow (Kish 1965). A round with no design effect recorded counts as 1; one "
                "below 1 is a data error, left out and counted on the Data quality page."),
                z=html.Var("z"), z_value=number(Z_95, 2), n=html.Var("n"), deff=html.Var("deff"))),
            html.Li(_("Reduction: 100 × (1 − latest prevalence / baseline prevalence), where latest is the most "
                      "recent round after the baseline.")),
            html.Li(with_parts(_(
                "Its 95 % interval comes from the Katz log interval of the ratio {r} of the two prevalences (Katz "
                "et al., Biometrics 1978): {formula}, with {x} minors and {n} individuals of the latest (1) and "
                "baseline (0) rounds."), r=html.Var("r"), formula=_katz_interval(), x=html.Var("x"),
                n=html.Var("n"))),
            html.Li(_("When the latest round found no minors, the reduction is 100 % and so is its upper bound (the "
                      "ratio's lower bound is 0); its lower bound is Katz's with 0.5 added to both minors counts. "
                      "When the baseline found no minors, there is no ratio: the reduction and its interval are "
                      "left empty and the page says why. An interval always contains its estimate.")),
            html.Li(_("Benchmark: a reduction of {benchmark} % (IJM's reported result in its strongest program "
                      "areas). An area has met it when its reduction is at least {benchmark} %; when the interval "
                      "still reaches below {benchmark} %, the benchmark is not yet shown with "
                      "confidence.").format(benchmark=benchmark)),
            html.Li(_("Areas with a baseline and no later round are listed as baseline only.")),
        ]),
    ], id=REDUCTION_SECTION, className="definition")


def _month(day: date) -> str:
    """A month and its year: "July 2026", "জুলাই ২০২৬"."""
    return digits(format_date(day, "MMMM y", locale="bn")) if current_language() == "bn" else f"{day:%B %Y}"


def _months(label: str) -> str:
    period = parse_period(label)
    last_day = period.end - timedelta(days=1)
    return _("{first} to {last}").format(first=_month(period.start), last=_month(last_day))


_CALENDAR_EXAMPLES = {CALENDAR_YEAR: ("2026-Q3", "2026"), BD_FISCAL: ("BD-FY2027-Q1", "BD-FY2027"),
                      US_FISCAL: ("US-FY2027-Q1", "US-FY2027")}


def _calendar_item(calendar: Calendar, default: Calendar) -> html.Li:
    quarter, year = _CALENDAR_EXAMPLES[calendar.id]
    text = _("{calendar}: quarters like {quarter} ({quarter_months}), years like {year} ({year_months}).").format(
        calendar=_(calendar.name), quarter=period_name(quarter), quarter_months=_months(quarter),
        year=period_name(year), year_months=_months(year))
    return html.Li([text, " ", html.Strong(_("The pages open in this calendar."))] if calendar == default else text)


def periods_section(default_calendar: Calendar, zone: str) -> html.Section:
    quarters = [
        html.P(_("Three calendars are available at once; the filter bar picks one, and a label always names its "
                 "calendar, since \"fiscal year 2027, quarter 1\" is a different quarter in each fiscal year. A "
                 "fiscal year is named after the calendar year it ends in.")),
        html.Ul([_calendar_item(calendar, default_calendar) for calendar in CALENDARS.values()]),
        html.P(_("A quarter is the same three months, with the same figures, whichever calendar names it. Donor "
                 "and government accounts see one calendar, their own: its years are protected together with "
                 "their quarters. Earlier versions named fiscal quarters without their calendar; such labels are "
                 "still read, in this deployment's calendar.")),
    ]
    return html.Section([
        html.H3(_("Periods")),
        *quarters,
        html.P(_("The program's time zone is {zone}: an event belongs to "
                 "the period its local date falls in there. A date is a local date already; a timestamp is read "
                 "as the instant it records (a time with no offset is UTC) and dated in {zone}, so a referral made "
                 "at 01:00 on 1 July in Dhaka belongs to July's quarter. \"Today\", waiting times and the ages of "
                 "pending cases start at midnight in {zone}. (Earlier versions dated timestamps in UTC; a "
                 "Bangladeshi program's quarters and fiscal years begin at its own midnight.)").format(
                     zone=zone_name(zone))),
        html.P(_("Donor and government accounts see whole quarters and years only, never an arbitrary date range, "
                 "so hidden counts cannot be recovered by comparing two overlapping ranges.")),
    ], id=PERIODS_SECTION, className="definition")


def survivors_section() -> html.Section:
    """How the Survivors page compares a survivor's first and latest sessions, and who is followed up."""
    return html.Section([
        html.H3(_("Survivors: first and latest session")),
        html.Ul([
            html.Li(_("The Survivors page compares the survivors assessed in the period (those counted by Survivors "
                      "assessed) at two sessions each: their first session ever, their baseline, however long "
                      "before the period it was; and their latest session up to the period's end. Sessions after "
                      "the period's end are left out.")),
            html.Li(_("Followed up: a survivor assessed in the period with two or more sessions ever up to the "
                      "period's end, so that their first session is not their latest. A survivor with one session "
                      "ever is not followed up, and counts the same at both sessions.")),
            html.Li(_("Survivors restored keeps its own definition: the latest session in the period.")),
        ]),
    ], id=SURVIVORS_SECTION, className="definition")


def records_section() -> html.Section:
    """Which records count, whatever the source holds."""
    return html.Section([
        html.H3(_("Records counted")),
        html.Ul([
            html.Li(_("Each record counts once, by its key (a case by its case_id, a referral by its referral_id, "
                      "and so on), even where the source repeats a row, as a view without keys can. Such repeats "
                      "are named on the Data quality page.")),
            html.Li(_("A record that breaks the data contract (a date that is no real day, a P-code that is no "
                      "district, a first service recorded before its referral, a count written as text) is left "
                      "out of the figures it cannot join, never guessed, and counted by rule on the Data quality "
                      "page. The other figures keep it.")),
            html.Li(_("A district's child population counts only from exactly one positive row per year; otherwise "
                      "its rate per 100,000 children is empty, as if the population were missing.")),
        ]),
    ], id=RECORDS_SECTION, className="definition")


def disclosure_section(k: int) -> html.Section:
    """How small counts are protected for donor and government accounts."""
    largest = number(k - 1)
    return html.Section([
        html.H3(_("Disclosure control")),
        html.P(_("Donor and government accounts never see a count from 1 to {largest}, and cannot work one out by "
                 "combining numbers they are shown: a total and its groups, an area and the areas inside it, a "
                 "year and its quarters, minors and the age bands, a percentage and its denominator.").format(
                     largest=largest)),
        html.Ul([
            html.Li(_("Every count such an account can be shown for a calendar year and its quarters is protected "
                      "together. Counts from 1 to {largest} are hidden; then a linear-programming audit finds the "
                      "smallest and largest value each hidden count can take given everything shown, and more "
                      "counts are hidden until no hidden count can be narrowed below {k} or to one value.").format(
                          largest=largest, k=number(k))),
            html.Li(_("{hidden} always means at least 1: zeros are shown. A count hidden to protect another carries "
                      "the same mark. Where hiding single counts is not enough, a breakdown is withheld as a whole "
                      "and its parts read {withheld}, zeros included; its total stays.").format(
                          hidden=_quoted(HIDDEN), withheld=_quoted(WITHHELD))),
            html.Li(_("The records that no group or area shows (a code outside the contract's list, a report with "
                      "no district, a case with no upazila, victims who are not minors) are counted as unknowns "
                      "that the audit takes into account.")),
            html.Li(_("Donors see breakdowns by case type, sex and age band for Bangladesh, and the pages' detail "
                      "tables for Bangladesh and each division; government accounts for their own divisions or "
                      "districts. Smaller areas show their totals.")),
            html.Li(_("The time-to-first-service curve these accounts see is an actuarial estimate read at 1, 3, 7, "
                      "14, 30 and 90 days, each step standing for a count that is shown; it stops where a count is "
                      "hidden. Like the leadership's curve, it leaves out referrals with a first service or closing "
                      "recorded before the referral, and says how many; where that count is hidden, so is the "
                      "curve.")),
            html.Li(_("Leadership sees exact values.")),
        ]),
    ], id=DISCLOSURE_SECTION, className="definition")


def narratives_section() -> html.Section:
    """What a narrative is, who writes it, and where it shows."""
    return html.Section([
        html.H3(_("Narratives")),
        html.Ul([
            html.Li(_("Programme leadership writes a short comment on an indicator's figure for a quarter, for "
                      "Bangladesh or for one area, in English and in Bangla. A figure shows its area's own "
                      "narrative, else the one written for Bangladesh; in the reader's language, else in the "
                      "other.")),
            html.Li(_("It shows in the Narrative column of the Quarterly indicators table and in the deviation "
                      "narrative of the Donor report's IPTT (on the indicator's total row), on screen, in print and "
                      "in the downloads, to every audience. A quarter's narrative belongs to its months, whichever "
                      "calendar names them.")),
            html.Li(_("Every version is kept, with who wrote it and when; an empty text takes a narrative away.")),
        ]),
    ], id=NARRATIVES_SECTION, className="definition")


def releases_section(donors_released: bool = True) -> html.Section:
    """What a release is, what the tables say of it, and who is shown released figures (`donors_released`)."""
    return html.Section([
        html.H3(_("Releases")),
        html.Ul([
            html.Li(_("Programme leadership releases a quarter once it has ended: every indicator, for every area, "
                      "is frozen as the records stood then, with who released it and when. Releasing it again is a "
                      "revision; every revision is kept. A quarter released before it ended is provisional.")),
            html.Li(_("The quarterly table and the Donor report's IPTT say in their notes when each quarter was "
                      "released and last revised; for leadership, they also list each indicator whose figure has "
                      "moved since its release, and by how much, and say it beside the figure itself.")),
            html.Li(_("Donor accounts are shown released figures only, on every page and in every download: each "
                      "quarter as its latest release froze it, so records that arrive later change nothing they "
                      "see until the quarter is released again. A quarter not released shows no figure. Quarters "
                      "are released, not years: the IPTT and the five-year targets add a year up from its released "
                      "quarters where the indicator adds up (counts of events and their percentages); other pages "
                      "show no figure for a year. Each released quarter's small "
                      "counts are protected on their own, so what it hides never changes when another quarter is "
                      "released. Leadership and government partners see live figures.")
                    if donors_released else
                    _("Every account is shown live figures, counted from the records as they stand.")),
        ]),
    ], id=RELEASES_SECTION, className="definition")


def definitions_content(k: int, default_calendar: Calendar, zone: str, params: dict,
                        donors_released: bool = True) -> list:
    """The whole reference: a contents list, every indicator's sheet, the reduction method and periods. `params`:
    what the sheets' downloads are built with; `donors_released`: donors are shown released figures only."""
    contents = [html.Li(html.A(_(i.label), href=f"#{code}")) for code, i in INDICATORS.items()]
    contents += [html.Li(html.A(_("Violence reduction against baseline"), href=f"#{REDUCTION_SECTION}")),
                 html.Li(html.A(_("Periods"), href=f"#{PERIODS_SECTION}")),
                 html.Li(html.A(_("Survivors: first and latest session"), href=f"#{SURVIVORS_SECTION}")),
                 html.Li(html.A(_("Records counted"), href=f"#{RECORDS_SECTION}")),
                 html.Li(html.A(_("Disclosure control"), href=f"#{DISCLOSURE_SECTION}")),
                 html.Li(html.A(_("Releases"), href=f"#{RELEASES_SECTION}")),
                 html.Li(html.A(_("Narratives"), href=f"#{NARRATIVES_SECTION}"))]
    return [
        html.Nav(html.Ul(contents), className="definitions-contents", **{"aria-label": _("Definitions")}),
        *(indicator_sheet(indicator, k, params) for indicator in INDICATORS.values()),
        reduction_method(),
        periods_section(default_calendar, zone),
        survivors_section(),
        records_section(),
        disclosure_section(k),
        releases_section(donors_released),
        narratives_section(),
    ]


def _sheet_source(code: str) -> Callable[[Services, AreaFilter, dict], Table]:
    def build(svc: Services, _chosen: AreaFilter, _params: dict) -> Table:
        return sheet_table(INDICATORS[code], svc.settings.suppress_below)
    return build


def _register_sources() -> None:
    for code in INDICATORS:
        register_table_source(sheet_table_id(code), PAGE, _sheet_source(code))


_register_sources()
