"""Changes to the roster: each writes the employee and its event in the caller's transaction.

Views, the CSV import and the appointment of selected applicants call these with their unit of
work; they check the rules, change the rows and publish the event, and the unit of work commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid
from chassis.uow import UnitOfWork, get_or_refuse
from services.recruitment import latsar, rules
from services.recruitment.models import Employee, UnpaidLeave

# North Maluku keeps Eastern Indonesia Time (WIT, UTC+9, no daylight saving): "today" for a
# date of appointment is the province's day, not the server's.
WIT = timezone(timedelta(hours=9), "WIT")
EMPLOYEE_FIELDS = (
    "nip",
    "name",
    "gender",
    "birth_date",
    "tmt_cpns",
    "status",
    "unit",
    "position",
    "supervisor_nip",
)
UPDATABLE_FIELDS = ("name", "unit", "position", "supervisor_nip", "status")
# Put before the reason of a status correction in the event, so consumers and auditors can tell
# a fixed entry from a real change of status.
CORRECTION_PREFIX = "Correction: "


def today_in_province() -> date:
    """Today's date in Sofifi."""
    return datetime.now(WIT).date()


def get_employee(session: Session, nip: str, *, for_update: bool = False) -> Employee:
    """The employee with `nip`; 404 when the roster has none."""
    missing = f"No employee with NIP {nip} is on the roster."
    return get_or_refuse(session, Employee, nip, missing, for_update=for_update)


def appoint(uow: UnitOfWork, values: Mapping[str, Any], *, source: str = "manual") -> Employee:
    """Put a new employee on the roster and record `recruitment.employee.appointed`."""
    session = uow.session
    nip = values["nip"]
    problems = rules.nip_disagreements(
        nip,
        birth_date=values["birth_date"],
        gender=values["gender"],
        tmt_cpns=values["tmt_cpns"],
    )
    problem = rules.status_plausibility_problem(
        values["status"], tmt_cpns=values["tmt_cpns"], today=today_in_province()
    )
    if problem:
        problems["status"] = problem
    if problems:
        raise Invalid.fields(problems)
    if session.get(Employee, nip) is not None:
        raise ConflictError(f"An employee with NIP {nip} is already on the roster.")
    _check_supervisor(session, nip, values.get("supervisor_nip"), loops=False)
    now = datetime.now(UTC)
    employee = Employee(
        **{name: values.get(name) for name in EMPLOYEE_FIELDS},
        appointed_on=values.get("appointed_on") or today_in_province(),
        created_at=now,
        updated_at=now,
    )
    # Another request may put the same NIP on the roster between our read and our write.
    uow.add_new(employee, f"An employee with NIP {nip} is already on the roster.")
    uow.publish(
        "recruitment.employee.appointed",
        {
            **snapshot(employee, []),
            "appointed_on": employee.appointed_on.isoformat(),
            "source": source,
        },
    )
    return employee


def update(
    uow: UnitOfWork,
    nip: str,
    changes: Mapping[str, Any],
    *,
    reason: str | None = None,
    correction: bool = False,
) -> Employee:
    """Apply `changes` and record `recruitment.employee.updated` if anything really changed.

    A `correction` fixes a status entered wrongly: it skips the transition rule (the status
    must still be possible for the record) and needs a `reason`, published prefixed.
    """
    session = uow.session
    # Locked so that concurrent updates apply, and publish their snapshots, one after another.
    employee = get_employee(session, nip, for_update=True)
    changed = [
        name
        for name in UPDATABLE_FIELDS
        if name in changes and changes[name] != getattr(employee, name)
    ]
    if not changed:
        return employee
    if "status" in changed:
        _check_status(employee, changes["status"], correction=correction)
        if not correction:
            latsar.check_status_change(session, employee, changes["status"])
    if "supervisor_nip" in changed:
        _check_supervisor(session, nip, changes["supervisor_nip"], loops=True)
    for name in changed:
        setattr(employee, name, changes[name])
    employee.updated_at = datetime.now(UTC)
    publish_update(uow, employee, changed, reason=reason, correction=correction)
    return employee


def publish_update(
    uow: UnitOfWork,
    employee: Employee,
    changed: list[str],
    *,
    reason: str | None = None,
    correction: bool = False,
) -> None:
    """Record `recruitment.employee.updated` with the whole record after the change."""
    data = {**snapshot(employee, unpaid_leave_of(uow.session, employee.nip)), "changed": changed}
    if reason:
        data["reason"] = f"{CORRECTION_PREFIX}{reason}" if correction else reason
    uow.publish("recruitment.employee.updated", data)


def _check_status(employee: Employee, status: str, *, correction: bool) -> None:
    today = today_in_province()
    if correction:
        # A correction says the old status was never true, so no transition rule applies.
        check = rules.status_plausibility_problem(status, tmt_cpns=employee.tmt_cpns, today=today)
    else:
        check = rules.status_change_problem(
            employee.status, status, tmt_cpns=employee.tmt_cpns, today=today
        )
    if check:
        raise Invalid.field("status", check)


def snapshot(employee: Employee, unpaid_leave: list[dict[str, Any]]) -> dict[str, Any]:
    """The employee as the events carry it (contracts/recruitment.py)."""
    return {
        **event_record({name: getattr(employee, name) for name in EMPLOYEE_FIELDS}),
        "unpaid_leave": unpaid_leave,
    }


def event_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """The employee fields of the events, dates as ISO strings."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in ((name, values[name]) for name in EMPLOYEE_FIELDS)
    }


def unpaid_leave_of(session: Session, nip: str) -> list[dict[str, Any]]:
    """The employee's periods of unpaid leave as the events carry them, oldest first."""
    periods = session.scalars(
        select(UnpaidLeave).where(UnpaidLeave.nip == nip).order_by(UnpaidLeave.start_on)
    )
    return [
        {"start": p.start_on.isoformat(), "end": p.end_on.isoformat() if p.end_on else None}
        for p in periods
    ]


def _check_supervisor(
    session: Session, nip: str, supervisor_nip: str | None, *, loops: bool
) -> None:
    if supervisor_nip is None:
        return
    problem = rules.supervisor_problem(nip, supervisor_nip)
    if problem is None and session.get(Employee, supervisor_nip) is None:
        problem = f"No employee with NIP {supervisor_nip} is on the roster."
    if problem is None and loops:
        problem = rules.supervision_loop_problem(nip, _chain_above(session, supervisor_nip))
    if problem:
        raise Invalid.field("supervisor_nip", problem)


def _chain_above(session: Session, supervisor_nip: str) -> list[str]:
    """`supervisor_nip` and the superiors above them, stopping at the top or at a repeat."""
    chain: list[str] = []
    current: str | None = supervisor_nip
    while current is not None and current not in chain:
        chain.append(current)
        if len(chain) > rules.MAX_SUPERVISION_DEPTH:
            break
        boss = session.get(Employee, current)
        current = boss.supervisor_nip if boss is not None else None
    return chain
