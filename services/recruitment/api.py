"""HTTP API of the recruitment service."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.db import request_session
from chassis.errors import check_field
from contracts.identifiers import nip_problem
from services.recruitment import roster
from services.recruitment.schemas import EmployeeCreateSchema, EmployeeSchema, EmployeeUpdateSchema

employees = Blueprint("employees", __name__, url_prefix="/employees", description="The roster")


@employees.route("")
class EmployeesView(MethodView):
    @roles_required("admin")
    @employees.arguments(EmployeeCreateSchema)
    @employees.response(201, EmployeeSchema)
    @employees.alt_response(409, response="CONFLICT")
    def post(self, values: dict):
        """Put a new employee on the roster (admins); publishes employee.appointed."""
        session = request_session()
        employee = roster.appoint(session, values)
        session.commit()
        return employee


@employees.route("/<nip>")
class EmployeeView(MethodView):
    @roles_required("admin", "recruiter")
    @employees.response(200, EmployeeSchema)
    @employees.alt_response(404, response="NOT_FOUND")
    def get(self, nip: str):
        """One employee on the roster (admins, recruiters)."""
        check_field(nip_problem(nip), "nip", "path")
        return roster.get_employee(request_session(), nip)

    @roles_required("admin")
    @employees.arguments(EmployeeUpdateSchema)
    @employees.response(200, EmployeeSchema)
    @employees.alt_response(404, response="NOT_FOUND")
    def patch(self, changes: dict, nip: str):
        """Transfer, re-assign or re-grade an employee (admins); publishes employee.updated."""
        check_field(nip_problem(nip), "nip", "path")
        session = request_session()
        reason = changes.pop("reason", None)
        employee = roster.update(session, nip, changes, reason=reason)
        session.commit()
        return employee


BLUEPRINTS = (employees,)
