"""Lists of reports: the public list and statistics (PUBLIC reports only, redacted), the staff's
work list (an officer sees their unit's), and the admins' queue of overdue reports."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from chassis.uow import UnitOfWork
from services.feedback import rules
from services.feedback.models import Employee
from services.feedback.tables import Report, ReporterContact

PUBLIC_COLUMNS = (
    Report.id,
    Report.tracking_number,
    Report.kind,
    Report.subject,
    Report.unit,
    Report.category,
    Report.title,
    Report.body,
    Report.status,
    Report.received_at,
    Report.employee_nip,
)


def public_list(
    uow: UnitOfWork,
    *,
    unit: str | None = None,
    category: str | None = None,
    status: str | None = None,
    after: int | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """A page of public reports, newest first, by keyset (`after` = the last page's `next`):
    an index range scan whatever the page, where OFFSET would read every row it skips."""
    query = (
        select(*PUBLIC_COLUMNS, ReporterContact.name, ReporterContact.handle)
        .outerjoin(ReporterContact, ReporterContact.report_id == Report.id)
        .where(Report.privacy == "PUBLIC", Report.merged_into_id.is_(None))
    )
    if unit:
        query = query.where(Report.unit == unit)
    if category:
        query = query.where(Report.category == category)
    if status:
        query = query.where(Report.status == status)
    if after is not None:
        query = query.where(Report.id < after)
    rows = uow.session.execute(query.order_by(Report.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    names = _names(uow, {r.employee_nip for r in rows if r.employee_nip})
    # The reporter's own name and handle are taken out too, wherever they typed them.
    reporters = {r.id: tuple(v for v in (r.name, r.handle) if v) for r in rows}
    items = [
        {
            "tracking_number": r.tracking_number,
            "kind": r.kind,
            "subject": r.subject,
            "unit": r.unit,
            "category": r.category,
            "title": rules.redact(r.title, (*names.get(r.employee_nip, ()), *reporters[r.id])),
            "excerpt": rules.excerpt(
                rules.redact(r.body, (*names.get(r.employee_nip, ()), *reporters[r.id]))
            ),
            "status": r.status,
            "received_at": r.received_at,
        }
        for r in rows
    ]
    return {"items": items, "next": rows[-1].id if more else None}


def _names(uow: UnitOfWork, nips: set[str]) -> dict[str, tuple[str, ...]]:
    # The named employee's name is taken out of what the public reads about them.
    if not nips:
        return {}
    rows = uow.session.execute(select(Employee.nip, Employee.name).where(Employee.nip.in_(nips)))
    return {nip: (name,) for nip, name in rows}


# The statistics aggregate every report (a second or so at a million): each process keeps an
# answer for a minute, which public figures can afford to lag.
STATISTICS_SECONDS = 60.0
_statistics: dict[tuple[str, str | None, str | None], tuple[float, dict]] = {}


def statistics(uow: UnitOfWork, unit: str | None = None, category: str | None = None) -> dict:
    """Counts by status and response times per unit, over every report (no text, no names):
    the public sees how each unit handles what it receives, confidential reports included."""
    key = (str(uow.session.get_bind().url), unit, category)
    cached = _statistics.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    figures = _statistics_now(uow, unit, category)
    if len(_statistics) > 256:
        _statistics.clear()
    _statistics[key] = (time.monotonic() + STATISTICS_SECONDS, figures)
    return figures


def _statistics_now(uow: UnitOfWork, unit: str | None, category: str | None) -> dict:
    dialect = uow.session.get_bind().dialect.name
    hours = _hours_between(dialect, Report.received_at, Report.first_response_at)
    query = select(
        Report.unit,
        func.count().label("received"),
        func.sum(case((Report.status.in_(rules.OPEN_STATUSES), 1), else_=0)).label("open"),
        func.sum(case((Report.status.in_(("RESOLVED", "CLOSED")), 1), else_=0)).label("resolved"),
        func.count(Report.first_response_at).label("responded"),
        func.avg(hours).label("mean_response_hours"),
    ).where(Report.merged_into_id.is_(None))
    if unit:
        query = query.where(Report.unit == unit)
    if category:
        query = query.where(Report.category == category)
    rows = uow.session.execute(query.group_by(Report.unit).order_by(Report.unit)).all()
    return {
        "units": [
            {
                "unit": r.unit,
                "received": r.received,
                "open": int(r.open or 0),
                "resolved": int(r.resolved or 0),
                "responded": r.responded,
                "mean_response_hours": (
                    round(float(r.mean_response_hours), 1)
                    if r.mean_response_hours is not None
                    else None
                ),
            }
            for r in rows
        ]
    }


def _hours_between(dialect: str, start, end):
    # PostgreSQL subtracts timestamps to an interval; SQLite stores ISO text, read as julian days.
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 3600
    return (func.julianday(end) - func.julianday(start)) * 24


def staff_list(
    uow: UnitOfWork,
    now: datetime,
    *,
    status: str | None = None,
    unit: str | None = None,
    overdue: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """The reports staff work on, oldest due first; an officer sees their unit's only."""
    actor = uow.require_actor()
    today = rules.wit_date(now)
    query = select(Report).where(Report.merged_into_id.is_(None))
    if "admin" not in actor.roles:
        query = query.where(Report.handling_unit == (actor.unit or ""))
        if actor.nip:
            query = query.where(
                (Report.employee_nip.is_(None)) | (Report.employee_nip != actor.nip)
            )
    if status:
        query = query.where(Report.status == status)
    if unit:
        query = query.where(Report.unit == unit)
    if overdue:
        query = query.where(_overdue_clause(today))
    total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = uow.session.scalars(
        query.order_by(Report.due_on.is_(None), Report.due_on, Report.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return {
        "items": [_line(r, today) for r in rows],
        "page": page,
        "page_size": page_size,
        "total": total,
    }


def _overdue_clause(today):
    reference = func.coalesce(Report.paused_on, today)
    return Report.due_on.is_not(None) & (reference > Report.due_on)


def _line(report: Report, today) -> dict[str, Any]:
    return {
        "tracking_number": report.tracking_number,
        "kind": report.kind,
        "unit": report.unit,
        "handling_unit": report.handling_unit,
        "category": report.category,
        "title": report.title,
        "status": report.status,
        "received_at": report.received_at,
        "due_on": report.due_on,
        "awaiting_citizen": report.paused_on is not None,
        "overdue": rules.is_overdue(report.due_on, today, report.paused_on),
    }


def overdue_queue(uow: UnitOfWork, now: datetime, page: int, page_size: int) -> dict[str, Any]:
    """The admins' escalation queue: every report past its stage's due day."""
    return staff_list(uow, now, overdue=True, page=page, page_size=page_size)
