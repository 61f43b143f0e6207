"""HTTP API of the awards service."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import current_principal
from chassis.db import request_session
from chassis.errors import Forbidden, check_field
from chassis.pagination import PageArgsSchema
from chassis.views import endpoint
from contracts.identifiers import nip_problem
from services.awards import employee_awards, programme_api, queries
from services.awards.schemas import (
    EligibilityPageSchema,
    EligibilityQuerySchema,
    EligibilitySchema,
    EmployeeAwardPageSchema,
)

# The years an event may carry (contracts.base.YEAR).
FIRST_YEAR, LAST_YEAR = 1950, 2200

eligibility = Blueprint(
    "eligibility",
    __name__,
    url_prefix="/eligibility",
    description="Sofifi Berprestasi eligibility per employee and year, with its reasons",
)

employees = Blueprint(
    "employee_awards",
    __name__,
    url_prefix="/employees",
    description="An employee's awards: Sofifi Berprestasi and Satyalancana Karya Satya",
)


def _check_year(year: int) -> None:
    problem = None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problem = f"The year must be between {FIRST_YEAR} and {LAST_YEAR}."
    check_field(problem, "year", "path")


@eligibility.route("/<int:year>")
class EligibilityListView(MethodView):
    @endpoint(
        eligibility,
        200,
        EligibilityPageSchema,
        roles=("admin", "committee"),
        query=EligibilityQuerySchema,
    )
    def get(self, args: dict, year: int):
        """A year's eligibility decisions, filtered by outcome and unit (admins, committee)."""
        _check_year(year)
        return queries.list_decisions(request_session(), year, **args)


@eligibility.route("/<int:year>/<nip>")
class EligibilityView(MethodView):
    @endpoint(
        eligibility, 200, EligibilitySchema, roles=("admin", "committee", "employee"), errors=(404,)
    )
    def get(self, year: int, nip: str):
        """One employee's eligibility for a year (admins, committee, the employee themself)."""
        _check_year(year)
        check_field(nip_problem(nip), "nip", "path")
        principal = current_principal()
        if not principal.has_any(("admin", "committee")) and principal.nip != nip:
            raise Forbidden("An employee reads only their own eligibility.")
        return queries.get_decision(request_session(), year, nip)


@employees.route("/<nip>/awards")
class EmployeeAwardsView(MethodView):
    @endpoint(
        employees,
        200,
        EmployeeAwardPageSchema,
        roles=("admin", "supervisor", "employee"),
        query=PageArgsSchema,
    )
    def get(self, args: dict, nip: str):
        """One employee's awards, newest first (the employee, their supervisors, admins)."""
        check_field(nip_problem(nip), "nip", "path")
        return employee_awards.awards_of(request_session(), current_principal(), nip, **args)


BLUEPRINTS = (eligibility, employees, *programme_api.BLUEPRINTS)
