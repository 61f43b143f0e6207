"""HTTP API of the training service."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.db import request_session
from chassis.errors import NotFound, check_field
from contracts.identifiers import nip_problem
from services.training.models import Employee
from services.training.schemas import EmployeeSchema

employees = Blueprint(
    "employees", __name__, url_prefix="/employees", description="Roster projection"
)


@employees.route("/<nip>")
class EmployeeView(MethodView):
    @roles_required("admin")
    @employees.response(200, EmployeeSchema)
    def get(self, nip: str):
        """One employee as this service knows them (admins)."""
        check_field(nip_problem(nip), "nip", "path")
        employee = request_session().get(Employee, nip)
        if employee is None:
            raise NotFound(f"No employee with NIP {nip} is known here.")
        return employee


BLUEPRINTS = (employees,)
