"""The overview's pure builders."""

from __future__ import annotations

import pandas as pd

from dashboard.builders.overview import HEADLINES, change_text, headline_cards


def _rows(period: str, values: dict, hidden=()):
    return pd.DataFrame([dict(indicator=code, period=period, area="BD", value=None if code in hidden else v,
                              numerator=None, denominator=None, suppressed=code in hidden, withheld=False)
                         for code, v in values.items()])


def test_change_in_words():
    assert change_text(120, 100, "count") == "+20 %"
    assert change_text(55.0, 50.0, "percent") == "+5.0 points"
    assert change_text(3, 0, "count") == "new"
    assert change_text(None, 10, "count") == "no comparison"


def test_cards_show_hidden_values_as_hidden_and_unavailable_codes_as_such():
    values = {code: 40.0 for code in HEADLINES if code != "referrals_made"}
    current = _rows("2026-Q3", values, hidden=("minors_identified",))
    previous = _rows("2026-Q2", {code: 20.0 for code in values})
    trend = pd.concat([previous, current])
    timeout = "This query took longer than the time limit and was cancelled."
    cards = headline_cards(current, previous, previous, trend, "BD", {"referrals_made": timeout})
    text = str(cards)
    assert "hidden" in text and "<10" not in text and f"Unavailable: {timeout}" in text
    assert "+100 %" in text
    minors = next(c for c in cards if c.to_plotly_json()["props"]["aria-label"] == "Minors identified")
    assert "40" not in str(minors.children[1])


def _sparkline_of(card):
    graph = card.children[3].children
    return graph.figure


def test_a_hidden_quarter_is_a_grey_band_in_the_trend_not_a_gap():
    values = {code: 40.0 for code in HEADLINES}
    earlier, current = _rows("2026-Q2", values, hidden=("minors_identified",)), _rows("2026-Q3", values)
    cards = headline_cards(current, earlier, earlier, pd.concat([earlier, current]), "BD", {})
    minors = next(c for c in cards if c.to_plotly_json()["props"]["aria-label"] == "Minors identified")
    figure = _sparkline_of(minors)
    (band,) = figure.layout.shapes
    assert (band.x0, band.x1, band.yref) == (-0.4, 0.4, "paper") and list(figure.data[0].y) == [None, 40.0]
    cases = next(c for c in cards if c.to_plotly_json()["props"]["aria-label"] == "Cases reported")
    assert _sparkline_of(cases).layout.shapes == ()


def test_a_period_without_records_says_so():
    empty = _rows("2026-Q4", {code: 0.0 for code in HEADLINES})
    cards = headline_cards(empty, empty, empty, empty, "BD", {})
    assert "No records in this period." in str(cards[0])
    some = _rows("2026-Q4", {code: (3.0 if code == "reports_received" else 0.0) for code in HEADLINES})
    assert "No records" not in str(headline_cards(some, some, some, some, "BD", {}))
    hidden = _rows("2026-Q4", {code: 0.0 for code in HEADLINES}, hidden=("cases_reported",))
    assert "No records" not in str(headline_cards(hidden, hidden, hidden, hidden, "BD", {}))
