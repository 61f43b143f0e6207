"""The annual plan as an optimisation: who attends which session so that the most urgent needs
are covered within the budget. Pure (no I/O): a MILP solved by HiGHS through
`scipy.optimize.milp`, and a greedy baseline with the same rules.

Model. Needs of one employee and one competency form a *group* (one course covers them all);
x[g, s] = 1 when group g takes a seat in session s of a course of its competency. f[s] counts
the seats of s given free under a partner's MoU.

    maximise   sum w[g] x[g, s]  -  eps * cost
    subject to sum_s x[g, s] <= 1                        each group at most once
               sum_g x[g, s] <= seats[s]                 capacity left in each session
               f[s] <= sum_g x[g, s]; sum_{s of p} f[s] <= free[p]   an MoU's free seats
               sum_s price[s] (sum_g x[g, s] - f[s]) <= budget
               per employee, per start date d: the sessions running on d take at most one
               seat (no double booking: in an interval graph these are the maximal cliques)
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

# -- weights (documented in services/training/README.md, "Annual plan") ----------------------
# Latsar is mandatory during probation (PP 11/2017 as amended by PP 17/2020, Peraturan LAN
# 1/2021): its weight exceeds any set of other needs one seat could cover instead.
WEIGHT_LATSAR = 1000.0
# A predikat below BAIK calls for performance development (PermenPAN-RB 6/2022).
WEIGHT_DEVELOPMENT = 100.0
# A BerAKHLAK value under expectations, or a gap found by analysis.
WEIGHT_COMPETENCY = 30.0
# An employee short of the 20 JP a year (PP 17/2020): every need of theirs gains this much.
WEIGHT_BELOW_JP = 20.0
KIND_WEIGHTS = {"LATSAR": WEIGHT_LATSAR, "DEVELOPMENT": WEIGHT_DEVELOPMENT}

Progress = Callable[[float, str], None]


def need_weight(kind: str, below_jp: bool) -> float:
    """The urgency of one need: its kind, plus a bonus when the employee is short of 20 JP."""
    return KIND_WEIGHTS.get(kind, WEIGHT_COMPETENCY) + (WEIGHT_BELOW_JP if below_jp else 0.0)


@dataclass(frozen=True)
class PlanNeed:
    """An open need the plan may cover."""

    need_id: str
    nip: str
    kind: str
    competency: str
    weight: float


@dataclass(frozen=True)
class PlanSession:
    """A session with seats left, its price (after any MoU discount) and its MoU."""

    session_id: str
    competency: str
    starts_on: date
    ends_on: date
    seats: int
    price: int
    partnership_id: str | None = None


@dataclass
class Group:
    """The needs of one employee in one competency: one seat covers them all."""

    nip: str
    competency: str
    needs: list[PlanNeed] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return sum(n.weight for n in self.needs)

    @property
    def kinds(self) -> set[str]:
        return {n.kind for n in self.needs}


@dataclass(frozen=True)
class Choice:
    """A need's place in the plan: its session (None: uncovered), cost and why."""

    need_id: str
    nip: str
    session_id: str | None
    cost: int
    free_seat: bool
    weight: float
    reason: str
    explanation: str


@dataclass
class Solution:
    """What a solver chose, its figures, and how it got there."""

    method: str
    choices: list[Choice]
    cost: int
    weight: float
    status: str
    seconds: float
    lp_bound: float | None = None
    objective: float | None = None

    @property
    def covered(self) -> list[Choice]:
        return [c for c in self.choices if c.session_id is not None]

    @property
    def gap(self) -> float | None:
        """Relative distance of the objective from the LP bound (0.01 = 1 %)."""
        if self.lp_bound is None or self.objective is None or self.lp_bound <= 0:
            return None
        return max(0.0, (self.lp_bound - self.objective) / self.lp_bound)


