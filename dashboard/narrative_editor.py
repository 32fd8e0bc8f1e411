"""Leadership's narratives, written on the Quarterly indicators page: what leadership says about an indicator's
figure in the quarter the table ends with, for the chosen area, in English and in Bangla.

Only leadership is offered the editor, and the server checks the role again on every save, whatever the browser
sends. Each save adds a version (`queries.store`): earlier ones stay, with who wrote them and when, and each goes
to the audit log. The text is shown as text wherever it appears (never as HTML), and the files neutralise a
formula in it (`impact_monitor.exports`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from queries.definitions import INDICATORS
from queries.geography import NATIONAL
from queries.narratives import WHOLE_INDICATOR, narrative_area
from queries.releases import store_key
from queries.scope import AreaFilter
from queries.store import LANGUAGES, MAX_NARRATIVE_CHARACTERS, Narrative

from .builders.quarterly import last_quarter
from .components import message
from .context import current_scope, guarded, parse_area_filter, services
from .i18n import N_, _, current_language, day, digits, period_name, zone_name
from .security import AUDIT, audit_event, current_account

SAVED_ID = "narrative-saved"  # a save's outcome: the editor and the table it writes beside both redraw
DRAFTS_ID = "narrative-drafts"  # unsaved texts per figure, in the tab's session storage (assets/narrative-drafts.js)
CURRENT_ID = "narrative-current"  # the figure the boxes are for, and its saved texts
LANGUAGE_NAMES = {"en": N_("English"), "bn": N_("Bangla")}
OUTCOMES = {
    "saved": N_("Saved. The table shows it now; the Donor report and its IPTT show it too."),
    "taken_away": N_("Taken away: the table, the Donor report and its IPTT no longer show it."),
    "unchanged": N_("Nothing to save: the texts are as they were."),
    "refused": N_("Only programme leadership writes narratives."),
    "too_long": N_("A narrative holds at most {limit} characters. Nothing was saved; your texts are kept here to "
                   "shorten."),
    "no_store": N_("Narratives cannot be saved: the app's own store is not available."),
    "failed": N_("The narrative could not be saved; the failure has been logged."),
}
DRAFT_BACK = N_("Not saved yet: the text you typed here earlier is back in the boxes. Save it, or put back the "
                "saved text.")
log = logging.getLogger("impact_monitor.narratives")


def narrative_editor() -> html.Section | None:
    """The editor, for leadership only (None for anyone else)."""
    if current_scope().role != "leadership":
        return None
    heading = html.H3(_("Narratives"), id="narrative-heading")
    if services().store is None:
        return html.Section([heading, message(_(OUTCOMES["no_store"]), "info")], className="no-print")
    return html.Section([
        heading,
        html.P(_("A short comment on an indicator's figure in the last quarter shown, for the chosen area: it shows "
                 "beside the figure here, in print, and in the Donor report's deviation narrative. Written for "
                 "Bangladesh, it stands for every area without one of its own. Each save is kept, with who wrote "
                 "it and when; saving an empty text takes the narrative away. Donors and government partners read it: "
                 "give no count they are not shown.")),
        html.Div([html.Label(_("Indicator"), htmlFor="narrative-indicator"),
                  dcc.Dropdown(id="narrative-indicator", value=next(iter(INDICATORS)), clearable=False,
                               options=[{"label": _(indicator.label), "value": code}
                                        for code, indicator in INDICATORS.items()])], className="filter"),
        dcc.Loading(html.Div(id="narrative-fields")),
        dcc.Store(id=DRAFTS_ID, storage_type="session", data={}),
        html.Button(_("Save narrative"), id="narrative-save", n_clicks=0, type="button"),
        html.Button(_("Put back the saved text"), id="narrative-discard", n_clicks=0, type="button", hidden=True),
    ], className="narrative-editor no-print", **{"aria-labelledby": "narrative-heading"})


def _target(period, area) -> tuple[AreaFilter, str, str, str]:
    """The filter, the label of the quarter the table ends with, and the store's (calendar, quarter) key of it."""
    chosen = parse_area_filter(period, area)
    quarter = last_quarter(chosen.period, chosen.period.fiscal_year_start)
    return chosen, quarter.label, *store_key(quarter)


def _standing(narratives: list[Narrative], indicator: str, area: str) -> dict[str, str]:
    """{language: the narrative's current text} of one figure, from its quarter's standing narratives."""
    return {narrative.language: narrative.body for narrative in narratives
            if narrative.indicator == indicator and narrative.area == area}


@callback(Output("narrative-fields", "children"), Output("narrative-discard", "hidden"),
          Input("narrative-indicator", "value"), Input("filter-period", "value"), Input("filter-area", "value"),
          Input(SAVED_ID, "data"), State(DRAFTS_ID, "data"))
