"""The citizen's side of a report: submit, follow by tracking number and secret, answer, rate,
reopen; and the public directory of units and staff that a report may name."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from chassis.domain import ConflictError, Invalid, NotFoundError
from chassis.uow import UnitOfWork
from services.feedback import calendar, intake, rules
from services.feedback.models import Employee
from services.feedback.tables import Report, ReporterContact, ReportStep

CITIZEN = "citizen"  # the actor of a citizen's steps: reporters have no accounts
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
SECRET_BYTES = 18
SIMILAR_LIMIT = 10
UNKNOWN = "No report with this tracking number and secret."


def hash_secret(secret: str) -> str:
    """The stored form of a report secret (sha256 hex; the secret itself is random)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_tracking_number(now: datetime) -> str:
    """`LPR-<year>-<8 random characters>`: unguessable, so numbers do not reveal volumes."""
    # One read of the system's randomness for all 8 characters (secrets.choice reads once per
    # character); 32 characters divide 256, so `byte % 32` picks each one uniformly.
    code = "".join(TRACKING_ALPHABET[byte % 32] for byte in secrets.token_bytes(8))
    return f"LPR-{rules.wit_date(now).year}-{code}"


def resolve_employee(uow: UnitOfWork, name: str, unit: str, position: str | None) -> Employee:
    """The employee a citizen named by name and unit (and post when names repeat)."""
    query = select(Employee).where(func.lower(Employee.name) == name.lower(), Employee.unit == unit)
    if position:
        query = query.where(func.lower(Employee.position) == position.lower())
    found = uow.session.scalars(query.limit(2)).all()
    if not found:
        raise Invalid.field("employee_name", "No employee of this name works in this unit.")
    if len(found) > 1:
        raise Invalid.field(
            "employee_position", "Several employees of this unit share this name: choose the post."
        )
    return found[0]


