"""Disciplinary sanctions (PP 94/2021) and unpaid leave (CLTN) of employees on the roster.

Both are facts other services decide by (Satyalancana Karya Satya counts neither a moderate or
severe sanction nor unpaid leave; a sanction ends eligibility for awards), so each is published:
a sanction as `recruitment.employee.sanctioned`, a period of leave as `employee.updated` with
the employee's whole `unpaid_leave` list. The unit of work commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, refuse_if
from chassis.uow import UnitOfWork
from services.recruitment import rules
from services.recruitment.models import Sanction, UnpaidLeave
from services.recruitment.roster import get_employee, publish_update, today_in_province

SANCTIONED = "recruitment.employee.sanctioned"
SANCTION_FIELDS = ("level", "kind", "decided_on", "effective_from", "effective_until")


def impose_sanction(uow: UnitOfWork, nip: str, values: Mapping[str, Any]) -> Sanction:
    """Record a sanction decided for `nip` and publish `employee.sanctioned`."""
    session = uow.session
    get_employee(session, nip)
    refuse_if(
        rules.sanction_problems(
            decided_on=values["decided_on"],
            effective_from=values["effective_from"],
            effective_until=values.get("effective_until"),
            today=today_in_province(),
        )
    )
    sanction_id = values["sanction_id"]
    if session.get(Sanction, sanction_id) is not None:
        raise ConflictError(f"A sanction with SK number {sanction_id} is already recorded.")
    sanction = Sanction(
        sanction_id=sanction_id,
        nip=nip,
        **{name: values.get(name) for name in SANCTION_FIELDS},
        created_at=datetime.now(UTC),
    )
    # The same SK number may be recorded by another request between our read and our write.
    uow.add_new(sanction, f"A sanction with SK number {sanction_id} is already recorded.")
    uow.publish(SANCTIONED, sanction_data(sanction))
    return sanction


def sanction_data(sanction: Sanction) -> dict[str, Any]:
    """The `employee.sanctioned` data of a sanction."""
    until = sanction.effective_until
    return {
        "sanction_id": sanction.sanction_id,
        "nip": sanction.nip,
        "level": sanction.level,
        "kind": sanction.kind,
        "decided_on": sanction.decided_on.isoformat(),
        "effective_from": sanction.effective_from.isoformat(),
        "effective_until": until.isoformat() if until else None,
        "regulation": "PP 94/2021",
    }


def sanctions_of(session: Session, nip: str) -> list[Sanction]:
    """The employee's sanctions, oldest decision first (404 for an unknown employee)."""
    get_employee(session, nip)
    return list(
        session.scalars(
            select(Sanction)
            .where(Sanction.nip == nip)
            .order_by(Sanction.decided_on, Sanction.sanction_id)
        )
    )


def add_unpaid_leave(uow: UnitOfWork, nip: str, values: Mapping[str, Any]) -> UnpaidLeave:
    """Record a period of unpaid leave and publish `employee.updated` (changed unpaid_leave)."""
    session = uow.session
    # Locked like an update: two periods added at once must not both pass the overlap check.
    employee = get_employee(session, nip, for_update=True)
    start, end = values["start"], values.get("end")
    refuse_if(
        rules.unpaid_leave_problems(
            start, end, tmt_cpns=employee.tmt_cpns, taken=periods_of(session, nip)
        )
    )
    period = UnpaidLeave(
        nip=nip,
        start_on=start,
        end_on=end,
        reason=values.get("reason"),
        created_at=datetime.now(UTC),
    )
    session.add(period)
    session.flush()
    employee.updated_at = period.created_at
    publish_update(uow, employee, ["unpaid_leave"], reason=values.get("reason"))
    return period


def periods_of(session: Session, nip: str) -> list[tuple[Any, Any]]:
    """(start, end) of the employee's periods of unpaid leave, oldest first."""
    rows = session.execute(
        select(UnpaidLeave.start_on, UnpaidLeave.end_on)
        .where(UnpaidLeave.nip == nip)
        .order_by(UnpaidLeave.start_on)
    )
    return [tuple(row) for row in rows]


def unpaid_leave_list(session: Session, nip: str) -> list[UnpaidLeave]:
    """The employee's periods of unpaid leave, oldest first (404 for an unknown employee)."""
    get_employee(session, nip)
    return list(
        session.scalars(
            select(UnpaidLeave).where(UnpaidLeave.nip == nip).order_by(UnpaidLeave.start_on)
        )
    )
