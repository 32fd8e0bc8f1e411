"""A year as an audience shown released figures only is shown it: added up from its released quarters, for the
indicators whose year is the sum of its quarters. A year itself is never released (`queries.publication`)."""

from __future__ import annotations

import math
from datetime import date

from .definitions import INDICATORS, reliable
from .periods import Period, quarters_of


# The indicators whose year is the sum of its quarters (counts of events, and percentages of such counts): the only
# ones whose year can be added up from released quarters.
ADDITIVE_OVER_QUARTERS = ("cases_reported", "victims_identified", "minors_identified", "victims_brought_to_safety",
                          "reports_received", "referrals_made", "referrals_within_target_pct", "cases_referred_pct")


def released_year(code: str, year: Period, by_period: dict, today: date, whole: bool = True) -> dict | None:
    """A year's record added up from its released quarters' records (of the quarters begun by `today`): counts
    summed, percentages pooled; hidden when a part is hidden (the sum would give it away). `whole`: every quarter
    begun must be released; else the year so far runs to the last of its released first quarters (a year to date
    through Q3 while Q4 is under way). None (not available) for an indicator that does not add up over quarters,
    or when the quarters it needs are not released (or have no record)."""
    begun = [by_period.get(quarter.label) for quarter in quarters_of(year) if quarter.start <= today]
    if not whole:
        released = [not not_available(record) for record in begun]
        begun = begun[:released.index(False)] if False in released else begun
    if code not in ADDITIVE_OVER_QUARTERS or not begun or any(not_available(record) for record in begun):
        return None
    hidden = any(record["suppressed"] or record["withheld"] for record in begun)
    if hidden:
        return {"value": None, "numerator": None, "denominator": None, "suppressed": True, "withheld": False,
                "reliable": None}
    numerator = sum(float(record["numerator"]) for record in begun)
    if INDICATORS[code].kind == "count":
        return {"value": numerator, "numerator": numerator, "denominator": None, "suppressed": False,
                "withheld": False, "reliable": None}
    denominator = sum(float(record["denominator"]) for record in begun)
    percent = 100.0 * numerator / denominator if denominator else None
    return {"value": percent, "numerator": numerator, "denominator": denominator, "suppressed": False,
            "withheld": False, "reliable": None if percent is None else reliable("percent", percent, numerator)}


def not_available(record: dict | None) -> bool:
    """No record, or one that shows nothing and hides nothing (a quarter not released)."""
    return record is None or (not record["suppressed"] and not record["withheld"]
                              and all(missing(record.get(name)) for name in ("value", "numerator", "denominator")))


def missing(value) -> bool:
    """None or NaN: a figure that is not there."""
    return value is None or (isinstance(value, float) and math.isnan(value))
