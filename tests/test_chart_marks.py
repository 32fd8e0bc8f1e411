"""A hidden number in a chart is written where its bar or point would be, never left as a gap that reads as
zero; in the page's language."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.components import HIDDEN, hidden_bar_marks, mark_hidden_points
from dashboard.i18n import speaking
from queries.publication import WITHHELD


def test_bar_marks_stand_in_the_place_of_each_hidden_bar():
    trace = hidden_bar_marks(["Medical", "Shelter", "Legal aid"], [None, HIDDEN, WITHHELD], offsetgroup="ngo")
    assert list(trace.x) == ["Shelter", "Legal aid"] and list(trace.y) == [0, 0]
    assert list(trace.text) == ["hidden", "withheld"] and trace.offsetgroup == "ngo"
    assert hidden_bar_marks(["Medical"], [None]) is None
    sideways = hidden_bar_marks(["Dhaka"], [HIDDEN], horizontal=True)
    assert sideways.orientation == "h" and list(sideways.y) == ["Dhaka"] and list(sideways.x) == [0]
    with speaking("bn"):
        assert list(hidden_bar_marks(["x"], [HIDDEN]).text) == ["গোপন"]


def test_a_hidden_point_is_written_at_the_foot_of_the_plot():
    figure = go.Figure(go.Scatter(x=["2026-Q1", "2026-Q2", "2026-Q3"], y=[4.5, None, 6.0]))
    mark_hidden_points(figure, ["2026-Q1", "2026-Q2", "2026-Q3"], [None, HIDDEN, None])
    (note,) = figure.layout.annotations
    assert (note.x, note.y, note.yref, note.text) == ("2026-Q2", 0, "paper", "hidden")
