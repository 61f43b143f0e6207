"""Event consumers of the feedback service."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.projection import upsert_newer
from services.feedback.models import Employee


def handle_employee_appointed(session: Session, event: Event) -> None:
    """A new employee joins the roster: reports may name them from now on."""
    _project_employee(session, event)


def handle_employee_updated(session: Session, event: Event) -> None:
    """An employee changed (transfer, new post): keep the newest record."""
    _project_employee(session, event)


def _project_employee(session: Session, event: Event) -> None:
    # Only what handling a report needs: the event's other personal data is not kept.
    data = event.data
    values = {
        "nip": data["nip"],
        "name": data["name"],
        "unit": data["unit"],
        "position": data["position"],
    }
    upsert_newer(session, Employee.__table__, values, event.occurred)


HANDLERS = {
    "recruitment.employee.appointed": handle_employee_appointed,
    "recruitment.employee.updated": handle_employee_updated,
}
