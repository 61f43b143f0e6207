"""The annual plan as an optimisation, pure (no I/O): the problem, the weights, the greedy
baseline and the explanation of every choice; the MILP is in `milp.py`.

The problem: needs of one employee and one competency form a *group* (one seat covers them
all); a group may take a seat in a session of a course of its competency, within the seats left,
an MoU's free seats, the budget, and without overlapping dates for the employee.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

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
    no_session: set[int] = field(default_factory=set)  # no session of the competency at all
    full: set[int] = field(default_factory=set)  # sessions of it, none with a seat left

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
        offered = {s.competency for s in problem.sessions}
        for j, s in enumerate(problem.sessions):
            if s.seats > 0:
                of_competency[s.competency].append(j)
        for i, g in enumerate(groups):
            taken = problem.blocked.get(g.nip, ())
            candidates = [
                j
                for j in of_competency.get(g.competency, ())
                if not any(overlap(problem.sessions[j], a, b) for a, b in taken)
            ]
            if g.competency not in offered:
                problem.no_session.add(i)
            elif not of_competency.get(g.competency):
                problem.full.add(i)
            problem.pairs.extend((i, j) for j in candidates)
        return problem


def overlap(s: PlanSession, start: date, end: date) -> bool:
    return s.starts_on <= end and start <= s.ends_on


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
            if seats[j] <= 0 or any(overlap(s, b.starts_on, b.ends_on) for b in booked[g.nip]):
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
    return finish(problem, "greedy", chosen, dict(free), "FEASIBLE", started, None, objective)


def finish(
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
    if i in problem.full:
        return "NO_SEAT"
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
