"""What a table says of its quarters' releases (`queries.releases`): when each was released and revised, and, for
leadership, where a live figure now differs from the released one and by how much. The lines go in the table's
notes, so that the page, its printout and both files say the same."""

from __future__ import annotations

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
                   "later do not change them; a quarter not released shows no figures, and neither does a year "
                   "(its quarters are released, not the year). Releases:")
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


def release_notes(svc: Services, quarters: list[Period], area: str, live: pd.DataFrame | None,
                  released_only: bool = False) -> tuple[str, ...]:
    """A line saying the figures are live (or, `released_only`, that they are each quarter's latest release),
    then a line per quarter shown, oldest first; then, given `live` (leadership's exact figures: the engine's
    columns indicator, period, area and value), each indicator whose total of `area` differs from its quarter's
    latest release, with both values and the difference. None without the app's store (nothing can have been
    released), unless the figures are released ones only: then a line says none can be shown."""
    if svc.store is None:
        return (_(NO_STORE),) if released_only else ()
    found = quarter_releases(svc.store, quarters)
    zone = svc.settings.timezone
    lines = [_(RELEASED_ONLY if released_only else LIVE),
             *[release_line(period_name(quarter.label), found.get(quarter.label, []), zone) for quarter in quarters]]
    for quarter in (quarter for quarter in quarters if live is not None and quarter.label in found):
        latest = found[quarter.label][-1]
        own = live[live["area"].eq(area) & live["period"].eq(quarter.label)]
        changed = changed_since_release(svc.store.release_figures(latest.id, area), own)
        lines += [_change_line(row, quarter, latest, zone) for row in changed.itertuples()]
    return tuple(lines)


def _change_line(row, quarter: Period, release: Release, zone: ZoneInfo) -> str:
    kind = INDICATORS[row.indicator].kind
    difference = row.live - row.released
    if pd.isna(difference):
        shown_difference = _("then not available") if pd.isna(row.released) else _("now not available")
    else:
        sign = "+" if difference > 0 else "\u2212"
        shown_difference = sign + number(abs(difference), 0 if kind == "count" else 1)
    return _(CHANGED).format(indicator=_(INDICATORS[row.indicator].label), quarter=period_name(quarter.label),
                             live=format_value(row.live, kind), released=format_value(row.released, kind),
                             day=_local_day(release.released_at, zone), difference=shown_difference)
