"""A table as data before it is a picture: typed values, their display kinds and their hidden marks.

A page builds a `Table`; the page renders it (`dashboard.components.model_table`) and every download writes it
(`impact_monitor.exports.table_csv`, `table_workbook`), so a download holds exactly what the screen shows, with
numbers as numbers. A hidden cell carries its mark and never its value: `Cell` refuses both at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from queries.words import N_

# How a column's numbers read: the indicator kinds of the contract, "number" for one decimal, "text" for words.
KINDS = ("text", "count", "percent", "rate", "median", "number")


# Marks of a number that does not exist, as against one hidden: no figure to compute it from (or no target set),
# and a period not begun. Written in words on screen and in files, never as 0 or a blank.
NOT_AVAILABLE, NOT_YET = N_("not available"), N_("not yet")
# A quarter an audience shown released figures only sees before leadership has released it.
NOT_RELEASED = N_("not released")


@dataclass(frozen=True)
class Cell:
    """One cell: `value` is an int or float for a number, a str for text, None for a blank; `mark` is the
    English mark of a number not shown ("hidden", "withheld", NOT_AVAILABLE, NOT_YET or NOT_RELEASED);
    `reliable` is False for a rate or percentage on fewer than 20 events. `href` links the cell on screen (an indicator to its definition). `kind` is how
    this cell's number reads where its column holds several kinds (a table whose rows are indicators: a count in
    one row, a percentage in the next); None: its column's. `change` says, in words, how far a live figure has
    moved since its quarter's latest release ("+9 since the release"): leadership's exact figures only."""

    value: int | float | str | None = None
    mark: str | None = None
    reliable: bool | None = None
    href: str | None = None
    kind: str | None = None
    change: str | None = None

    def __post_init__(self) -> None:
        if self.mark is not None and self.value is not None:
            raise ValueError("a hidden cell carries its mark, never its value")
        if self.mark is not None and self.change is not None:
            raise ValueError("a hidden cell carries no change since its release: it would tell its value")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"unknown cell kind {self.kind!r}: use one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Column:
    """A column: its heading as shown (in the language of the page), and how its numbers read; `prose` for a text
    column of sentences (a narrative), shown wide enough to read."""

    heading: str
    kind: str = "text"
    prose: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}: use one of {', '.join(KINDS)}")


def kind_of(cell: Cell, column: Column) -> str:
    """How the cell's number reads: its own kind, else its column's."""
    return cell.kind or column.kind


@dataclass(frozen=True)
class Table:
    """A titled table: `table_id` names it in a page and in files; `notes` are its own footnotes (the file's
    notes block adds the context: area, period, account, data as of, the protection rule)."""

    table_id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.table_id}: a row of {len(row)} cells under {len(self.columns)} columns")

