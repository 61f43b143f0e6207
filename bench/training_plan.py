"""Benchmark of the annual training plan of a province; prints its figures as JSON.

A synthetic province (default 5,000 employees, 8,000 open needs, 300 sessions, the budget at
40 % of the total demand) goes through the service's own planner (`services.training.planner`,
the code `POST /plans` runs):
- MILP (HiGHS through scipy.optimize.milp): solve time, the LP relaxation's bound and the gap
  of the plan to it, needs covered, weight covered, cost;
- the greedy baseline on the same problem: the same figures, and MILP vs greedy;
- what +10 % budget buys (MILP again on the larger budget);
- the request path: the same province stored in a fresh SQLite database of the service's
  migrations and planned by `plans.solve_plan` (what `POST /plans` runs: reading needs, seats
  and MoUs, MILP, greedy, +10 %, storing the plan and its 8,000 choices), timed end to end.
Needs: Latsar for the year's CPNS intake, development needs after a poor predikat, and
competency gaps over 34 competencies (7 BerAKHLAK-mapped, the general development one, Latsar
and 25 technical ones); sessions are spread over the competencies by demand, 2-10 days long,
20-40 seats, Rp 1.5-7.5 M a seat, a fifth of them under six MoUs with free seats and discounts.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from services.training import milp, planner, rules

YEAR = 2025

BERAKHLAK = [c for c, _t in rules.COMPETENCY_OF_VALUE.values()]
TECHNICAL = [f"Teknis bidang {k:02d}" for k in range(1, 26)]


def province(
    employees: int, needs: int, sessions: int, budget_share: float, seed: int
) -> tuple[planner.Problem, dict[str, Any]]:
    """A reproducible synthetic province as a planning problem, and what it is made of."""
    rng = random.Random(seed)
    nips = [f"{19700101 + k:08d}2015031{k:06d}"[:18] for k in range(employees)]
    cpns = nips[: employees * 6 // 100]  # this year's intake owes Latsar
    below_jp = {n for n in nips if rng.random() < 0.6}
    plan_needs: list[planner.PlanNeed] = []
    for n in cpns:
        plan_needs.append(_need(len(plan_needs), n, "LATSAR", rules.LATSAR_COMPETENCY[0], below_jp))
    poor = rng.sample(nips[len(cpns) :], employees * 24 // 100)
    for n in poor:
        plan_needs.append(
            _need(len(plan_needs), n, "DEVELOPMENT", "Pengembangan kinerja", below_jp)
        )
    pool = BERAKHLAK * 3 + TECHNICAL
    held: set[tuple[str, str]] = set()
    while len(plan_needs) < needs:
        n = rng.choice(nips)
        competency = rng.choice(pool)
        if (n, competency) in held:
            continue
        held.add((n, competency))
        plan_needs.append(_need(len(plan_needs), n, "COMPETENCY", competency, below_jp))
    demand = Counter(need.competency for need in plan_needs)
    competencies = sorted(demand)
    # At least one session per competency, the rest by demand.
    counts = dict.fromkeys(competencies, 1)
    extra = sessions - len(competencies)
    weights = [demand[c] for c in competencies]
    for c in rng.choices(competencies, weights=weights, k=extra):
        counts[c] += 1
    partners = {f"MOU-{k}": (rng.randint(30, 80), rng.choice((0, 10, 20, 30))) for k in range(6)}
    plan_sessions: list[planner.PlanSession] = []
    price_of: dict[str, list[int]] = {}
    for c in competencies:
        base = rng.randint(15, 75) * 100_000
        for _ in range(counts[c]):
            start = date(2025, 1, 6) + timedelta(days=rng.randint(0, 330))
            mou = rng.choice(list(partners)) if rng.random() < 0.2 else None
            price = rules.partner_price(base, partners[mou][1]) if mou else base
            plan_sessions.append(
                planner.PlanSession(
                    session_id=f"SES-{len(plan_sessions):04d}",
                    competency=c,
                    starts_on=start,
                    ends_on=start + timedelta(days=rng.randint(1, 9)),
                    seats=rng.randint(20, 40),
                    price=price,
                    partnership_id=mou,
                )
            )
            price_of.setdefault(c, []).append(price)
    total_demand = sum(
        sum(price_of[n.competency]) / len(price_of[n.competency]) for n in plan_needs
    )
    budget = int(total_demand * budget_share)
    free = {p: seats for p, (seats, _d) in partners.items()}
    problem = planner.Problem.build(plan_needs, plan_sessions, free, budget)
    shape = {
        "employees": employees,
        "needs": len(plan_needs),
        "needs_by_kind": dict(Counter(n.kind for n in plan_needs)),
        "groups": len(problem.groups),
        "sessions": len(plan_sessions),
        "seats": sum(s.seats for s in plan_sessions),
        "competencies": len(competencies),
        "choices": len(problem.pairs),
        "total_demand_rp": int(total_demand),
        "budget_rp": budget,
        "budget_share": budget_share,
        "partner_free_seats": sum(free.values()),
    }
    return problem, shape


def _need(k: int, nip: str, kind: str, competency: str, below: set[str]) -> planner.PlanNeed:
    return planner.PlanNeed(
        f"NEED-{k:05d}", nip, kind, competency, planner.need_weight(kind, nip in below)
    )


def figures(solution: planner.Solution) -> dict[str, Any]:
    """The comparable figures of one solution."""
    covered = solution.covered
    out = {
        "status": solution.status,
        "seconds": round(solution.seconds, 3),
        "needs_covered": len(covered),
        "needs_covered_by_kind": dict(Counter(solution_kind(c) for c in covered)),
        "weight_covered": round(solution.weight, 1),
        "cost_rp": solution.cost,
        "free_seats_used": sum(1 for c in covered if c.free_seat and c.cost == 0),
    }
    if solution.lp_bound is not None:
        out["lp_bound"] = round(solution.lp_bound, 2)
        out["objective"] = round(solution.objective or 0, 2)
        out["gap_to_lp_bound"] = round(solution.gap or 0.0, 5)
    return out


_KIND_OF: dict[str, str] = {}


def solution_kind(choice: planner.Choice) -> str:
    return _KIND_OF.get(choice.need_id, "?")


def through_database(problem: planner.Problem) -> dict[str, Any]:
    """Store the province in a fresh SQLite database and time `plans.solve_plan` on it."""
    import tempfile
    from datetime import UTC, datetime
    from pathlib import Path

    from sqlalchemy.orm import Session

    from chassis.db import make_engine
    from chassis.migrations import upgrade
    from chassis.principal import system_actor
    from chassis.uow import UnitOfWork
    from services.training import models, plans
    from services.training.app import SPEC

    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'training.db'}"
        upgrade(SPEC.migrations_dir, url)
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            session.add(
                models.Provider(provider_id="PRV-1", name="BPSDM", kind="BPSDM", created_at=now)
            )
            session.flush()
            for partner, seats in problem.free_seats.items():
                session.add(
                    models.Partnership(
                        partnership_id=partner,
                        provider_id="PRV-1",
                        mou_number=partner,
                        valid_from=date(YEAR, 1, 1),
                        valid_until=date(YEAR, 12, 31),
                        free_seats_per_year=seats,
                        discount_percent=0,
                        created_at=now,
                    )
                )
            session.flush()
            for s in problem.sessions:  # one course per session: its price is the session's
                course = f"CRS-{s.session_id}"
                session.add(
                    models.Course(
                        course_id=course,
                        title=s.competency,
                        competency_type="TEKNIS",
                        competency=s.competency,
                        mode="E_LEARNING",
                        jp=16,
                        cost_per_participant=s.price,
                        provider_id="PRV-1",
                        created_at=now,
                    )
                )
                session.flush()
                session.add(
                    models.CourseSession(
                        session_id=s.session_id,
                        course_id=course,
                        starts_on=s.starts_on,
                        ends_on=s.ends_on,
                        place=None,
                        link="https://elearning.example",
                        capacity=s.seats,
                        price=s.price,
                        created_at=now,
                    )
                )
                if s.partnership_id:
                    session.add(
                        models.PartnershipCourse(partnership_id=s.partnership_id, course_id=course)
                    )
            session.execute(
                models.TrainingNeed.__table__.insert(),
                [
                    {
                        "need_id": n.need_id,
                        "nip": n.nip,
                        "unit": "BKD",
                        "year": YEAR,
                        "kind": n.kind,
                        "competency": n.competency,
                        "competency_type": "TEKNIS",
                        "source": "GAP_ANALYSIS",
                        "source_ref": n.need_id,
                        "reason": "bench",
                        "supervisor_nip": None,
                        "status": "OPEN",
                        "identified_at": now,
                    }
                    for g in problem.groups
                    for n in g.needs
                ],
            )
        started, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as session, session.begin():
            uow = UnitOfWork(session, models.outbox, system_actor("bench"))
            plan = plans.solve_plan(uow, YEAR, problem.budget)
            figures = {
                "plan_id": plan.plan_id,
                "cost_rp": plan.cost,
                "covered": plan.summary["covered"],
                "solve_seconds": plan.summary["solve_seconds"],
                "gap_to_lp_bound": round(plan.summary["gap_to_lp_bound"] or 0, 5),
            }
        figures["seconds_end_to_end"] = round(time.perf_counter() - started, 3)
        figures["cpu_seconds_end_to_end"] = round(time.process_time() - cpu, 3)
        engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--needs", type=int, default=8000)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--budget-share", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument(
        "--no-database", dest="database", action="store_false", help="skip the request path"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    problem, shape = province(
        args.employees, args.needs, args.sessions, args.budget_share, args.seed
    )
    for g in problem.groups:
        for n in g.needs:
            _KIND_OF[n.need_id] = n.kind
    build = time.perf_counter() - started
    cpu = time.process_time()
    best = milp.solve(problem, time_limit=args.time_limit)
    milp_cpu = time.process_time() - cpu
    base = planner.greedy(problem)
    more = planner.Problem.build(
        [n for g in problem.groups for n in g.needs],
        problem.sessions,
        problem.free_seats,
        int(problem.budget * 1.1),
    )
    plus = milp.solve(more, time_limit=args.time_limit)
    result = {
        "bench": "training_plan",
        "province": shape,
        "build_seconds": round(build, 3),
        "milp": {**figures(best), "cpu_seconds": round(milp_cpu, 3)},
        "greedy": figures(base),
        "milp_vs_greedy": {
            "extra_needs_covered": len(best.covered) - len(base.covered),
            "weight_ratio": round(best.weight / base.weight, 4) if base.weight else None,
        },
        "plus_10_percent_budget": {
            "budget_rp": more.budget,
            "seconds": round(plus.seconds, 3),
            "extra_needs_covered": len(plus.covered) - len(best.covered),
            "extra_weight": round(plus.weight - best.weight, 1),
            "extra_cost_rp": plus.cost - best.cost,
        },
        "request_path_sqlite": through_database(problem) if args.database else None,
        "targets": {"solve_seconds": 10, "gap_to_lp_bound": 0.01},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
