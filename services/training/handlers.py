"""Event consumers of the training service."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.employees import EmployeeProjection
from chassis.handler_chain import combine_handlers
from chassis.inbox import handles_batches
from services.training import needs, rules, succession, talent
from services.training.models import Employee

EMPLOYEES = EmployeeProjection(Employee, "training")


def handle_employee_appointed(session: Session, event: Event) -> None:
    """A new employee joins the roster: their JP start counting, and a CPNS owes Latsar."""
    EMPLOYEES.project(session, event)
    needs.record(session, rules.needs_from_appointment(event.data))


@handles_batches
def handle_appraisal_finalized(session: Session, events: list[Event]) -> None:
    """A finalized annual rating: a need for a predikat below BAIK and per DI_BAWAH value."""
    needs.record_many(
        session,
        [(need, e.correlation_id) for e in events for need in rules.needs_from_appraisal(e.data)],
    )


HANDLERS = combine_handlers(
    {
        "appraisal.appraisal.finalized": handle_appraisal_finalized,
        "recruitment.employee.appointed": handle_employee_appointed,
    },
    talent.HANDLERS,  # the annual predikat kept for the talent map
    succession.HANDLERS,  # sanctions and complaints drop pool candidates
)
