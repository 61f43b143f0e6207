"""The staff's side of a report (SP4N-LAPOR!): verification by the province's verifiers
(admins), disposition to a unit, the unit's response (officers of that unit), resolution,
findings about named employees, merging duplicates; every step records who, when and why."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from chassis.domain import ConflictError, Invalid, NotAllowed, NotFoundError
from chassis.principal import Principal
from chassis.uow import UnitOfWork
from services.feedback import calendar, rules
from services.feedback.reports import add_step
from services.feedback.tables import Attachment, Report, ReporterContact, ReportStep

ADMIN_ONLY = ("verify", "reject", "forward", "disposition", "close")
STAFF_FIELDS = (
    "tracking_number", "kind", "subject", "unit", "service_name", "employee_nip", "category",
    "title", "body", "place", "incident_date", "privacy", "channel", "post_url", "status",
    "received_at", "handling_unit", "due_on", "paused_on", "finding", "severity", "rating",
    "resolved_at", "closed_at",
)  # fmt: skip
STEP_FIELDS = ("at", "actor", "action", "from_status", "to_status", "note", "public")


def get(uow: UnitOfWork, tracking_number: str, *, for_update: bool = False) -> Report:
    """The report with this tracking number; 404 when there is none."""
    query = select(Report).where(Report.tracking_number == tracking_number)
    if for_update:
        query = query.with_for_update()
    report = uow.session.scalar(query)
    if report is None:
        raise NotFoundError(f"No report {tracking_number}.")
    return report


def check_access(actor: Principal, report: Report) -> None:
    """Admins see every report; an officer only those dispositioned to their unit, and never
    one about themself (the employee concerned does not handle their own case)."""
    if actor.nip and report.employee_nip == actor.nip:
        raise NotAllowed("A report about you is handled by others.")
    if "admin" in actor.roles:
        return
    if report.handling_unit is None or report.handling_unit != actor.unit:
        raise NotAllowed("An officer handles only the reports dispositioned to their unit.")


def staff_view(uow: UnitOfWork, tracking_number: str, now: datetime) -> dict[str, Any]:
    """A report as staff see it; the reporter's contact only for admins (the verifiers)."""
    actor = uow.require_actor()
    report = get(uow, tracking_number)
    check_access(actor, report)
    return shape(uow, report, now, with_contact="admin" in actor.roles)