@guarded
def show_narrative(indicator, period, area, saved, drafts):
    """The boxes of the figure chosen, holding its saved texts, or the draft typed for it and not saved (said so,
    with a button that puts the saved texts back)."""
    if current_scope().role != "leadership" or indicator not in INDICATORS:
        return None, True
    chosen, label, calendar, quarter = _target(period, area)
    where = narrative_area(chosen.area, NATIONAL)
    narratives = services().store.narratives(calendar, quarter)
    standing = _standing(narratives, indicator, where)
    saved_texts = {language: standing.get(language, "") for language in LANGUAGES}
    # The account is part of the key: a draft is never offered to someone else signing in on the same tab.
    key = "|".join((current_account().username, indicator, calendar, quarter, where))
    about = _("{indicator}, {quarter}, {area}").format(
        indicator=_(INDICATORS[indicator].label), quarter=period_name(label),
        area=services().gazetteer.full_name(chosen.area, current_language()))
    status = saved.get("outcome") if ctx.triggered_id == SAVED_ID and isinstance(saved, dict) else None
    draft = _draft(drafts, key, saved_texts)
    # Texts too long to save stay in the boxes, to be shortened, and so does a draft: nothing typed is lost.
    shown = (saved.get("kept") or standing) if status == "too_long" else draft or saved_texts
    return [
        html.P(html.Strong(about)),
        dcc.Store(id=CURRENT_ID, data={"key": key, "saved": saved_texts}),
        *_standing_in(where, standing, _standing(narratives, indicator, WHOLE_INDICATOR)),
        *[html.Div([html.Label(_(LANGUAGE_NAMES[language]), htmlFor=f"narrative-{language}"),
                    dcc.Textarea(id=f"narrative-{language}", value=shown.get(language, ""), rows=3,
                                 className="narrative-text")],
                   className="filter") for language in LANGUAGES],
        *([message(_(OUTCOMES[status]).format(limit=MAX_NARRATIVE_CHARACTERS), "info")] if status in OUTCOMES
          else [message(_(DRAFT_BACK), "info")] if draft else []),
        _history(indicator, calendar, quarter, where),
    ], not draft or status is not None


def _draft(drafts, key: str, saved_texts: dict[str, str]) -> dict[str, str] | None:
    """The figure's unsaved texts as the browser kept them ({language: text}), or None where there are none or
    they are the saved ones."""
    draft = drafts.get(key) if isinstance(drafts, dict) else None
    if not isinstance(draft, dict):
        return None
    texts = {language: str(draft.get(language) or "") for language in LANGUAGES}
    return None if texts == saved_texts else texts


# Also as the boxes appear: boxes showing the saved texts end a draft that a save has made stale.
clientside_callback(ClientsideFunction(namespace="impactNarratives", function_name="keepDraft"),
                    Output(DRAFTS_ID, "data"), Input("narrative-en", "value"), Input("narrative-bn", "value"),
                    State(CURRENT_ID, "data"), State(DRAFTS_ID, "data"))
clientside_callback(ClientsideFunction(namespace="impactNarratives", function_name="putBack"),
                    Output("narrative-en", "value"), Output("narrative-bn", "value"),
                    Output("narrative-discard", "hidden", allow_duplicate=True),
                    Input("narrative-discard", "n_clicks"), State(CURRENT_ID, "data"), prevent_initial_call=True)


def _standing_in(area: str, standing: dict[str, str], national: dict[str, str]) -> list:
    """For an area with no narrative of its own, a line saying the national one stands in for it (on its table
    and in its IPTT)."""
    if area == WHOLE_INDICATOR or standing or not national:
        return []
    return [message(_("This area has no narrative of its own: its figures show the one written for Bangladesh. "
                      "Write here to give it its own."), "info")]


def _history(indicator: str, calendar: str, quarter: str, area: str) -> html.Details | None:
    versions = sorted((version for language in LANGUAGES for version in
                       services().store.narrative_history(indicator, calendar, quarter, area, language)),
                      key=lambda version: version.id, reverse=True)
    if not versions:
        return None
    summary = _("Every version, newest first ({count}; times in {zone})").format(
        count=digits(str(len(versions))), zone=zone_name(services().settings.timezone.key))
    return html.Details([html.Summary(summary), html.Ul([html.Li(_version_line(version)) for version in versions])])


def _version_line(version: Narrative) -> str:
    when = version.written_at.astimezone(services().settings.timezone)
    return _("{when}, {who}, {language}: {text}").format(
        when=f"{day(when.date())} {digits(when.strftime('%H:%M'))}", who=version.written_by,
        language=_(LANGUAGE_NAMES[version.language]), text=version.body or _("(taken away)"))


@callback(Output(SAVED_ID, "data"), Input("narrative-save", "n_clicks"), State("narrative-indicator", "value"),
          State("narrative-en", "value"), State("narrative-bn", "value"), State("filter-period", "value"),
          State("filter-area", "value"), prevent_initial_call=True)
def save_narrative(clicks, indicator, english, bangla, period, area):
    """Write each language whose text changed, as a new version; {"outcome": a key of OUTCOMES, "at": when}, and
    the texts as typed when they were too long to save (`kept`)."""
    at = datetime.now().isoformat()  # a new value on every save, so that the editor and the table redraw
    texts = {"en": english, "bn": bangla}
    try:
        outcome = _save(indicator, texts, period, area)
        return {"outcome": outcome, "at": at, **({"kept": texts} if outcome == "too_long" else {})}
    except Exception:
        log.exception("a narrative could not be saved")
        return {"outcome": "failed", "at": at}


def _save(indicator: str, texts: dict[str, object], period, area) -> str:
    account = current_account()
    if current_scope().role != "leadership" or indicator not in INDICATORS:
        audit_event(AUDIT, "narrative_refused", account.username, role=account.role, indicator=str(indicator)[:40])
        return "refused"
    store = services().store
    chosen, _label, calendar, quarter = _target(period, area)
    where = narrative_area(chosen.area, NATIONAL)
    standing = _standing(store.narratives(calendar, quarter), indicator, where)
    changed = {language: text.strip() for language, text in texts.items()
               if isinstance(text, str) and text.strip() != standing.get(language, "")}
    if any(len(body) > MAX_NARRATIVE_CHARACTERS for body in changed.values()):
        return "too_long"  # before writing either language: a save is whole or not at all
    for language, body in changed.items():
        store.write_narrative(indicator, calendar, quarter, where, language, body, account.username)
        audit_event(AUDIT, "narrative", account.username, indicator=indicator, calendar=calendar, period=quarter,
                    area=where, language=language, characters=len(body))
    if not changed:
        return "unchanged"
    return "saved" if any({**standing, **changed}.values()) else "taken_away"
