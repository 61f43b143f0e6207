"""Critical positions and succession (PermenPAN-RB 3/2020): talent pools and successor lists.

A pool takes employees from the upper boxes of the talent map (7, 8, 9: the "talent" boxes of
the regulation); a sanction (PP 94/2021) or a substantiated complaint drops a candidate, with the
reason, and keeps the employee out of every pool.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.domain import ConflictError, Invalid, NotFoundError
from chassis.uow import UnitOfWork, get_or_refuse
from services.training import talent
from services.training.catalogue import new_id
from services.training.models_talent import (
    Assessment,
    Candidate,
    CriticalPosition,
    Disqualification,
)

POOL_BOXES = (7, 8, 9)
READINESS = ("NOW", "ONE_TO_TWO_YEARS", "LATER")
MAX_SUCCESSORS = 5


def mark_position(uow: UnitOfWork, data: dict[str, Any]) -> CriticalPosition:
    """Mark a position critical (admins)."""
    actor = uow.require_actor()
    position = CriticalPosition(
        position_id=new_id("CRP"),
        title=data["title"],
        unit=data["unit"],
        note=data.get("note"),
        marked_by=actor.username,
        marked_at=datetime.now(UTC),
    )
    uow.session.add(position)
    uow.flush()
    return position


def list_positions(session: Session, unit: str | None) -> list[CriticalPosition]:
    """The critical positions (of one unit), by unit and title."""
    query = select(CriticalPosition).order_by(CriticalPosition.unit, CriticalPosition.title)
    if unit:
        query = query.where(CriticalPosition.unit == unit)
    return list(session.scalars(query))


def position_view(session: Session, position_id: str) -> dict[str, Any]:
    """A position with its pool (best readiness, then box) and its successors in order."""
    position = session.get(CriticalPosition, position_id)
    if position is None:
        raise NotFoundError("No such critical position.")
    pool = list(session.scalars(select(Candidate).where(Candidate.position_id == position_id)))
    pool.sort(key=lambda c: (READINESS.index(c.readiness), -c.box, -c.competency_match, c.nip))
    successors = sorted((c for c in pool if c.successor_rank), key=lambda c: c.successor_rank)
    return {
        "position_id": position.position_id,
        "title": position.title,
        "unit": position.unit,
        "note": position.note,
        "pool": [_candidate(c) for c in pool],
        "successors": [_candidate(c) for c in successors],
    }


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "nip": c.nip,
        "year": c.year,
        "box": c.box,
        "competency_match": c.competency_match,
        "readiness": c.readiness,
        "status": c.status,
        "successor_rank": c.successor_rank,
        "dropped_reason": c.dropped_reason,
    }


def add_candidate(uow: UnitOfWork, position_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Put an employee of box 7-9 on the year's map into the pool; 409 otherwise."""
    session = uow.session
    get_or_refuse(session, CriticalPosition, position_id, "No such critical position.")
    nip = data["nip"]
    barred = session.scalars(select(Disqualification).where(Disqualification.nip == nip)).first()
    if barred is not None:
        raise ConflictError(
            "The employee cannot join a talent pool.", details={"reason": barred.reason}
        )
    placed = talent.placements(session, data["year"], [nip]).get(nip)
    if placed is None or placed["box"] not in POOL_BOXES:
        raise ConflictError(
            "Only employees in boxes 7, 8 or 9 of the year's talent map join a pool.",
            details={"box": placed["box"] if placed else None},
        )
    assessment = session.get(Assessment, nip)
    candidate = Candidate(
        position_id=position_id,
        nip=nip,
        year=data["year"],
        box=placed["box"],
        competency_match=assessment.job_match if assessment else 0.0,
        readiness=data["readiness"],
        status="ACTIVE",
        added_at=datetime.now(UTC),
    )
    uow.add_new(candidate, "The employee is already in this pool.")
    return _candidate(candidate)


def choose_successors(uow: UnitOfWork, position_id: str, nips: list[str]) -> dict[str, Any]:
    """The ordered successor list, from the position's ACTIVE candidates (replaces the last)."""
    session = uow.session
    get_or_refuse(session, CriticalPosition, position_id, "No such critical position.")
    if len(set(nips)) != len(nips):
        raise Invalid({"nips": ["A successor is named once."]})
    pool = {
        c.nip: c
        for c in session.scalars(select(Candidate).where(Candidate.position_id == position_id))
    }
    blockers = [n for n in nips if n not in pool or pool[n].status != "ACTIVE"]
    if blockers:
        raise ConflictError(
            "Successors come from the active pool.", details={"not_in_active_pool": blockers}
        )
    for candidate in pool.values():
        candidate.successor_rank = None
    for rank, nip in enumerate(nips, start=1):
        pool[nip].successor_rank = rank
    uow.flush()
    return position_view(session, position_id)


def _disqualify(session: Session, source: str, ref: str, nip: str, reason: str, on: date) -> None:
    if session.get(Disqualification, (source, ref)) is None:
        session.add(Disqualification(source=source, ref=ref, nip=nip, reason=reason, on=on))
    for candidate in session.scalars(
        select(Candidate).where(Candidate.nip == nip, Candidate.status == "ACTIVE")
    ):
        candidate.status = "DROPPED"
        candidate.successor_rank = None
        candidate.dropped_reason = reason
    session.flush()


def handle_employee_sanctioned(session: Session, event: Event) -> None:
    """A disciplinary sanction drops the employee from every pool, with the reason."""
    data = event.data
    reason = f"Hukuman disiplin {data['level']} ({data['sanction_id']}, PP 94/2021): {data['kind']}"
    on = date.fromisoformat(data["decided_on"])
    _disqualify(session, "SANCTION", data["sanction_id"], data["nip"], reason[:500], on)


def handle_complaint_substantiated(session: Session, event: Event) -> None:
    """A substantiated complaint drops the employee from every pool, with the reason."""
    data = event.data
    reason = f"Pengaduan terbukti ({data['tracking_number']}): {data.get('category') or '-'}"
    on = date.fromisoformat(data["substantiated_on"])
    _disqualify(session, "COMPLAINT", data["tracking_number"], data["nip"], reason[:500], on)


HANDLERS = {
    "recruitment.employee.sanctioned": handle_employee_sanctioned,
    "feedback.complaint.substantiated": handle_complaint_substantiated,
}
