"""HTTP API of individual development plans (IDP)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import current_principal, roles_required
from chassis.web import reader, transaction
from services.training import idp
from services.training.schemas_talent import ActionInSchema, DoneInSchema, IdpInSchema, IdpSchema

plans = Blueprint(
    "development_plans",
    __name__,
    url_prefix="/development-plans",
    description="Individual development plans (IDP)",
)


@plans.route("")
class PlansView(MethodView):
    @roles_required("admin")
    @plans.arguments(IdpInSchema)
    @plans.response(201, IdpSchema)
    @plans.alt_response(409, response="CONFLICT")
    def post(self, data: dict):
        """Open the year's IDP of a pool member or a box 1-3 employee (admins)."""
        with transaction() as uow:
            return idp.create_plan(uow, data)


@plans.route("/<plan_id>")
class PlanView(MethodView):
    @roles_required("admin", "supervisor", "employee")
    @plans.response(200, IdpSchema)
    @plans.alt_response(404, response="NOT_FOUND")
    def get(self, plan_id: str):
        """An IDP: admins, the employee and their supervision chain (403 otherwise)."""
        return idp.readable_plan(reader().session, current_principal(), plan_id[:32])


@plans.route("/<plan_id>/actions")
class ActionsView(MethodView):
    @roles_required("admin")
    @plans.arguments(ActionInSchema)
    @plans.response(201, IdpSchema)
    @plans.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, plan_id: str):
        """Add a development action with its target date (admins)."""
        with transaction() as uow:
            return idp.add_action(uow, plan_id[:32], data)


@plans.route("/<plan_id>/actions/<action_id>/done")
class ActionDoneView(MethodView):
    @roles_required("admin")
    @plans.arguments(DoneInSchema)
    @plans.response(200, IdpSchema)
    @plans.alt_response(404, response="NOT_FOUND")
    @plans.alt_response(409, response="CONFLICT")
    def post(self, data: dict, plan_id: str, action_id: str):
        """Close a coaching, rotation or assignment action (admins; courses close by passing)."""
        with transaction() as uow:
            return idp.mark_done(uow, plan_id[:32], action_id[:32], data["done_on"])


BLUEPRINTS = (plans,)
