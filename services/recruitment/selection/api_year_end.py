"""HTTP API of a selection year's end: its appeals list, optimisation of empty posts,
appointment as CPNS, and the audit trail."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.jobs_api import JOB_PARAMETERS, accepted, may_start_job, wants_job
from chassis.views import endpoint
from chassis.web import reader, transaction
from services.recruitment import jobs
from services.recruitment.selection import appeals, appointments, audit
from services.recruitment.selection import schemas_year_end as s
from services.recruitment.selection.schemas import AppealPageSchema, AppealQuerySchema

after_blp = Blueprint(
    "selection-after",
    __name__,
    url_prefix="/selection",
    description="CPNS selection per year: appeals, optimisation, appointment, audit trail",
)


@after_blp.route("/<int:year>/appeals")
class YearAppealsView(MethodView):
    @endpoint(after_blp, 200, AppealPageSchema, roles=("admin",), query=AppealQuerySchema)
    def get(self, query: dict, year: int):
        """A page of the appeals of a year with their deadlines, oldest first (admins)."""
        return appeals.of_year(reader().session, year, **query)


@after_blp.route("/<int:year>/optimise", parameters=JOB_PARAMETERS)
class OptimiseView(MethodView):
    @endpoint(after_blp, 200, s.OptimisedSchema, roles=("admin",), errors=(409,))
    @may_start_job(after_blp, "`async=true`, or a year of more than 20,000 applications")
    def post(self, year: int):
        """Fill the empty posts of a year after the appeals (admins; audited)."""
        with transaction() as uow:
            if not jobs.year_job(uow.session, year, wants_job()):
                return appointments.optimise(uow, year)
        return accepted(jobs.OPTIMISE, {"year": year}, ("admin",))


@after_blp.route("/<int:year>/appoint", parameters=JOB_PARAMETERS)
class AppointView(MethodView):
    @endpoint(
        after_blp,
        200,
        s.AppointmentsSchema,
        roles=("admin",),
        body=s.AppointRequestSchema,
        errors=(409,),
    )
    @may_start_job(after_blp, "`async=true`, or a year of more than 20,000 applications")
    def post(self, values: dict, year: int):
        """Appoint the selected and optimised applicants as CPNS with new NIPs (admins)."""
        with transaction() as uow:
            if not jobs.year_job(uow.session, year, wants_job()):
                return appointments.appoint(uow, year, values["tmt_cpns"])
        params = {"year": year, "tmt_cpns": values["tmt_cpns"].isoformat()}
        return accepted(jobs.APPOINT, params, ("admin",))


@after_blp.route("/audit")
class AuditView(MethodView):
    @endpoint(after_blp, 200, s.AuditPageSchema, roles=("admin",), query=s.AuditQuerySchema)
    def get(self, query: dict):
        """A page of the audit trail: who changed what, when, old, new and why (admins)."""
        return audit.trail(reader().session, **query)
