"""HTTP API of critical positions and succession (admins)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.views import endpoint
from chassis.web import reader, transaction
from services.training import succession
from services.training.schemas_talent import (
    CandidateInSchema,
    CandidateSchema,
    MapQuerySchema,
    PositionInSchema,
    PositionSchema,
    PositionSummarySchema,
    SuccessorsInSchema,
)

positions = Blueprint(
    "critical_positions",
    __name__,
    url_prefix="/critical-positions",
    description="Critical positions, talent pools and successors",
)


@positions.route("")
class PositionsView(MethodView):
    @endpoint(
        positions, 200, PositionSummarySchema(many=True), roles=("admin",), query=MapQuerySchema
    )
    def get(self, query: dict):
        """The critical positions (of one unit), by unit and title (admins)."""
        return succession.list_positions(reader().session, query.get("unit"))

    @endpoint(positions, 201, PositionSummarySchema, roles=("admin",), body=PositionInSchema)
    def post(self, data: dict):
        """Mark a position critical (admins)."""
        with transaction() as uow:
            return succession.mark_position(uow, data)


@positions.route("/<position_id>")
class PositionView(MethodView):
    @endpoint(positions, 200, PositionSchema, roles=("admin",), errors=(404,))
    def get(self, position_id: str):
        """A critical position with its pool and its successors (admins)."""
        return succession.position_view(reader().session, position_id[:32])


@positions.route("/<position_id>/candidates")
class CandidatesView(MethodView):
    @endpoint(
        positions, 201, CandidateSchema, roles=("admin",), body=CandidateInSchema, errors=(404, 409)
    )
    def post(self, data: dict, position_id: str):
        """Put an employee of box 7-9 into the pool, with their readiness (admins)."""
        with transaction() as uow:
            return succession.add_candidate(uow, position_id[:32], data)


@positions.route("/<position_id>/successors")
class SuccessorsView(MethodView):
    @endpoint(
        positions, 200, PositionSchema, roles=("admin",), body=SuccessorsInSchema, errors=(404, 409)
    )
    def put(self, data: dict, position_id: str):
        """Choose the ordered successors from the active pool (admins)."""
        with transaction() as uow:
            return succession.choose_successors(uow, position_id[:32], data["nips"])


BLUEPRINTS = (positions,)
