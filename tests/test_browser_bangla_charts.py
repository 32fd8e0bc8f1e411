"""The charts of the Referrals, Justice and Survivors pages in Bangla, in a browser: hover text in Bangla with
Bengali digits, legend entries that do not run into one another, and Plotly's own toolbar in the page's
language, its PNG named after the chart."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard.builders.chart_language import chart_file_name
from tests.conftest import each_page, open_page

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


# Every chart's toolbar (mode bar), by chart: its buttons' tooltips, as plotly.js writes them into data-title.
_TOOLBAR_TOOLTIPS = """
const tooltips = {};
for (const gd of document.querySelectorAll('.js-plotly-plot')) {
  tooltips[gd.parentElement.id] = [...gd.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'));
}
return tooltips;
"""
TOOLBAR_PAGES = ("/referrals", "/district-map", "/violence-reduction", "/five-year-targets")
ENGLISH_TOOLTIPS = {"Download plot as a PNG", "Zoom", "Pan", "Zoom in", "Zoom out", "Autoscale", "Reset axes"}
DOWNLOAD_PNG = {"en": "Download plot as a PNG", "bn": "চিত্রটি ছবি (PNG) হিসেবে ডাউনলোড করুন"}


def _hovered_tooltip(driver, title: str) -> str:
    """Hover the first chart, then its toolbar button titled `title`, as a mouse does; the button's tooltip."""
    chart = driver.find_element(By.CSS_SELECTOR, ".js-plotly-plot")
    ActionChains(driver).move_to_element(chart).perform()
    button = chart.find_element(By.CSS_SELECTOR, f'.modebar-btn[data-title="{title}"]')
    ActionChains(driver).move_to_element(button).perform()
    return button.get_attribute("data-title")


def _png(folder: Path, name: str, seconds: float = 30) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (folder / f"{name}.png").is_file() and (folder / f"{name}.png").stat().st_size:
            return folder / f"{name}.png"
        time.sleep(0.2)
    raise AssertionError(f"no {name}.png in {folder}: {[path.name for path in folder.iterdir()]}")


@pytest.mark.browser
def test_the_chart_toolbar_speaks_the_pages_language_and_names_its_png_after_the_chart(open_browser, tmp_path):
    driver = open_browser("leadership")
    for language in ("en", "bn"):
        folder = tmp_path / language
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
        open_page(driver, f"/?lang={language}")
        for path in TOOLBAR_PAGES:
            open_page(driver, path)
            tooltips = driver.execute_script(_TOOLBAR_TOOLTIPS)
            assert tooltips and all(tooltips.values()), (path, tooltips)
            if language == "en":
                assert all(DOWNLOAD_PNG["en"] in titles and "Zoom in" in titles for titles in tooltips.values())
            else:  # Bangla, the file format aside
                english = {title for titles in tooltips.values() for title in titles
                           if re.search(r"[A-Za-z]", title.replace("PNG", ""))}
                assert not english, (path, english)
        open_page(driver, "/referrals")
        if language == "en":
            assert ENGLISH_TOOLTIPS <= set(driver.execute_script(_TOOLBAR_TOOLTIPS)["referrals-volume-graph"])
        assert _hovered_tooltip(driver, DOWNLOAD_PNG[language]) == DOWNLOAD_PNG[language]
        # The tooltip is CSS text drawn in the shipped font: no empty boxes where no Bengali font is installed.
        tooltip_font = driver.execute_script(
            "return getComputedStyle(document.querySelector('.modebar-btn'), '::after').fontFamily")
        assert tooltip_font.startswith('"Noto Sans Bengali"'), tooltip_font
        # The PNG is named after the chart's title, in the page's language.
        title = driver.find_element(By.CSS_SELECTOR, ".chart .chart-title").text
        driver.find_element(By.CSS_SELECTOR, f'.modebar-btn[data-title="{DOWNLOAD_PNG[language]}"]').click()
        assert _png(folder, chart_file_name(title)).read_bytes().startswith(b"\x89PNG")


# Every chart's plotly.js settings as the page runs them, and its toolbar's buttons.
_CHART_SETTINGS = """
return [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  sendToCloud: gd._context.showSendToCloud, server: gd._context.plotlyServerURL,
  buttons: [...gd.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'))}));
"""


@pytest.mark.browser
def test_no_chart_offers_to_send_its_data_to_plotly_s_cloud(open_browser):
    """plotly.js's "Share chart" button uploads the figure's data to Plotly's cloud: no chart of any page has it."""
    driver = open_browser("donor")
    charts = 0
    for path in each_page(driver):
        for chart in driver.execute_script(_CHART_SETTINGS):
            charts += 1
            assert chart["sendToCloud"] is False and not chart["server"], (path, chart)
            assert not [title for title in chart["buttons"] if "Share" in (title or "")], (path, chart)
    assert charts >= 8
