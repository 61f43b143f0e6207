"""The annual plan: read the year's open needs, sessions, MoUs and budget; solve; store the
plan with every choice explained; adopt it as enrolments."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid, NotFoundError
from chassis.uow import UnitOfWork
from services.training import catalogue, enrolment, milp, planner, rules
from services.training.models import (
    Course,
    CourseSession,
    Enrolment,
    JpEntry,
    Plan,
    PlanItem,
    TrainingNeed,
)

WHAT_IF = 1.10  # "what would +10 % budget buy"
PAID = ("ENROLLED", "COMPLETED", "FAILED")


def committed(session: Session, year: int) -> int:
    """Rupiah already committed in `year`: seats held in the year's sessions."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Enrolment.cost), 0))
            .join(CourseSession, CourseSession.session_id == Enrolment.session_id)
            .where(Enrolment.status.in_(PAID), _in_year(CourseSession.starts_on, year))
        )
        or 0
    )


def _in_year(column: Any, year: int) -> Any:
    return column.between(date(year, 1, 1), date(year, 12, 31))


def build_problem(session: Session, year: int, budget: int) -> planner.Problem:
    """The planning problem of `year` as the database stands."""
    open_needs = list(
        session.scalars(
            select(TrainingNeed)
            .where(TrainingNeed.year == year, TrainingNeed.status == "OPEN")
            .order_by(TrainingNeed.identified_at, TrainingNeed.need_id)
        )
    )
    jp = dict(
        session.execute(
            select(JpEntry.nip, func.sum(JpEntry.jp))
            .where(JpEntry.year == year)
            .group_by(JpEntry.nip)
        ).all()
    )
    needs = [
        planner.PlanNeed(
            n.need_id,
            n.nip,
            n.kind,
            n.competency,
            planner.need_weight(n.kind, float(jp.get(n.nip) or 0) < rules.JP_MINIMUM),
        )
        for n in open_needs
    ]
    taken = dict(
        session.execute(
            select(Enrolment.session_id, func.count())
            .where(Enrolment.status.in_(PAID))
            .group_by(Enrolment.session_id)
        ).all()
    )
    rows = session.execute(
        select(CourseSession, Course.competency)
        .join(Course, Course.course_id == CourseSession.course_id)
        .where(_in_year(CourseSession.starts_on, year))
        .order_by(CourseSession.starts_on, CourseSession.session_id)
    ).all()
    sessions: list[planner.PlanSession] = []
    free: dict[str, int] = {}
    for row, competency in rows:
        partnership = catalogue.partnership_for(session, row.course_id, row.starts_on)
        price = row.price
        mou = None
        if partnership is not None:
            price = rules.partner_price(row.price, partnership.discount_percent)
            mou = partnership.partnership_id
            if mou not in free:
                used = catalogue.free_seats_used(session, partnership, year)
                free[mou] = max(0, partnership.free_seats_per_year - used)
        sessions.append(
            planner.PlanSession(
                row.session_id,
                competency,
                row.starts_on,
                row.ends_on,
                max(0, row.capacity - taken.get(row.session_id, 0)),
                price,
                mou,
            )
        )
    blocked: dict[str, list[tuple[date, date]]] = defaultdict(list)
    nips = {n.nip for n in open_needs}
    for nip, start, end in session.execute(
        select(Enrolment.nip, CourseSession.starts_on, CourseSession.ends_on)
        .join(CourseSession, CourseSession.session_id == Enrolment.session_id)
        .where(Enrolment.status.in_(rules.ACTIVE))
    ):
        if nip in nips:
            blocked[nip].append((start, end))
    return planner.Problem.build(needs, sessions, free, budget, blocked)


