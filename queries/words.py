"""Words a person may read from this package: refusals and messages, in English, marked for the interface's
message catalogue (`dashboard.i18n`), which shows them in the person's language."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks `message` for the catalogue where it is defined; the interface translates it where it is shown."""
    return message


class Refusal(ValueError):
    """Bad or out-of-scope input, refused in plain words. The message is an English template whose {name} fields
    are filled from `params`: the interface translates the template, then fills it."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template.format(**params) if params else template)
        self.template, self.params = template, params
