"""Event consumers of the training service."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.inbox import handles_batches
from chassis.projection import upsert_newer
from services.training import needs, rules
from services.training.models import Employee


def handle_employee_appointed(session: Session, event: Event) -> None:
    """A new employee joins the roster: their JP start counting, and a CPNS owes Latsar."""
    _project_employee(session, event)
    needs.record(session, rules.needs_from_appointment(event.data))


@handles_batches
def handle_appraisal_finalized(session: Session, events: list[Event]) -> None:
    """A finalized annual rating: a need for a predikat below BAIK and per DI_BAWAH value."""
    needs.record_many(
        session,
        [(need, e.correlation_id) for e in events for need in rules.needs_from_appraisal(e.data)],
    )


def handle_employee_updated(session: Session, event: Event) -> None:
    """An employee changed (transfer, appointed PNS): keep the newest record."""
    _project_employee(session, event)


def _project_employee(session: Session, event: Event) -> None:
    data = event.data
    values = {
        "nip": data["nip"],
        "name": data["name"],
        "unit": data["unit"],
        "position": data["position"],
        "status": data["status"],
        "tmt_cpns": date.fromisoformat(data["tmt_cpns"]),
    }
    upsert_newer(session, Employee.__table__, values, event.occurred)


HANDLERS = {
    "appraisal.appraisal.finalized": handle_appraisal_finalized,
    "recruitment.employee.appointed": handle_employee_appointed,
    "recruitment.employee.updated": handle_employee_updated,
}
