"""HTTP API of the JP ledger (compliance, at risk, exports), Latsar tracking and annual plans."""

from __future__ import annotations

from datetime import date

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from chassis.auth import current_principal, roles_required
from chassis.domain import Invalid, NotAllowed
from chassis.jobs_api import JOB_PARAMETERS, accepted, may_start_job, wants_job
from chassis.views import endpoint
from chassis.web import reader, transaction
from contracts.identifiers import nip_problem
from services.training import jobs, ledger, plans
from services.training.models import Plan
from services.training.schemas_courses import (
    AdoptedSchema,
    EmployeeYearSchema,
    ExportQuerySchema,
    LatsarQuerySchema,
    LatsarSchema,
    LedgerQuerySchema,
    LedgerRowSchema,
    PlanInSchema,
    PlanItemQuerySchema,
    PlanItemSchema,
    PlanQuerySchema,
    PlanSchema,
    UnitComplianceSchema,
)

jp_ledger = Blueprint("ledger", __name__, url_prefix="/ledger", description="The JP ledger")
latsar = Blueprint("latsar", __name__, url_prefix="/latsar", description="Latsar of CPNS")
annual_plans = Blueprint(
    "plans", __name__, url_prefix="/plans", description="Annual plans within a budget"
)


def _year(year: int) -> int:
    if not 1950 <= year <= 2200:
        raise Invalid.field("year", "Must be between 1950 and 2200.", location="path")
    return year


@jp_ledger.route("/<int:year>")
class LedgerView(MethodView):
    @endpoint(jp_ledger, 200, LedgerRowSchema(many=True), roles=("admin",), query=LedgerQuerySchema)
    @jp_ledger.paginate(page_size=50, max_page_size=500)
    def get(self, query: dict, year: int, pagination_parameters):
        """Every employee's JP of the year by type, compliance, pending and at-risk (admins)."""
        rows = ledger.rows(
            reader().session, _year(year), query.get("unit"), query.get("as_of") or date.today()
        )
        pagination_parameters.item_count = len(rows)
        first = pagination_parameters.first_item
        return rows[first : first + pagination_parameters.page_size]


@jp_ledger.route("/<int:year>/at-risk")
class AtRiskView(MethodView):
    @endpoint(jp_ledger, 200, LedgerRowSchema(many=True), roles=("admin",), query=LedgerQuerySchema)
    def get(self, query: dict, year: int):
        """Those short of 20 JP even with what is booked, with the months left (admins)."""
        rows = ledger.rows(
            reader().session, _year(year), query.get("unit"), query.get("as_of") or date.today()
        )
        return [r for r in rows if r["at_risk"]]


@jp_ledger.route("/<int:year>/units")
class UnitsView(MethodView):
    @endpoint(
        jp_ledger, 200, UnitComplianceSchema(many=True), roles=("admin",), query=LedgerQuerySchema
    )
    def get(self, query: dict, year: int):
        """Compliance (at least 20 JP) per unit: employees, compliant, rate, at risk."""
        return ledger.units(reader().session, _year(year), query.get("as_of") or date.today())


@jp_ledger.route("/<int:year>/export")
class ExportView(MethodView):
    @roles_required("admin")
    @jp_ledger.arguments(ExportQuerySchema, location="query")
    @jp_ledger.response(200, content_type="text/csv")
    @jp_ledger.alt_response(
        200,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        success=True,
        description="format=xlsx",
    )
    def get(self, query: dict, year: int):
        """The year's ledger as CSV or XLSX (BKD works in spreadsheets)."""
        rows = ledger.rows(
            reader().session, _year(year), query.get("unit"), query.get("as_of") or date.today()
        )
        name = f"jp-{year}" + (f"-{query['unit']}" if query.get("unit") else "")
        if query["format"] == "xlsx":
            return Response(
                ledger.export_xlsx(rows, year),
                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
            )
        return Response(
            ledger.export_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )


@jp_ledger.route("/<int:year>/<nip>")
class EmployeeLedgerView(MethodView):
    @endpoint(jp_ledger, 200, EmployeeYearSchema, roles=("admin", "supervisor", "employee"))
    def get(self, year: int, nip: str):
        """One employee's year: lines, JP by type, pending external learning, compliance."""
        problem = nip_problem(nip)
        if problem:
            raise Invalid.field("nip", problem, location="path")
        actor = current_principal()
        if "admin" not in actor.roles and actor.nip != nip:
            raise NotAllowed("You read only your own JP ledger.")
        return ledger.employee_year(reader().session, nip, _year(year))


@latsar.route("")
class LatsarView(MethodView):
    @endpoint(latsar, 200, LatsarSchema(many=True), roles=("admin",), query=LatsarQuerySchema)
    def get(self, query: dict):
        """CPNS and Latsar: deadline, days left, passed, booked; `warning` when the probation
        year ends within `within_days` (default 90) and Latsar is not passed (admins)."""
        return ledger.latsar_list(
            reader().session,
            query.get("as_of") or date.today(),
            query["within_days"],
            query["warnings_only"],
        )


@annual_plans.route("", parameters=JOB_PARAMETERS)
class PlansView(MethodView):
    @endpoint(annual_plans, 200, PlanSchema(many=True), roles=("admin",), query=PlanQuerySchema)
    def get(self, query: dict):
        """Plans, newest first (of one year)."""
        statement = select(Plan).order_by(Plan.created_at.desc(), Plan.plan_id)
        if query.get("year"):
            statement = statement.where(Plan.year == query["year"])
        return list(reader().session.scalars(statement))

    @endpoint(annual_plans, 201, PlanSchema, roles=("admin",), body=PlanInSchema)
    @may_start_job(annual_plans, "`async=true`, or a year of more than 20,000 open needs")
    def post(self, data: dict):
        """Solve the year's plan within the budget (MILP, greedy beside it; +10 % what-if)."""
        with transaction() as uow:
            if not jobs.plan_job(uow.session, data["year"], wants_job()):
                return plans.solve_plan(uow, data["year"], data["budget"], data["method"])
        return accepted(jobs.SOLVE_PLAN, data, ("admin",))


@annual_plans.route("/<plan_id>")
class PlanView(MethodView):
    @endpoint(annual_plans, 200, PlanSchema, roles=("admin",))
    def get(self, plan_id: str):
        """One plan with its figures, uncovered needs and what +10 % budget would buy."""
        return plans.get_plan(reader().session, plan_id)


@annual_plans.route("/<plan_id>/items")
class PlanItemsView(MethodView):
    @endpoint(
        annual_plans, 200, PlanItemSchema(many=True), roles=("admin",), query=PlanItemQuerySchema
    )
    @annual_plans.paginate(page_size=50, max_page_size=500)
    def get(self, query: dict, plan_id: str, pagination_parameters):
        """The plan's choices, most urgent first, each explained; `covered=false`: the rest."""
        page, total = plans.items(
            reader().session,
            plan_id,
            query.get("covered"),
            pagination_parameters.first_item,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return page


@annual_plans.route("/<plan_id>/adopt")
class AdoptView(MethodView):
    @endpoint(annual_plans, 200, AdoptedSchema, roles=("admin",))
    def post(self, plan_id: str):
        """Adopt a DRAFT plan as enrolments, all or none (409 naming what no longer fits)."""
        with transaction() as uow:
            return plans.adopt(uow, plan_id)


BLUEPRINTS = (jp_ledger, latsar, annual_plans)