def solve_plan(
    uow: UnitOfWork,
    year: int,
    budget: int,
    method: str = "milp",
    progress: Callable[[float, str], None] | None = None,
) -> Plan:
    """Solve and store a DRAFT plan for `year` within `budget` (what is already committed in
    the year is taken off first). A job can call this; for now the request runs it."""
    session = uow.session
    spent = committed(session, year)
    if spent > budget:
        raise Invalid.field(
            "budget", f"Rp {spent:,} is already committed in {year}; the budget is smaller."
        )
    available = budget - spent
    problem = build_problem(session, year, available)
    run = milp.solve if method == "milp" else planner.greedy
    solution = run(problem, progress=progress)
    baseline = planner.greedy(problem) if method == "milp" else solution
    bigger = planner.Problem.build(
        [n for g in problem.groups for n in g.needs],
        problem.sessions,
        problem.free_seats,
        int(available * WHAT_IF),
        problem.blocked,
    )
    more = run(bigger)
    if solution.cost > available:  # the solvers keep to it; a defect must not be adopted
        raise ConflictError("The solver returned a plan over budget.")
    plan = Plan(
        plan_id=catalogue.new_id(f"PLN-{year}"),
        year=year,
        budget=budget,
        method=method,
        status="DRAFT",
        cost=solution.cost,
        summary=_summary(problem, solution, baseline, more, spent, available),
        created_by=uow.actor_name,
        created_at=datetime.now(UTC),
    )
    session.add(plan)
    uow.flush()
    rows = [
        {
            "plan_id": plan.plan_id,
            "need_id": c.need_id,
            "nip": c.nip,
            "session_id": c.session_id,
            "cost": c.cost,
            "free_seat": c.free_seat,
            "weight": c.weight,
            "explanation": c.explanation[:500],
        }
        for c in solution.choices
    ]
    if rows:
        session.execute(PlanItem.__table__.insert(), rows)
    return plan


def _summary(
    problem: planner.Problem,
    solution: planner.Solution,
    baseline: planner.Solution,
    more: planner.Solution,
    spent: int,
    available: int,
) -> dict[str, Any]:
    kinds = {n.need_id: n.kind for g in problem.groups for n in g.needs}
    covered = solution.covered

    def by_kind(choices: list[planner.Choice]) -> dict[str, int]:
        counts = Counter(kinds[c.need_id] for c in choices)
        return {k: counts.get(k, 0) for k in rules.KINDS}

    uncovered = [c for c in solution.choices if c.session_id is None]
    covered_ids = {c.need_id for c in covered}
    gained = [c for c in more.covered if c.need_id not in covered_ids]
    dropped = covered_ids - {c.need_id for c in more.covered}  # swapped for more urgent ones
    return {
        "needs": len(solution.choices),
        "covered": len(covered),
        "covered_by_kind": by_kind(covered),
        "uncovered": len(uncovered),
        "uncovered_by_kind": by_kind(uncovered),
        "uncovered_by_reason": dict(Counter(c.reason for c in uncovered)),
        "weight_covered": solution.weight,
        "committed_before": spent,
        "available": available,
        "cost": solution.cost,
        "free_seats_used": sum(1 for c in covered if c.free_seat and c.cost == 0),
        "status": solution.status,
        "solve_seconds": round(solution.seconds, 4),
        "lp_bound": solution.lp_bound,
        "gap_to_lp_bound": solution.gap,
        "greedy": {"covered": len(baseline.covered), "weight_covered": baseline.weight},
        "weights": {
            "LATSAR": planner.WEIGHT_LATSAR,
            "DEVELOPMENT": planner.WEIGHT_DEVELOPMENT,
            "COMPETENCY": planner.WEIGHT_COMPETENCY,
            "below_20_jp_bonus": planner.WEIGHT_BELOW_JP,
        },
        "plus_10_percent": {
            "budget": int(available * WHAT_IF),
            "covered": len(more.covered),
            "extra_needs": len(more.covered) - len(covered),
            "extra_by_kind": by_kind(gained),
            "dropped": len(dropped),
            "extra_cost": more.cost - solution.cost,
            "extra_weight": more.weight - solution.weight,
            "would_cover": sorted(c.need_id for c in gained)[:50],
        },
    }


