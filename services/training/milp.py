"""The annual plan as a MILP solved by HiGHS through `scipy.optimize.milp` (pure, no I/O).

Model. Needs of one employee and one competency form a *group* (one course covers them all).
Groups of the same competency and weight form a *class*: interchangeable for seats and money.
z[k, s] = seats of session s given to class k; f[s] = seats of s given free under an MoU.

    maximise   sum w[k] z[k, s]  -  eps * cost
    subject to sum_s z[k, s] <= |k|                       each group at most once
               sum_k z[k, s] <= seats[s]                  capacity left in each session
               f[s] <= sum_k z[k, s]; sum_{s of p} f[s] <= free[p]   an MoU's free seats
               sum_s price[s] (sum_k z[k, s] - f[s]) <= budget

Then the seats are given to named groups without date clashes (`_name_seats`), clashes are
repaired while seats and money last (`_fill`), and the plan is never worse than the greedy
baseline. The LP relaxation (weight only) bounds every plan, clash rules included.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from services.training.planner import (
    Problem,
    Progress,
    Solution,
    finish,
    greedy,
    overlap,
)


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
        return finish(problem, "milp", {}, {}, "OPTIMAL", started, 0.0, 0.0)
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
        return finish(problem, "milp", {}, {}, "FAILED", started, lp_bound, None)
    seats = {pairs[col]: round(result.x[col]) for col in range(n_z) if result.x[col] > 0.5}
    free = {j: round(result.x[col]) for j, col in f_col.items()}
    chosen = _name_seats(problem, classes, seats)
    _fill(problem, chosen, free)
    report(1.0, "seats given to employees")
    status = "OPTIMAL" if result.status == 0 else "TIME_LIMIT"
    objective = sum(problem.groups[i].weight for i in chosen)
    baseline = greedy(problem)
    if baseline.weight > objective:  # a date clash the seat classes could not see
        return finish(
            problem,
            "milp",
            *_chosen_of(problem, baseline),
            "GREEDY",
            started,
            lp_bound,
            baseline.weight,
        )
    return finish(problem, "milp", chosen, free, status, started, lp_bound, objective)


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
            if any(overlap(s, a, b) for a, b in booked[g.nip]):
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
                if quota[j] <= 0 or any(overlap(s, a, b) for a, b in booked.get(nip, ())):
                    continue
                chosen[i] = j
                quota[j] -= 1
                booked.setdefault(nip, []).append((s.starts_on, s.ends_on))
                break
            if not any(quota.values()):
                break
    return chosen