def shape(uow: UnitOfWork, report: Report, now: datetime, *, with_contact: bool) -> dict[str, Any]:
    """The staff document of a report, with its full history and attachments."""
    steps = uow.session.scalars(
        select(ReportStep).where(ReportStep.report_id == report.id).order_by(ReportStep.id)
    ).all()
    attachments = uow.session.scalars(
        select(Attachment).where(Attachment.report_id == report.id).order_by(Attachment.id)
    ).all()
    contact = None
    if with_contact and report.privacy != "ANONYMOUS":
        row = uow.session.get(ReporterContact, report.id)
        if row is not None:
            contact = {k: getattr(row, k) for k in ("name", "email", "phone", "handle")}
    merged_into = uow.session.get(Report, report.merged_into_id) if report.merged_into_id else None
    fields = {name: getattr(report, name) for name in STAFF_FIELDS}
    shown_steps = [{name: getattr(s, name) for name in STEP_FIELDS} for s in steps]
    if not with_contact:
        # Whatever the privacy, the unit never learns who wrote, not even from contact details
        # the citizen typed into the text.
        known = uow.session.get(ReporterContact, report.id)
        names = [v for v in (known.name, known.handle) if v] if known is not None else []
        fields["title"] = rules.redact(report.title, names)
        fields["body"] = rules.redact(report.body, names)
        for step in shown_steps:
            if step["actor"] == "citizen" and step["note"]:
                step["note"] = rules.redact(step["note"], names)
    return {
        **fields,
        "overdue": rules.is_overdue(report.due_on, rules.wit_date(now), report.paused_on),
        "merged_into": merged_into.tracking_number if merged_into else None,
        "contact": contact,
        "steps": shown_steps,
        "attachments": [
            {"id": a.id, "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
            for a in attachments
        ],
    }


def transition(
    uow: UnitOfWork, tracking_number: str, action: str, data: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """Move a report by `action` (see rules.TRANSITIONS); 409 for an impossible move."""
    actor = uow.require_actor()
    report = get(uow, tracking_number, for_update=True)
    if action in ADMIN_ONLY and "admin" not in actor.roles:
        raise NotAllowed("Only the province's verifiers (admins) take this step.")
    check_access(actor, report)
    if action == "disposition" and not data.get("unit"):
        raise Invalid.field("unit", "Name the unit the report is dispositioned to.")
    if action == "forward" and not data.get("forwarded_to"):
        raise Invalid.field("forwarded_to", "Name the authority the report goes to.")
    if report.merged_into_id is not None:
        raise ConflictError("This report was merged; the surviving report is handled instead.")
    problem = rules.transition_problem(action, report.status)
    if problem:
        raise ConflictError(problem)
    if report.paused_on is not None and action not in ("reject", "forward"):
        raise ConflictError("The citizen has not answered the question yet.")
    before, after = report.status, rules.TRANSITIONS[action][1]
    note = data.get("note")
    today = rules.wit_date(now)
    if action == "disposition":
        report.handling_unit = data["unit"]
        note = f"Didisposisikan ke {data['unit']}. {note or ''}".strip()
    if action == "forward":
        note = f"Dialihkan ke {data['forwarded_to']}. {note or ''}".strip()
    if action in ("reject", "forward", "respond", "resolve") and not note:
        # The citizen reads why a report was refused and what the unit answered or did.
        raise Invalid.field("note", "Write it down: the citizen reads it on the timeline.")
    if action == "respond" and report.first_response_at is None:
        report.first_response_at = now
    if action == "resolve":
        report.resolved_at = now
    if action == "close":
        report.closed_at = now
    report.status = after
    _restart_clock(uow, report, today)
    add_step(uow, report, action, before, after, note, now)
    if action == "verify":
        _commendation(uow, report, today)
    return shape(uow, report, now, with_contact="admin" in actor.roles)


def _restart_clock(uow: UnitOfWork, report: Report, today) -> None:
    """Start the clock of the new state's stage, or stop the clock when none runs in it."""
    limit = rules.CLOCKS.get(report.status)
    report.paused_days, report.paused_on = 0, None
    if limit is None:
        report.stage_started_on, report.due_on = None, None
        return
    report.stage_started_on = today
    report.due_on = rules.due_on(calendar.load(uow, today.year), today, limit, 0)


def _commendation(uow: UnitOfWork, report: Report, today) -> None:
    # A verified commendation of a named employee is a fact other services weigh (appraisal,
    # awards); no reporter data goes with it.
    if report.kind == "COMMENDATION" and report.employee_nip:
        uow.publish(
            "feedback.commendation.recorded",
            {
                "tracking_number": report.tracking_number,
                "nip": report.employee_nip,
                "unit": report.unit,
                "recorded_on": today.isoformat(),
            },
        )


def ask(uow: UnitOfWork, tracking_number: str, question: str, now: datetime) -> dict[str, Any]:
    """Ask the citizen for information; the stage's clock pauses until they answer."""
    actor = uow.require_actor()
    report = get(uow, tracking_number, for_update=True)
    check_access(actor, report)
    if report.status not in rules.ASKABLE or report.merged_into_id is not None:
        raise ConflictError(f"A report that is {report.status} is not being handled.")
    if report.paused_on is not None:
        raise ConflictError("A question is already waiting for the citizen's answer.")
    report.paused_on = rules.wit_date(now)
    add_step(uow, report, "ask", report.status, report.status, question, now)
    return shape(uow, report, now, with_contact="admin" in actor.roles)


def record_finding(
    uow: UnitOfWork, tracking_number: str, data: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The verifiers' finding on a complaint about a named employee, after the unit responded;
    a substantiated one publishes `feedback.complaint.substantiated` (no reporter data)."""
    actor = uow.require_actor()
    report = get(uow, tracking_number, for_update=True)
    check_access(actor, report)
    if report.kind != "COMPLAINT" or report.employee_nip is None:
        raise ConflictError("Only a complaint about a named employee gets a finding.")
    if report.status not in ("IN_FOLLOW_UP", "RESOLVED"):
        raise ConflictError("A finding is made after the unit has responded (IN_FOLLOW_UP).")
    if report.finding is not None:
        raise ConflictError(f"The finding was already made: {report.finding}.")
    substantiated = data["substantiated"]
    report.finding = "SUBSTANTIATED" if substantiated else "UNSUBSTANTIATED"
    report.severity = data.get("severity") if substantiated else None
    if substantiated and report.severity is None:
        raise Invalid.field("severity", "A substantiated complaint needs its severity.")
    # The finding stays internal: the citizen sees the resolution, not a verdict on a person.
    add_step(
        uow, report, "finding", report.status, report.status, data.get("note"), now, public=False
    )
    if substantiated:
        uow.publish(
            "feedback.complaint.substantiated",
            {
                "tracking_number": report.tracking_number,
                "nip": report.employee_nip,
                "unit": report.unit,
                "substantiated_on": rules.wit_date(now).isoformat(),
                "incident_date": report.incident_date.isoformat() if report.incident_date else None,
                "severity": report.severity,
                "category": report.category,
            },
            version=2,
        )
    return shape(uow, report, now, with_contact=True)


def merge(uow: UnitOfWork, tracking_number: str, into: str, now: datetime) -> dict[str, Any]:
    """Merge a duplicate into a surviving report: its citizen follows the survivor from now on
    (their number and secret open the survivor's timeline), and so do earlier merged ones."""
    uow.require_actor()
    duplicate = get(uow, tracking_number, for_update=True)
    survivor = get(uow, into, for_update=True)
    if duplicate.id == survivor.id:
        raise Invalid.field("into", "A report cannot be merged into itself.")
    if duplicate.merged_into_id is not None or survivor.merged_into_id is not None:
        raise ConflictError("One of these reports was already merged into another.")
    if survivor.status in ("REJECTED", "FORWARDED", "CLOSED"):
        raise ConflictError(f"A report that is {survivor.status} cannot take duplicates.")
    if duplicate.unit != survivor.unit:
        raise ConflictError("Only reports about the same unit are merged.")
    duplicate.merged_into_id = survivor.id
    uow.session.execute(
        update(Report)
        .where(Report.merged_into_id == duplicate.id)
        .values(merged_into_id=survivor.id)
    )
    add_step(
        uow,
        duplicate,
        "merge",
        duplicate.status,
        duplicate.status,
        f"Digabung dengan {survivor.tracking_number}.",
        now,
    )
    add_step(
        uow,
        survivor,
        "merge",
        survivor.status,
        survivor.status,
        "Laporan serupa digabungkan ke laporan ini.",
        now,
    )
    return shape(uow, survivor, now, with_contact=True)