@dataclass
class Problem:
    """Groups, their candidate sessions and the shared limits."""

    groups: list[Group]
    sessions: list[PlanSession]
    free_seats: dict[str, int]
    budget: int
    blocked: dict[str, list[tuple[date, date]]]
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (group, session) indices
    no_session: set[int] = field(default_factory=set)

    @classmethod
    def build(
        cls,
        needs: Iterable[PlanNeed],
        sessions: Sequence[PlanSession],
        free_seats: dict[str, int],
        budget: int,
        blocked: dict[str, list[tuple[date, date]]] | None = None,
    ) -> Problem:
        """Group the needs and list each group's candidate sessions (same competency, a seat
        left, no clash with what the employee is already booked on)."""
        by_key: dict[tuple[str, str], Group] = {}
        for need in needs:
            by_key.setdefault((need.nip, need.competency), Group(need.nip, need.competency))
            by_key[(need.nip, need.competency)].needs.append(need)
        groups = sorted(by_key.values(), key=lambda g: (-g.weight, g.nip, g.competency))
        problem = cls(groups, list(sessions), dict(free_seats), budget, dict(blocked or {}))
        of_competency: dict[str, list[int]] = defaultdict(list)
        for j, s in enumerate(problem.sessions):
            if s.seats > 0:
                of_competency[s.competency].append(j)
        for i, g in enumerate(groups):
            taken = problem.blocked.get(g.nip, ())
            candidates = [
                j
                for j in of_competency.get(g.competency, ())
                if not any(_overlap(problem.sessions[j], a, b) for a, b in taken)
            ]
            if not of_competency.get(g.competency):
                problem.no_session.add(i)
            problem.pairs.extend((i, j) for j in candidates)
        return problem


def _overlap(s: PlanSession, start: date, end: date) -> bool:
    return s.starts_on <= end and start <= s.ends_on


