"""Event consumers added for programmes and Satyalancana: the roster fields they need beyond the
shared projection, citizens' commendations, and withdrawal of awards by later facts."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.inbox import Handler
from chassis.principal import system_actor
from chassis.projection import upsert_newer
from chassis.uow import UnitOfWork
from services.awards import committee, rules
from services.awards.models import outbox
from services.awards.tables import Commendation, StaffRecord


def handle_staff_record(session: Session, event: Event) -> None:
    """Keep the supervisor and the periods of unpaid leave (newest snapshot wins)."""
    data = event.data
    leave = [[p["start"], p["end"]] for p in data.get("unpaid_leave") or []]
    values = {
        "nip": data["nip"],
        "supervisor_nip": data["supervisor_nip"],
        "unpaid_leave": leave or None,  # NULL when none: Satyalancana reads only the few with some
    }
    upsert_newer(session, StaffRecord.__table__, values, event.occurred)


def handle_commendation_recorded(session: Session, event: Event) -> None:
    """A citizen commended an employee: evidence for their nominations of that year."""
    data = event.data
    values = {
        "tracking_number": data["tracking_number"],
        "nip": data["nip"],
        "unit": data["unit"],
        "recorded_on": date.fromisoformat(data["recorded_on"]),
    }
    upsert_newer(session, Commendation.__table__, values, event.occurred)


def revoke_for_sanction(session: Session, event: Event) -> None:
    """A sanction in effect in an award's year withdraws that award (any level, as eligibility)."""
    data = event.data
    until = data.get("effective_until")
    sanction = rules.Sanction(
        data["level"],
        date.fromisoformat(data["effective_from"]),
        date.fromisoformat(until) if until else None,
    )
    uow = _uow(session, event)
    years = set(rules.sanction_years(sanction, committee.awarded_years(session, data["nip"])))
    committee.revoke_for(uow, data["nip"], years, "DISCIPLINARY_SANCTION")


def revoke_for_complaint(session: Session, event: Event) -> None:
    """A complaint substantiated about conduct in an award's year withdraws that award."""
    data = event.data
    incident = data.get("incident_date")
    complaint = rules.Complaint(
        date.fromisoformat(data["substantiated_on"]),
        date.fromisoformat(incident) if incident else None,
    )
    year = rules.complaint_date(complaint).year
    held = set(committee.awarded_years(session, data["nip"]))
    committee.revoke_for(
        _uow(session, event), data["nip"], held & {year}, "SUBSTANTIATED_COMPLAINT"
    )


def _uow(session: Session, event: Event) -> UnitOfWork:
    return UnitOfWork(session, outbox, system_actor("awards"), event.correlation_id)


HANDLERS: dict[str, Handler] = {
    "recruitment.employee.appointed": handle_staff_record,
    "recruitment.employee.updated": handle_staff_record,
    "recruitment.employee.sanctioned": revoke_for_sanction,
    "feedback.complaint.substantiated": revoke_for_complaint,
    "feedback.commendation.recorded": handle_commendation_recorded,
}
