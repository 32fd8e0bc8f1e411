"""Cases through the justice system: the complaint-to-verdict funnel and the age of pending cases.

Area is the case's district (and upazila). "Today" is an explicit `as_of`
date so results are reproducible and testable.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Date, bindparam, case, func, select

from . import schema as s
from .db import Databases
from .geography import Gazetteer
from .where import Where
from .referral_flow import read
from .scope import AreaFilter
from .periods import Period
from .sqlparts import count_if, in_any_period, in_period, in_values, period_label

# Funnel steps after the complaint, in order; a case counts at a step when it reached it or a later one.
FUNNEL_STEPS = ("complaint_filed", "charge_sheet", "trial_started", "verdict")
_STEP_OF_EVENT = {"charge_sheet": 1, "trial_started": 2, "convicted": 3, "acquitted": 3}
# Age of pending cases since their earliest complaint: (label, at least this many years).
PENDING_BANDS = (("under 1 year", 0), ("1 to under 2 years", 1), ("2 to under 5 years", 2), ("5 years or more", 5))
CLOSING_EVENTS = ("convicted", "acquitted", "dismissed")


def _date_param(day: date):
    return bindparam(None, day, type_=Date(), unique=True)


def _earliest_complaints(as_of: date, among=None):
    """Each case's earliest complaint by `as_of`; only for the cases `among` selects, when given."""
    e = s.legal_events.c
    query = select(e.case_id, func.min(e.event_on).label("complaint_on")).where(
        e.event_type == "complaint_filed", e.event_on <= _date_param(as_of))
    if among is not None:
        query = query.where(e.case_id.in_(among))
    return query.group_by(e.case_id).subquery("complaints")


def _in_area(filter_: AreaFilter, gazetteer: Gazetteer):
    c = s.cases.c
    return Where(filter_, gazetteer).condition(c.district_pcode, c.upazila_pcode)


def complaint_funnel(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter, as_of: date) -> pd.DataFrame:
    """Cases whose earliest complaint lies in the period, and how many of them reached each later step by `as_of`.

    Returns step, cases, and drop_off_pct (the share lost since the previous step; null for the first).
    """
    e, c = s.legal_events.c, s.cases.c
    # A case whose earliest complaint lies in the period has a complaint in it: only those cases are read.
    complained_in_period = select(e.case_id).where(e.event_type == "complaint_filed",
                                                   in_period(e.event_on, filter_.period))
    complaints = _earliest_complaints(as_of, among=complained_in_period)
    step = case(*((e.event_type == event, number) for event, number in _STEP_OF_EVENT.items()), else_=0)
    furthest = (select(e.case_id, func.max(step).label("furthest"))
                .where(e.event_on <= _date_param(as_of), e.case_id.in_(complained_in_period))
                .group_by(e.case_id).subquery("furthest"))
    reached = [count_if(furthest.c.furthest >= number).label(FUNNEL_STEPS[number]) for number in (1, 2, 3)]
    query = (select(func.count().label("complaint_filed"), *reached)
             .select_from(complaints.join(s.cases, c.case_id == complaints.c.case_id)
                          .outerjoin(furthest, furthest.c.case_id == complaints.c.case_id))
             .where(in_period(complaints.c.complaint_on, filter_.period), _in_area(filter_, gazetteer)))
    totals = read(databases.cases, query).iloc[0].fillna(0).astype("int64")
    counts = [int(totals[name]) for name in FUNNEL_STEPS]
    drop_off = [None] + [100.0 * (1 - later / earlier) if earlier else None for earlier, later in zip(counts, counts[1:])]
    return pd.DataFrame({"step": list(FUNNEL_STEPS), "cases": counts, "drop_off_pct": drop_off})


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def pending_case_ages(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter, as_of: date) -> pd.DataFrame:
    """Cases with a complaint and no verdict or dismissal by `as_of`, by time since their earliest complaint.

    Returns one row: a count per band of PENDING_BANDS and the total. Band
    edges are calendar years before `as_of`: exactly one year counts as "1 to under 2 years".
    """
    e, c = s.legal_events.c, s.cases.c
    complaints = _earliest_complaints(as_of)
    closed = (select(e.case_id).where(e.case_id == complaints.c.case_id, e.event_type.in_(CLOSING_EVENTS),
                                      e.event_on <= _date_param(as_of)).exists())
    edges = [_date_param(_years_before(as_of, years)) for _, years in PENDING_BANDS]
    complaint_on = complaints.c.complaint_on
    bands = []
    for index, (label, _) in enumerate(PENDING_BANDS):
        condition = complaint_on <= edges[index] if index else complaint_on > edges[1]
        if 0 < index < len(PENDING_BANDS) - 1:
            condition = condition & (complaint_on > edges[index + 1])
        bands.append(count_if(condition).label(label))
    query = (select(*bands, func.count().label("total"))
             .select_from(complaints.join(s.cases, c.case_id == complaints.c.case_id))
             .where(~closed, _in_area(filter_, gazetteer)))
    return read(databases.cases, query).fillna(0).astype("int64")


