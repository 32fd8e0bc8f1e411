"""The linear-programming audit against brute force, and protection that leaves nothing for it to find."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from queries.disclosure import HIDDEN, PUBLISHED, UNSHOWN, Publication, Relation, audit, is_sensitive, protect

K = 10


def table_publication(rows: list[list[int]]) -> Publication:
    """A two-way table with its row totals, column totals and grand total, every cell shown."""
    publication = Publication()
    cells = [[publication.add(("cell", r, c), value) for c, value in enumerate(row)] for r, row in enumerate(rows)]
    row_totals = [publication.add(("row", r), sum(row)) for r, row in enumerate(rows)]
    column_totals = [publication.add(("column", c), sum(column)) for c, column in enumerate(zip(*rows))]
    grand = publication.add(("total",), sum(map(sum, rows)))
    for r, row_cells in enumerate(cells):
        publication.relate(Relation.total(row_totals[r], row_cells, f"row {r}"))
    for c, column_cells in enumerate(zip(*cells)):
        publication.relate(Relation.total(column_totals[c], list(column_cells), f"column {c}"))
    publication.relate(Relation.total(grand, row_totals, "rows"))
    publication.relate(Relation.total(grand, column_totals, "columns"))
    return publication


def brute_force_intervals(publication: Publication, states: list[int], limit: int) -> dict:
    """Every integer assignment of the unknown cells in 0..limit that satisfies the relations."""
    unknown = [cell for cell, state in enumerate(states) if state != PUBLISHED]
    lows = {cell: (1 if states[cell] == HIDDEN else 0) for cell in unknown}
    seen: dict[int, list[int]] = {cell: [] for cell in unknown}
    for assignment in itertools.product(*(range(lows[cell], limit + 1) for cell in unknown)):
        values = list(publication.values)
        for cell, value in zip(unknown, assignment):
            values[cell] = value
        if all(_holds(relation, values) for relation in publication.relations):
            for cell, value in zip(unknown, assignment):
                seen[cell].append(value)
    return {publication.labels[cell]: (min(found), max(found)) for cell, found in seen.items() if found}


def _holds(relation: Relation, values: list[int]) -> bool:
    total = sum(coefficient * values[cell] for cell, coefficient in zip(relation.cells, relation.coefficients))
    return total == 0 if relation.kind == "eq" else total <= 0


def test_one_hidden_cell_in_a_line_is_recovered_exactly():
    publication = table_publication([[3, 20], [15, 12]])
    states = [PUBLISHED] * len(publication.values)
    states[publication.index(("cell", 0, 0))] = HIDDEN
    [interval] = audit(publication, K, states).intervals
    assert (interval.low, interval.high, interval.disclosed) == (3, 3, True)


def test_two_by_two_hidden_rectangle_has_the_textbook_interval():
    # Hidden rectangle of a table with published margins: x00 lies in [max(0, r0 - c1'), min(r0', c0')] of the
    # hidden parts (Hundepool et al. 4.4): here x00 + x01 = 23, x10 + x11 = 27, x00 + x10 = 18, x01 + x11 = 32.
    publication = table_publication([[3, 20], [15, 12]])
    states = [PUBLISHED] * len(publication.values)
    for r, c in itertools.product(range(2), range(2)):
        states[publication.index(("cell", r, c))] = HIDDEN
    found = {interval.label: (interval.low, interval.high) for interval in audit(publication, K, states, exact=True).intervals}
    assert found == {("cell", 0, 0): (1, 17)}  # the only count under k; the others hold k or more
    assert found[("cell", 0, 0)] == brute_force_intervals(publication, states, 40)[("cell", 0, 0)]


@pytest.mark.parametrize("seed", range(25))
def test_random_small_systems_match_brute_force(seed):
    generator = random.Random(seed)
    rows = [[generator.choice([0, 1, 2, 3, 5]) for _ in range(3)] for _ in range(2)]
    publication = table_publication(rows)
    states = [PUBLISHED] * len(publication.values)
    shown_cells = [cell for cell, value in enumerate(publication.values) if value]
    for cell in generator.sample(shown_cells, min(4, len(shown_cells))):
        states[cell] = HIDDEN
    limit = max(publication.values)
    found = {i.label: (i.low, i.high) for i in audit(publication, K, states, exact=True).intervals}
    expected = brute_force_intervals(publication, states, limit)
    for label, interval in found.items():
        low, high = interval
        assert (low, min(high, limit)) == expected[label], label


def test_unshown_residual_is_sensitive_only_when_small():
    publication = Publication()
    national = publication.add("national", 100)
    divisions = [publication.add(f"division {n}", value) for n, value in enumerate((40, 57))]
    residual = publication.add("no district", 3, UNSHOWN)
    publication.relate(Relation.total(national, [*divisions, residual]))
    [interval] = audit(publication, K).intervals
    assert (interval.label, interval.low, interval.high, interval.disclosed) == ("no district", 3, 3, True)
    assert not is_sensitive(12, UNSHOWN, K) and not is_sensitive(12, HIDDEN, K) and not is_sensitive(0, HIDDEN, K)
    assert is_sensitive(3, HIDDEN, K) and not is_sensitive(3, PUBLISHED, K)


def test_unbounded_cells_are_protected():
    publication = Publication()
    total = publication.add("total", 4, HIDDEN)
    part = publication.add("part", 3, HIDDEN)
    publication.relate(Relation.at_most(part, total))
    intervals = {i.label: i for i in audit(publication, K, exact=True).intervals}
    assert intervals["total"].high == math.inf and not intervals["total"].disclosed
    assert intervals["part"].high == math.inf


def test_a_fractional_linear_bound_is_confirmed_as_a_whole_number():
    # x + y = 3 and x <= y: the linear programme's largest x is 1.5; the largest whole x is 1.
    publication = Publication()
    x, y, total = publication.add("x", 1, UNSHOWN), publication.add("y", 2, UNSHOWN), publication.add("total", 3)
    publication.relate(Relation.total(total, [x, y]))
    publication.relate(Relation.at_most(x, y))
    found = {i.label: (i.low, i.high) for i in audit(publication, K, exact=True).intervals}
    assert found == {"x": (0, 1), "y": (2, 3)}


def test_relations_that_do_not_hold_are_refused():
    publication = Publication()
    total, part = publication.add("total", 5), publication.add("part", 6, HIDDEN)
    publication.relate(Relation.total(total, [part], "total = part"))
    with pytest.raises(ValueError, match="total = part"):
        audit(publication, K)


@pytest.mark.parametrize("seed", range(30))
def test_protection_leaves_nothing_for_the_audit(seed):
    generator = random.Random(seed)
    rows = [[generator.choice([0, 1, 2, 4, 9, 10, 14, 30, 55]) for _ in range(4)] for _ in range(3)]
    publication = table_publication(rows)
    states = protect(publication, K)
    assert not audit(publication, K, states).disclosed
    for value, state in zip(publication.values, states):
        if 1 <= value < K:
            assert state in (HIDDEN, UNSHOWN)  # hidden, or its whole breakdown withheld
        if value == 0:
            assert state != HIDDEN


def test_protection_hides_a_partner_of_a_small_residual():
    publication = Publication()
    national = publication.add("national", 100)
    divisions = [publication.add(f"division {n}", value) for n, value in enumerate((40, 35, 22))]
    residual = publication.add("no district", 3, UNSHOWN)
    publication.relate(Relation.total(national, [*divisions, residual]))
    states = protect(publication, K)
    assert states[divisions[2]] == HIDDEN and states[divisions[0]] == PUBLISHED
    assert not audit(publication, K, states).disclosed


@pytest.mark.parametrize("seed", range(40))
def test_certification_in_batches_finds_exactly_the_disclosures_of_exact_intervals(seed):
    generator = random.Random(seed)
    rows = [[generator.choice([0, 1, 3, 6, 9, 11, 20, 40]) for _ in range(4)] for _ in range(3)]
    publication = table_publication(rows)
    states = [generator.choice([PUBLISHED, HIDDEN, HIDDEN]) if value else PUBLISHED for value in publication.values]
    exact = audit(publication, K, states, exact=True)
    batched = audit(publication, K, states)
    assert {i.label for i in batched.disclosed} == {i.label for i in exact.disclosed}
    assert {i.label for i in batched.intervals} == {i.label for i in exact.intervals}


def test_a_breakdown_that_cannot_be_protected_is_withheld_and_its_total_stays():
    # A district of 12 split into five upazilas: each hidden upazila would be at most 12 - 4 = 8, so hiding them
    # cannot protect them; withholding the whole split (zeros too) keeps the district's total.
    publication = Publication()
    district = publication.add("district", 12)
    upazilas = [publication.add(f"upazila {n}", value) for n, value in enumerate((4, 3, 2, 2, 1, 0))]
    publication.relate(Relation.total(district, upazilas))
    states = protect(publication, K)
    assert states[district] == PUBLISHED
    assert all(states[cell] == UNSHOWN for cell in upazilas)
    assert not audit(publication, K, states, exact=True).disclosed
