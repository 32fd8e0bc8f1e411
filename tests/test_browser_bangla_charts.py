"""The charts of the Referrals, Justice and Survivors pages in Bangla, in a browser: hover text in Bangla with
Bengali digits, and legend entries that do not run into one another."""

from __future__ import annotations

import re

import pytest

from tests.conftest import open_page

CHART_PAGES = ("/referrals", "/justice", "/survivors")

# For each chart, the hover label of its first trace's first drawn point (Plotly's own hover, as a mouse shows it).
_HOVER_TEXTS = """
const texts = {};
for (const gd of document.querySelectorAll('.js-plotly-plot')) {
  const trace = gd.data[0], values = trace.orientation === 'h' ? trace.x : trace.y;
  const point = values.findIndex(value => value !== null);
  if (point < 0) continue;
  Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: point}]);
  texts[gd.parentElement.id] = [...gd.querySelectorAll('.hoverlayer text')].map(t => t.textContent).join(' ');
  Plotly.Fx.unhover(gd);
}
return texts;
"""

# Legend entries of one row that overlap the next one, by chart: a legend laid out from text measured too short.
_OVERLAPPING_LEGEND_ENTRIES = """
const overlaps = {};
for (const gd of document.querySelectorAll('.js-plotly-plot')) {
  const entries = [...gd.querySelectorAll('.legend .traces')].map(e => [e.getBoundingClientRect(), e.textContent]);
  for (let i = 0; i + 1 < entries.length; i++) {
    const [box, text] = entries[i], [next, nextText] = entries[i + 1];
    if (Math.abs(box.top - next.top) < 2 && box.right > next.left + 1) {
      (overlaps[gd.parentElement.id] ||= []).push(text + ' / ' + nextText);
    }
  }
}
return overlaps;
"""


@pytest.mark.browser
@pytest.mark.parametrize("username", ["leadership", "dhaka"])
def test_bangla_charts_hover_in_bangla_with_bengali_digits(open_browser, username):
    driver = open_browser(username)
    open_page(driver, "/?lang=bn")
    english = {}
    for path in CHART_PAGES:
        open_page(driver, path)
        texts = driver.execute_script(_HOVER_TEXTS)
        assert texts, f"{path}: no chart to hover"
        english.update({f"{path} {graph}": text for graph, text in texts.items()
                        if re.search(r"[A-Za-z0-9]", text) or not re.search(r"[০-৯]", text)})
    assert not english, english


@pytest.mark.browser
def test_bangla_legend_entries_do_not_overlap(open_browser):
    driver = open_browser("leadership")
    open_page(driver, "/?lang=bn")
    overlapping = {}
    for path in CHART_PAGES:
        open_page(driver, path)
        overlapping.update(driver.execute_script(_OVERLAPPING_LEGEND_ENTRIES))
    assert not overlapping, overlapping
