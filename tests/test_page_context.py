"""What every page says about itself: how fresh its data are, and which period is still in progress."""

from __future__ import annotations

from datetime import date, datetime

from dashboard.context import period_text
from dashboard.i18n import speaking
from dashboard.print_header import data_as_of_line
from queries.periods import parse_period

LATEST = {"cases": {"cases.reported_on": date(2026, 11, 23), "victims.identified_on": date(2026, 11, 20),
                    "legal_events.event_on": None},
          "referrals": {"reports.received_at": None, "referrals.referred_at": None}}


def test_data_as_of_names_each_database_and_its_newest_day():
    latest = {**LATEST, "referrals": {"reports.received_at": datetime(2026, 11, 28, 23, 30),
                                      "referrals.referred_at": datetime(2026, 11, 27, 8, 0)}}
    assert data_as_of_line(latest, "Asia/Dhaka") == (
        "Data as of: case database 2026-11-23, referral database 2026-11-28 (dates in Asia/Dhaka).")
    assert data_as_of_line(LATEST, "Europe/London") == (
        "Data as of: case database 2026-11-23, referral database: no records (dates in Europe/London).")
    with speaking("bn"):
        assert data_as_of_line(latest, "Asia/Dhaka") == (
            "ডেটা হালনাগাদ: কেস ডেটাবেস ২৩ নভেম্বর ২০২৬, রেফারেল ডেটাবেস ২৮ নভেম্বর ২০২৬ "
            "(তারিখ বাংলাদেশ সময় অনুযায়ী)।")
        assert data_as_of_line(latest, "Asia/Dhaka", labelled=False) == (  # a file's note, under its own label
            "কেস ডেটাবেস ২৩ নভেম্বর ২০২৬, রেফারেল ডেটাবেস ২৮ নভেম্বর ২০২৬ (তারিখ বাংলাদেশ সময় অনুযায়ী)।")
    assert data_as_of_line(latest, "Asia/Dhaka", labelled=False) == (
        "case database 2026-11-23, referral database 2026-11-28 (dates in Asia/Dhaka).")


def test_a_period_still_running_is_marked_in_progress_up_to_today():
    today = date(2026, 11, 30)
    assert period_text(parse_period("2026-Q4"), today) == "2026-Q4 (in progress, up to 2026-11-30)"
    assert period_text(parse_period("2026-Q3"), today) == "2026-Q3"
    assert period_text(parse_period("2026"), today) == "Year 2026 (in progress, up to 2026-11-30)"
    assert period_text(parse_period("2025"), today) == "Year 2025"
    assert period_text(parse_period("2026-Q4"), date(2027, 1, 1)) == "2026-Q4"  # the day after it ends
    with speaking("bn"):
        assert period_text(parse_period("2026-Q4"), today) == "২০২৬, প্রান্তিক ৪ (চলমান, ৩০ নভেম্বর ২০২৬ পর্যন্ত)"
        assert period_text(parse_period("2025"), today) == "২০২৫ সাল"
