"""Enrolment: nominations, requests and approval, seats and waitlists, cancellation, completion."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid, NotAllowed, NotFoundError
from chassis.principal import Principal
from chassis.uow import UnitOfWork
from services.training import catalogue, idp, ledger, rules
from services.training.models import (
    Course,
    CourseSession,
    Employee,
    Enrolment,
    JpEntry,
    TrainingNeed,
)


def _now() -> datetime:
    return datetime.now(UTC)


def nominate(uow: UnitOfWork, data: Mapping[str, Any], *, origin: str = "NOMINATED") -> Enrolment:
    """A supervisor (from an open need of their appraisee) or an admin books an employee.

    Full session: 409, or a place on the waitlist when `waitlist` is asked for.
    """
    actor = uow.require_actor()
    session = uow.session
    row = catalogue.get_session(session, data["session_id"], lock=True)
    course = session.get(Course, row.course_id)
    need = _need_for(session, data.get("need_id"), data["nip"], course)
    if "admin" not in actor.roles:
        if need is None:
            raise Invalid.field("need_id", "A supervisor nominates from an open need.")
        if need.supervisor_nip != actor.nip:
            raise NotAllowed("You may nominate only from the needs of those you appraised.")
    _require_employee(session, data["nip"])
    _check_free(session, row, data["nip"])
    status = rules.seat_outcome(
        catalogue.seats_taken(session, row.session_id), row.capacity, waitlist=data["waitlist"]
    )
    if status is None:
        raise ConflictError(
            f"Session {row.session_id} is full ({row.capacity} seats).",
            details={"session_id": row.session_id, "capacity": row.capacity},
        )
    enrolment = _new(uow, row, data["nip"], need, origin, status, note=data.get("note"))
    enrolment.supervisor_nip = need.supervisor_nip if need else None
    if status == "ENROLLED":
        take_seat(session, enrolment, row)
    uow.flush()
    return enrolment


def request(uow: UnitOfWork, data: Mapping[str, Any]) -> Enrolment:
    """An employee asks for a place; their supervisor (on their need) or an admin decides."""
    actor = uow.require_actor()
    if not actor.nip:
        raise NotAllowed("Your token names no NIP to request a course for.")
    session = uow.session
    row = catalogue.get_session(session, data["session_id"], lock=True)
    course = session.get(Course, row.course_id)
    need = _need_for(session, data.get("need_id"), actor.nip, course)
    _require_employee(session, actor.nip)
    _check_free(session, row, actor.nip)
    enrolment = _new(uow, row, actor.nip, need, "REQUESTED", "REQUESTED", note=data.get("note"))
    enrolment.supervisor_nip = (
        need.supervisor_nip if need else _latest_supervisor(session, actor.nip)
    )
    uow.flush()
    return enrolment


def decide(uow: UnitOfWork, enrolment_id: str, approve: bool, note: str | None) -> Enrolment:
    """The supervisor named on a request (or an admin) approves it or turns it down."""
    actor = uow.require_actor()
    enrolment = get(uow.session, enrolment_id, lock=True)
    _may_decide(actor, enrolment)
    if enrolment.status != "REQUESTED":
        raise ConflictError(f"Enrolment {enrolment_id} is {enrolment.status}, not REQUESTED.")
    if not approve:
        enrolment.status = "REJECTED"
        enrolment.note = note
        enrolment.updated_at = _now()
        return enrolment
    row = catalogue.get_session(uow.session, enrolment.session_id, lock=True)
    # Approval never fails for want of a seat: the request joins the waitlist instead.
    status = rules.seat_outcome(
        catalogue.seats_taken(uow.session, row.session_id), row.capacity, waitlist=True
    )
    enrolment.status = status or "WAITLISTED"
    enrolment.note = note or enrolment.note
    enrolment.updated_at = _now()
    if enrolment.status == "ENROLLED":
        take_seat(uow.session, enrolment, row)
    return enrolment


def cancel(uow: UnitOfWork, enrolment_id: str, reason: str) -> dict[str, Any]:
    """Cancel a request, a place or a waitlisting; a freed seat goes to the first waiting."""
    actor = uow.require_actor()
    session = uow.session
    enrolment = get(session, enrolment_id, lock=True)
    if "admin" not in actor.roles and actor.nip not in (enrolment.nip, enrolment.supervisor_nip):
        raise NotAllowed("Only the employee, their supervisor or an admin may cancel.")
    if enrolment.status not in rules.ACTIVE:
        raise ConflictError(f"Enrolment {enrolment_id} is {enrolment.status}; nothing to cancel.")
    held_seat = enrolment.status == "ENROLLED"
    enrolment.status = "CANCELLED"
    enrolment.note = reason
    enrolment.updated_at = _now()
    enrolment.cost, enrolment.free_seat = 0, False
    _release_need(session, enrolment)
    uow.flush()
    promoted = None
    if held_seat:
        row = catalogue.get_session(session, enrolment.session_id, lock=True)
        promoted = _promote(session, row)
    return {"cancelled": enrolment, "promoted": promoted}


def complete(uow: UnitOfWork, enrolment_id: str, data: Mapping[str, Any]) -> Enrolment:
    """Record attendance and the result; a pass enters the ledger and closes the needs."""
    session = uow.session
    enrolment = get(session, enrolment_id, lock=True)
    if enrolment.status != "ENROLLED":
        raise ConflictError(f"Enrolment {enrolment_id} is {enrolment.status}, not ENROLLED.")
    row = session.get(CourseSession, enrolment.session_id)
    course = session.get(Course, row.course_id)
    completed_on = data.get("completed_on") or row.ends_on
    if completed_on < row.starts_on:
        raise Invalid.field("completed_on", f"The session starts on {row.starts_on}.")
    if completed_on > date.today():
        raise Invalid.field("completed_on", "A course cannot be completed in the future.")
    passed = data["attended"] and data["passed"]
    if passed and not data.get("certificate_number"):
        raise Invalid.field("certificate_number", "A pass needs the certificate number.")
    if data["passed"] and not data["attended"]:
        raise Invalid.field("passed", "Nobody passes a course they did not attend.")
    enrolment.attended, enrolment.passed = data["attended"], passed
    enrolment.certificate_number = data.get("certificate_number")
    enrolment.completed_on = completed_on
    enrolment.status = "COMPLETED" if passed else "FAILED"
    enrolment.updated_at = _now()
    if not passed:
        _release_need(session, enrolment)
        return enrolment
    entry = JpEntry(
        entry_id=enrolment.enrolment_id,
        nip=enrolment.nip,
        year=completed_on.year,
        source="COURSE",
        title=course.title,
        course_id=course.course_id,
        competency_type=course.competency_type,
        competency=course.competency,
        jp=course.jp,
        completed_on=completed_on,
        recorded_at=_now(),
    )
    ledger.record(
        uow, entry, entry_ref=enrolment.enrolment_id, latsar=rules.is_latsar(course.competency)
    )
    # The IDP's course action closes here; its JP are this ledger line, not counted again.
    idp.close_course_actions(
        session, enrolment.nip, course.course_id, enrolment.enrolment_id, completed_on
    )
    return enrolment


def get(session: Session, enrolment_id: str, *, lock: bool = False) -> Enrolment:
    """An enrolment; 404 when unknown."""
    query = select(Enrolment).where(Enrolment.enrolment_id == enrolment_id)
    enrolment = session.scalar(query.with_for_update() if lock else query)
    if enrolment is None:
        raise NotFoundError(f"No enrolment {enrolment_id}.")
    return enrolment


def readable(actor: Principal, enrolment: Enrolment) -> bool:
    """Admins read all; an employee their own; a supervisor those they decide."""
    return "admin" in actor.roles or actor.nip in (enrolment.nip, enrolment.supervisor_nip)


def list_for(session: Session, actor: Principal, filters: Mapping[str, Any]) -> list[Enrolment]:
    """Enrolments the caller may read, oldest first, filtered by session, NIP, status, plan."""
    query = select(Enrolment).order_by(Enrolment.created_at, Enrolment.enrolment_id)
    if "admin" not in actor.roles:
        if not actor.nip:
            raise NotAllowed("Your token names no NIP, so no enrolments are yours to read.")
        query = query.where((Enrolment.nip == actor.nip) | (Enrolment.supervisor_nip == actor.nip))
    for name in ("session_id", "nip", "status", "plan_id"):
        if filters.get(name):
            query = query.where(getattr(Enrolment, name) == filters[name])
    return list(session.scalars(query))


# -- the rules applied to the stored state --------------------------------------------------


def _need_for(
    session: Session, need_id: str | None, nip: str, course: Course
) -> TrainingNeed | None:
    if need_id is None:
        return None
    need = session.get(TrainingNeed, need_id)
    if need is None or need.nip != nip:
        raise Invalid.field("need_id", f"No training need {need_id} of {nip}.")
    if need.status != "OPEN":
        raise Invalid.field("need_id", f"Training need {need_id} is {need.status}, not OPEN.")
    if need.competency != course.competency:
        raise Invalid.field(
            "need_id",
            f"Course {course.course_id} develops {course.competency!r}, not {need.competency!r}.",
        )
    return need


def _require_employee(session: Session, nip: str) -> None:
    if session.get(Employee, nip) is None:
        raise Invalid.field("nip", f"No employee with NIP {nip} is known here.")


def check_free(session: Session, nip: str, starts_on: date, ends_on: date) -> list[str]:
    """The employee's active enrolments whose session dates overlap these dates."""
    clashes = session.execute(
        select(Enrolment.enrolment_id, CourseSession.starts_on, CourseSession.ends_on)
        .join(CourseSession, CourseSession.session_id == Enrolment.session_id)
        .where(
            Enrolment.nip == nip,
            Enrolment.status.in_(rules.ACTIVE),
            CourseSession.starts_on <= ends_on,
            CourseSession.ends_on >= starts_on,
        )
    ).all()
    return [c.enrolment_id for c in clashes if rules.overlaps(starts_on, ends_on, c[1], c[2])]


