"""HTTP API of the training service."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import current_principal
from chassis.db import request_session
from chassis.views import endpoint
from services.training import needs
from services.training.schemas import (
    NeedQuerySchema,
    NeedSchema,
    NeedSummarySchema,
    SummaryQuerySchema,
)

training_needs = Blueprint(
    "needs", __name__, url_prefix="/needs", description="Training needs (from appraisals, Latsar)"
)


@training_needs.route("")
class NeedsView(MethodView):
    @endpoint(
        training_needs,
        200,
        NeedSchema(many=True),
        roles=("admin", "supervisor", "employee"),
        query=NeedQuerySchema,
    )
    @training_needs.paginate(page_size=50, max_page_size=500)
    def get(self, filters: dict, pagination_parameters):
        """Training needs, paged (admins all; supervisors own and appraisees'; employees own)."""
        scope = needs.Scope.of(current_principal())
        page, total = needs.list_needs(
            request_session(),
            scope,
            filters,
            pagination_parameters.first_item,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return page


@training_needs.route("/summary")
class NeedSummaryView(MethodView):
    @endpoint(training_needs, 200, NeedSummarySchema, roles=("admin",), query=SummaryQuerySchema)
    def get(self, query: dict):
        """A year's training needs per unit, by kind and by competency (admins)."""
        return needs.summary(request_session(), query["year"], query.get("unit"))


@training_needs.route("/<need_id>")
class NeedView(MethodView):
    @endpoint(
        training_needs, 200, NeedSchema, roles=("admin", "supervisor", "employee"), errors=(404,)
    )
    def get(self, need_id: str):
        """One training need (admins any; supervisors own and appraisees'; employees own)."""
        scope = needs.Scope.of(current_principal())
        return needs.get_need(request_session(), scope, need_id)


BLUEPRINTS = (training_needs,)
