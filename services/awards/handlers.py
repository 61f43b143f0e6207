"""Event consumers of the awards service."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.employees import EmployeeProjection
from chassis.handler_chain import combine_handlers
from chassis.inbox import handles_batches
from services.awards import award_handlers, eligibility
from services.awards.models import Employee


def handle_employee_sanctioned(session: Session, event: Event) -> None:
    """A disciplinary sanction: keep it; it withholds eligibility in every year it touches."""
    eligibility.record_sanction(session, event.data, event.occurred)


@handles_batches
def handle_appraisal_finalized(session: Session, events: list[Event]) -> None:
    """Annual appraisals were finalized: keep them and decide eligibility for their years.

    Quarterly reviews (Q1-Q4) do not decide awards: the programme goes by the annual predikat.
    """
    eligibility.record_appraisals(
        session,
        [(e.data, e.occurred, e.correlation_id) for e in events if e.data["period"] == "ANNUAL"],
    )


def handle_complaint_substantiated(session: Session, event: Event) -> None:
    """A substantiated public complaint: keep it; it withholds eligibility in its year."""
    eligibility.record_complaint(session, event.data, event.occurred)


def handle_course_completed(session: Session, event: Event) -> None:
    """A course was completed: keep the employee's JP for the year (JP compliance)."""
    eligibility.record_jp(session, event.data, event.occurred)


# The roster: appointed and updated keep the newest record (years of service count from it).
EMPLOYEES = EmployeeProjection(Employee, "awards")

# Eligibility first, then what programmes add (a withdrawal sees the new facts).
HANDLERS = combine_handlers(
    {
        "recruitment.employee.sanctioned": handle_employee_sanctioned,
        "appraisal.appraisal.finalized": handle_appraisal_finalized,
        "feedback.complaint.substantiated": handle_complaint_substantiated,
        "training.course.completed": handle_course_completed,
    },
    award_handlers.HANDLERS,
)
