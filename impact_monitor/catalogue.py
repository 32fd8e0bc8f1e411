"""The Bangla message catalogue: extract the interface's English strings, merge them into the .po file, check it.

`impact-monitor catalogue` brings `dashboard/locale/bn/LC_MESSAGES/messages.po` up to date with the code (new
strings come in untranslated, strings the code no longer shows are kept as obsolete entries, as `pybabel update`
does); `impact-monitor catalogue --check` lists what the interface would show in English in the Bangla interface.
Extraction is Babel's, over the strings marked `_`, `N_` or `ngettext` and the templates of the errors a person
may meet (`FilterError`, `PeriodError`).
"""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from dashboard.i18n import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "FilterError": None, "PeriodError": None}
METHOD_MAP = [("dashboard/**.py", "python"), ("queries/**.py", "python"), ("impact_monitor/**.py", "python")]


def extracted(root: Path = ROOT) -> Catalog:
    """Every marked string of the code under `root`, with where it is used."""
    catalog = Catalog(locale="bn", project="impact-monitor", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            root, METHOD_MAP, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True):
        catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def current(path: Path = CATALOGUE) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale="bn")


def update() -> tuple[int, int]:
    """Merge the code's strings into the .po file; returns (strings added, strings made obsolete)."""
    catalog, template = current(), extracted()
    before = {message.id for message in catalog if message.id}
    catalog.update(template, no_fuzzy_matching=True)
    after = {message.id for message in catalog if message.id}
    with CATALOGUE.open("wb") as target:
        write_po(target, catalog, width=116, omit_header=False, sort_output=False, include_previous=False)
    return len(after - before), len(before - after)


def _placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def problems(root: Path = ROOT, path: Path = CATALOGUE) -> list[str]:
    """What is wrong with the catalogue at `path` for the code under `root`, in words: a string the code shows
    with no Bangla entry (missing, empty or fuzzy), or a translation whose {placeholders} differ from its
    English text's."""
    catalog = current(path)
    found = []
    for message in extracted(root):
        if not message.id:
            continue
        entry = catalog.get(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
        if entry is None:
            found.append(f"not in the catalogue: {ids[0]!r} ({where})")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            found.append(f"no Bangla for {ids[0]!r} ({where})")
        elif any(_placeholders(text) != _placeholders(ids[0]) for text in strings):
            found.append(f"placeholders differ in the Bangla for {ids[0]!r}")
    return found
