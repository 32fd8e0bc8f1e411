"""The Bangla interface as a person reads it: every page, for each kind of account, shows no English words and
no ASCII digits outside codes (P-codes, the contract's column names); its charts' text included."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PAGES, open_page

# What stays as written in either language: the other language's name on the switch, file formats, and codes.
KEPT = {"English", "CSV", "Excel", "PDF", "P-code", "BD", "NGO"}
_CODE = re.compile(r"\b(?:BD[0-9]+|[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*(?:\([0-9.]+\))?)")  # a P-code, a column or function
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_ASCII_NUMBER = re.compile(r"[0-9][0-9,.]*")

# Every visible text of the page, its charts' included; code, formulas and variables (<code>, <var>, <samp>)
# are written as they are in any language.
_VISIBLE_TEXT = """
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const parts = [];
while (walker.nextNode()) {
  const element = walker.currentNode.parentElement;
  if (element && !element.closest('code, var, samp, script, style') && element.checkVisibility()) {
    parts.push(walker.currentNode.textContent);
  }
}
return parts.join('\\n');
"""


def english_left(text: str, names: frozenset[str] = frozenset()) -> list[str]:
    """Latin words and ASCII numbers in `text`, codes, the kept words and `names` (an account's own name, as it
    was given) aside, each with a little context."""
    found = []
    for line in text.splitlines():
        plain = _CODE.sub(" ", line)
        for pattern in (_LATIN_WORD, _ASCII_NUMBER):
            for match in pattern.finditer(plain):
                if match.group() not in KEPT | names:
                    found.append(f"{match.group()!r} in {line.strip()[:90]!r}")
    return found


def test_the_check_finds_english_and_ascii_digits_but_not_codes():
    assert english_left("সারসংক্ষেপ · BD30 · reported_on · percentile_cont(0.5) · CSV ডাউনলোড") == []
    assert len(english_left("মোট 1,234 কেস")) == 1 and len(english_left("Cases reported: ১২")) == 2
    assert english_left("dhaka (সরকারি অংশীদার)", frozenset({"dhaka"})) == []


@pytest.mark.browser
@pytest.mark.parametrize("username, pages", [("leadership", PAGES), ("donor", PAGES), ("dhaka", PAGES)])
def test_a_bangla_page_shows_no_english(open_browser, username, pages):
    driver = open_browser(username)
    open_page(driver, "/?lang=bn")
    left = {}
    for path in pages:
        open_page(driver, path)
        words = english_left(driver.execute_script(_VISIBLE_TEXT), frozenset({username}))
        if words:
            left[path] = words[:12]
    assert not left, left


# On the demo with flaws, what the English page says of each kind of finding (leadership sees the check's messages).
FINDINGS_IN_ENGLISH = ("with a date or time that is no real one", "not one of Bangladesh's 64 districts",
                       "with a value that is not one of", "sharing their key with another row",
                       "accused.role: column is missing from the cases database")
_FINDINGS = "return [...document.querySelectorAll('#quality-schema li, #quality-findings li')].map(li => li.textContent)"


@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "donor", "dhaka"])
def test_the_bangla_data_quality_page_names_findings_of_every_kind_without_english(open_flawed_browser, username):
    driver = open_flawed_browser(username)
    open_page(driver, "/data-quality?lang=en")
    english = driver.execute_script(_FINDINGS)
    expected = FINDINGS_IN_ENGLISH if username == "leadership" else FINDINGS_IN_ENGLISH[-1:]
    assert all(any(words in finding for finding in english) for words in expected), english
    open_page(driver, "/data-quality?lang=bn")
    assert len(driver.execute_script(_FINDINGS)) == len(english)
    left = english_left(driver.execute_script(_VISIBLE_TEXT), frozenset({username}))
    assert not left, left[:12]
