"""The JP ledger: what counts (passed courses, approved external learning), totals per
employee and unit, the at-risk list, exports, and closing the needs a completion covers."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid, NotAllowed, NotFoundError
from chassis.uow import UnitOfWork
from services.training import rules
from services.training.catalogue import new_id
from services.training.models import (
    Course,
    CourseSession,
    Employee,
    Enrolment,
    ExternalLearning,
    JpEntry,
    TrainingNeed,
)

COURSE_COMPLETED = "training.course.completed"
COMPLETED_VERSION = 2


def record(uow: UnitOfWork, entry: JpEntry, *, entry_ref: str, latsar: bool) -> float:
    """Add a line to the ledger, close the needs it covers, publish the completion.

    Returns the employee's JP total of the year after this line.
    """
    session = uow.session
    session.add(entry)
    uow.flush()
    total = year_total(session, entry.nip, entry.year)
    close_needs(session, entry.nip, entry.competency, entry.year, entry_ref)
    uow.publish(
        COURSE_COMPLETED,
        {
            "enrolment_id": entry_ref,
            "nip": entry.nip,
            "course_id": entry.course_id or "EXTERNAL",
            "course_title": entry.title,
            "competency_type": entry.competency_type,
            "competency": entry.competency,
            "jp": entry.jp,
            "completed_on": entry.completed_on.isoformat(),
            "year": entry.year,
            "jp_year_total": total,
            "source": entry.source,
            "latsar": latsar,
        },
        version=COMPLETED_VERSION,
    )
    return total


def close_needs(session: Session, nip: str, competency: str | None, year: int, by: str) -> int:
    """Mark DONE the employee's open or planned needs of this competency up to `year`.

    A need is a gap in a competency: a passed course of that competency addresses it, whichever
    earlier plan year it was filed under; a need of a later plan (from a rating made after the
    course) shows the gap persists, so it stays open.
    """
    if not competency:
        return 0
    result = session.execute(
        update(TrainingNeed)
        .where(
            TrainingNeed.nip == nip,
            TrainingNeed.competency == competency,
            TrainingNeed.year <= year,
            TrainingNeed.status.in_(("OPEN", "PLANNED")),
        )
        .values(status="DONE", closed_by=by)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def year_total(session: Session, nip: str, year: int) -> float:
    """The employee's counted JP in `year`."""
    return float(
        session.scalar(
            select(func.coalesce(func.sum(JpEntry.jp), 0)).where(
                JpEntry.nip == nip, JpEntry.year == year
            )
        )
        or 0
    )


# -- external learning ----------------------------------------------------------------------


def submit_external(uow: UnitOfWork, data: Mapping[str, Any]) -> ExternalLearning:
    """An employee (for themself) or an admin submits learning outside the catalogue."""
    actor = uow.require_actor()
    if "admin" not in actor.roles and data["nip"] != actor.nip:
        raise NotAllowed("Employees submit only their own learning.")
    if data["completed_on"] > date.today():
        raise Invalid.field("completed_on", "Learning cannot be completed in the future.")
    item = ExternalLearning(
        external_id=new_id("EXT"),
        status="PENDING",
        submitted_by=uow.actor_name,
        submitted_at=datetime.now(UTC),
        **data,
    )
    uow.session.add(item)
    uow.flush()
    return item


