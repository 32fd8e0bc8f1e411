"""Survivors' recovery across the six assessment domains, and services delivered in the area.

Scores outside 1..4 are data errors and are left out. A survivor assessed in
a period is compared from their first session ever (their baseline, however
long before) to their latest session up to the period's end. Area is the
victim's case district (assessments) or the district where a service was
delivered (referrals: the referral database links to cases by case_ref only).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, literal, select, union_all

from . import schema as s
from .db import Databases
from .geography import Gazetteer
from .where import Where
from .referral_flow import read, referral_area
from .periods import Period
from .scope import AreaFilter
from .sqlparts import date_param, in_any_period, in_values, period_label, real_date

SCORES = (1, 2, 3, 4)
MOMENTS = ("first", "latest")


def score_counts(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Per domain, how many victims scored 1, 2, 3, 4 at their first session ever (baseline) and at their latest
    session up to the period's end.

    Victims with a session in the period; a victim with one session ever
    counts the same in both moments. Returns moment, domain, score, victims
    (zeros filled in).
    """
    a, v, c = s.survivor_assessments.c, s.victims.c, s.cases.c
    compared = _compared_sessions((filter_.period,))
    in_area = Where(filter_, gazetteer).condition(c.district_pcode, c.upazila_pcode)
    joined = (s.survivor_assessments.join(compared, compared.c.victim_id == a.victim_id)
              .join(s.victims, v.victim_id == a.victim_id).join(s.cases, c.case_id == v.case_id))

    def at(moment: str, session_on):
        return (select(literal(moment).label("moment"), a.domain, a.score, func.count().label("victims"))
                .select_from(joined).where(a.assessed_on == session_on, a.score.between(1, 4), in_area)
                .group_by(a.domain, a.score))

    counts = read(databases.cases, union_all(at("first", compared.c.first_on), at("latest", compared.c.latest_on)))
    grid = pd.MultiIndex.from_product([MOMENTS, s.ASSESSMENT_DOMAINS, SCORES], names=["moment", "domain", "score"])
    counts = counts.astype({"score": "int64"}).set_index(["moment", "domain", "score"])
    return counts.reindex(grid, fill_value=0).astype("int64").reset_index()


def victims_followed_up(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Victims assessed in the period with two or more sessions ever up to the period's end (their first session
    ever is not their latest): one row, column `victims`."""
    v, c = s.victims.c, s.cases.c
    compared = _compared_sessions((filter_.period,))
    query = (select(func.count().label("victims"))
             .select_from(compared.join(s.victims, v.victim_id == compared.c.victim_id)
                          .join(s.cases, c.case_id == v.case_id))
             .where(compared.c.first_on < compared.c.latest_on,
                    Where(filter_, gazetteer).condition(c.district_pcode, c.upazila_pcode)))
    return read(databases.cases, query).fillna(0)


def services_delivered(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Referrals whose first service came in the period, per service type, where the service was delivered."""
    r, t = s.referrals.c, databases.timestamps
    query = (select(r.service_type, func.count().label("services"))
             .where(t.in_period(r.first_service_at, filter_.period),
                    t.not_before(r.first_service_at, r.referred_at),
                    referral_area(filter_, gazetteer, r.district_pcode))
             .group_by(r.service_type))
    counts = read(databases.referrals, query).set_index("service_type").reindex(list(s.SERVICE_TYPES), fill_value=0)
    return counts.astype("int64").rename_axis("service_type").reset_index()


