"""How referrals flow to services: volume, time to first service, and what still waits.

Area is the district where the service is delivered; the referral database
records no upazila, so these queries refuse an upazila filter. "Now" is an
explicit `as_of` (a naive UTC instant, the start of the local day) so results
are reproducible and testable. Timestamps are compared as instants and
periods are local (`queries.localtime`).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import and_, case, func, or_, select

from . import schema as s
from .db import Databases
from .geography import Gazetteer
from .where import Where
from .scope import AreaFilter, FilterError
from .periods import Period
from .localtime import DAY_S
from .sqlparts import count_if, in_values

# Waiting-time bands of open referrals, in days: (label, lower bound exclusive, upper bound inclusive).
WAITING_BANDS = (("over 7 to 30 days", 7, 30), ("over 30 to 90 days", 30, 90), ("over 90 days", 90, None))


def require_districts(filter_: AreaFilter, gazetteer: Gazetteer) -> Where:
    """The filter's area restriction; refused for an upazila, which referral tables do not record."""
    where = Where(filter_, gazetteer)
    if where.has_upazila_detail:
        raise FilterError("The referral database records districts, not upazilas: choose a district or a larger area.")
    return where


def referral_area(filter_: AreaFilter, gazetteer: Gazetteer, district_column):
    """The filter's area as a condition on a referral table's district column."""
    return require_districts(filter_, gazetteer).condition(district_column)


def read(engine, query) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _none_or_after(instant, moment):
    return or_(instant.is_(None), instant > moment)


def _no_service_before_referral(timestamps):
    """No first service, or one not before the referral (one before it is a data error, left out)."""
    r = s.referrals.c
    first_service = timestamps.instant(r.first_service_at)
    return or_(first_service.is_(None), first_service >= timestamps.instant(r.referred_at))


