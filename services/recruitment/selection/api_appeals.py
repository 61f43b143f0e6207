"""HTTP API of the appeals (sanggah): filed and followed by applicants with their secret, no
account needed; decided by admins."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.views import endpoint
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
    @endpoint(appeals_blp, 201, s.FiledAppealSchema, body=s.AppealFileSchema, errors=(404, 409))
    def post(self, values: dict):
        """File an appeal (no login: registration number and secret); once, within 3 days."""
        with transaction() as uow:
            return appeals.file(
                uow, values["registration_number"], values["secret"], values["grounds"]
            )


@appeals_blp.route("/status")
class AppealStatusView(MethodView):
    @endpoint(appeals_blp, 200, s.AppealStatusSchema, body=s.AppealLookupSchema, errors=(404,))
    def post(self, values: dict):
        """An applicant's appeal status (no login: registration number and secret in the body)."""
        return appeals.status(reader().session, values["registration_number"], values["secret"])


@appeals_blp.route("/<registration_number>")
class AppealView(MethodView):
    @endpoint(appeals_blp, 200, s.AppealSchema, roles=("admin",), errors=(404,))
    def get(self, registration_number: str):
        """The appeal of an application (admins)."""
        return appeals.view(*appeals.get(reader().session, registration_number))


@appeals_blp.route("/<registration_number>/decision")
class AppealDecisionView(MethodView):
    @endpoint(
        appeals_blp,
        200,
        s.AppealSchema,
        roles=("admin",),
        body=s.AppealDecisionSchema,
        errors=(409,),
    )
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