def solve(
    problem: Problem, *, time_limit: float = 8.0, progress: Progress | None = None
) -> Solution:
    """The MILP by HiGHS on seats per (competency, weight) class and session, then the seats
    given to named employees without date clashes; with the LP relaxation's bound."""
    started = time.perf_counter()
    report = progress or (lambda _f, _m: None)
    sessions = problem.sessions
    classes = _classes(problem)
    by_competency: dict[str, list[int]] = defaultdict(list)
    for j, s in enumerate(sessions):
        if s.seats > 0:
            by_competency[s.competency].append(j)
    pairs = [(k, j) for k, cls in enumerate(classes) for j in by_competency.get(cls.competency, ())]
    if not pairs:
        return _finish(problem, "milp", {}, {}, "OPTIMAL", started, 0.0, 0.0)
    free_sessions = [
        j
        for j, s in enumerate(sessions)
        if s.partnership_id and problem.free_seats.get(s.partnership_id, 0) > 0
    ]
    n_z = len(pairs)
    f_col = {j: n_z + k for k, j in enumerate(free_sessions)}
    n = n_z + len(free_sessions)
    eps = 0.01 / (max(s.price for s in sessions) or 1)  # cheaper among equals, never more
    c = np.zeros(n)
    for col, (k, j) in enumerate(pairs):
        c[col] = -(classes[k].weight - eps * sessions[j].price)
    for j, col in f_col.items():
        c[col] = -eps * sessions[j].price
    triplets: list[tuple[int, int, float]] = []
    upper: list[float] = []

    def row(entries: Iterable[tuple[int, float]], bound: float) -> None:
        r = len(upper)
        triplets.extend((r, col, value) for col, value in entries)
        upper.append(bound)

    for k, cls in enumerate(classes):  # a class has so many groups
        row(((col, 1.0) for col, p in enumerate(pairs) if p[0] == k), float(len(cls.groups)))
    seats_of: dict[int, list[int]] = defaultdict(list)
    for col, (_k, j) in enumerate(pairs):
        seats_of[j].append(col)
    for j, cols in seats_of.items():  # capacity left in a session
        row(((col, 1.0) for col in cols), float(sessions[j].seats))
    budget = [(col, float(sessions[j].price)) for col, (_k, j) in enumerate(pairs)]
    budget += [(col, -float(sessions[j].price)) for j, col in f_col.items()]
    row(budget, float(problem.budget))
    for j, col in f_col.items():  # free seats only among the seats taken
        row([(col, 1.0), *((x, -1.0) for x in seats_of[j])], 0.0)
    for partner in sorted({sessions[j].partnership_id for j in f_col}):
        cols = [col for j, col in f_col.items() if sessions[j].partnership_id == partner]
        row(((col, 1.0) for col in cols), float(problem.free_seats[partner]))
    r, k_, v = zip(*triplets, strict=True)
    matrix = coo_array((v, (r, k_)), shape=(len(upper), n)).tocsr()
    constraint = LinearConstraint(matrix, -np.inf, np.array(upper))
    caps = [min(len(classes[k].groups), sessions[j].seats) for k, j in pairs]
    caps += [sessions[j].seats for j in f_col]
    bounds = Bounds(np.zeros(n), np.array(caps, dtype=float))
    report(0.1, f"model: {n} variables, {len(upper)} constraints")
    # The bound on the weight alone (without the cost tie-break) is the one a plan is held to.
    pure = np.array([-classes[k].weight for k, _j in pairs] + [0.0] * len(f_col))
    relaxed = milp(pure, constraints=constraint, bounds=bounds, integrality=np.zeros(n))
    lp_bound = -relaxed.fun if relaxed.success else None
    report(0.3, "LP bound computed")
    left = max(0.5, time_limit - (time.perf_counter() - started))
    result = milp(
        c,
        constraints=constraint,
        bounds=bounds,
        integrality=np.ones(n),
        options={"time_limit": left, "mip_rel_gap": 0.001},
    )
    report(0.8, f"MILP: {result.message}")
    if result.x is None:
        return _finish(problem, "milp", {}, {}, "FAILED", started, lp_bound, None)
    seats = {pairs[col]: round(result.x[col]) for col in range(n_z) if result.x[col] > 0.5}
    free = {j: round(result.x[col]) for j, col in f_col.items()}
    chosen = _name_seats(problem, classes, seats)
    _fill(problem, chosen, free)
    report(1.0, "seats given to employees")
    status = "OPTIMAL" if result.status == 0 else "TIME_LIMIT"
    objective = sum(problem.groups[i].weight for i in chosen)
    baseline = greedy(problem)
    if baseline.weight > objective:  # a date clash the seat classes could not see
        return _finish(
            problem,
            "milp",
            *_chosen_of(problem, baseline),
            "GREEDY",
            started,
            lp_bound,
            baseline.weight,
        )
    return _finish(problem, "milp", chosen, free, status, started, lp_bound, objective)


def _fill(problem: Problem, chosen: dict[int, int], free: dict[int, int]) -> None:
    """Place, most urgent first, the groups left out (a clash when seats were named) in any
    session of their competency with a seat and no clash, while the budget lasts."""
    used: dict[int, int] = defaultdict(int)
    for j in chosen.values():
        used[j] += 1
    spent = sum(problem.sessions[j].price * max(0, n - free.get(j, 0)) for j, n in used.items())
    booked: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for nip, spans in problem.blocked.items():
        booked[nip].extend(spans)
    for i, j in chosen.items():
        booked[problem.groups[i].nip].append(
            (problem.sessions[j].starts_on, problem.sessions[j].ends_on)
        )
    candidates: dict[int, list[int]] = defaultdict(list)
    for i, j in problem.pairs:
        candidates[i].append(j)
    for i, g in enumerate(problem.groups):  # sorted most urgent first
        if i in chosen:
            continue
        options = sorted(candidates.get(i, ()), key=lambda j: problem.sessions[j].price)
        for j in options:
            s = problem.sessions[j]
            if used[j] >= s.seats or spent + s.price > problem.budget:
                continue
            if any(_overlap(s, a, b) for a, b in booked[g.nip]):
                continue
            chosen[i] = j
            used[j] += 1
            spent += s.price
            booked[g.nip].append((s.starts_on, s.ends_on))
            break


