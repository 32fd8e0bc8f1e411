"""The Data quality and Definitions pages in Bangla: the check's own messages, the tables and the reference
sheets, with Bengali digits; English stays as the check and the builders write it."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from sqlalchemy import func

from dashboard.builders import quality
from dashboard.builders.definitions import SOURCE_PHRASES, definitions_content
from tests.panel_parts import text_of
from dashboard.i18n import _, speaking
from queries.periods import CALENDARS
from queries import contract_check
from queries.contract_check import check_schema, run_check
from queries.definitions import INDICATORS
from queries.quality import quality_counts
from queries.schema import ALLOWED_VALUES, cases_metadata, referrals_metadata
from queries.scope import LEADERSHIP
from tests.test_browser_bangla import english_left
from tests.test_contract_check import TODAY, VALUE_CASES, build, database_urls, edited  # noqa: F401 (fixtures)
from tests.test_page_reduction_quality import QUALITY, screen

# Kept as written in either language: the contract's columns and allowed values.
CONTRACT_CODES = ({code for codes in ALLOWED_VALUES.values() for code in codes}
                  | {column.name for metadata in (cases_metadata, referrals_metadata)
                     for table in metadata.tables.values() for column in table.columns})


def finding_text(finding) -> str:
    """A finding's message as the page writes it, as plain text."""
    return text_of(quality.finding_parts(finding))


def english_words_left(text: str) -> list[str]:
    """English left in a Bangla message, the values it quotes ('BD9999') and the contract's codes and columns
    aside."""
    unquoted = re.sub(r"'[^']*'", " ", text)
    return [found for found in english_left(unquoted) if found.split("'")[1] not in CONTRACT_CODES]


def test_every_finding_of_the_check_reads_in_bangla_and_english_is_the_checks_own(build, gazetteer):
    every_value_rule = [edit for edits, _ in VALUE_CASES.values() for edit in edits]
    rows = edited([*every_value_rule, ("cases", "C5", {"reported_on": "last week"}),
                   ("victims", "V3", {"age_at_identification": None})])
    findings = run_check(build(rows), gazetteer, TODAY)
    assert len({finding.rule for finding in findings}) >= 18  # every rule but duplicate keys (views have no key)
    for finding in findings:
        assert finding_text(finding) == finding.message
        with speaking("bn"):
            shown = finding_text(finding)
        assert shown != finding.message and english_words_left(shown) == [], (finding.message, shown)
    with speaking("bn"):
        by_place = {(f.table, f.column, f.rule): finding_text(f) for f in findings}
    assert by_place["cases", "district_pcode", "unknown_pcode"] == (
        "কেস সারণির district_pcode: ২টি সারিতে এমন P-code আছে যা বাংলাদেশের ৬৪টি জেলার কোনোটির নয় "
        "(যেমন 'BD9999', 'Dhaka')")
    assert by_place["victims", "age_at_identification", "missing_age"] == (
        "ভিকটিম সারণির age_at_identification: ১টি সারিতে বয়স নেই (অপ্রাপ্তবয়স্ক হিসেবে গণনা হয় না)")


def test_missing_tables_and_columns_read_in_bangla(build):
    dbs = build(edited([]), drop_columns={"referrals.urgency"}, omit_tables={"victims"})
    with speaking("bn"):
        shown = [finding_text(finding) for finding in check_schema(dbs)]
    assert shown == ["ভিকটিম: কেস ডেটাবেসে এই সারণি (বা ভিউ) নেই",
                     "রেফারেল সারণির urgency: রেফারেল ডেটাবেসে এই কলাম নেই"]


def test_a_check_the_database_rejects_reads_in_bangla(build, gazetteer, monkeypatch):
    score = next(rule for rule in contract_check._RULES if rule.code == "score_out_of_range")
    rejected = contract_check._Rule(score.table, "score", "score_out_of_range", "never counted",
                                    lambda ctx: func.no_such_function(score.table.c.score) > 0)
    monkeypatch.setattr(contract_check, "_RULES", [rejected])
    [failed] = run_check(build(edited([])), gazetteer, TODAY)
    with speaking("bn"):
        assert finding_text(failed) == (
            "সারভাইভার মূল্যায়ন সারণির score: ডেটাবেস সীমার বাইরের স্কোর যাচাইটি প্রত্যাখ্যান করেছে "
            "(OperationalError); কলামটি কি চুক্তিতে নির্ধারিত ধরনের?")


def test_every_rule_of_the_check_has_its_words_in_bangla():
    with speaking("bn"):
        for rule in contract_check._RULES:
            assert english_words_left(quality.rule_words(rule.code)) == [], rule.code
            description = _(rule.description).format(values=", ".join(rule.values))
            assert english_words_left(description) == [], rule.description