def volume_by_service_and_provider(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Referrals made in the period: one row per service type, a column per provider type and `total`."""
    r, t = s.referrals.c, databases.timestamps
    query = (select(r.service_type, r.provider_type, func.count().label("referrals"))
             .where(t.in_period(r.referred_at, filter_.period), referral_area(filter_, gazetteer, r.district_pcode))
             .group_by(r.service_type, r.provider_type))
    counts = read(databases.referrals, query)
    table = (counts.pivot_table(index="service_type", columns="provider_type", values="referrals", aggfunc="sum")
             .reindex(index=list(s.SERVICE_TYPES), columns=list(s.PROVIDER_TYPES)).fillna(0).astype("int64"))
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.rename_axis("service_type").reset_index()


def within_target_by_urgency(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Per urgency: referrals made in the period and those first served within the urgency's target.

    The same rule as the indicator referrals_within_target_pct: exactly on the target counts as within.
    """
    r, t = s.referrals.c, databases.timestamps
    waited = t.seconds_between(r.first_service_at, r.referred_at)
    target_s = case((r.urgency == "urgent", s.URGENCY_TARGET_HOURS["urgent"] * 3600),
                    else_=s.URGENCY_TARGET_HOURS["routine"] * 3600)
    served = t.not_before(r.first_service_at, r.referred_at)
    query = (select(r.urgency, func.count().label("referrals"),
                    count_if(and_(served, waited <= target_s)).label("within_target"))
             .where(t.in_period(r.referred_at, filter_.period), referral_area(filter_, gazetteer, r.district_pcode))
             .group_by(r.urgency))
    counts = read(databases.referrals, query).set_index("urgency").reindex(list(s.URGENCIES)).fillna(0)
    return counts.astype("int64").rename_axis("urgency").reset_index()


def waiting_hour_counts(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter,
                        as_of: datetime) -> pd.DataFrame:
    """Per whole hour waited: referrals first served in that hour (the event), and referrals censored in it:
    `closed` (closed without a service, censored at the closing) and `open` (still waiting at `as_of`, censored
    there: they are known to have waited at least that long).

    Referrals made in the period up to `as_of`. A first service or a closing
    recorded before the referral is a data error (a negative duration): such a
    referral is left out of the curve, as the check counts it. Columns: hour,
    served, closed, open.
    """
    r, t = s.referrals.c, databases.timestamps
    now = t.at(as_of)
    served = func.coalesce(t.instant(r.first_service_at) <= now, False)
    closed_unserved = and_(~served, func.coalesce(t.instant(r.closed_at) < now, False))
    waited_until = case((served, t.instant(r.first_service_at)), (closed_unserved, t.instant(r.closed_at)), else_=now)
    seconds = t.seconds_from(waited_until, t.instant(r.referred_at))
    hour = t.whole_hours(seconds).label("hour")
    query = (select(hour, count_if(served).label("served"), count_if(closed_unserved).label("closed"),
                    count_if(and_(~served, ~closed_unserved)).label("open"))
             .where(t.in_period(r.referred_at, filter_.period), t.instant(r.referred_at) <= now, seconds >= 0,
                    _no_service_before_referral(t), referral_area(filter_, gazetteer, r.district_pcode))
             .group_by(hour).order_by(hour))
    return read(databases.referrals, query).astype("int64")


def kaplan_meier(hour_counts: pd.DataFrame) -> pd.DataFrame:
    """The Kaplan-Meier estimate of still waiting (Kaplan and Meier, JASA 1958), from `waiting_hour_counts`.

    S(t) = prod over hours h <= t of (1 - d_h / n_h), where n_h is the number
    still waiting at the start of hour h. A referral censored within an hour
    counts as at risk for that hour's services (events before censorings at a
    tie, the usual convention, as lifelines has it). Returns hour, at_risk,
    served, closed, open, still_waiting (a share, 0..1).
    """
    columns = ["hour", "at_risk", "served", "closed", "open", "still_waiting"]
    rows = hour_counts.sort_values("hour")
    at_risk = int(rows[["served", "closed", "open"]].to_numpy().sum())
    survival, records = 1.0, []
    for hour, served, closed, still_open in rows[["hour", "served", "closed", "open"]].itertuples(index=False):
        if at_risk:
            survival *= 1 - served / at_risk
        records.append(dict(zip(columns, (int(hour), at_risk, int(served), int(closed), int(still_open), survival))))
        at_risk -= served + closed + still_open
    return pd.DataFrame.from_records(records, columns=columns)


def open_referrals_by_waiting_band(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter,
                                   as_of: datetime) -> pd.DataFrame:
    """Referrals still open at `as_of` (no first service, not closed) and waiting over 7 days.

    One row per district and service type with a count per waiting band, the
    total, and the oldest waiting time in whole days (an age, never an identity).
    """
    r, t = s.referrals.c, databases.timestamps
    now = t.at(as_of)
    waited = t.seconds_from(now, t.instant(r.referred_at))
    bands = []
    for label, low, high in WAITING_BANDS:
        in_band = waited > low * DAY_S if high is None else and_(waited > low * DAY_S, waited <= high * DAY_S)
        bands.append(count_if(in_band).label(label))
    query = (select(r.district_pcode, r.service_type, *bands, func.count().label("total"),
                    func.max(t.whole_days(waited)).label("oldest_days"))
             .where(t.instant(r.referred_at) <= now,
                    _none_or_after(t.instant(r.first_service_at), now), _none_or_after(t.instant(r.closed_at), now),
                    waited > WAITING_BANDS[0][1] * DAY_S,
                    referral_area(filter_, gazetteer, r.district_pcode))
             .group_by(r.district_pcode, r.service_type)
             .order_by(r.district_pcode, r.service_type))
    frame = read(databases.referrals, query)
    count_columns = [label for label, _, _ in WAITING_BANDS] + ["total", "oldest_days"]
    frame[count_columns] = frame[count_columns].astype("int64")
    return frame



# The time-to-first-service curve that suppressed audiences see is read at these days only: each interval between
# two marks is a cell of counts (served in it, and followed no longer in it) that small-cell suppression protects.
CURVE_MARKS_DAYS = (1, 3, 7, 14, 30, 90)
CURVE_INTERVALS = tuple(f"{low}-{high}" for low, high in zip((0,) + CURVE_MARKS_DAYS, CURVE_MARKS_DAYS)) + (
    f"{CURVE_MARKS_DAYS[-1]}+",)
# The referrals the curve leaves out, as the leadership's Kaplan-Meier estimate does: a first service or a
# closing recorded before the referral, or a referral made after the moment the curve is read.
LEFT_OUT = "left out"
CUBE_INTERVALS = CURVE_INTERVALS + (LEFT_OUT,)


def referral_cube(databases: Databases, gazetteer: Gazetteer, periods: tuple[Period, ...],
                  as_of: datetime) -> pd.DataFrame:
    """Referrals made in the periods, counted per period, district, service, provider, urgency, curve interval,
    served and within target: every referral table of the pages adds up from it.

    `served` is a first service not before the referral (as the turnaround
    indicators count it), `within_target` a service within the urgency's
    target. `interval` (a CUBE_INTERVALS label) is where the referral leaves
    the time-to-first-service curve: at its first service, at its closing if
    closed unserved before `as_of`, or at `as_of`; LEFT_OUT for a negative
    time (a first service or closing recorded before the referral, or a
    referral made after `as_of`), which is not on the curve at all.
    """
    r, t = s.referrals.c, databases.timestamps
    now = t.at(as_of)
    waited = t.seconds_between(r.first_service_at, r.referred_at)
    served = t.not_before(r.first_service_at, r.referred_at)
    target_s = case((r.urgency == "urgent", s.URGENCY_TARGET_HOURS["urgent"] * 3600),
                    else_=s.URGENCY_TARGET_HOURS["routine"] * 3600)
    left_at = case((served, t.instant(r.first_service_at)), (t.instant(r.closed_at) < now, t.instant(r.closed_at)),
                   else_=now)
    followed = t.seconds_from(left_at, t.instant(r.referred_at))
    left_out = or_(~_no_service_before_referral(t), followed < 0)
    interval = case((left_out, LEFT_OUT),
                    *((followed < mark * DAY_S, label) for mark, label in zip(CURVE_MARKS_DAYS, CURVE_INTERVALS)),
                    else_=CURVE_INTERVALS[-1])
    period = t.period_label(r.referred_at, periods)
    keys = [period.label("period"), r.district_pcode.label("area"), r.service_type, r.provider_type, r.urgency,
            interval.label("interval"), case((served, 1), else_=0).label("served"),
            case((and_(served, waited <= target_s), 1), else_=0).label("within_target")]
    query = (select(*keys, func.count().label("referrals"))
             .where(t.in_any_period(r.referred_at, periods), in_values(r.district_pcode, gazetteer.district_codes))
             .group_by(*keys))
    frame = read(databases.referrals, query)
    return frame.astype({"served": "int64", "within_target": "int64", "referrals": "int64"})


def life_table(intervals: pd.DataFrame, at_risk: int) -> pd.DataFrame:
    """The actuarial (life-table) estimate of still waiting at the end of each interval but the open last one.

    `intervals` has rows for the first CURVE_INTERVALS labels, in order, with
    the referrals first served in each (`served`) and those followed no longer
    in it (`censored`); `at_risk` is the referrals at the start. A referral
    censored within an interval is at risk for half of it:
    q = served / (at risk - censored / 2), S = product of (1 - q) (Cutler and
    Ederer, J Chronic Dis 1958). Returns days (the interval's end), at_risk,
    still_waiting_pct.
    """
    at_risk = float(at_risk)
    survival, records = 1.0, []
    for days, served, censored in zip(CURVE_MARKS_DAYS, intervals["served"], intervals["censored"]):
        exposed = at_risk - censored / 2
        if exposed > 0:
            survival *= 1 - served / exposed
        records.append({"days": days, "at_risk": at_risk, "still_waiting_pct": 100 * survival})
        at_risk -= served + censored
    return pd.DataFrame.from_records(records, columns=["days", "at_risk", "still_waiting_pct"])