def lock_employee(session: Session, nip: str) -> None:
    """Serialise bookings of one employee (PostgreSQL; SQLite has one writer at a time): two
    nominations into different sessions lock different session rows, and could otherwise both
    pass the overlap check."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = zlib.crc32(f"training-enrolment:{nip}".encode())
    session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"), {"key": key - 2**32 if key >= 2**31 else key}
    )


def _check_free(session: Session, row: CourseSession, nip: str) -> None:
    lock_employee(session, nip)
    clashes = check_free(session, nip, row.starts_on, row.ends_on)
    if clashes:
        raise ConflictError(
            f"{nip} is already booked on overlapping dates ({row.starts_on} to {row.ends_on}).",
            details={"overlapping_enrolments": clashes},
        )


def _new(
    uow: UnitOfWork,
    row: CourseSession,
    nip: str,
    need: TrainingNeed | None,
    origin: str,
    status: str,
    *,
    note: str | None = None,
    plan_id: str | None = None,
) -> Enrolment:
    now = _now()
    enrolment = Enrolment(
        enrolment_id=catalogue.new_id(f"ENR-{row.starts_on.year}"),
        session_id=row.session_id,
        nip=nip,
        need_id=need.need_id if need else None,
        status=status,
        origin=origin,
        plan_id=plan_id,
        cost=0,
        free_seat=False,
        created_by=uow.actor_name,
        created_at=now,
        updated_at=now,
        note=note,
    )
    uow.session.add(enrolment)
    if need is not None:
        need.status = "PLANNED"
    return enrolment


def take_seat(session: Session, enrolment: Enrolment, row: CourseSession) -> None:
    """Charge the seat: an MoU's free seat while the year's quota lasts, else its price."""
    partnership = catalogue.partnership_for(session, row.course_id, row.starts_on)
    if partnership is not None:
        used = catalogue.free_seats_used(session, partnership, row.starts_on.year)
        if used < partnership.free_seats_per_year:
            enrolment.cost, enrolment.free_seat = 0, True
            return
        enrolment.cost = rules.partner_price(row.price, partnership.discount_percent)
    else:
        enrolment.cost = row.price
    enrolment.free_seat = False


def _promote(session: Session, row: CourseSession) -> Enrolment | None:
    """The first on the waitlist takes the freed seat."""
    first = session.scalar(
        select(Enrolment)
        .where(Enrolment.session_id == row.session_id, Enrolment.status == "WAITLISTED")
        .order_by(Enrolment.created_at, Enrolment.enrolment_id)
        .limit(1)
        .with_for_update()
    )
    if first is None:
        return None
    first.status = "ENROLLED"
    first.updated_at = _now()
    take_seat(session, first, row)
    return first


def _release_need(session: Session, enrolment: Enrolment) -> None:
    if enrolment.need_id is None:
        return
    need = session.get(TrainingNeed, enrolment.need_id)
    if need is not None and need.status == "PLANNED":
        need.status = "OPEN"


def _latest_supervisor(session: Session, nip: str) -> str | None:
    return session.scalar(
        select(TrainingNeed.supervisor_nip)
        .where(TrainingNeed.nip == nip, TrainingNeed.supervisor_nip.is_not(None))
        .order_by(TrainingNeed.identified_at.desc())
        .limit(1)
    )


def _may_decide(actor: Principal, enrolment: Enrolment) -> None:
    if "admin" in actor.roles:
        return
    if "supervisor" in actor.roles and actor.nip and actor.nip == enrolment.supervisor_nip:
        return
    raise NotAllowed("Only the employee's supervisor on record or an admin decides a request.")
