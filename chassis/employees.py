"""The roster projection every consuming service keeps: handlers, and `GET /employees/{nip}`.

A service declares its own `Employee` model (the columns it needs of recruitment's employee
events, plus `as_of`) and gets from `EmployeeProjection(Employee, "training")` the two event
handlers (newest event wins, see `chassis.projection`), a `project` step for handlers that do
more with an appointment, and the admins-only blueprint that reads one employee.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Date
from sqlalchemy.orm import Session

from chassis.auth import roles_required
from chassis.bus import Event
from chassis.db import UtcDateTime, request_session
from chassis.errors import NotFound, check_field
from chassis.inbox import Handler
from chassis.projection import upsert_newer
from contracts.identifiers import nip_problem

APPOINTED = "recruitment.employee.appointed"
UPDATED = "recruitment.employee.updated"


class EmployeeProjection:
    """One service's copy of the roster: which columns it keeps, and how events fill them."""

    def __init__(self, model: type, service: str) -> None:
        self.model = model
        self.table = model.__table__
        self.columns = tuple(c.name for c in self.table.columns if c.name != "as_of")
        self._dates = {c.name for c in self.table.columns if isinstance(c.type, Date)}
        self.schema = _schema(self.table, service)
        self.blueprint = _blueprint(self)

    def project(self, session: Session, event: Event) -> None:
        """Keep the employee an event carries, unless a newer event already said more."""
        upsert_newer(session, self.table, self.values(event.data), event.occurred)

    def values(self, data: dict[str, Any]) -> dict[str, Any]:
        """The row an event's data gives: only the kept columns; others are never stored."""
        return {
            name: date.fromisoformat(data[name]) if name in self._dates else data.get(name)
            for name in self.columns
        }

    @property
    def handlers(self) -> dict[str, Handler]:
        """Handlers of the employee events: appointed and updated both keep the newest record."""

        def handle_employee_appointed(session: Session, event: Event) -> None:
            """A new employee joins the roster: keep them."""
            self.project(session, event)

        def handle_employee_updated(session: Session, event: Event) -> None:
            """An employee changed (transfer, new post or supervisor): keep the newest record."""
            self.project(session, event)

        return {APPOINTED: handle_employee_appointed, UPDATED: handle_employee_updated}


def _schema(table: Any, service: str) -> type[ma.Schema]:
    fields: dict[str, ma.fields.Field] = {}
    for column in table.columns:
        if column.name == "as_of":
            fields["as_of"] = ma.fields.DateTime(
                required=True, metadata={"description": "Time of the last event"}
            )
        elif isinstance(column.type, Date):
            fields[column.name] = ma.fields.Date(required=True)
        elif isinstance(column.type, UtcDateTime):
            fields[column.name] = ma.fields.DateTime(required=not column.nullable)
        elif column.nullable:
            fields[column.name] = ma.fields.String(allow_none=True)
        else:
            fields[column.name] = ma.fields.String(required=True)
    schema = ma.Schema.from_dict(fields, name="EmployeeSchema")
    schema.__doc__ = f"An employee as the {service} service knows them."
    return schema


def _blueprint(projection: EmployeeProjection) -> Blueprint:
    employees = Blueprint(
        "employees", __name__, url_prefix="/employees", description="Roster projection"
    )

    @employees.route("/<nip>")
    class EmployeeView(MethodView):
        @roles_required("admin")
        @employees.response(200, projection.schema)
        def get(self, nip: str):
            """One employee as this service knows them (admins)."""
            check_field(nip_problem(nip), "nip", "path")
            employee = request_session().get(projection.model, nip)
            if employee is None:
                raise NotFound(f"No employee with NIP {nip} is known here.")
            return employee

    return employees
