"""HTTP API of enrolment (nominations, requests, waitlists, completion) and external learning."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import current_principal
from chassis.domain import NotAllowed, NotFoundError
from chassis.views import endpoint
from chassis.web import reader, transaction
from services.training import enrolment, ledger
from services.training.schemas_courses import (
    CancelledSchema,
    CancelSchema,
    CompletionSchema,
    DecisionSchema,
    EnrolmentQuerySchema,
    EnrolmentSchema,
    ExternalInSchema,
    ExternalQuerySchema,
    ExternalSchema,
    NominationSchema,
    RequestSchema,
)

enrolments = Blueprint(
    "enrolments", __name__, url_prefix="/enrolments", description="Enrolment in sessions"
)
external = Blueprint(
    "external_learning",
    __name__,
    url_prefix="/external-learning",
    description="Learning outside the catalogue, counted once approved",
)


@enrolments.route("")
class EnrolmentsView(MethodView):
    @endpoint(
        enrolments,
        200,
        EnrolmentSchema(many=True),
        roles=("admin", "supervisor", "employee"),
        query=EnrolmentQuerySchema,
    )
    @enrolments.paginate(page_size=50, max_page_size=500)
    def get(self, query: dict, pagination_parameters):
        """Enrolments, oldest first (admins all; others their own and those they decide)."""
        rows = enrolment.list_for(reader().session, current_principal(), query)
        pagination_parameters.item_count = len(rows)
        first = pagination_parameters.first_item
        return rows[first : first + pagination_parameters.page_size]

    @endpoint(
        enrolments, 201, EnrolmentSchema, roles=("admin", "supervisor"), body=NominationSchema
    )
    def post(self, data: dict):
        """Nominate an employee (supervisors: from an open need of their appraisee).

        409 when the session is full (unless `waitlist`), or the dates overlap another booking.
        """
        with transaction() as uow:
            return enrolment.nominate(uow, data)


@enrolments.route("/requests")
class RequestsView(MethodView):
    @endpoint(enrolments, 201, EnrolmentSchema, roles=("employee",), body=RequestSchema)
    def post(self, data: dict):
        """An employee asks for a place; their supervisor or an admin decides."""
        with transaction() as uow:
            return enrolment.request(uow, data)


@enrolments.route("/<enrolment_id>")
class EnrolmentView(MethodView):
    @endpoint(enrolments, 200, EnrolmentSchema, roles=("admin", "supervisor", "employee"))
    def get(self, enrolment_id: str):
        """One enrolment (404 also when it is not the caller's to read)."""
        found = enrolment.get(reader().session, enrolment_id)
        if not enrolment.readable(current_principal(), found):
            raise NotFoundError(f"No enrolment {enrolment_id}.")
        return found


@enrolments.route("/<enrolment_id>/decision")
class DecisionView(MethodView):
    @endpoint(enrolments, 200, EnrolmentSchema, roles=("admin", "supervisor"), body=DecisionSchema)
    def post(self, data: dict, enrolment_id: str):
        """Approve (a seat, or the waitlist when full) or turn down a request."""
        with transaction() as uow:
            return enrolment.decide(uow, enrolment_id, data["approve"], data["note"])


@enrolments.route("/<enrolment_id>/cancel")
class CancelView(MethodView):
    @endpoint(
        enrolments,
        200,
        CancelledSchema,
        roles=("admin", "supervisor", "employee"),
        body=CancelSchema,
    )
    def post(self, data: dict, enrolment_id: str):
        """Cancel; a freed seat goes to the first on the waitlist (`promoted`)."""
        with transaction() as uow:
            return enrolment.cancel(uow, enrolment_id, data["reason"])


@enrolments.route("/<enrolment_id>/completion")
class CompletionView(MethodView):
    @endpoint(enrolments, 200, EnrolmentSchema, roles=("admin",), body=CompletionSchema)
    def post(self, data: dict, enrolment_id: str):
        """Attendance and result; a pass with its certificate enters the JP ledger, closes the
        needs of the course's competency and publishes `training.course.completed` (admins)."""
        with transaction() as uow:
            return enrolment.complete(uow, enrolment_id, data)


@external.route("")
class ExternalListView(MethodView):
    @endpoint(
        external,
        200,
        ExternalSchema(many=True),
        roles=("admin", "employee"),
        query=ExternalQuerySchema,
    )
    def get(self, query: dict):
        """Submitted external learning (admins all; employees their own)."""
        actor = current_principal()
        if "admin" not in actor.roles:
            if query.get("nip") not in (None, actor.nip) or not actor.nip:
                raise NotAllowed("Employees read only their own submissions.")
            query["nip"] = actor.nip
        return ledger.list_external(reader().session, query.get("nip"), query.get("status"))

    @endpoint(external, 201, ExternalSchema, roles=("admin", "employee"), body=ExternalInSchema)
    def post(self, data: dict):
        """Submit a seminar or ASN e-learning with its evidence; counted once approved."""
        with transaction() as uow:
            return ledger.submit_external(uow, data)


@external.route("/<external_id>/decision")
class ExternalDecisionView(MethodView):
    @endpoint(external, 200, ExternalSchema, roles=("admin",), body=DecisionSchema)
    def post(self, data: dict, external_id: str):
        """Approve (the JP enter the ledger) or reject with a note (admins)."""
        with transaction() as uow:
            return ledger.decide_external(uow, external_id, data["approve"], data["note"])


BLUEPRINTS = (enrolments, external)
