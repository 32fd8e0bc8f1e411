"""The banner that says which database is unreachable or no longer fits the contract."""

from __future__ import annotations

import dash
from dash import Input, Output, html

from queries.health import DatabaseState

from .components import with_parts
from .context import guarded, services
from .i18n import N_, _, digits

LABELS = {"cases": N_("Case database"), "referrals": N_("Referral database")}


def status_banner(states: list[DatabaseState]) -> list:
    """Plain-words lines for every database problem; nothing when all is well."""
    lines = []
    for state in states:
        label = _(LABELS.get(state.name, state.name))
        if not state.up:
            since = digits(state.down_since.strftime("%H:%M UTC")) if state.down_since else _("now")
            lines.append(html.P(_("{database} unreachable since {since}, retrying. Panels that need it say so; "
                                  "the others keep working.").format(database=label, since=since),
                                className="message message-error"))
        elif state.missing:
            # The contract's names of the columns, written as code: the same in either language.
            lines.append(html.P(with_parts(_("{database} does not match the data contract: missing {columns}. Panels "
                                             "that need these say so; see Data quality."),
                                           database=label, columns=html.Code(", ".join(state.missing))),
                                className="message message-warning"))
    return lines


@guarded
def refresh_status(_ticks):
    return status_banner(services().monitor.states())


def install_status_banner(app: dash.Dash) -> None:
    """The databases' status banner, refreshed on a timer. Registered on `app` itself: Dash's global `callback`
    reaches only the first app made in a process."""
    app.callback(Output("database-status", "children"), Input("status-refresh", "n_intervals"))(refresh_status)