def _chosen_of(problem: Problem, solution: Solution) -> tuple[dict[int, int], dict[int, int]]:
    index = {s.session_id: j for j, s in enumerate(problem.sessions)}
    group_of = {n.need_id: i for i, g in enumerate(problem.groups) for n in g.needs}
    chosen: dict[int, int] = {}
    free: dict[int, int] = defaultdict(int)
    for c in solution.covered:
        i = group_of[c.need_id]
        if i not in chosen:
            chosen[i] = index[c.session_id]
            if c.free_seat:
                free[index[c.session_id]] += 1
    return chosen, dict(free)


@dataclass
class _Class:
    """Groups of one competency and one weight: interchangeable but for their dates."""

    competency: str
    weight: float
    groups: list[int]


def _classes(problem: Problem) -> list[_Class]:
    keyed: dict[tuple[str, float], _Class] = {}
    for i, g in enumerate(problem.groups):
        key = (g.competency, g.weight)
        keyed.setdefault(key, _Class(g.competency, g.weight, [])).groups.append(i)
    return list(keyed.values())


def _name_seats(
    problem: Problem, classes: list[_Class], seats: dict[tuple[int, int], int]
) -> dict[int, int]:
    """Give each class's seats in each session to its groups so that nobody is booked on
    overlapping dates; employees with more groups (harder to place) go first."""
    groups_of: dict[str, int] = defaultdict(int)
    for g in problem.groups:
        groups_of[g.nip] += 1
    booked: dict[str, list[tuple[date, date]]] = {
        nip: list(spans) for nip, spans in problem.blocked.items()
    }
    chosen: dict[int, int] = {}
    for k, cls in sorted(enumerate(classes), key=lambda kc: -kc[1].weight):
        quota = {j: z for (kk, j), z in seats.items() if kk == k and z > 0}
        if not quota:
            continue
        order = sorted(cls.groups, key=lambda i: (-groups_of[problem.groups[i].nip], i))
        for i in order:
            nip = problem.groups[i].nip
            for j in sorted(quota, key=lambda j: problem.sessions[j].starts_on):
                s = problem.sessions[j]
                if quota[j] <= 0 or any(_overlap(s, a, b) for a, b in booked.get(nip, ())):
                    continue
                chosen[i] = j
                quota[j] -= 1
                booked.setdefault(nip, []).append((s.starts_on, s.ends_on))
                break
            if not any(quota.values()):
                break
    return chosen


def greedy(problem: Problem, *, progress: Progress | None = None) -> Solution:
    """The baseline: most urgent group first, into the cheapest session that still fits."""
    started = time.perf_counter()
    seats = [s.seats for s in problem.sessions]
    free_left = dict(problem.free_seats)
    budget = problem.budget
    booked: dict[str, list[PlanSession]] = defaultdict(list)
    candidates: dict[int, list[int]] = defaultdict(list)
    for i, j in problem.pairs:
        candidates[i].append(j)
    chosen: dict[int, int] = {}
    free: dict[int, int] = defaultdict(int)
    for i, g in enumerate(problem.groups):
        best: tuple[int, int] | None = None
        for j in candidates.get(i, ()):
            s = problem.sessions[j]
            if seats[j] <= 0 or any(_overlap(s, b.starts_on, b.ends_on) for b in booked[g.nip]):
                continue
            cost = 0 if s.partnership_id and free_left.get(s.partnership_id, 0) > 0 else s.price
            if cost <= budget and (best is None or cost < best[0]):
                best = (cost, j)
        if best is None:
            continue
        cost, j = best
        chosen[i] = j
        seats[j] -= 1
        budget -= cost
        booked[g.nip].append(problem.sessions[j])
        if cost == 0 and problem.sessions[j].partnership_id:
            free_left[problem.sessions[j].partnership_id] -= 1
            free[j] += 1
    if progress:
        progress(1.0, "greedy done")
    objective = sum(problem.groups[i].weight for i in chosen)
    return _finish(problem, "greedy", chosen, dict(free), "FEASIBLE", started, None, objective)