def get_plan(session: Session, plan_id: str) -> Plan:
    """A plan; 404 when unknown."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"No plan {plan_id}.")
    return plan


def items(
    session: Session, plan_id: str, covered: bool | None, first: int, count: int
) -> tuple[list[PlanItem], int]:
    """A page of a plan's choices (covered, uncovered or both), most urgent first."""
    get_plan(session, plan_id)
    query = select(PlanItem).where(PlanItem.plan_id == plan_id)
    if covered is True:
        query = query.where(PlanItem.session_id.is_not(None))
    elif covered is False:
        query = query.where(PlanItem.session_id.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(PlanItem.weight.desc(), PlanItem.nip, PlanItem.need_id)
        .offset(first)
        .limit(count)
    )
    return list(page), total


def adopt(uow: UnitOfWork, plan_id: str) -> dict[str, Any]:
    """Turn a DRAFT plan's choices into enrolments, all or none: every seat, date and the
    budget are checked again against the state now (409 naming what blocks)."""
    session = uow.session
    plan = session.get(Plan, plan_id, with_for_update=True)
    if plan is None:
        raise NotFoundError(f"No plan {plan_id}.")
    if plan.status != "DRAFT":
        raise ConflictError(f"Plan {plan_id} was already adopted.")
    spent = committed(session, plan.year)
    if spent + plan.cost > plan.budget:
        raise ConflictError(
            f"Adopting would spend Rp {spent + plan.cost:,} of a budget of Rp {plan.budget:,}.",
            details={"budget": plan.budget, "committed": spent, "plan_cost": plan.cost},
        )
    chosen = list(
        session.scalars(
            select(PlanItem)
            .where(PlanItem.plan_id == plan_id, PlanItem.session_id.is_not(None))
            .order_by(PlanItem.weight.desc(), PlanItem.need_id)
        )
    )
    blockers: list[dict[str, str]] = []
    made: dict[tuple[str, str], Enrolment] = {}
    for item in chosen:
        need = session.get(TrainingNeed, item.need_id)
        if need is None or need.status != "OPEN":
            if (item.nip, item.session_id) in made:  # a second need covered by the same seat
                continue
            blockers.append({"need_id": item.need_id, "why": "no longer open"})
            continue
        key = (item.nip, item.session_id)
        if key in made:
            need.status = "PLANNED"
            continue
        row = catalogue.get_session(session, item.session_id, lock=True)
        if catalogue.seats_taken(session, row.session_id) >= row.capacity:
            blockers.append({"need_id": item.need_id, "why": f"session {row.session_id} is full"})
            continue
        enrolment.lock_employee(session, item.nip)
        if enrolment.check_free(session, item.nip, row.starts_on, row.ends_on):
            blockers.append({"need_id": item.need_id, "why": "overlapping dates"})
            continue
        now = datetime.now(UTC)
        booked = Enrolment(
            enrolment_id=catalogue.new_id(f"ENR-{row.starts_on.year}"),
            session_id=row.session_id,
            nip=item.nip,
            need_id=need.need_id,
            status="ENROLLED",
            origin="PLAN",
            plan_id=plan_id,
            supervisor_nip=need.supervisor_nip,
            cost=0,
            free_seat=False,
            created_by=uow.actor_name,
            created_at=now,
            updated_at=now,
        )
        # Charged as the seat is taken now: an MoU's free seats may have gone since solving.
        enrolment.take_seat(session, booked, row)
        session.add(booked)
        need.status = "PLANNED"
        made[key] = booked
        uow.flush()
    if blockers:
        raise ConflictError(
            f"{len(blockers)} choice(s) of plan {plan_id} no longer fit; solve again.",
            details={"blockers": blockers[:100]},
        )
    cost = sum(e.cost for e in made.values())
    if spent + cost > plan.budget:
        raise ConflictError(
            f"The seats now cost Rp {cost:,}; with Rp {spent:,} committed that exceeds the "
            f"budget of Rp {plan.budget:,}. Solve again.",
            details={"budget": plan.budget, "committed": spent, "plan_cost": cost},
        )
    plan.cost = cost
    plan.status = "ADOPTED"
    plan.adopted_by = uow.actor_name
    plan.adopted_at = datetime.now(UTC)
    return {"plan_id": plan_id, "status": plan.status, "enrolments": len(made), "cost": plan.cost}
