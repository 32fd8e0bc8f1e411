"""Releasing a quarter from the Quarterly indicators page, as `impact-monitor release` does: leadership freezes
the last quarter the table shows, every indicator for every area (`queries.releases`). Releasing it again is a
revision; a quarter that has not ended is refused unless released as provisional. The server checks the role on
every release, whatever the browser sends, and each release goes to the audit log."""

from __future__ import annotations

import logging
from datetime import date, datetime
from importlib.metadata import version

from dash import Input, Output, State, callback, ctx, dcc, html

from queries.releases import ReleaseRefused, quarter_releases, release_period, unchanged_since_revision_before

from .builders.quarterly import last_quarter
from .builders.release_marks import release_line
from .components import message
from .context import current_scope, guarded, parse_area_filter, services
from .i18n import N_, _, day, digits, period_name
from .security import AUDIT, audit_event, current_account

RELEASED_ID = "release-done"  # a release's outcome: the status line and the table's notes redraw
PROVISIONAL = "provisional"
OUTCOMES = {
    "released": N_("Released. The table's notes, the Donor report and its files say so now."),
    "unchanged": N_("Released again: no figure differs from the revision before, for any area. The table's notes "
                    "name the new revision."),
    "ended": N_("Released as final, not provisional: the quarter has ended."),
    "refused": N_("Only programme leadership releases figures."),
    "no_store": N_("Nothing can be released: the app's own store is not available."),
    "failed": N_("The release could not be made; the failure has been logged."),
}
NOT_ENDED = N_("{quarter} has not ended: tick Provisional to release it early, as figures that will change.")
log = logging.getLogger("impact_monitor.releases")


def release_control() -> html.Section | None:
    """The release button, for leadership only (None for anyone else)."""
    if current_scope().role != "leadership":
        return None
    heading = html.H3(_("Release"), id="release-heading")
    if services().store is None:
        return html.Section([heading, message(_(OUTCOMES["no_store"]), "info")], className="no-print")
    return html.Section([
        heading,
        html.P(_("Releasing freezes the last quarter shown: every indicator, for every area, as the records stand "
                 "now, with who released it and when. Releasing it again makes a revision; every revision is "
                 "kept. A quarter that has not ended can be released only as provisional.")),
        dcc.Loading(html.Div(id="release-fields")),
        dcc.Checklist(id="release-provisional", options=_provisional_option(), value=[]),
        # The browser asks before a release: every audience shown released figures sees it at once.
        dcc.ConfirmDialogProvider(html.Button(_("Release this quarter"), id="release-button", type="button",
                                              **{"aria-describedby": "release-waiting"}),
                                  id="release-confirm"),
    ], className="release-control no-print", **{"aria-labelledby": "release-heading"})


def _provisional_option() -> list[dict]:
    return [{"label": " " + _("Provisional: the quarter has not ended"), "value": PROVISIONAL}]


@callback(Output("release-fields", "children"), Output("release-button", "children"),
          Output("release-button", "disabled"), Output("release-confirm", "message"),
          Output("release-provisional", "options"),
          Input("filter-period", "value"), Input("filter-area", "value"), Input(RELEASED_ID, "data"),
          Input("release-provisional", "value"))
@guarded
def show_release(period, area, done, provisional):
    """The quarter's releases and the last release's outcome; the button and its question name the quarter; the
    Provisional tick is offered only while the quarter has not ended (an ended one offers none, rather than a
    hidden one a keyboard could still meet), and until it is ticked the button waits, saying why, rather than
    ask a question whose answer would be refused."""
    if current_scope().role != "leadership":
        return None, None, True, None, None
    svc = services()
    chosen = parse_area_filter(period, area)
    quarter = last_quarter(chosen.period, chosen.period.fiscal_year_start)
    releases = quarter_releases(svc.store, [quarter]).get(quarter.label, [])
    status = done if ctx.triggered_id == RELEASED_ID and isinstance(done, dict) else {}
    said = (_(OUTCOMES[status["outcome"]]) if status.get("outcome") in OUTCOMES
            else status.get("refusal"))
    name = period_name(quarter.label)
    question = _("Release {quarter}, every indicator for every area, as the records stand now? Donor accounts "
                 "shown released figures will see these figures at once.").format(quarter=name)
    if releases:
        question = _("Release {quarter} again, as revision {revision}? Donor accounts shown released figures will "
                     "see the new figures at once.").format(quarter=name, revision=digits(str(len(releases) + 1)))
    ended = quarter.end <= svc.databases.today()
    waiting = not ended and PROVISIONAL not in (provisional or [])
    lines = [html.P(release_line(name, releases, svc.settings.timezone)),
             *([html.P(_(NOT_ENDED).format(quarter=name), id="release-waiting")] if waiting else []),
             *([message(said, "info")] if said else [])]
    return (lines, _("Release {quarter}").format(quarter=name), waiting, question,
            [] if ended else _provisional_option())


@callback(Output(RELEASED_ID, "data"), Input("release-confirm", "submit_n_clicks"),
          State("release-provisional", "value"), State("filter-period", "value"), State("filter-area", "value"),
          prevent_initial_call=True)
def release_quarter(_clicks, provisional, period, area):
    """{"outcome": a key of OUTCOMES} or {"refusal": why, in words}, and when."""
    at = datetime.now().isoformat()  # a new value on every click, so that the status and the table redraw
    try:
        return {**_release(PROVISIONAL in (provisional or []), period, area), "at": at}
    except ReleaseRefused as refusal:
        return {"refusal": _refusal_words(refusal), "at": at}
    except Exception:
        log.exception("a release could not be made")
        return {"outcome": "failed", "at": at}


def _refusal_words(refusal: ReleaseRefused) -> str:
    """The refusal in the page's language, its quarter and day as the page names them."""
    params = {**refusal.params, "period": period_name(str(refusal.params["period"])),
              "last": day(date.fromisoformat(str(refusal.params["last"])))}
    return _(refusal.template).format(**params)


def _release(provisional: bool, period, area) -> dict:
    account = current_account()
    if current_scope().role != "leadership":
        audit_event(AUDIT, "release_refused", account.username, role=account.role, reason="not leadership")
        return {"outcome": "refused"}
    svc = services()
    chosen = parse_area_filter(period, area)
    quarter = last_quarter(chosen.period, chosen.period.fiscal_year_start)
    release = release_period(svc.store, svc.engine, svc.gazetteer, quarter, svc.databases.today(), account.username,
                             version("impact-monitor"), provisional=provisional)
    audit_event(AUDIT, "release", account.username, calendar=release.calendar, period=release.period,
                revision=release.revision, provisional=release.provisional, via="page")
    if provisional and not release.provisional:
        return {"outcome": "ended"}
    return {"outcome": "unchanged" if unchanged_since_revision_before(svc.store, release) else "released"}
