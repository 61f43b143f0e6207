"""HTTP API of the CPNS selection after the announcement: appeals, optimisation, appointment,
and the audit trail."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.db import request_session
from chassis.jobs_api import JOB_PARAMETERS, accepted, may_start_job, wants_job
from services.recruitment import jobs
from services.recruitment.selection import appeals, appointments, audit
from services.recruitment.selection import schemas as s

appeals_blp = Blueprint(
    "selection-appeals",
    __name__,
    url_prefix="/appeals",
    description="CPNS selection: appeals (sanggah), filed by applicants without an account",
)
after_blp = Blueprint(
    "selection-after",
    __name__,
    url_prefix="/selection",
    description="CPNS selection per year: appeals, optimisation, appointment, audit trail",
)


@appeals_blp.route("")
class AppealsView(MethodView):
    @appeals_blp.arguments(s.AppealFileSchema)
    @appeals_blp.response(201, s.FiledAppealSchema)
    @appeals_blp.alt_response(404, response="NOT_FOUND")
    @appeals_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict):
        """File an appeal (no login: registration number and secret); once, within 3 days."""
        session = request_session()
        filed = appeals.file(
            session, values["registration_number"], values["secret"], values["grounds"]
        )
        session.commit()
        return filed


@appeals_blp.route("/status")
class AppealStatusView(MethodView):
    @appeals_blp.arguments(s.AppealLookupSchema)
    @appeals_blp.response(200, s.AppealStatusSchema)
    @appeals_blp.alt_response(404, response="NOT_FOUND")
    def post(self, values: dict):
        """An applicant's appeal status (no login: registration number and secret in the body)."""
        return appeals.status(request_session(), values["registration_number"], values["secret"])


@appeals_blp.route("/<registration_number>")
class AppealView(MethodView):
    @roles_required("admin")
    @appeals_blp.response(200, s.AppealSchema)
    @appeals_blp.alt_response(404, response="NOT_FOUND")
    def get(self, registration_number: str):
        """The appeal of an application (admins)."""
        return appeals.view(*appeals.get(request_session(), registration_number))


@appeals_blp.route("/<registration_number>/decision")
class AppealDecisionView(MethodView):
    @roles_required("admin")
    @appeals_blp.arguments(s.AppealDecisionSchema)
    @appeals_blp.response(200, s.AppealSchema)
    @appeals_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict, registration_number: str):
        """Accept (with corrections; re-ranks) or reject an appeal (admins; audited)."""
        session = request_session()
        decided = appeals.decide(
            session,
            registration_number,
            values["status"],
            values["decision"],
            values["corrections"],
        )
        session.commit()
        return decided


@after_blp.route("/<int:year>/appeals")
class YearAppealsView(MethodView):
    @roles_required("admin")
    @after_blp.arguments(s.AppealQuerySchema, location="query")
    @after_blp.response(200, s.AppealPageSchema)
    def get(self, query: dict, year: int):
        """A page of the appeals of a year with their deadlines, oldest first (admins)."""
        return appeals.of_year(request_session(), year, **query)


@after_blp.route("/<int:year>/optimise", parameters=JOB_PARAMETERS)
class OptimiseView(MethodView):
    @roles_required("admin")
    @after_blp.response(200, s.OptimisedSchema)
    @may_start_job(after_blp, "`async=true`, or a year of more than 20,000 applications")
    @after_blp.alt_response(409, response="CONFLICT")
    def post(self, year: int):
        """Fill the empty posts of a year after the appeals (admins; audited)."""
        session = request_session()
        if jobs.year_job(session, year, wants_job()):
            return accepted(jobs.OPTIMISE, {"year": year}, ("admin",))
        optimised = appointments.optimise(session, year)
        session.commit()
        return optimised


@after_blp.route("/<int:year>/appoint", parameters=JOB_PARAMETERS)
class AppointView(MethodView):
    @roles_required("admin")
    @after_blp.arguments(s.AppointRequestSchema)
    @after_blp.response(200, s.AppointmentsSchema)
    @may_start_job(after_blp, "`async=true`, or a year of more than 20,000 applications")
    @after_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict, year: int):
        """Appoint the selected and optimised applicants as CPNS with new NIPs (admins)."""
        session = request_session()
        if jobs.year_job(session, year, wants_job()):
            params = {"year": year, "tmt_cpns": values["tmt_cpns"].isoformat()}
            return accepted(jobs.APPOINT, params, ("admin",))
        appointed = appointments.appoint(session, year, values["tmt_cpns"])
        session.commit()
        return appointed


@after_blp.route("/audit")
class AuditView(MethodView):
    @roles_required("admin")
    @after_blp.arguments(s.AuditQuerySchema, location="query")
    @after_blp.response(200, s.AuditPageSchema)
    def get(self, query: dict):
        """A page of the audit trail: who changed what, when, old, new and why (admins)."""
        return audit.trail(request_session(), **query)
