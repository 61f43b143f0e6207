"""Individual development plans (IDP, PermenPAN-RB 3/2020): actions with target dates.

Who gets one: an ACTIVE member of a talent pool, or an employee in boxes 1-3 of the year's map.
A COURSE action names a catalogue course and closes when the employee passes that course through
the normal completion path (`enrolment.complete`), whose ledger line is the only place its JP
count: the plan shows those JP, it never adds them again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid, NotAllowed
from chassis.principal import Principal
from chassis.uow import UnitOfWork, get_or_refuse
from services.training import talent
from services.training import talent_rules as tr
from services.training.catalogue import new_id
from services.training.models import Course
from services.training.models_talent import Candidate, DevelopmentAction, DevelopmentPlan

KINDS = ("COURSE", "COACHING_MENTORING", "ROTATION", "ASSIGNMENT")


def create_plan(uow: UnitOfWork, data: dict[str, Any]) -> dict[str, Any]:
    """Open the year's IDP of a pool member or a box 1-3 employee; 409 for anyone else."""
    actor = uow.require_actor()
    session, nip, year = uow.session, data["nip"], data["year"]
    in_pool = session.scalars(
        select(Candidate.position_id).where(Candidate.nip == nip, Candidate.status == "ACTIVE")
    ).first()
    placed = talent.placements(session, year, [nip]).get(nip)
    if in_pool:
        reason = f"Talent pool of critical position {in_pool}"
    elif placed and placed["box"] in tr.LOW_BOXES:
        reason = f"Box {placed['box']}: {placed['label']}"
    else:
        raise ConflictError(
            "An IDP is for talent-pool members and employees in boxes 1-3 of the year's map.",
            details={"box": placed["box"] if placed else None},
        )
    plan = DevelopmentPlan(
        plan_id=new_id("IDP"),
        nip=nip,
        year=year,
        reason=reason,
        created_by=actor.username,
        created_at=datetime.now(UTC),
    )
    uow.add_new(plan, "The employee already has an IDP for this year.")
    return view(session, plan)


def add_action(uow: UnitOfWork, plan_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Add an action; a COURSE action needs a catalogue `course_id`, others a `title`."""
    session = uow.session
    plan = get_or_refuse(session, DevelopmentPlan, plan_id, "No such development plan.")
    course = None
    if data["kind"] == "COURSE":
        if not data.get("course_id"):
            raise Invalid.field("course_id", "A course action names a catalogue course.")
        course = session.get(Course, data["course_id"])
        if course is None:
            raise Invalid.field("course_id", "No such course in the catalogue.")
    elif not data.get("title"):
        raise Invalid.field("title", "Say what the action is.")
    action = DevelopmentAction(
        action_id=new_id("ACT"),
        plan_id=plan.plan_id,
        nip=plan.nip,
        kind=data["kind"],
        title=data.get("title") or course.title,
        course_id=course.course_id if course else None,
        jp=course.jp if course else 0.0,
        target_date=data["target_date"],
        status="OPEN",
    )
    session.add(action)
    uow.flush()
    return view(session, plan)


def mark_done(uow: UnitOfWork, plan_id: str, action_id: str, on: date) -> dict[str, Any]:
    """Close a coaching, rotation or assignment action; a course closes only by its completion."""
    session = uow.session
    plan = get_or_refuse(session, DevelopmentPlan, plan_id, "No such development plan.")
    action = session.get(DevelopmentAction, action_id)
    if action is None or action.plan_id != plan_id:
        raise Invalid.field("action_id", "No such action in this plan.", location="path")
    if action.kind == "COURSE":
        raise ConflictError("A course action closes when the course is passed.")
    if action.status == "DONE":
        raise ConflictError("The action is already done.")
    action.status, action.closed_on = "DONE", on
    action.closed_by = uow.require_actor().username[:32]
    uow.flush()
    return view(session, plan)


def close_course_actions(session: Session, nip: str, course_id: str, ref: str, on: date) -> None:
    """A passed course closes the employee's OPEN actions of that course (from a completion)."""
    for action in session.scalars(
        select(DevelopmentAction).where(
            DevelopmentAction.nip == nip,
            DevelopmentAction.course_id == course_id,
            DevelopmentAction.status == "OPEN",
        )
    ):
        action.status, action.closed_by, action.closed_on = "DONE", ref, on


def readable_plan(session: Session, actor: Principal, plan_id: str) -> dict[str, Any]:
    """A plan for admins, the employee themself and their supervision chain (403 otherwise)."""
    plan = get_or_refuse(session, DevelopmentPlan, plan_id, "No such development plan.")
    own = actor.nip == plan.nip
    chain = (
        "supervisor" in actor.roles
        and actor.nip
        and talent.in_chain_of(session, actor.nip, plan.nip)
    )
    if not ("admin" in actor.roles or own or chain):
        raise NotAllowed("Only admins, the employee and their supervision chain read an IDP.")
    return view(session, plan)


def view(session: Session, plan: DevelopmentPlan) -> dict[str, Any]:
    """The plan, its actions by target date and its JP (planned, done: already in the ledger)."""
    actions = list(
        session.scalars(
            select(DevelopmentAction)
            .where(DevelopmentAction.plan_id == plan.plan_id)
            .order_by(DevelopmentAction.target_date, DevelopmentAction.action_id)
        )
    )
    return {
        "plan_id": plan.plan_id,
        "nip": plan.nip,
        "year": plan.year,
        "reason": plan.reason,
        "jp_planned": sum(a.jp for a in actions),
        "jp_done": sum(a.jp for a in actions if a.status == "DONE"),
        "actions": [
            {
                "action_id": a.action_id,
                "kind": a.kind,
                "title": a.title,
                "course_id": a.course_id,
                "jp": a.jp,
                "target_date": a.target_date,
                "status": a.status,
                "closed_by": a.closed_by,
                "closed_on": a.closed_on,
            }
            for a in actions
        ],
    }