def _finish(
    problem: Problem,
    method: str,
    chosen: dict[int, int],
    free: dict[int, int],
    status: str,
    started: float,
    lp_bound: float | None,
    objective: float | None,
) -> Solution:
    """Turn chosen (group -> session) into one Choice per need, explained."""
    free_left = dict(free)
    seats_used: dict[int, int] = defaultdict(int)
    for j in chosen.values():
        seats_used[j] += 1
    candidates: dict[int, list[int]] = defaultdict(list)
    for i, j in problem.pairs:
        candidates[i].append(j)
    choices: list[Choice] = []
    total_cost = 0
    spent = 0
    for i, g in enumerate(problem.groups):  # most urgent first: they get the free seats
        j = chosen.get(i)
        if j is None:
            reason = _why_uncovered(problem, i, candidates.get(i, []), seats_used)
            for need in g.needs:
                choices.append(
                    Choice(
                        need.need_id,
                        need.nip,
                        None,
                        0,
                        False,
                        need.weight,
                        reason,
                        _UNCOVERED[reason],
                    )
                )
            continue
        s = problem.sessions[j]
        is_free = free_left.get(j, 0) > 0
        if is_free:
            free_left[j] -= 1
        cost = 0 if is_free else s.price
        total_cost += cost
        spent += cost
        why = _why_covered(g, s, is_free)
        for k, need in enumerate(g.needs):
            # One seat covers every need of the group; its cost is booked on the first.
            choices.append(
                Choice(
                    need.need_id,
                    need.nip,
                    s.session_id,
                    cost if k == 0 else 0,
                    is_free,
                    need.weight,
                    "COVERED",
                    why,
                )
            )
    weight = sum(problem.groups[i].weight for i in chosen)
    return Solution(
        method,
        choices,
        total_cost,
        weight,
        status,
        time.perf_counter() - started,
        lp_bound,
        objective,
    )


_UNCOVERED = {
    "NO_SESSION": "Tidak ada sesi untuk kompetensi ini pada tahun rencana.",
    "DATE_CLASH": "Setiap sesi yang tersedia bentrok dengan jadwal pegawai.",
    "NO_SEAT": "Semua sesi kompetensi ini penuh oleh kebutuhan yang lebih mendesak.",
    "BUDGET": "Anggaran habis untuk kebutuhan yang lebih mendesak (bobot lebih tinggi).",
}


def _why_uncovered(
    problem: Problem, i: int, candidates: list[int], seats_used: dict[int, int]
) -> str:
    if i in problem.no_session:
        return "NO_SESSION"
    if not candidates:
        return "DATE_CLASH"
    if all(seats_used.get(j, 0) >= problem.sessions[j].seats for j in candidates):
        return "NO_SEAT"
    return "BUDGET"


def _why_covered(g: Group, s: PlanSession, free: bool) -> str:
    urgency = []
    if "LATSAR" in g.kinds:
        urgency.append("Latsar wajib dalam masa percobaan")
    if "DEVELOPMENT" in g.kinds:
        urgency.append("predikat di bawah Baik")
    if "COMPETENCY" in g.kinds:
        urgency.append("kesenjangan kompetensi")
    if any(n.weight > KIND_WEIGHTS.get(n.kind, WEIGHT_COMPETENCY) for n in g.needs):
        urgency.append("di bawah 20 JP")
    paid = f"kursi gratis MoU {s.partnership_id}" if free else f"Rp {s.price:,}".replace(",", ".")
    return (
        f"Bobot {g.weight:g} ({', '.join(urgency)}); sesi {s.session_id} "
        f"{s.starts_on.isoformat()}..{s.ends_on.isoformat()}, {paid}."
    )
