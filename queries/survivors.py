"""Survivors' recovery across the six assessment domains, and services delivered in the area.

Scores outside 1..4 are data errors and are left out. Area is the victim's
case district (assessments) or the district where a service was delivered
(referrals: the referral database links to cases by case_ref only).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func, literal, select, union_all

from . import schema as s
from .db import Databases
from .geography import Gazetteer
from .indicators import _Where
from .referral_flow import read, referral_area
from .scope import AreaFilter
from .sqlparts import in_period

SCORES = (1, 2, 3, 4)
MOMENTS = ("first", "latest")


def score_counts(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Per domain, how many victims scored 1, 2, 3, 4 at their first and at their latest session in the period.

    Victims with a session in the period; a victim with one session counts in
    both moments. Returns moment, domain, score, victims (zeros filled in).
    """
    a, v, c = s.survivor_assessments.c, s.victims.c, s.cases.c
    valid = and_(in_period(a.assessed_on, filter_.period), a.score.between(1, 4))
    sessions = (select(a.victim_id, func.min(a.assessed_on).label("first_on"),
                       func.max(a.assessed_on).label("latest_on"))
                .where(valid).group_by(a.victim_id).subquery("sessions"))
    in_area = _Where(filter_, gazetteer).condition(c.district_pcode, c.upazila_pcode)
    joined = (s.survivor_assessments.join(sessions, sessions.c.victim_id == a.victim_id)
              .join(s.victims, v.victim_id == a.victim_id).join(s.cases, c.case_id == v.case_id))

    def at(moment: str, session_on):
        return (select(literal(moment).label("moment"), a.domain, a.score, func.count().label("victims"))
                .select_from(joined).where(valid, a.assessed_on == session_on, in_area)
                .group_by(a.domain, a.score))

    counts = read(databases.cases, union_all(at("first", sessions.c.first_on), at("latest", sessions.c.latest_on)))
    grid = pd.MultiIndex.from_product([MOMENTS, s.ASSESSMENT_DOMAINS, SCORES], names=["moment", "domain", "score"])
    counts = counts.astype({"score": "int64"}).set_index(["moment", "domain", "score"])
    return counts.reindex(grid, fill_value=0).astype("int64").reset_index()


def victims_followed_up(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Victims assessed in the period with two or more sessions in it (first and latest differ): one row,
    column `victims`."""
    a, v, c = s.survivor_assessments.c, s.victims.c, s.cases.c
    sessions = (select(a.victim_id, func.count(a.assessed_on.distinct()).label("sessions"))
                .where(in_period(a.assessed_on, filter_.period), a.score.between(1, 4))
                .group_by(a.victim_id).subquery("sessions"))
    query = (select(func.count().label("victims"))
             .select_from(sessions.join(s.victims, v.victim_id == sessions.c.victim_id)
                          .join(s.cases, c.case_id == v.case_id))
             .where(sessions.c.sessions >= 2, _Where(filter_, gazetteer).condition(c.district_pcode, c.upazila_pcode)))
    return read(databases.cases, query).fillna(0)


def domain_means(counts: pd.DataFrame) -> pd.DataFrame:
    """Mean score and number of victims per moment and domain, from the score counts."""
    weighted = counts.assign(points=counts["score"] * counts["victims"])
    sums = weighted.groupby(["moment", "domain"], sort=False)[["points", "victims"]].sum().reset_index()
    sums["mean_score"] = [p / n if n else None for p, n in zip(sums["points"], sums["victims"])]
    return sums[["moment", "domain", "victims", "mean_score"]]


def services_delivered(databases: Databases, gazetteer: Gazetteer, filter_: AreaFilter) -> pd.DataFrame:
    """Referrals whose first service came in the period, per service type, where the service was delivered."""
    r = s.referrals.c
    query = (select(r.service_type, func.count().label("services"))
             .where(in_period(r.first_service_at, filter_.period),
                    r.first_service_at >= r.referred_at,
                    referral_area(filter_, gazetteer, r.district_pcode))
             .group_by(r.service_type))
    counts = read(databases.referrals, query).set_index("service_type").reindex(list(s.SERVICE_TYPES), fill_value=0)
    return counts.astype("int64").rename_axis("service_type").reset_index()
