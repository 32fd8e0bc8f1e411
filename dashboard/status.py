"""The banner that says which database is unreachable or no longer fits the contract."""

from __future__ import annotations

from dash import Input, Output, callback, html

from queries.health import DatabaseState

from .context import guarded, services

LABELS = {"cases": "Case database", "referrals": "Referral database"}


def status_banner(states: list[DatabaseState]) -> list:
    """Plain-words lines for every database problem; nothing when all is well."""
    lines = []
    for state in states:
        label = LABELS.get(state.name, state.name)
        if not state.up:
            since = state.down_since.strftime("%H:%M UTC") if state.down_since else "now"
            lines.append(html.P(f"{label} unreachable since {since}, retrying. Panels that need it say so; "
                                "the others keep working.", className="message message-error"))
        elif state.missing:
            lines.append(html.P(f"{label} does not match the data contract: missing {', '.join(state.missing)}. "
                                "Panels that need these say so; see Data quality.",
                                className="message message-warning"))
    return lines


@callback(Output("database-status", "children"), Input("status-refresh", "n_intervals"))
@guarded
def refresh_status(_ticks):
    return status_banner(services().monitor.states())