def decide_external(
    uow: UnitOfWork, external_id: str, approve: bool, note: str | None
) -> ExternalLearning:
    """An admin approves (the JP count from now on) or rejects submitted learning, once."""
    item = uow.session.get(ExternalLearning, external_id, with_for_update=True)
    if item is None:
        raise NotFoundError(f"No external learning {external_id}.")
    if item.status != "PENDING":
        raise ConflictError(f"External learning {external_id} was already {item.status}.")
    if not approve and not note:
        raise Invalid.field("note", "Say why the learning is not counted.")
    item.status = "APPROVED" if approve else "REJECTED"
    item.decided_by = uow.actor_name
    item.decided_at = datetime.now(UTC)
    item.decision_note = note
    if approve:
        entry = JpEntry(
            entry_id=item.external_id,
            nip=item.nip,
            year=item.completed_on.year,
            source="EXTERNAL",
            title=item.title,
            course_id=None,
            competency_type=item.competency_type,
            competency=item.competency,
            jp=item.jp,
            completed_on=item.completed_on,
            recorded_at=datetime.now(UTC),
        )
        record(uow, entry, entry_ref=item.external_id, latsar=False)
    return item


def list_external(session: Session, nip: str | None, status: str | None) -> list[ExternalLearning]:
    """Submitted external learning, oldest first."""
    query = select(ExternalLearning).order_by(
        ExternalLearning.submitted_at, ExternalLearning.external_id
    )
    if nip:
        query = query.where(ExternalLearning.nip == nip)
    if status:
        query = query.where(ExternalLearning.status == status)
    return list(session.scalars(query))


# -- reading the ledger ---------------------------------------------------------------------


def employee_year(session: Session, nip: str, year: int) -> dict[str, Any]:
    """One employee's year: the lines, JP by type, total, pending and compliance."""
    entries = list(
        session.scalars(
            select(JpEntry)
            .where(JpEntry.nip == nip, JpEntry.year == year)
            .order_by(JpEntry.completed_on, JpEntry.entry_id)
        )
    )
    lines = [rules.LedgerLine(e.jp, e.completed_on, e.competency_type) for e in entries]
    lines += [
        rules.LedgerLine(x.jp, x.completed_on, x.competency_type, approved=False)
        for x in list_external(session, nip, "PENDING")
    ]
    totals = rules.year_totals(year, lines)
    return {
        "nip": nip,
        "year": year,
        "by_type": totals.by_type,
        "total": totals.total,
        "pending_external": totals.pending,
        "compliant": totals.compliant,
        "minimum": rules.JP_MINIMUM,
        "entries": entries,
    }


def rows(session: Session, year: int, unit: str | None, as_of: date) -> list[dict[str, Any]]:
    """Every employee on the roster (of one unit) with their JP of `year`, by unit then NIP."""
    query = select(Employee).order_by(Employee.unit, Employee.nip)
    if unit:
        query = query.where(Employee.unit == unit)
    employees = list(session.scalars(query))
    by_type: dict[str, dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(rules.COMPETENCY_TYPES, 0.0)
    )
    for nip, ctype, jp in session.execute(
        select(JpEntry.nip, JpEntry.competency_type, func.sum(JpEntry.jp))
        .where(JpEntry.year == year)
        .group_by(JpEntry.nip, JpEntry.competency_type)
    ):
        by_type[nip][ctype] = float(jp)
    pending = dict(
        session.execute(
            select(ExternalLearning.nip, func.sum(ExternalLearning.jp))
            .where(
                ExternalLearning.status == "PENDING",
                ExternalLearning.completed_on.between(date(year, 1, 1), date(year, 12, 31)),
            )
            .group_by(ExternalLearning.nip)
        ).all()
    )
    scheduled = _scheduled_jp(session, year, as_of)
    left = rules.months_left(year, as_of)
    result = []
    for e in employees:
        types = by_type.get(e.nip) or dict.fromkeys(rules.COMPETENCY_TYPES, 0.0)
        total = sum(types.values())
        booked = scheduled.get(e.nip, 0.0)
        result.append(
            {
                "nip": e.nip,
                "name": e.name,
                "unit": e.unit,
                "status": e.status,
                **{t.lower(): types[t] for t in rules.COMPETENCY_TYPES},
                "total": total,
                "pending_external": float(pending.get(e.nip) or 0),
                "scheduled": booked,
                "compliant": total >= rules.JP_MINIMUM,
                "at_risk": rules.at_risk(total, booked, year, as_of),
                "shortfall": max(0.0, rules.JP_MINIMUM - total),
                "months_left": left,
            }
        )
    return result