def _compared_sessions(periods: tuple[Period, ...]):
    """Per victim assessed in each period: victim_id, period, `first_on` their first session ever (their
    baseline) and `latest_on` their latest session up to the period's end.

    The latest session up to the end is the latest in the period, since the
    victim has one there; the baseline is then never after the period's end.
    A session after the end is ignored. Periods must not overlap.
    """
    a = s.survivor_assessments.c
    period = period_label(a.assessed_on, periods)
    latest = (select(a.victim_id, period.label("period"), func.max(a.assessed_on).label("latest_on"))
              .where(in_any_period(a.assessed_on, periods), a.score.between(1, 4))
              .group_by(a.victim_id, period).subquery("latest"))
    # Only the victims assessed in the periods: their id's index then serves, not the whole history.
    assessed = select(a.victim_id).where(in_any_period(a.assessed_on, periods), a.score.between(1, 4))
    baselines = (select(a.victim_id, func.min(a.assessed_on).label("first_on"))
                 .where(a.assessed_on < date_param(max(p.end for p in periods)), real_date(a.assessed_on),
                        a.score.between(1, 4), a.victim_id.in_(assessed))
                 .group_by(a.victim_id).subquery("baselines"))
    return (select(latest.c.victim_id, latest.c.period, baselines.c.first_on, latest.c.latest_on)
            .select_from(latest.join(baselines, baselines.c.victim_id == latest.c.victim_id))
            .subquery("compared"))


def _case_place(gazetteer: Gazetteer):
    c = s.cases.c
    return [c.district_pcode.label("area"), func.coalesce(c.upazila_pcode, "").label("upazila")], \
        in_values(c.district_pcode, gazetteer.district_codes)


def survivor_cube(databases: Databases, gazetteer: Gazetteer, periods: tuple[Period, ...]) -> pd.DataFrame:
    """Per period, district and upazila: victims assessed in the period with two or more sessions ever up to its
    end (followed up), and per moment, domain and score how many victims scored it at their first session ever
    (baseline) and at their latest session up to the period's end.

    Periods must not overlap; a year is not the sum of its quarters (a
    victim assessed in two quarters counts once in the year), so ask for
    each on its own. Returns period, area, upazila, moment (`all` for the
    followed-up row), domain, score, victims.
    """
    a, v, c = s.survivor_assessments.c, s.victims.c, s.cases.c
    compared = _compared_sessions(periods)
    place, known = _case_place(gazetteer)
    followed = (select(compared.c.period, *place, literal("all").label("moment"), literal("").label("domain"),
                       literal(0).label("score"), func.count().label("victims"))
                .select_from(compared.join(s.victims, v.victim_id == compared.c.victim_id)
                             .join(s.cases, c.case_id == v.case_id))
                .where(compared.c.first_on < compared.c.latest_on, known)
                .group_by(compared.c.period, *place))
    joined = (s.survivor_assessments.join(compared, compared.c.victim_id == a.victim_id)
              .join(s.victims, v.victim_id == a.victim_id).join(s.cases, c.case_id == v.case_id))

    def at(moment: str, session_on):
        return (select(compared.c.period, *place, literal(moment).label("moment"), a.domain, a.score,
                       func.count().label("victims"))
                .select_from(joined)
                .where(a.assessed_on == session_on, a.score.between(1, 4), known)
                .group_by(compared.c.period, *place, a.domain, a.score))

    frame = read(databases.cases, union_all(followed, at("first", compared.c.first_on),
                                            at("latest", compared.c.latest_on)))
    return frame.astype({"score": "int64", "victims": "int64"})


def services_cube(databases: Databases, gazetteer: Gazetteer, periods: tuple[Period, ...]) -> pd.DataFrame:
    """Referrals whose first service came in each period, per period, district where it was delivered, and
    service type (a first service recorded before the referral is a data error and left out)."""
    r, t = s.referrals.c, databases.timestamps
    period = t.period_label(r.first_service_at, periods)
    keys = [period.label("period"), r.district_pcode.label("area"), r.service_type]
    query = (select(*keys, func.count().label("services"))
             .where(t.in_any_period(r.first_service_at, periods), t.not_before(r.first_service_at, r.referred_at),
                    in_values(r.district_pcode, gazetteer.district_codes))
             .group_by(*keys))
    return read(databases.referrals, query).astype({"services": "int64"})
