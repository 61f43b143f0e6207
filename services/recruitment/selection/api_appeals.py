"""HTTP API of the appeals (sanggah): filed and followed by applicants with their secret, no
account needed; decided by admins."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.web import reader, transaction
from services.recruitment.selection import appeals
from services.recruitment.selection import schemas as s

appeals_blp = Blueprint(
    "selection-appeals",
    __name__,
    url_prefix="/appeals",
    description="CPNS selection: appeals (sanggah), filed by applicants without an account",
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
