"""What leadership says about a figure, as a page or a file shows it beside the figure.

A narrative belongs to an indicator, a quarter and, optionally, an area (`queries.store`). A figure of an area
shows that area's own narrative, or else the one written for the indicator as a whole; in the reader's language,
or else in the other one, so that a comment written in one language only is never lost to the other's readers.
"""

from __future__ import annotations

from collections.abc import Iterable

from .periods import Period
from .releases import store_key
from .store import LANGUAGES, AppStore, Narrative

WHOLE_INDICATOR = ""  # the area of a narrative written for the indicator as a whole


def narrative_area(area: str, national: str) -> str:
    """The area a narrative written beside `area`'s figures is kept under: the nation's figures are the
    indicator's as a whole."""
    return WHOLE_INDICATOR if area == national else area


def quarter_narratives(store: AppStore | None, quarters: Iterable[Period], area: str,
                       language: str, whole_too: bool = True) -> dict[tuple[str, str], str]:
    """{(indicator code, quarter label): narrative text} for the quarters' figures of `area` (already in the
    form `narrative_area` gives), read as `language`; {} without a store. Without `whole_too`, the area's own
    narratives only, not the indicator's as a whole where it has none. Quarter labels are the given periods' own
    (a fiscal quarter keeps its fiscal label)."""
    if store is None:
        return {}
    shown = {}
    for quarter in quarters:
        standing = store.narratives(*store_key(quarter))
        for indicator in {narrative.indicator for narrative in standing}:
            body = _best(standing, indicator, area, language, whole_too)
            if body:
                shown[(indicator, quarter.label)] = body
    return shown


def _best(standing: list[Narrative], indicator: str, area: str, language: str, whole_too: bool) -> str | None:
    """The area's own narrative before the indicator's as a whole; the reader's language before the other."""
    by_key = {(n.area, n.language): n.body for n in standing if n.indicator == indicator}
    languages = (language, *[other for other in LANGUAGES if other != language])
    areas = (area, WHOLE_INDICATOR) if whole_too and area != WHOLE_INDICATOR else (area,)
    return next((by_key[(a, lang)] for a in areas for lang in languages if (a, lang) in by_key), None)


def joined_by_quarter(shown: dict[tuple[str, str], str], indicator: str, quarter_names: dict[str, str]) -> str:
    """An indicator's narratives over several quarters in one text, each after its quarter's name, oldest
    first ("2026-Q1: ... 2026-Q2: ..."); "" when there is none. `quarter_names` maps each quarter's label to the
    name a reader reads, in order."""
    return "\n".join(f"{name}: {shown[(indicator, label)]}" for label, name in quarter_names.items()
                     if (indicator, label) in shown)