def submit(uow: UnitOfWork, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Receive a report; returns its tracking number and the secret shown this once."""
    if data.get("website"):
        # The honeypot: a field people never see and simple bots fill in.
        raise Invalid.field("website", "Leave this field empty.")
    secret = secrets.token_urlsafe(SECRET_BYTES)
    report = new_report(uow, data, now, secret_hash=hash_secret(secret))
    return {
        "tracking_number": report["tracking_number"],
        "secret": secret,
        "status": report["status"],
        "received_at": report["received_at"],
        "verify_due_on": report["due_on"],
    }


def new_report(
    uow: UnitOfWork, data: Mapping[str, Any], now: datetime, *, secret_hash: str
) -> dict[str, Any]:
    """Store a RECEIVED report from validated `data` (web form or a social-media import); its
    stored columns (`intake.REPORT_KEYS`) as a dict."""
    privacy = data["privacy"]
    contact = {k: data.get(k) for k in ("name", "email", "phone", "handle") if data.get(k)}
    if privacy == "ANONYMOUS" and contact:
        raise Invalid.fields(
            dict.fromkeys(contact, "An anonymous report carries no contact; leave it empty.")
        )
    subject, unit, nip = data["subject"], data["unit"], None
    if subject == "EMPLOYEE":
        if not data.get("employee_name"):
            raise Invalid.field("employee_name", "Name the employee (as the directory shows).")
        employee = resolve_employee(uow, data["employee_name"], unit, data.get("employee_position"))
        nip = employee.nip
    elif data["kind"] == "COMMENDATION":
        raise Invalid.field("subject", "A commendation names an employee.")
    if subject == "SERVICE" and not data.get("service_name"):
        raise Invalid.field("service_name", "Name the public service.")
    incident = data.get("incident_date")
    today = rules.wit_date(now)
    if incident is not None and incident > today:
        raise Invalid.field("incident_date", "The incident cannot be in the future.")
    work = calendar.load(uow, today.year)
    report = {
        "tracking_number": new_tracking_number(now),
        "secret_hash": secret_hash,
        "kind": data["kind"],
        "subject": subject,
        "unit": unit,
        "service_name": data.get("service_name") if subject == "SERVICE" else None,
        "employee_nip": nip,
        "category": data["category"],
        "title": data["title"],
        "body": data["body"],
        "place": data.get("place"),
        "incident_date": incident,
        "privacy": privacy,
        "channel": data.get("channel", "WEB"),
        "post_url": data.get("post_url"),
        "status": "RECEIVED",
        "received_at": now,
        "stage_started_on": today,
        "due_on": rules.due_on(work, today, rules.VERIFY_WORKING_DAYS, 0),
        "paused_days": 0,
        "reopens": 0,
        "updated_at": now,
    }
    step = {
        "at": now,
        "actor": CITIZEN,
        "action": "submit",
        "from_status": None,
        "to_status": "RECEIVED",
        "note": None,
        "public": True,
    }
    intake.insert_report(uow, report, contact, step)
    return report


def add_step(
    uow: UnitOfWork,
    report: Report,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None,
    now: datetime,
    *,
    actor: str | None = None,
    public: bool = True,
) -> None:
    """Record one step of the report's history (who, when, what, why)."""
    uow.session.add(
        ReportStep(
            report_id=report.id,
            at=now,
            actor=actor or uow.actor_name,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            public=public,
        )
    )
    if report.updated_at != now:  # a new report already has it: no UPDATE right after INSERT
        report.updated_at = now


def _followed(uow: UnitOfWork, tracking_number: str, secret: str) -> Report:
    """The report a citizen follows (the survivor when theirs was merged); one 404 for a wrong
    number or a wrong secret, so that neither tells whether a number exists."""
    report = uow.session.scalar(select(Report).where(Report.tracking_number == tracking_number))
    if report is None or not hmac.compare_digest(report.secret_hash, hash_secret(secret)):
        # Compare against a dummy too, so an unknown number costs what a wrong secret costs.
        hmac.compare_digest(hash_secret(secret), hash_secret(tracking_number))
        raise NotFoundError(UNKNOWN)
    seen = 0
    while report.merged_into_id is not None and seen < 16:
        report = uow.session.get(Report, report.merged_into_id)
        seen += 1
    return report


def timeline(uow: UnitOfWork, tracking_number: str, secret: str, now: datetime) -> dict[str, Any]:
    """What the citizen sees: status, deadlines, the public steps, staff's open question."""
    report = _followed(uow, tracking_number, secret)
    steps = uow.session.scalars(
        select(ReportStep)
        .where(ReportStep.report_id == report.id, ReportStep.public.is_(True))
        .order_by(ReportStep.at, ReportStep.id)
    ).all()
    return {
        "tracking_number": report.tracking_number,
        "followed_as": tracking_number,
        "kind": report.kind,
        "unit": report.unit,
        "category": report.category,
        "title": report.title,
        "status": report.status,
        "received_at": report.received_at,
        "due_on": report.due_on,
        "awaiting_citizen": report.paused_on is not None,
        "overdue": rules.is_overdue(report.due_on, rules.wit_date(now), report.paused_on),
        "rating": report.rating,
        "steps": [
            {"at": s.at, "action": s.action, "status": s.to_status, "note": s.note} for s in steps
        ],
    }


def add_information(
    uow: UnitOfWork, tracking_number: str, secret: str, text: str, now: datetime
) -> dict[str, Any]:
    """The citizen answers staff's question or adds information; an answer restarts the clock."""
    report = _followed(uow, tracking_number, secret)
    if report.status in ("REJECTED", "FORWARDED", "CLOSED"):
        raise ConflictError(f"A report that is {report.status} takes no more information.")
    action = "add_information"
    if report.paused_on is not None:
        work = calendar.load(uow, report.paused_on.year, rules.wit_date(now).year)
        paused = work.working_days_between(report.paused_on, rules.wit_date(now))
        report.paused_days += paused
        limit = rules.CLOCKS.get(report.status)
        if limit is not None and report.stage_started_on is not None:
            report.due_on = rules.due_on(work, report.stage_started_on, limit, report.paused_days)
        report.paused_on = None
        action = "answer"
    add_step(uow, report, action, report.status, report.status, text, now, actor=CITIZEN)
    return timeline(uow, tracking_number, secret, now)


def rate(
    uow: UnitOfWork, tracking_number: str, secret: str, rating: int, comment: str | None, now
) -> dict[str, Any]:
    """The citizen rates the handling of a closed report (1-5), once."""
    report = _followed(uow, tracking_number, secret)
    if report.status != "CLOSED":
        raise ConflictError("Only a closed report can be rated.")
    if report.rating is not None:
        raise ConflictError("This report was already rated.")
    report.rating = rating
    add_step(uow, report, "rate", "CLOSED", "CLOSED", comment, now, actor=CITIZEN)
    return timeline(uow, tracking_number, secret, now)


def reopen(
    uow: UnitOfWork, tracking_number: str, secret: str, reason: str, now: datetime
) -> dict[str, Any]:
    """The citizen reopens a resolved or closed report within the window: back to the unit."""
    report = _followed(uow, tracking_number, secret)
    problem = rules.transition_problem("reopen", report.status)
    if problem:
        raise ConflictError(problem)
    resolved_on = rules.wit_date(report.resolved_at) if report.resolved_at else None
    problem = rules.reopen_problem(resolved_on, rules.wit_date(now), report.reopens)
    if problem:
        raise ConflictError(problem)
    before = report.status
    report.status, report.reopens, report.closed_at = "IN_FOLLOW_UP", report.reopens + 1, None
    add_step(uow, report, "reopen", before, "IN_FOLLOW_UP", reason, now, actor=CITIZEN)
    return timeline(uow, tracking_number, secret, now)


def report_for_citizen(uow: UnitOfWork, tracking_number: str, secret: str) -> Report:
    """The report a citizen's credentials open (attachments are added through it)."""
    return _followed(uow, tracking_number, secret)


def similar(uow: UnitOfWork, unit: str, category: str) -> list[dict[str, Any]]:
    """Open public reports of the same unit and category, newest first (offered before a new
    report, as FixMyStreet does, so the same pothole is not reported twenty times)."""
    rows = uow.session.execute(
        select(
            Report.tracking_number,
            Report.title,
            Report.status,
            Report.received_at,
            Report.employee_nip,
            ReporterContact.name,
            ReporterContact.handle,
        )
        .outerjoin(ReporterContact, ReporterContact.report_id == Report.id)
        .where(
            Report.unit == unit,
            Report.category == category,
            Report.status.in_(rules.OPEN_STATUSES),
            Report.privacy == "PUBLIC",
            Report.merged_into_id.is_(None),
        )
        .order_by(Report.id.desc())
        .limit(SIMILAR_LIMIT)
    ).all()
    nips = {r.employee_nip for r in rows if r.employee_nip}
    employees: dict[str, str] = {}
    if nips:
        found = uow.session.execute(
            select(Employee.nip, Employee.name).where(Employee.nip.in_(nips))
        )
        employees = {nip: name for nip, name in found}
    # The titles are public, as on the public list: redacted the same way (contacts, long
    # numbers such as NIK, the named employee's and the reporter's own names).
    return [
        {
            "tracking_number": r.tracking_number,
            "title": rules.redact(
                r.title, [v for v in (employees.get(r.employee_nip), r.name, r.handle) if v]
            ),
            "status": r.status,
            "received_at": r.received_at,
        }
        for r in rows
    ]


def directory(uow: UnitOfWork, unit: str | None, name: str | None) -> dict[str, Any]:
    """The public directory: units, and in a unit its staff by name and post (never a NIP)."""
    if unit is None:
        units = uow.session.scalars(select(Employee.unit).distinct().order_by(Employee.unit))
        return {"units": list(units), "employees": []}
    query = select(Employee.name, Employee.position).where(Employee.unit == unit)
    if name:
        query = query.where(func.lower(Employee.name).contains(name.lower(), autoescape=True))
    rows = uow.session.execute(query.order_by(Employee.name).limit(50)).all()
    return {
        "units": [unit],
        "employees": [{"name": r.name, "position": r.position, "unit": unit} for r in rows],
    }
