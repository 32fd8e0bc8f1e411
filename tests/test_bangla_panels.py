"""The Referrals, Justice and Survivors panels in Bangla: chart titles, axes, legends, hover text and tables in
words of the catalogue and Bengali digits; in English, as before."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import panels
from dashboard.builders import justice as justice_build
from dashboard.builders import referrals as build
from dashboard.builders import survivors as survivors_build
from dashboard.i18n import _, speaking
from queries import justice, referral_flow, schema, survivors
from tests.panel_parts import PARAMS, chart_titles, figures, tables_in

BENGALI_DIGITS = set("০১২৩৪৫৬৭৮৯")
ASCII_DIGITS = set("0123456789")



def _volume() -> pd.DataFrame:
    return pd.DataFrame({"service_type": ["medical", "legal_aid"], "government": [1200, 26], "ngo": [None, 55],
                         "other": [3, 30], "total": [1234, 111]}, dtype=object)


def test_the_volume_panel_speaks_bangla_with_bengali_digits():
    with speaking("bn"):
        parts = build.volume_panel(_volume(), PARAMS)
    fig, table = figures(parts)[0], tables_in(parts)[0]
    assert chart_titles(parts) == ["সেবার ধরন ও সেবাদাতা অনুযায়ী করা রেফারেল"]
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("সেবার ধরন", "রেফারেল")
    assert [trace.name for trace in fig.data if trace.showlegend is not False] == ["সরকারি", "এনজিও", "অন্যান্য"]
    assert list(fig.data[-1].text) == ["গোপন"]  # the hidden NGO count of Medical, marked in Bangla
    assert list(fig.data[0].x) == ["চিকিৎসা", "আইনি সহায়তা"]
    # Hover text reads the number from customdata, written with Bengali digits and lakh grouping; a gap has none.
    assert list(fig.data[0].customdata) == ["১,২০০", "২৬"] and list(fig.data[1].customdata) == [None, "৫৫"]
    assert "%{customdata}" in fig.data[0].hovertemplate and "সরকারি" in fig.data[0].hovertemplate
    # The value axis is labelled with Bengali digits, up to the largest stacked bar (1,203).
    assert list(fig.layout.yaxis.tickvals) == [0, 200, 400, 600, 800, 1000, 1200, 1400]
    assert list(fig.layout.yaxis.ticktext) == ["০", "২০০", "৪০০", "৬০০", "৮০০", "১,০০০", "১,২০০", "১,৪০০"]
    assert table["columns"] == ["সেবার ধরন", "সরকারি", "এনজিও", "অন্যান্য", "মোট"]
    assert table["rows"][0] == ["চিকিৎসা", "১,২০০", "গোপন", "৩", "১,২৩৪"]
    assert table["caption"] == "সেবার ধরন ও সেবাদাতার ধরন অনুযায়ী এই সময়কালে করা রেফারেল"


def test_the_volume_panel_in_english_is_as_before():
    parts = build.volume_panel(_volume(), PARAMS)
    fig, table = figures(parts)[0], tables_in(parts)[0]
    assert chart_titles(parts) == ["Referrals made by service type and provider"]
    assert fig.layout.yaxis.tickvals is None and fig.layout.yaxis.ticktext is None  # Plotly's own ticks
    assert list(fig.data[0].customdata) == ["1,200", "26"]
    assert table["columns"] == ["Service type", "Government", "NGO", "Other", "Total"]
    assert table["rows"][0] == ["Medical", "1,200", "hidden", "3", "1,234"]


def test_trend_charts_name_quarters_in_words_and_the_table_reads_bangla():
    series = pd.DataFrame([
        {"indicator": code, "period": period, "area": "BD", "value": value, "suppressed": False, "withheld": False,
         "reliable": True}
        for code in build.TREND_CODES for period, value in (("2026-Q1", 12.25), ("2026-Q2", 1500.0))])
    with speaking("bn"):
        parts = build.turnaround_panel(series, "BD", PARAMS)
    days, share = figures(parts)[:2]
    assert list(days.data[0].x) == ["২০২৬, প্রান্তিক ১", "২০২৬, প্রান্তিক ২"]
    assert days.layout.xaxis.title.text == "প্রান্তিক" and days.layout.yaxis.title.text == "দিন"
    assert days.data[0].name == "প্রথম সেবা পর্যন্ত দিনের মধ্যমা"
    assert list(days.data[0].customdata) == ["১২.২", "১,৫০০.০"]
    assert list(share.layout.yaxis.ticktext) == ["০", "২০", "৪০", "৬০", "৮০", "১০০"]  # its set range, 0 to 100
    table = tables_in(parts)[0]
    assert table["columns"][0] == "সময়কাল" and table["rows"][0][0] == "২০২৬, প্রান্তিক ১"
    assert table["rows"][1][1] == "১,৫০০.০ দিন"


def test_the_waiting_curve_hover_and_table_speak_bangla():
    curve = referral_flow.kaplan_meier(pd.DataFrame({"hour": [23, 47, 71, 143], "served": [10, 5, 3, 1],
                                                     "closed": [0, 1, 0, 0], "open": [0, 0, 2, 0]}))
    with speaking("bn"):
        parts = build.waiting_curve_panel(curve, PARAMS)
    fig, table = figures(parts)[0], tables_in(parts)[0]
    trace = fig.data[0]
    assert trace.hovertemplate == "%{customdata[0]} দিন পর: %{customdata[1]} % এখনও অপেক্ষমাণ<extra></extra>"
    assert [list(point) for point in trace.customdata[:3]] == [["০", "১০০.০"], ["১", "৫৪.৫"], ["২", "৩১.৮"]]
    assert fig.layout.xaxis.title.text == "রেফারেলের পর থেকে দিন"
    assert set("".join(fig.layout.xaxis.ticktext)) <= BENGALI_DIGITS
    assert table["rows"][0] == ["১", "৫৪.৫", "১০", "০", "০", "১২"]
    assert "কাপলান-মায়ার" in table["caption"] and "১, ২, ৩, ৭, ১৪, ৩০" in table["caption"]


def test_the_waiting_curve_hover_in_english_is_as_before():
    curve = referral_flow.kaplan_meier(pd.DataFrame({"hour": [11], "served": [1], "closed": [0], "open": [0]}))
    trace = figures(build.waiting_curve_panel(curve, PARAMS))[0].data[0]
    assert trace.hovertemplate == "after %{customdata[0]} days: %{customdata[1]} % still waiting<extra></extra>"
    assert [list(point) for point in trace.customdata] == [["0", "100.0"], ["0.5", "0.0"]]


def test_an_external_curve_counts_the_referrals_it_leaves_out_in_bangla():
    intervals = pd.DataFrame({"interval": referral_flow.CURVE_INTERVALS[:1], "served": [40], "censored": [0]})
    with speaking("bn"):
        caption = tables_in(build.interval_curve_panel((intervals, 97, 3), PARAMS))[0]["caption"]
        refused = build.interval_curve_panel(None, PARAMS)[0].children
    assert caption.endswith("৩টি রেফারেল বাদ দেওয়া হয়েছে") and "পরের দিনগুলোতে" in caption
    assert refused.startswith("এই সময়কালে এখানে রেফারেল এত কম")


def test_open_referrals_name_bands_areas_and_services_in_bangla():
    frame = pd.DataFrame({"district_pcode": ["BD3026"], "service_type": ["medical"], "over 7 to 30 days": [20],
                          "over 30 to 90 days": [15], "over 90 days": [11], "total": [46], "oldest_days": [1400]},
                         dtype=object)
    with speaking("bn"):
        parts = build.open_referrals_panel(frame, {"BD3026": "ঢাকা"}, False, PARAMS)
    fig, table = figures(parts)[0], tables_in(parts)[0]
    assert [trace.name for trace in fig.data] == ["৭ দিনের বেশি থেকে ৩০ দিন", "৩০ দিনের বেশি থেকে ৯০ দিন",
                                                  "৯০ দিনের বেশি"]
    assert list(fig.data[0].y) == ["ঢাকা – চিকিৎসা"] and list(fig.data[0].customdata) == ["২০"]
    assert table["columns"][0] == "জেলা – সেবা" and table["rows"][0][-1] == "১,৪০০"


def test_the_band_names_are_the_query_bands():
    assert list(build.WAITING_BAND_NAMES) == [band for band, _low, _high in referral_flow.WAITING_BANDS]
    assert list(justice_build.PENDING_BAND_NAMES) == [band for band, _years in justice.PENDING_BANDS]


def test_the_funnel_and_pending_cases_speak_bangla():
    funnel = pd.DataFrame({"step": list(justice.FUNNEL_STEPS), "cases": [1200, 80, None, 38]}, dtype=object)
    pending = pd.Series({"under 1 year": 25, "1 to under 2 years": None, "2 to under 5 years": 3,
                         "5 years or more": 0, "total": 40}, dtype=object)
    with speaking("bn"):
        funnel_parts = justice_build.funnel_panel(funnel, PARAMS)
        pending_parts = justice_build.pending_panel(pending, PARAMS)
    bars = figures(funnel_parts)[0].data[0]
    assert list(bars.y) == ["অভিযোগ দায়ের", "অভিযোগপত্র", "বিচার শুরু", "রায় (দণ্ডিত বা খালাস)"]
    assert bars.hovertemplate == "%{y}: %{customdata}টি কেস<extra></extra>"
    assert list(bars.customdata) == ["১,২০০", "৮০", None, "৩৮"]
    assert tables_in(funnel_parts)[0]["rows"][1] == ["অভিযোগপত্র", "৮০", "৯৩.৩ %"]
    pending_table = tables_in(pending_parts)[0]
    assert pending_table["columns"] == ["প্রথম অভিযোগের পর থেকে সময়", "কেস"]
    assert pending_table["rows"][1] == ["১ থেকে ২ বছরের কম", "গোপন"] and pending_table["rows"][-1][1] == "৪০"


def test_the_survivors_panels_speak_bangla():
    counts = pd.DataFrame([dict(moment=moment, domain=domain, score=score, victims=victims)
                           for moment in survivors.MOMENTS for domain in schema.ASSESSMENT_DOMAINS
                           for score, victims in zip((1, 2, 3, 4, 0), (20, 30, 25, 25, 100))])
    rows = pd.DataFrame([{"indicator": code, "period": "2026-Q1", "area": "BD", "value": 40.0, "suppressed": False,
                          "withheld": False} for code in survivors_build.HEADLINE_CODES])
    with speaking("bn"):
        parts = survivors_build.domains_panel(counts, PARAMS)
        headline = survivors_build.headline_panel(rows, "BD", "বাংলাদেশ", 1500)
    means, first = figures(parts)[:2]
    assert means.layout.yaxis.title.text == "গড় স্কোর (১ সংকটে – ৪ ভালো অবস্থায়)"
    assert list(means.data[0].customdata)[0] == "২.৫" and means.data[0].name == "সর্বপ্রথম সেশন (বেসলাইন)"
    assert chart_titles(parts)[1] == "ক্ষেত্রভিত্তিক স্কোর: সর্বপ্রথম সেশন (বেসলাইন)"
    assert [trace.name for trace in first.data][0] == "স্কোর ১ (সংকটে)"
    assert tables_in(parts)[0]["rows"][0] == ["নিরাপত্তা", "২.৫", "২.৫"]
    assert headline[0].children == "বাংলাদেশ, ২০২৬, প্রান্তিক ১"
    assert headline[1].children[-1].children == "১,৫০০"


def test_ticks_are_round_steps_over_the_values():
    assert build.tick_values(0, 100, whole=False) == [0, 20, 40, 60, 80, 100]
    assert build.tick_values(1.5, 14, whole=False) == [0, 2, 4, 6, 8, 10, 12, 14]
    assert build.tick_values(0, 4, whole=False) == [0, 1, 2, 3, 4]
    assert build.tick_values(0, 0.9, whole=False) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert build.tick_values(0, 1, whole=True) == [0, 1]  # never half a referral


@pytest.mark.parametrize("language, expected", [("bn", "কেস"), ("en", "Cases")])
def test_a_panel_speaks_the_language_it_is_given_whatever_is_spoken_around_it(language, expected):
    words = panels.in_language(lambda svc, filter_: _("Cases"))
    with speaking("bn" if language == "en" else "en"):
        assert words(None, None, language) == expected


def test_no_ascii_digit_is_left_in_a_bangla_figure():
    """Every text of a chart (titles, names, hover data, ticks, marks) in Bangla carries Bengali digits only."""
    services = pd.DataFrame({"service_type": list(schema.SERVICE_TYPES), "services": [50, None, 30, 7, 0, 0, 0, 0]},
                            dtype=object)
    with speaking("bn"):
        parts = [build.volume_panel(_volume(), PARAMS), survivors_build.services_panel(services, PARAMS)]
    for fig, title in zip(figures(parts), chart_titles(parts)):
        texts = [title, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text, *fig.layout.yaxis.ticktext]
        for trace in fig.data:
            texts += [trace.name or "", *(text for text in trace.customdata or () if text), *trace.x,
                      *(trace.text or ())]
        assert not set("".join(texts)) & ASCII_DIGITS, texts
