"""HTTP API of the CPNS selection after the announcement: appeals, optimisation, appointment,
and the audit trail."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.web import reader, transaction
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
        with transaction() as uow:
            return appeals.file(
                uow, values["registration_number"], values["secret"], values["grounds"]
            )


@appeals_blp.route("/status")
class AppealStatusView(MethodView):
    @appeals_blp.arguments(s.AppealLookupSchema)
    @appeals_blp.response(200, s.AppealStatusSchema)
    @appeals_blp.alt_response(404, response="NOT_FOUND")
    def post(self, values: dict):
        """An applicant's appeal status (no login: registration number and secret in the body)."""
        return appeals.status(reader().session, values["registration_number"], values["secret"])


@appeals_blp.route("/<registration_number>")
class AppealView(MethodView):
    @roles_required("admin")
    @appeals_blp.response(200, s.AppealSchema)
    @appeals_blp.alt_response(404, response="NOT_FOUND")
    def get(self, registration_number: str):
        """The appeal of an application (admins)."""
        return appeals.view(*appeals.get(reader().session, registration_number))


@appeals_blp.route("/<registration_number>/decision")
class AppealDecisionView(MethodView):
    @roles_required("admin")
    @appeals_blp.arguments(s.AppealDecisionSchema)
    @appeals_blp.response(200, s.AppealSchema)
    @appeals_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict, registration_number: str):
        """Accept (with corrections; re-ranks) or reject an appeal (admins; audited)."""
        with transaction() as uow:
            return appeals.decide(
                uow,
                registration_number,
                values["status"],
                values["decision"],
                values["corrections"],
            )


@after_blp.route("/<int:year>/appeals")
class YearAppealsView(MethodView):
    @roles_required("admin")
    @after_blp.arguments(s.AppealQuerySchema, location="query")
    @after_blp.response(200, s.AppealPageSchema)
    def get(self, query: dict, year: int):
        """A page of the appeals of a year with their deadlines, oldest first (admins)."""
        return appeals.of_year(reader().session, year, **query)


@after_blp.route("/<int:year>/optimise")
class OptimiseView(MethodView):
    @roles_required("admin")
    @after_blp.response(200, s.OptimisedSchema)
    @after_blp.alt_response(409, response="CONFLICT")
    def post(self, year: int):
        """Fill the empty posts of a year after the appeals (admins; audited)."""
        with transaction() as uow:
            return appointments.optimise(uow, year)


@after_blp.route("/<int:year>/appoint")
class AppointView(MethodView):
    @roles_required("admin")
    @after_blp.arguments(s.AppointRequestSchema)
    @after_blp.response(200, s.AppointmentsSchema)
    @after_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict, year: int):
        """Appoint the selected and optimised applicants as CPNS with new NIPs (admins)."""
        with transaction() as uow:
            return appointments.appoint(uow, year, values["tmt_cpns"])


@after_blp.route("/audit")
class AuditView(MethodView):
    @roles_required("admin")
    @after_blp.arguments(s.AuditQuerySchema, location="query")
    @after_blp.response(200, s.AuditPageSchema)
    def get(self, query: dict):
        """A page of the audit trail: who changed what, when, old, new and why (admins)."""
        return audit.trail(reader().session, **query)
