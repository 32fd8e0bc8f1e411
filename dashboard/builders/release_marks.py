"""What a table says of its quarters' releases (`queries.releases`): when each was released and revised, and, for
leadership, where a live figure now differs from the released one and by how much. The lines go in the table's
notes, so that the page, its printout and both files say the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from impact_monitor.services import Services
from queries.definitions import INDICATORS
from queries.periods import Period
from queries.releases import changed_since_release, quarter_releases
from queries.store import Release

from ..components import format_value
from ..i18n import N_, _, day, digits, number, period_name

RELEASED = N_("{quarter}: released on {day} by {who}.")
REVISED = N_("{quarter}: released on {day} by {who}; revised on {revised} by {reviser} (revision {revision}).")
PROVISIONAL = N_("Provisional: released before the quarter ended.")
NOT_RELEASED = N_("{quarter}: not released.")
LIVE = N_("The figures are live, counted from the records as they stand. Releases:")
RELEASED_ONLY = N_("The figures are as released: each quarter's from its latest release, so records that arrive "
                   "later do not change them; a quarter not released shows no figures. Releases:")
NO_STORE = N_("The figures shown here are released ones only, and the store that holds the releases cannot be "
              "opened: no figures can be shown.")
CHANGED = N_("{indicator}, {quarter}: {live} now, {released} in the release of {day} ({difference}).")


def release_line(quarter: str, releases: list[Release], zone: ZoneInfo) -> str:
    """One quarter's releases in words: the first, and the latest revision when there is more than one."""
    if not releases:
        return _(NOT_RELEASED).format(quarter=quarter)
    first, latest = releases[0], releases[-1]
    line = _(RELEASED if latest.revision == first.revision else REVISED).format(
        quarter=quarter, day=_local_day(first.released_at, zone), who=first.released_by,
        revised=_local_day(latest.released_at, zone), reviser=latest.released_by, revision=digits(str(latest.revision)))
    return f"{line} {_(PROVISIONAL)}" if latest.provisional else line


def _local_day(moment: datetime, zone: ZoneInfo) -> str:
    return day(moment.astimezone(zone).date())


@dataclass(frozen=True)
class Change:
    """An indicator's total whose live value differs from its quarter's latest release (NaN: not available)."""

    indicator: str
    quarter: Period
    released: float
    live: float
    release: Release


def live_changes(svc: Services, quarters: list[Period], found: dict[str, list[Release]], area: str,
                 live: pd.DataFrame | None) -> list[Change]:
    """Given `live` (leadership's exact figures: the engine's columns indicator, period, area and value) and the
    quarters' releases (`found`: `queries.releases.quarter_releases`), each indicator whose total of `area`
    differs from its quarter's latest release, quarter by quarter; none without `live` (an external audience's
    difference could reveal a count hidden in one of the two)."""
    if live is None:
        return []
    changes = []
    for quarter in (quarter for quarter in quarters if quarter.label in found):
        latest = found[quarter.label][-1]
        own = live[live["area"].eq(area) & live["period"].eq(quarter.label)]
        changed = changed_since_release(svc.store.release_figures(latest.id, area), own)
        changes += [Change(row.indicator, quarter, row.released, row.live, latest) for row in changed.itertuples()]
    return changes


def change_marks(changes: list[Change]) -> dict[tuple[str, str], str]:
    """{(indicator, quarter label): how its cell says it moved since the release} ("+9 since release")."""
    return {(change.indicator, change.quarter.label): _cell_change(change) for change in changes}


def _cell_change(change: Change) -> str:
    if pd.isna(change.released):
        return _("not available when released")
    if pd.isna(change.live):
        return _("{released} when released").format(
            released=format_value(change.released, INDICATORS[change.indicator].kind))
    return _("{difference} since release").format(difference=_difference(change))


def release_notes(svc: Services, quarters: list[Period], found: dict[str, list[Release]], changes: list[Change],
                  released_only: bool = False) -> tuple[str, ...]:
    """A line saying the figures are live (or, `released_only`, that they are each quarter's latest release),
    then a line per quarter shown, oldest first (`found`: their releases); then each of `changes`
    (`live_changes`), with both values and the difference. None without the app's store (nothing can have been
    released), unless the figures are released ones only: then a line says none can be shown."""
    if svc.store is None:
        return (_(NO_STORE),) if released_only else ()
    zone = svc.settings.timezone
    return (_(RELEASED_ONLY if released_only else LIVE),
            *[release_line(period_name(quarter.label), found.get(quarter.label, []), zone) for quarter in quarters],
            *[_change_line(change, zone) for change in changes])


def quarter_headings(quarters: list[Period], found: dict[str, list[Release]], released_only: bool) -> list[str]:
    """Each quarter's column heading: its name, and for an audience shown released figures only, "(provisional)"
    where the figures are those of a provisional release (released before the quarter ended: they will change).
    Live figures are not a release's, so their headings say nothing of it."""
    provisional = {label for label, releases in found.items() if releases[-1].provisional} if released_only else set()
    return [_("{quarter} (provisional)").format(quarter=period_name(quarter.label)) if quarter.label in provisional
            else period_name(quarter.label) for quarter in quarters]


def _difference(change: Change) -> str:
    if pd.isna(change.live - change.released):
        return _("then not available") if pd.isna(change.released) else _("now not available")
    difference = change.live - change.released
    sign = "+" if difference > 0 else "\u2212"
    if INDICATORS[change.indicator].kind == "count":
        return sign + number(abs(difference), 0)
    # One decimal, as the figures read, or as many as it takes not to read as no change (+0.004, not +0.0).
    decimals = next((places for places in range(1, 6) if round(abs(difference), places)), 6)
    return sign + number(abs(difference), decimals)


def _change_line(change: Change, zone: ZoneInfo) -> str:
    kind = INDICATORS[change.indicator].kind
    return _(CHANGED).format(indicator=_(INDICATORS[change.indicator].label), quarter=period_name(change.quarter.label),
                             live=format_value(change.live, kind), released=format_value(change.released, kind),
                             day=_local_day(change.release.released_at, zone), difference=_difference(change))
