"""Statistical disclosure control by linear programming: which hidden counts a set of published numbers gives away.

A publication is a set of count cells and the linear relations that tie them
(a total is the sum of its parts, a subset is at most its set, a year is the
sum of its quarters...). Each cell is

- PUBLISHED: its value is shown somewhere;
- HIDDEN: it is shown as hidden. Zeros are never hidden, so the reader knows
  a hidden count is at least 1;
- UNSHOWN: nothing shows it, but a relation ties it to what is shown (the
  reports with no district, the cases with no upazila, the victims who are
  not minors...). The reader knows only that it is a whole number >= 0.

For every sensitive cell (a hidden count, or an unshown one from 1 to k-1) the
audit finds the smallest and largest value it can take given every published
value and relation, over non-negative whole numbers: the audit of tau-ARGUS
and of statistics offices (Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, section 4.4). A cell is disclosed when that interval is narrower
than its protection range: by default when the upper bound is below k (the
reader can tell it is a small count) or when the interval is a single value.

The bounds are found with the HiGHS simplex solver, one linear program per
connected group of unknown cells, warm-started from one objective to the
next; where the optimal vertex is fractional the bound is confirmed as an
integer program.

`protect` applies small-cell suppression with these rules: counts 1..k-1 are
hidden (primary suppression), then complementary cells are hidden until the
audit finds nothing (the audit-and-repair loop of Hundepool et al. 4.3).
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from dataclasses import dataclass, field

import numpy as np

PUBLISHED, HIDDEN, UNSHOWN = 0, 1, 2
_EPSILON = 1e-6
_STALLED_ROUNDS = 5  # retries, with random weights, of a batch round that brought no cell to its target
_BATCH_MIP_GAP = 0.25  # a whole-number batch solution within this share of the best is good enough


@dataclass(frozen=True)
class Relation:
    """sum(coefficient x cell) == 0 (`kind` "eq") or <= 0 ("le"), over cell indexes; `name` says what it is."""

    cells: tuple[int, ...]
    coefficients: tuple[float, ...]
    kind: str = "eq"
    name: str = ""
    breakdown: bool = False  # the first cell is a total, the others its parts

    @staticmethod
    def total(total: int, parts: list[int] | tuple[int, ...], name: str = "") -> "Relation":
        """total = sum of parts."""
        return Relation((total, *parts), (-1.0, *([1.0] * len(parts))), "eq", name, breakdown=True)

    @staticmethod
    def at_most(part: int, whole: int, name: str = "") -> "Relation":
        """part <= whole."""
        return Relation((part, whole), (1.0, -1.0), "le", name)

    @staticmethod
    def sum_at_most(total: int, parts: list[int] | tuple[int, ...], name: str = "") -> "Relation":
        """total <= sum of parts (a distinct count over a year, against its quarters)."""
        return Relation((total, *parts), (1.0, *([-1.0] * len(parts))), "le", name)


@dataclass
class Publication:
    """Cells (true values, states, labels) and the relations between them: what an audience is shown."""

    values: list[int] = field(default_factory=list)
    states: list[int] = field(default_factory=list)
    labels: list[object] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    _index: dict = field(default_factory=dict, repr=False)

    def add(self, label, value: int, state: int = PUBLISHED) -> int:
        """The index of the cell with this label, added on first use."""
        index = self._index.get(label)
        if index is None:
            index = len(self.values)
            self._index[label] = index
            self.values.append(int(value))
            self.states.append(state)
            self.labels.append(label)
        return index

    def index(self, label) -> int | None:
        return self._index.get(label)

    def relate(self, relation: Relation) -> None:
        self.relations.append(relation)

    def check_relations(self) -> list[Relation]:
        """Relations the true values break: a bug in whoever built them (the audit assumes they hold)."""
        values = np.asarray(self.values, dtype=float)
        broken = []
        for relation in self.relations:
            total = float(np.dot(values[list(relation.cells)], relation.coefficients))
            if (relation.kind == "eq" and abs(total) > _EPSILON) or (relation.kind == "le" and total > _EPSILON):
                broken.append(relation)
        return broken


@dataclass(frozen=True)
class Interval:
    """What the audit found for one sensitive cell: whether it is disclosed, and what is known of the interval
    of values it can take: [low, high] when computed exactly (high math.inf when unbounded), only `high` (an
    upper bound) when a bound sufficed, neither when a solution certified the cell protected."""

    label: object
    value: int
    state: int
    disclosed: bool
    low: int | None = None
    high: float | None = None


@dataclass
class AuditResult:
    intervals: list[Interval]
    cells: int
    relations: int
    components: int
    seconds: float

    @property
    def disclosed(self) -> list[Interval]:
        return [interval for interval in self.intervals if interval.disclosed]


def is_sensitive(value: int, state: int, k: int) -> bool:
    """A count from 1 to k-1 that is not published (hidden, withheld or never shown). A cell hidden to protect
    another (complementary suppression) holds k or more: working it out reveals a count the rule would have
    published, so, as in tau-ARGUS, it has no protection range of its own; whatever it gives away of a small
    count shows on that count."""
    return state != PUBLISHED and 1 <= value < k


def audit(publication: Publication, k: int, states: list[int] | None = None, exact: bool = False,
          skip: set[int] = frozenset(), whole_numbers: bool = True, report: bool = True) -> AuditResult:
    """What every sensitive cell's feasible interval is, given everything published (`states` overrides the
    publication's own; cells in `skip` are not examined).

    By default a cell is first certified protected in batches: one linear
    program finds, for many cells at once, a whole-number solution of every
    relation in which each reaches k (or, if it is k or more, another value
    than its own). Only the cells no such solution is found for get their
    exact interval; `exact=True` computes every interval. Raises ValueError
    when a relation does not hold for the true values.
    """
    started = time.perf_counter()
    states = list(states if states is not None else publication.states)
    broken = publication.check_relations()
    if broken:
        raise ValueError(f"{len(broken)} relation(s) do not hold for the true values, e.g. {broken[0].name!r}")
    system = _System(publication, states)
    intervals = []
    components = system.components()
    for component in components:
        sensitive = [cell for cell in component
                     if cell not in skip and is_sensitive(publication.values[cell], states[cell], k)]
        if sensitive:
            intervals += _Component(system, component, k, whole_numbers).intervals(sensitive, exact, report)
    return AuditResult(intervals, len(publication.values), len(publication.relations), len(components),
                       time.perf_counter() - started)


def protect(publication: Publication, k: int, shown: list[bool] | None = None) -> list[int]:
    """States after small-cell suppression: shown counts 1..k-1 hidden, then complementary cells hidden
    until the audit discloses nothing.

    `shown[i]` says whether cell i is shown to the audience at all (default:
    the cells whose state is not UNSHOWN; the others keep their state); only
    shown cells are ever hidden,
    and zeros never are. Where the only way to protect a breakdown would be to
    hide its total, the breakdown is withheld instead: its parts become
    UNSHOWN (zeros included), so the total stays. Disclosures that bound
    propagation finds are repaired first, being cheap to find; then the linear
    programs check the rest. Hiding or withholding one more cell only widens
    every interval, so a cell once found protected stays so and is not
    examined again. Raises ValueError if a disclosure cannot be repaired.
    """
    protection = _Protection(publication, k, shown)
    protected: set[int] = set()
    while True:
        protection.complement_by_rule()
        disclosed = protection.disclosed_by_bounds()
        if not disclosed:
            result = audit(publication, k, protection.states, skip=protected, whole_numbers=False, report=False)
            protected |= {publication.index(i.label) for i in result.intervals if not i.disclosed}
            disclosed = [publication.index(i.label) for i in result.disclosed]
        if not disclosed:
            return protection.states
        if not protection.repair(disclosed):
            raise ValueError(f"cannot protect {publication.labels[disclosed[0]]!r}: every cell that could hide it "
                             "is hidden")


class _Protection:
    """The states being decided, and the two ways to protect a cell: hide a partner, or withhold a breakdown."""

    def __init__(self, publication: Publication, k: int, shown: list[bool] | None):
        self.publication, self.k = publication, k
        self.values = publication.values
        self.shown = shown if shown is not None else [state != UNSHOWN for state in publication.states]
        # A cell never shown keeps the publication's own state: a residual or complement that holds nothing is
        # taken as known to be 0, as a reader who assumes so would.
        self.states = [(HIDDEN if 1 <= value < k else PUBLISHED) if is_shown else own
                       for value, is_shown, own in zip(self.values, self.shown, publication.states)]
        self.membership: list[list[int]] = [[] for _ in self.values]
        for number, relation in enumerate(publication.relations):
            for cell in relation.cells:
                self.membership[cell].append(number)

    def disclosed_by_bounds(self) -> list[int]:
        lower, upper = _System(self.publication, self.states).bounds()
        return [cell for cell, (value, state) in enumerate(zip(self.values, self.states))
                if is_sensitive(value, state, self.k) and (upper[cell] < self.k or lower[cell] == upper[cell])]

    def complement_by_rule(self) -> None:
        """In every equality, an unknown member must not be the only one, and unknown parts must not add up to
        1..k-1 while the rest is known: protect with the smallest non-zero shown partner until neither holds.
        Cheap, and it settles most cells before bounds or linear programs are asked."""
        pending = set(range(len(self.publication.relations)))
        while pending:
            number = pending.pop()
            relation = self.publication.relations[number]
            if relation.kind != "eq":
                continue
            unknown = [c for c in relation.cells if self.states[c] != PUBLISHED]
            if not any(is_sensitive(self.values[c], self.states[c], self.k) for c in unknown):
                continue
            signs = {math.copysign(1, coefficient) for cell, coefficient in zip(relation.cells, relation.coefficients)
                     if cell in unknown}
            if len(unknown) == 1 or (len(signs) == 1 and sum(self.values[c] for c in unknown) < self.k):
                sibling_sign = signs.pop() if len(signs) == 1 else None
                changed = self._protect_within([number], sibling_sign)
                for cell in changed:
                    pending.update(self.membership[cell])

    def repair(self, disclosed: list[int]) -> bool:
        """Protect each disclosed cell through the relations nearest to it: its own first, then those reached
        through the unknown cells they hold (a bound often comes from a relation further away). A cell whose
        relations were changed for an earlier one this round waits for the next check."""
        touched: set[int] = set()
        repaired = False
        for cell in disclosed:
            if touched.intersection(self.membership[cell]):
                continue
            changed = self._repair_one(cell)
            repaired |= bool(changed)
            for member in changed | {cell}:
                touched.update(self.membership[member])
        return repaired

    def _repair_one(self, cell: int) -> set[int]:
        seen_cells, seen_relations, frontier = {cell}, set(), [cell]
        while frontier:
            relations = {number for member in frontier for number in self.membership[member]} - seen_relations
            seen_relations |= relations
            changed = self._protect_within(sorted(relations), None)
            if changed:
                return changed
            frontier = [member for number in relations for member in self.publication.relations[number].cells
                        if self.states[member] != PUBLISHED and member not in seen_cells]
            seen_cells.update(frontier)
        return set()

    def _protect_within(self, relation_numbers: list[int], sibling_sign) -> set[int]:
        """Hide the smallest published non-zero part among these relations (a sibling of the unknown cells when
        `sibling_sign` says which side they are on); where there is none, withhold a breakdown: its parts
        become unknown, zeros included, and its total stays as it is; where every breakdown is withheld
        already, hide the smallest total. Returns the cells changed."""
        parts, breakdowns = [], []
        for number in relation_numbers:
            relation = self.publication.relations[number]
            if relation.breakdown:
                breakdowns.append((self.values[relation.cells[0]], number))
            for position, (cell, coefficient) in enumerate(zip(relation.cells, relation.coefficients)):
                if self.states[cell] != PUBLISHED or self.values[cell] <= 0 or (relation.breakdown and not position):
                    continue
                not_sibling = sibling_sign is not None and math.copysign(1, coefficient) != sibling_sign
                parts.append((not_sibling, self.values[cell], cell))
        if parts:
            chosen = min(parts)[2]
            self.states[chosen] = HIDDEN
            return {chosen}
        for _, number in sorted(breakdowns):
            withheld = self._withhold(self.publication.relations[number])
            if withheld:
                return withheld
        # Every part already withheld, and still disclosed (a structural zero beside it, say): hide a total.
        totals = [(self.values[cell], cell) for _, number in breakdowns
                  for cell in self.publication.relations[number].cells[:1]
                  if self.states[cell] == PUBLISHED and self.values[cell] > 0]
        if totals:
            chosen = min(totals)[1]
            self.states[chosen] = HIDDEN
            return {chosen}
        return set()

    def _withhold(self, breakdown: Relation) -> set[int]:
        withheld = {cell for cell in breakdown.cells[1:] if self.shown[cell] and self.states[cell] != UNSHOWN}
        for cell in withheld:
            self.states[cell] = UNSHOWN
        return withheld


# The linear programs.

class _System:
    """The relations with published cells moved to the right-hand side, and the unknown cells they link."""

    def __init__(self, publication: Publication, states: list[int]):
        self.publication = publication
        self.states = states
        self.rows: list[tuple[list[int], list[float], float, str]] = []  # unknown cells, coefficients, rhs, kind
        values = publication.values
        for relation in publication.relations:
            cells, coefficients, rhs = [], [], 0.0
            for cell, coefficient in zip(relation.cells, relation.coefficients):
                if states[cell] == PUBLISHED:
                    rhs -= coefficient * values[cell]
                else:
                    cells.append(cell)
                    coefficients.append(coefficient)
            if cells:
                self.rows.append((cells, coefficients, rhs, relation.kind))

    def components(self) -> list[list[int]]:
        """Unknown cells grouped by the relations that connect them (union-find)."""
        parent: dict[int, int] = {}

        def find(cell: int) -> int:
            parent.setdefault(cell, cell)
            while parent[cell] != cell:
                parent[cell] = parent[parent[cell]]
                cell = parent[cell]
            return cell

        for cell, state in enumerate(self.states):
            if state != PUBLISHED:
                find(cell)
        for cells, _, _, _ in self.rows:
            root = find(cells[0])
            for other in cells[1:]:
                parent[find(other)] = root
        groups: dict[int, list[int]] = {}
        for cell in parent:
            groups.setdefault(find(cell), []).append(cell)
        return list(groups.values())

    def rows_of(self, component: list[int]) -> list[tuple[list[int], list[float], float, str]]:
        members = set(component)
        return [row for row in self.rows if row[0][0] in members]

    def bounds(self, rounds: int = 50) -> tuple[np.ndarray, np.ndarray]:
        """Outer bounds of every cell by propagating each relation's bounds to its cells until they settle
        (feasibility-based bound tightening, as in a solver's presolve). Cheaper than the linear programs,
        and never narrower than the true interval: a cell these bounds disclose is disclosed."""
        values = np.asarray(self.publication.values, dtype=float)
        states = np.asarray(self.states)
        lower = np.where(states == PUBLISHED, values, np.where(states == HIDDEN, 1.0, 0.0))
        upper = np.where(states == PUBLISHED, values, np.inf)
        if not self.rows:
            return lower, upper
        row_of = np.repeat(np.arange(len(self.rows)), [len(cells) for cells, _, _, _ in self.rows])
        cell = np.concatenate([cells for cells, _, _, _ in self.rows])
        coefficient = np.concatenate([coefficients for _, coefficients, _, _ in self.rows])
        rhs = np.array([row[2] for row in self.rows])
        equality = np.array([row[3] == "eq" for row in self.rows])
        for _ in range(rounds):
            before = (lower.copy(), upper.copy())
            # sum(coefficient x) <= rhs bounds each cell by the least the others can add up to ...
            least = np.where(coefficient > 0, coefficient * lower[cell], coefficient * upper[cell])
            self._tighten(least, row_of, rhs, cell, coefficient, lower, upper, at_most=True)
            # ... and an equality, >= rhs, by the most they can add up to.
            most = np.where(coefficient > 0, coefficient * upper[cell], coefficient * lower[cell])
            self._tighten(most, row_of, rhs, cell, coefficient, lower, upper, at_most=False, rows=equality)
            upper = np.floor(upper + _EPSILON)
            lower = np.ceil(lower - _EPSILON)
            if np.array_equal(before[0], lower) and np.array_equal(before[1], upper):
                break
        return lower, upper

    @staticmethod
    def _tighten(extreme, row_of, rhs, cell, coefficient, lower, upper, at_most: bool, rows=None) -> None:
        infinite = ~np.isfinite(extreme)
        finite_sum = np.bincount(row_of, weights=np.where(infinite, 0.0, extreme), minlength=len(rhs))
        infinite_count = np.bincount(row_of, weights=infinite.astype(float), minlength=len(rhs))
        others_infinite = infinite_count[row_of] - infinite
        usable = others_infinite == 0
        if rows is not None:
            usable &= rows[row_of]
        others = finite_sum[row_of] - np.where(infinite, 0.0, extreme)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = (rhs[row_of] - others) / coefficient
        # at most: a positive coefficient bounds the cell from above, a negative one from below; at least: the reverse.
        caps = usable & ((coefficient > 0) == at_most)
        floors = usable & ((coefficient > 0) != at_most)
        np.minimum.at(upper, cell[caps], bound[caps])
        np.maximum.at(lower, cell[floors], bound[floors])


_HIGHS_LOCK = threading.Lock()
_highs_started = False


def _new_highs():
    """A quiet HiGHS solver. HiGHS prints a banner on standard output when the first solver of a process is made,
    which would corrupt the command line's output: that one time, standard output is pointed at /dev/null."""
    global _highs_started
    import highspy

    with _HIGHS_LOCK:
        if _highs_started:
            solver = highspy.Highs()
        else:
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    solver = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _highs_started = True
    solver.setOptionValue("output_flag", False)
    return solver


class _Component:
    """The linear programs of one group of unknown cells."""

    def __init__(self, system: _System, component: list[int], k: int, whole_numbers: bool = True):
        import highspy

        self.system, self.component, self.k, self.whole_numbers = system, component, k, whole_numbers
        self.values = system.publication.values
        self.column = {cell: number for number, cell in enumerate(component)}
        self.rows = system.rows_of(component)
        self.lower = np.array([1.0 if system.states[cell] == HIDDEN else 0.0 for cell in component])
        self.infinity = highspy.kHighsInf

    def intervals(self, sensitive: list[int], exact: bool, report: bool = True) -> list[Interval]:
        if exact:
            return self._exact_intervals(sensitive)
        certified = self._certified(sensitive)
        found = [self._interval(cell, False) for cell in sensitive if cell in certified]
        decided = self._decided([cell for cell in sensitive if cell not in certified])
        found += [interval for interval in decided if not interval.disclosed]
        disclosed = [interval for interval in decided if interval.disclosed]
        if disclosed and not report:
            return found + disclosed
        if disclosed:
            found += self._exact_intervals([self.system.publication.index(i.label) for i in disclosed])
        return found

    def _interval(self, cell: int, disclosed: bool, low=None, high=None) -> Interval:
        publication = self.system.publication
        return Interval(publication.labels[cell], self.values[cell], self.system.states[cell], disclosed, low, high)

    def _decided(self, cells: list[int]) -> list[Interval]:
        """Each cell by its own largest value, warm-starting one objective from the last: it must be able to
        reach k."""
        import highspy

        if not cells:
            return []
        lp = self._lp()
        solver = _new_highs()
        solver.passModel(lp)
        objective = _Objective(solver, lp, len(self.component), self.whole_numbers)
        decided = []
        for cell in cells:
            objective.set(self.column[cell])
            high = objective.bound(highspy.ObjSense.kMaximize)
            decided.append(self._interval(cell, high < self.k, high=high))
        return decided

    def _lp(self):
        """The relations over the component's cells."""
        import highspy

        n = len(self.component)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(self.rows)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = self.lower.copy()
        lp.col_upper_ = np.full(n, self.infinity)
        lp.row_lower_ = np.array([rhs if kind == "eq" else -self.infinity for _, _, rhs, kind in self.rows])
        lp.row_upper_ = np.array([rhs for _, _, rhs, _ in self.rows], dtype=float)
        starts, indexes, coefficients = [0], [], []
        for cells, row_coefficients, _, _ in self.rows:
            indexes += [self.column[cell] for cell in cells]
            coefficients += row_coefficients
            starts.append(len(indexes))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indexes, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(coefficients, dtype=float)
        return lp

    def _certified(self, sensitive: list[int]) -> set[int]:
        """Cells shown protected by solutions that bring many of them at once to k."""
        return _Batch(self, {cell: float(self.k) for cell in sensitive}).reached()

    def _exact_intervals(self, cells: list[int]) -> list[Interval]:
        """Each cell's smallest and largest value over whole numbers, warm-starting one objective from the last."""
        import highspy

        lp = self._lp()
        solver = _new_highs()
        solver.passModel(lp)
        objective = _Objective(solver, lp, len(self.component), whole_numbers=True)
        found = []
        for cell in cells:
            objective.set(self.column[cell])
            low = objective.bound(highspy.ObjSense.kMinimize)
            high = objective.bound(highspy.ObjSense.kMaximize)
            found.append(self._interval(cell, high < self.k, int(low), high))
        return found


class _Batch:
    """One linear program that brings as many cells as it can to their targets, round after round over the
    cells not yet brought there, warm-started from the last round. A waiting cell is capped at its target and
    carries the objective, so that an optimum is a vertex of the relations themselves, whole-number wherever
    they allow it. The cap only narrows the relations' solutions, and the true values (all below their
    targets) stay among them, so every optimum is a solution of the publication."""

    def __init__(self, component: _Component, targets: dict[int, float]):
        import highspy

        self.component, self.targets = component, targets
        self.lp = component._lp()
        self.lp.sense_ = highspy.ObjSense.kMaximize
        self.solver = _new_highs()
        self.solver.passModel(self.lp)

    def reached(self) -> set[int]:
        """The cells some round brought to their target. A round that brings none is retried a few times with
        random weights: an optimum can spread the slack so that no cell reaches its target although each could
        (the generator is seeded, so a run is reproducible)."""
        waiting, reached = dict(self.targets), set()
        weights = random.Random(0)
        retries = 0
        while waiting and retries <= _STALLED_ROUNDS:
            self._aim(waiting, weights if retries else None)
            point = self._point()
            now = {cell for cell, target in waiting.items() if point is not None and point[cell] >= target - _EPSILON}
            retries = 0 if now else retries + 1
            reached |= now
            for cell in now:
                self._release(cell)
            waiting = {cell: target for cell, target in waiting.items() if cell not in now}
        return reached

    def _aim(self, waiting: dict[int, float], weights: random.Random | None) -> None:
        component, solver = self.component, self.solver
        for cell, target in waiting.items():
            column = component.column[cell]
            solver.changeColBounds(column, component.lower[column], target)
            solver.changeColCost(column, 1.0 if weights is None else weights.uniform(0.1, 1.0))

    def _release(self, cell: int) -> None:
        column = self.component.column[cell]
        self.solver.changeColBounds(column, self.component.lower[column], self.component.infinity)
        self.solver.changeColCost(column, 0.0)

    def _point(self) -> dict[int, float] | None:
        """The optimum's cell values: over whole numbers when asked (a good whole-number solution where the
        linear optimum is fractional, which proves nothing about whole numbers); None if there is none."""
        import highspy

        component, solver = self.component, self.solver
        n = len(component.component)
        solver.run()
        if solver.getModelStatus() == highspy.HighsModelStatus.kUnknown:
            solver.clearSolver()  # as in _Objective.bound: a cold start gives a verdict
            solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = np.asarray(solver.getSolution().col_value)[:n]
        if component.whole_numbers and np.any(np.abs(solution - np.round(solution)) > _EPSILON):
            integer_lp = solver.getLp()
            integer_lp.integrality_ = [highspy.HighsVarType.kInteger] * n
            integer_solver = _new_highs()
            # Any whole-number solution certifies the cells it brings to their targets: a good one will do.
            integer_solver.setOptionValue("mip_rel_gap", _BATCH_MIP_GAP)
            integer_solver.passModel(integer_lp)
            integer_solver.run()
            if integer_solver.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
                return None
            solution = np.round(np.asarray(integer_solver.getSolution().col_value)[:n])
        return {cell: solution[component.column[cell]] for cell in self.targets}


class _Objective:
    """One cell as the objective of a solver that keeps its basis between objectives."""

    def __init__(self, solver, lp, columns: int, whole_numbers: bool):
        self.solver, self.lp, self.columns, self.whole_numbers = solver, lp, columns, whole_numbers
        self.current = None

    def set(self, column: int) -> None:
        if self.current is not None:
            self.solver.changeColCost(self.current, 0.0)
        self.solver.changeColCost(column, 1.0)
        self.current = column

    def bound(self, sense) -> float:
        """The optimum (math.inf when unbounded above): over whole numbers when asked, else the linear
        relaxation's, rounded towards the inside (a bound on whole numbers all the same)."""
        import highspy

        solver = self.solver
        solver.changeObjectiveSense(sense)
        solver.run()
        status = solver.getModelStatus()
        if status == highspy.HighsModelStatus.kUnknown:
            # A warm start can end without a verdict (seen on unbounded objectives); a cold start gives one.
            solver.clearSolver()
            solver.run()
            status = solver.getModelStatus()
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return math.inf
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the disclosure audit's linear program ended {solver.modelStatusToString(status)}")
        optimum = solver.getInfo().objective_function_value
        solution = np.asarray(solver.getSolution().col_value)
        if np.all(np.abs(solution - np.round(solution)) < _EPSILON):
            return round(optimum)
        if not self.whole_numbers:
            maximizing = sense == highspy.ObjSense.kMaximize
            return math.floor(optimum + _EPSILON) if maximizing else math.ceil(optimum - _EPSILON)
        cost = np.zeros(self.columns)
        cost[self.current] = 1.0
        return _integer_bound(self.lp, cost, sense)


def _integer_bound(lp, cost, sense) -> float:
    """The same objective as an integer program: the linear bound was at a fractional vertex."""
    import highspy

    solver = _new_highs()
    integer_lp = highspy.HighsLp()
    for name in ("num_col_", "num_row_", "col_lower_", "col_upper_", "row_lower_", "row_upper_", "a_matrix_"):
        setattr(integer_lp, name, getattr(lp, name))
    integer_lp.col_cost_ = cost
    integer_lp.sense_ = sense
    integer_lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
    solver.passModel(integer_lp)
    solver.run()
    status = solver.getModelStatus()
    if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return math.inf
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the disclosure audit's integer program ended {solver.modelStatusToString(status)}")
    return round(solver.getInfo().objective_function_value)
