"""WCAG checks in headless Chromium on every page: text contrast (AA), named controls, the skip link."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.conftest import each_page, open_page

# For every element with its own visible text: its colour against the first opaque background behind it
# (colours composed with their alpha), and the WCAG 2.1 threshold for its size: 4.5:1, or 3:1 for large
# text (24 px, or 18.66 px bold). Chart SVG is left out: every chart has a table with the same numbers.
_CONTRAST_FAILURES = """
function channels(css) {
  const m = css.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
}
function over(top, bottom) {
  const a = top.a;
  return {r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a), b: top.b * a + bottom.b * (1 - a), a: 1};
}
function backgroundOf(element) {
  const layers = [];
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const colour = channels(getComputedStyle(node).backgroundColor);
    if (colour && colour.a > 0) { layers.push(colour); if (colour.a >= 1) break; }
  }
  let result = {r: 255, g: 255, b: 255, a: 1};
  for (let i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
  return result;
}
function luminance(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
const failures = [];
for (const element of document.querySelectorAll('body *')) {
  if (element.closest('svg, .js-plotly-plot, [disabled], [aria-disabled="true"], .skip-link')) continue;
  const ownText = Array.from(element.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  if (!ownText) continue;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
  const background = backgroundOf(element);
  const text = over(channels(style.color), background);
  const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  if (ratio < needed) {
    failures.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''} "${element.textContent.trim().slice(0, 40)}": ${ratio.toFixed(2)}:1 < ${needed}:1 (${style.color} on rgb(${Math.round(background.r)}, ${Math.round(background.g)}, ${Math.round(background.b)}))`);
  }
}
return failures;
"""

# Everything a keyboard reaches: natively focusable elements and tabindex >= 0, not disabled.
# Not rendered (display: none, the `hidden` attribute, on it or an ancestor): not focusable, not in the tree.
_FOCUSABLE = """
return Array.from(document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]'
)).filter(e => !e.disabled && e.tabIndex >= 0 && e.checkVisibility());
"""


@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "donor"])
def test_every_page_meets_wcag_aa_text_contrast(open_browser, username):
    driver = open_browser(username)
    problems = []
    for path in each_page(driver):
        problems += [f"{path}: {failure}" for failure in driver.execute_script(_CONTRAST_FAILURES)]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_contrast_check_catches_grey_on_white_and_passes_black(open_browser):
    driver = open_browser("leadership")
    open_page(driver, "/definitions")
    driver.execute_script("document.getElementById('main-content').insertAdjacentHTML('beforeend', "
                          "'<p id=\"probe-grey\" style=\"color:#999;background:#fff\">grey</p>"
                          "<p id=\"probe-black\" style=\"color:#000;background:#fff\">black</p>')")
    failures = driver.execute_script(_CONTRAST_FAILURES)
    assert [f for f in failures if "probe-grey" in f] and not [f for f in failures if "probe-black" in f]


@pytest.mark.browser
def test_everything_the_keyboard_reaches_has_a_name_and_is_not_hidden(open_browser):
    """Chromium's own accessible-name computation, for every focusable element of every page."""
    driver = open_browser("leadership")
    problems = []
    for path in each_page(driver):
        for element in driver.execute_script(_FOCUSABLE):
            described = element.get_attribute("outerHTML")[:120]
            if not element.accessible_name.strip():
                problems.append(f"{path}: no accessible name: {described}")
            if driver.execute_script("return !!arguments[0].closest('[aria-hidden=true]')", element):
                problems.append(f"{path}: focusable but hidden from assistive technology: {described}")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_the_content(open_browser):
    driver = open_browser("leadership")
    open_page(driver, "/")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = driver.switch_to.active_element
    assert "skip-link" in focused.get_attribute("class")
    assert focused.is_displayed(), "the skip link must become visible when focused"
    focused.send_keys(Keys.ENTER)
    assert driver.execute_script("return location.hash") == "#main-content"
