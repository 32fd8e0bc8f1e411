"""The Bangla catalogue covers every string the interface shows, and numbers read in the locale's digits."""

from __future__ import annotations

import textwrap
from datetime import date

from dashboard.components import format_value
from dashboard.i18n import _, day, number, period_name, speaking
from dashboard.vocabulary import NAMES, code_name
from impact_monitor import catalogue
from queries.definitions import AGE_BANDS, DISAGGREGATIONS
from queries.schema import ALLOWED_VALUES


def test_every_string_the_interface_shows_has_its_bangla():
    assert catalogue.problems() == []


def test_a_string_without_bangla_or_with_other_placeholders_is_named(tmp_path):
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "page.py").write_text(textwrap.dedent('''
        from dashboard.i18n import _
        TITLE = _("Overview")
        NEW = _("A heading nobody translated")
        COUNT = _("{n} cases").format(n=3)
    '''))
    po = tmp_path / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Overview"\nmsgstr "সারসংক্ষেপ"\n\nmsgid "{n} cases"\nmsgstr "{count}টি কেস"\n',
                  encoding="utf-8")
    found = catalogue.problems(tmp_path, po)
    assert len(found) == 2
    assert "not in the catalogue: 'A heading nobody translated'" in found[0]
    assert "placeholders differ" in found[1] and "{n} cases" in found[1]


def test_bangla_numbers_use_bengali_digits_and_lakh_grouping_and_english_is_unchanged():
    assert format_value(1234567, "count") == "1,234,567" and format_value(12.25, "percent") == "12.2 %"
    with speaking("bn"):
        assert format_value(1234567, "count") == "১২,৩৪,৫৬৭"
        assert format_value(12.25, "percent") == "১২.২ %"
        assert format_value(3.5, "median") == "৩.৫ দিন"
        assert format_value(4, "count", suppressed=True) == _("hidden") == "গোপন"
        assert number(0.35, 1) == "০.৩"  # rounded as the download rounds it (0.35 is stored just below)
        assert day(date(2026, 3, 31)) == "৩১ মার্চ ২০২৬"
        assert period_name("FY2027-Q1") == "অর্থবছর ২০২৭, প্রান্তিক ১"
    assert day(date(2026, 3, 31)) == "2026-03-31" and period_name("FY2027-Q1") == "FY2027-Q1"


def test_every_code_of_the_contract_has_a_name_in_both_languages():
    codes = {code for values in ALLOWED_VALUES.values() for code in values} | set(AGE_BANDS) | set(DISAGGREGATIONS)
    assert codes - NAMES.keys() == set()
    assert code_name("ngo") == "NGO" and code_name("a_stray_code") == "A stray code"
    with speaking("bn"):
        assert code_name("legal_aid") == "আইনি সহায়তা"