def _scheduled_jp(session: Session, year: int, as_of: date) -> dict[str, float]:
    """JP of courses booked (ENROLLED) that end in `year` on or after `as_of`."""
    query = (
        select(Enrolment.nip, func.sum(Course.jp))
        .join(CourseSession, CourseSession.session_id == Enrolment.session_id)
        .join(Course, Course.course_id == CourseSession.course_id)
        .where(
            Enrolment.status == "ENROLLED",
            CourseSession.ends_on.between(max(as_of, date(year, 1, 1)), date(year, 12, 31)),
        )
        .group_by(Enrolment.nip)
    )
    return {nip: float(jp) for nip, jp in session.execute(query)}


def units(session: Session, year: int, as_of: date) -> list[dict[str, Any]]:
    """Compliance per unit: employees, how many reach 20 JP, the rate, and how many at risk."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows(session, year, None, as_of):
        grouped[row["unit"]].append(row)
    return [
        {
            "unit": unit,
            **rules.unit_compliance([r["total"] for r in members]),
            "at_risk": sum(1 for r in members if r["at_risk"]),
            "jp_total": sum(r["total"] for r in members),
        }
        for unit, members in sorted(grouped.items())
    ]


EXPORT_COLUMNS = (
    "nip",
    "name",
    "unit",
    "status",
    "teknis",
    "manajerial",
    "sosial_kultural",
    "total",
    "pending_external",
    "scheduled",
    "compliant",
    "at_risk",
    "shortfall",
    "months_left",
)


def export_csv(data: list[dict[str, Any]]) -> str:
    """The ledger rows as CSV (UTF-8, comma-separated, a header row)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in data:
        writer.writerow(row)
    return out.getvalue()


def export_xlsx(data: list[dict[str, Any]], year: int) -> bytes:
    """The ledger rows as an XLSX workbook (one sheet, a frozen header row)."""
    from openpyxl import Workbook  # only exports need it

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = f"JP {year}"
    sheet.append(list(EXPORT_COLUMNS))
    for row in data:
        sheet.append([row[c] for c in EXPORT_COLUMNS])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def latsar_list(
    session: Session, today: date, warning_days: int, only_warn: bool
) -> list[dict[str, Any]]:
    """Every CPNS (and anyone with a Latsar need) and where they stand with Latsar."""
    latsar_name = rules.LATSAR_COMPETENCY[0]
    passed = set(
        session.scalars(select(JpEntry.nip).where(JpEntry.competency == latsar_name).distinct())
    )
    booked = set(
        session.scalars(
            select(Enrolment.nip)
            .join(CourseSession, CourseSession.session_id == Enrolment.session_id)
            .join(Course, Course.course_id == CourseSession.course_id)
            .where(Course.competency == latsar_name, Enrolment.status.in_(rules.ACTIVE))
        )
    )
    owing = select(TrainingNeed.nip).where(TrainingNeed.kind == rules.LATSAR)
    employees = session.scalars(
        select(Employee)
        .where(or_(Employee.status == "CPNS", Employee.nip.in_(owing)))
        .order_by(Employee.tmt_cpns, Employee.nip)
    )
    result = []
    for e in employees:
        status = rules.latsar_status(e.tmt_cpns, e.nip in passed, today, warning_days)
        if only_warn and not status.warn:
            continue
        result.append(
            {
                "nip": e.nip,
                "name": e.name,
                "unit": e.unit,
                "status": e.status,
                "tmt_cpns": e.tmt_cpns,
                "probation_ends": status.probation_ends,
                "days_left": status.days_left,
                "latsar_passed": status.done,
                "enrolled": e.nip in booked,
                "overdue": status.overdue,
                "warning": status.warn,
            }
        )
    return result
