"""Storing a new report: the report, its reporter's contact and its first step in one statement.

Intake is the service's hot path (DESIGN.md section 6: 300 reports/s through the gateway). The
ORM's unit-of-work flush cost as much CPU as the rest of the request, for three rows nobody
reads back, and took three round trips. On PostgreSQL the three INSERTs are one statement
(data-modifying CTEs share the new report's id) run on the transaction's own DB-API cursor
(`chassis.fastpaths.DriverInsert`); elsewhere (SQLite) three Core INSERTs do the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Insert, bindparam, insert, literal_column, select
from sqlalchemy.exc import IntegrityError

from chassis.fastpaths import DriverInsert
from chassis.uow import UnitOfWork
from services.feedback.tables import Report, ReporterContact, ReportStep

REPORTS = Report.__table__
CONTACTS = ReporterContact.__table__
STEPS = ReportStep.__table__
# The columns a new report sets (the others start NULL).
REPORT_KEYS = (
    "tracking_number",
    "secret_hash",
    "kind",
    "subject",
    "unit",
    "service_name",
    "employee_nip",
    "category",
    "title",
    "body",
    "place",
    "incident_date",
    "privacy",
    "channel",
    "post_url",
    "status",
    "received_at",
    "stage_started_on",
    "due_on",
    "paused_days",
    "reopens",
    "updated_at",
)
CONTACT_KEYS = ("name", "email", "phone", "handle")
STEP_KEYS = ("at", "actor", "action", "from_status", "to_status", "note", "public")


def _params(prefix: str, table: Any, keys: tuple[str, ...]) -> list[Any]:
    """Typed parameters `<prefix>_<column>` for `keys` of `table` (typed: NULLs need a cast)."""
    return [bindparam(f"{prefix}_{key}", type_=table.c[key].type) for key in keys]


def _combined(with_contact: bool) -> Insert:
    """INSERT report, [contact,] first step as one PostgreSQL statement (CTEs with DML)."""
    new = (
        insert(REPORTS)
        .values({key: bindparam(key, type_=REPORTS.c[key].type) for key in REPORT_KEYS})
        .returning(REPORTS.c.id)
        .cte("new_report")
    )
    step = insert(STEPS).from_select(
        ["report_id", *STEP_KEYS],
        select(new.c.id, *_params("step", STEPS, STEP_KEYS)),
    )
    if with_contact:
        contact = (
            insert(CONTACTS)
            .from_select(
                ["report_id", *CONTACT_KEYS],
                select(new.c.id, *_params("contact", CONTACTS, CONTACT_KEYS)),
            )
            .returning(literal_column("1"))
            .cte("new_contact")
        )
        step = step.add_cte(contact)
    return step.add_cte(new)


_WITH_CONTACT = DriverInsert(_combined(True), ())
_WITHOUT_CONTACT = DriverInsert(_combined(False), ())


def insert_report(
    uow: UnitOfWork,
    report: Mapping[str, Any],
    contact: Mapping[str, Any],
    step: Mapping[str, Any],
) -> None:
    """Insert a new report (REPORT_KEYS), its contact (CONTACT_KEYS, none if empty) and step."""
    connection = uow.session.connection()
    if connection.dialect.name != "postgresql":
        _insert_plainly(uow, report, contact, step)
        return
    params = {key: report[key] for key in REPORT_KEYS}
    params.update({f"step_{key}": step[key] for key in STEP_KEYS})
    if contact:
        params.update({f"contact_{key}": contact.get(key) for key in CONTACT_KEYS})
    statement = _WITH_CONTACT if contact else _WITHOUT_CONTACT
    try:
        statement.execute(connection, params)
    except connection.dialect.dbapi.IntegrityError as error:
        # As SQLAlchemy would raise it (a social import re-sent meanwhile is told apart by it).
        raise IntegrityError(str(statement.statement), None, error) from error


def _insert_plainly(
    uow: UnitOfWork,
    report: Mapping[str, Any],
    contact: Mapping[str, Any],
    step: Mapping[str, Any],
) -> None:
    """The same rows by three Core INSERTs (SQLite has no INSERT inside a CTE)."""
    session = uow.session
    row = {key: report[key] for key in REPORT_KEYS}
    report_id = session.execute(insert(REPORTS).values(row).returning(REPORTS.c.id)).scalar_one()
    if contact:
        values = {key: contact.get(key) for key in CONTACT_KEYS}
        session.execute(insert(CONTACTS).values(report_id=report_id, **values))
    values = {key: step[key] for key in STEP_KEYS}
    session.execute(insert(STEPS).values(report_id=report_id, **values))