def test_the_quality_tables_speak_bangla_with_bengali_digits(gazetteer):
    with speaking("bn"):
        totals = screen(quality.totals_table(quality_counts(QUALITY, LEADERSHIP, gazetteer, "rule", None)))
        by_district = screen(quality.district_table(
            quality_counts(QUALITY, LEADERSHIP, gazetteer, "district", None), gazetteer, "bn"))
        as_of = screen(quality.as_of_table({"referrals": {"reports.received_at": None,
                                                          "referrals.referred_at": datetime(2026, 5, 11, 22, 5)},
                                            "cases": {"cases.reported_on": date(2026, 5, 10)}}, "Asia/Dhaka"))
    assert totals["columns"] == ["সারণি", "নিয়ম", "রেকর্ড"]
    assert totals["rows"] == [["কেস", "ভবিষ্যতের তারিখ", "১"], ["রেফারেল", "অজানা P-code", "৭"],
                              ["ভিকটিম", "বয়স নেই", "১৯"]]
    assert by_district["columns"] == ["জেলা", "কেস: ভবিষ্যতের তারিখ", "ভিকটিম: বয়স নেই", "রেফারেল: অজানা P-code"]
    assert by_district["rows"][-1] == ["অজানা", "০", "৪", "৭"]
    assert as_of["caption"] == "প্রতিটি ডেটাবেস ও কলামের সর্বশেষ তারিখ (বাংলাদেশ সময় অনুযায়ী)"
    assert as_of["columns"] == ["ডেটাবেস", "কলাম", "তারিখ"]
    assert as_of["rows"] == [
        ["রেফারেল", "রিপোর্ট সারণির received_at", "তারিখসহ কোনো রেকর্ড নেই (সারণিটি খালি, অথবা নেই: ওপরে দেখুন)"],
        ["রেফারেল", "রেফারেল সারণির referred_at", "১১ মে ২০২৬ ২২:০৫"],
        ["কেস", "কেস সারণির reported_on", "১০ মে ২০২৬"]]


def test_the_schema_panel_counts_its_problems_in_bangla():
    broken = [contract_check.Finding("cases", table, None, "missing_table", 0, "error", contract_check.MISSING_TABLE,
                                     (("where", table), ("database", "cases")))
              for table in ("victims", "accused")]
    with speaking("bn"):
        text = text_of(quality.schema_panel(broken))
    assert "ডেটাবেসের কাঠামোতে ২টি সমস্যা" in text and "অভিযুক্ত: কেস ডেটাবেসে এই সারণি (বা ভিউ) নেই" in text
    assert "1 problem with the databases' structure" in text_of(quality.schema_panel(broken[:1]))


def test_codes_in_a_finding_are_set_as_code_and_sample_text():
    """Column names and allowed values are the contract's, examples the database's: written as they are in
    either language, and marked as such on the page."""
    finding = contract_check.Finding(
        "cases", "victims", "sex", "bad_value", 1, "warning", contract_check.ROWS_QUOTED[0],
        (("where", "victims.sex"), ("count", 1), ("description", contract_check.ALLOWED_VALUES),
         ("values", "female, male, other, unknown"), ("examples", "'X'")))
    with speaking("bn"):
        parts = quality.finding_parts(finding)
    coded = {(type(part).__name__, part.children) for part in parts if not isinstance(part, str)}
    assert coded == {("Code", "sex"), ("Code", "female, male, other, unknown"), ("Samp", "'X'")}
    assert text_of(parts) == ("ভিকটিম সারণির sex: ১টি সারিতে এমন মান আছে যা এগুলোর কোনোটি নয়: "
                              "female, male, other, unknown (যেমন 'X')")
    assert finding_text(finding) == finding.message


def _text(component) -> str:
    return json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


# What the Bangla reference keeps as written (in <code> and <var> on the page): the formulas' symbols, a column of
# the downloads and its value, and an indicator code with digits in it.
KEPT_IN_BANGLA = {"z", "n", "deff", "r", "exp", "ln", "x", "reliable", "false", "100", "k", "children", "90", "days"}


def test_the_definitions_read_in_bangla_with_bengali_digits():
    with speaking("bn"):
        content = definitions_content(11, CALENDARS["calendar"], "Asia/Dhaka", {})
        fiscal = _text(definitions_content(10, CALENDARS["bd-fiscal"], "Asia/Dhaka", {}))
    text = _text(content)
    visible = "\n".join(re.findall(r'"children": "((?:[^"\\]|\\.)*)"', text))
    assert {found.split("'")[1] for found in english_left(visible)} <= KEPT_IN_BANGLA
    assert "১ থেকে ১০ পর্যন্ত কোনো গণনার জায়গায় লেখা থাকে “গোপন”" in text and "১১টির কম মান" in text
    assert '"z"' in text and '"১.৯৬"' in text and "exp(ln r ± ১.৯৬ √(deff₁ (১/x₁ − ১/n₁)" in text and "৮৫ %" in text
    assert "২০২৬, প্রান্তিক ৩ (জুলাই ২০২৬ থেকে সেপ্টেম্বর ২০২৬)" in text
    assert "কর্মসূচির সময় অঞ্চল বাংলাদেশ সময়" in text and "Asia/Dhaka" not in text
    assert text.count("অনির্ভরযোগ্য: ২০টির কম ঘটনা") == sum(i.kind in ("rate", "percent") for i in INDICATORS.values())
    assert "কেসের ধরন, লিঙ্গ, বয়সের শ্রেণি" in text and "ভিকটিম, কেসের সঙ্গে সংযুক্ত" in text
    assert "বাংলাদেশ অর্থবছর ২০২৭, প্রান্তিক ১ (জুলাই ২০২৬ থেকে সেপ্টেম্বর ২০২৬)" in fiscal
    assert "মার্কিন অর্থবছর ২০২৭ (অক্টোবর ২০২৬ থেকে সেপ্টেম্বর ২০২৭)" in fiscal


def test_every_indicators_source_has_its_words():
    assert {indicator.source for indicator in INDICATORS.values()} <= set(SOURCE_PHRASES)
