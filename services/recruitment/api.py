"""HTTP API of the recruitment service."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.errors import check_field
from chassis.jobs_api import JOB_PARAMETERS, accepted, may_start_job, wants_job
from chassis.views import endpoint
from chassis.web import reader, transaction
from contracts.identifiers import nip_problem
from services.recruitment import discipline, jobs, roster, roster_import, roster_search
from services.recruitment.schemas import (
    EmployeeCreateSchema,
    EmployeePageSchema,
    EmployeeSchema,
    EmployeeSearchArgs,
    EmployeeUpdateSchema,
    ImportArgs,
    ImportResultSchema,
    SanctionCreateSchema,
    SanctionSchema,
    UnpaidLeaveCreateSchema,
    UnpaidLeaveSchema,
)
from services.recruitment.selection import api as selection_api

employees = Blueprint("employees", __name__, url_prefix="/employees", description="The roster")

CSV_BODY = {
    "required": True,
    "description": "Columns " + ",".join(roster_import.COLUMNS) + "[,appointed_on], UTF-8.",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
    },
}


def _checked_nip(nip: str) -> str:
    check_field(nip_problem(nip), "nip", "path")
    return nip


def _csv_payload() -> bytes:
    """The CSV of the request: a multipart `file` field, or the body itself."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise roster_import.csv_error("file", "Send the CSV as the multipart field `file`.")
        return upload.read()
    return request.get_data(cache=False)


@employees.route("")
class EmployeesView(MethodView):
    @endpoint(
        employees, 200, EmployeePageSchema, roles=("admin", "recruiter"), query=EmployeeSearchArgs
    )
    def get(self, args: dict):
        """Search the roster by unit, status, supervisor, name or NIP (admins, recruiters)."""
        return roster_search.search(reader().session, args)

    @endpoint(
        employees, 201, EmployeeSchema, roles=("admin",), body=EmployeeCreateSchema, errors=(409,)
    )
    def post(self, values: dict):
        """Put a new employee on the roster (admins); publishes employee.appointed."""
        with transaction() as uow:
            return roster.appoint(uow, values)


@employees.route("/import", parameters=JOB_PARAMETERS)
class ImportView(MethodView):
    @roles_required("admin")
    @employees.arguments(ImportArgs, location="query")
    @employees.doc(requestBody=CSV_BODY)
    @employees.response(201, ImportResultSchema)
    @employees.alt_response(200, schema=ImportResultSchema, description="Dry run: checked only")
    @may_start_job(employees, "`async=true`, or a file over 2 MiB")
    @employees.alt_response(409, response="CONFLICT")
    def post(self, args: dict):
        """Import existing staff from CSV, all rows or none (admins); an appointed event each."""
        payload = _csv_payload()
        if jobs.import_job(payload, wants_job()):
            params = jobs.import_params(payload, args["dry_run"])
            return accepted(jobs.IMPORT_ROSTER, params, ("admin",), payload)
        with transaction() as uow:
            result = roster_import.import_employees(uow, payload, dry_run=args["dry_run"])
        return (result, 200) if args["dry_run"] else result


@employees.route("/<nip>")
class EmployeeView(MethodView):
    @endpoint(employees, 200, EmployeeSchema, roles=("admin", "recruiter"), errors=(404,))
    def get(self, nip: str):
        """One employee on the roster (admins, recruiters)."""
        return roster.get_employee(reader().session, _checked_nip(nip))

    @endpoint(
        employees, 200, EmployeeSchema, roles=("admin",), body=EmployeeUpdateSchema, errors=(404,)
    )
    def patch(self, changes: dict, nip: str):
        """Transfer, re-assign, re-grade or correct an employee (admins); publishes updated."""
        reason = changes.pop("reason", None)
        correction = changes.pop("correction", False)
        with transaction() as uow:
            return roster.update(
                uow, _checked_nip(nip), changes, reason=reason, correction=correction
            )


@employees.route("/<nip>/sanctions")
class SanctionsView(MethodView):
    @endpoint(employees, 200, SanctionSchema(many=True), roles=("admin",), errors=(404,))
    def get(self, nip: str):
        """The employee's disciplinary sanctions, oldest first (admins)."""
        return discipline.sanctions_of(reader().session, _checked_nip(nip))

    @endpoint(
        employees,
        201,
        SanctionSchema,
        roles=("admin",),
        body=SanctionCreateSchema,
        errors=(404, 409),
    )
    def post(self, values: dict, nip: str):
        """Record a sanction under PP 94/2021 (admins); publishes employee.sanctioned."""
        with transaction() as uow:
            return discipline.impose_sanction(uow, _checked_nip(nip), values)


@employees.route("/<nip>/unpaid-leave")
class UnpaidLeaveView(MethodView):
    @endpoint(
        employees, 200, UnpaidLeaveSchema(many=True), roles=("admin", "recruiter"), errors=(404,)
    )
    def get(self, nip: str):
        """The employee's periods of unpaid leave (CLTN), oldest first (admins, recruiters)."""
        return discipline.unpaid_leave_list(reader().session, _checked_nip(nip))

    @endpoint(
        employees,
        201,
        UnpaidLeaveSchema,
        roles=("admin",),
        body=UnpaidLeaveCreateSchema,
        errors=(404,),
    )
    def post(self, values: dict, nip: str):
        """Record a period of unpaid leave (admins); publishes employee.updated."""
        with transaction() as uow:
            return discipline.add_unpaid_leave(uow, _checked_nip(nip), values)


BLUEPRINTS = (employees, *selection_api.BLUEPRINTS)