def _case_place(gazetteer: Gazetteer):
    c = s.cases.c
    return [c.district_pcode.label("area"), func.coalesce(c.upazila_pcode, "").label("upazila")]


def funnel_cube(databases: Databases, gazetteer: Gazetteer, periods: tuple[Period, ...], as_of: date) -> pd.DataFrame:
    """Cases whose earliest complaint lies in one of the periods, per period, district, upazila and the furthest
    step reached by `as_of` (0 complaint filed .. 3 verdict): the funnel of any area and period adds up from it."""
    e, c = s.legal_events.c, s.cases.c
    complained = select(e.case_id).where(e.event_type == "complaint_filed", in_any_period(e.event_on, periods))
    complaints = _earliest_complaints(as_of, among=complained)
    step = case(*((e.event_type == event, number) for event, number in _STEP_OF_EVENT.items()), else_=0)
    furthest = (select(e.case_id, func.max(step).label("furthest"))
                .where(e.event_on <= _date_param(as_of), e.case_id.in_(complained))
                .group_by(e.case_id).subquery("furthest"))
    period = period_label(complaints.c.complaint_on, periods)
    keys = [period.label("period"), *_case_place(gazetteer), func.coalesce(furthest.c.furthest, 0).label("furthest")]
    query = (select(*keys, func.count().label("cases"))
             .select_from(complaints.join(s.cases, c.case_id == complaints.c.case_id)
                          .outerjoin(furthest, furthest.c.case_id == complaints.c.case_id))
             .where(in_any_period(complaints.c.complaint_on, periods),
                    in_values(c.district_pcode, gazetteer.district_codes))
             .group_by(*keys))
    return read(databases.cases, query).astype({"furthest": "int64", "cases": "int64"})


def pending_cube(databases: Databases, gazetteer: Gazetteer, as_of: date) -> pd.DataFrame:
    """Pending cases (a complaint, no verdict or dismissal by `as_of`) per district, upazila and PENDING_BANDS
    band: the pending table of any area adds up from it."""
    e, c = s.legal_events.c, s.cases.c
    complaints = _earliest_complaints(as_of)
    closed = (select(e.case_id).where(e.case_id == complaints.c.case_id, e.event_type.in_(CLOSING_EVENTS),
                                      e.event_on <= _date_param(as_of)).exists())
    edges = [_date_param(_years_before(as_of, years)) for _, years in PENDING_BANDS[1:]]
    complaint_on = complaints.c.complaint_on
    band = case(*((complaint_on > edge, label) for edge, (label, _) in zip(edges, PENDING_BANDS)),
                else_=PENDING_BANDS[-1][0])
    keys = [*_case_place(gazetteer), band.label("band")]
    query = (select(*keys, func.count().label("cases"))
             .select_from(complaints.join(s.cases, c.case_id == complaints.c.case_id))
             .where(~closed, in_values(c.district_pcode, gazetteer.district_codes))
             .group_by(*keys))
    return read(databases.cases, query).astype({"cases": "int64"})
