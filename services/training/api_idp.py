"""HTTP API of individual development plans (IDP)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import current_principal
from chassis.views import endpoint
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
    @endpoint(plans, 201, IdpSchema, roles=("admin",), body=IdpInSchema, errors=(409,))
    def post(self, data: dict):
        """Open the year's IDP of a pool member or a box 1-3 employee (admins)."""
        with transaction() as uow:
            return idp.create_plan(uow, data)


@plans.route("/<plan_id>")
class PlanView(MethodView):
    @endpoint(plans, 200, IdpSchema, roles=("admin", "supervisor", "employee"), errors=(404,))
    def get(self, plan_id: str):
        """An IDP: admins, the employee and their supervision chain (403 otherwise)."""
        return idp.readable_plan(reader().session, current_principal(), plan_id[:32])


@plans.route("/<plan_id>/actions")
class ActionsView(MethodView):
    @endpoint(plans, 201, IdpSchema, roles=("admin",), body=ActionInSchema, errors=(404,))
    def post(self, data: dict, plan_id: str):
        """Add a development action with its target date (admins)."""
        with transaction() as uow:
            return idp.add_action(uow, plan_id[:32], data)


@plans.route("/<plan_id>/actions/<action_id>/done")
class ActionDoneView(MethodView):
    @endpoint(plans, 200, IdpSchema, roles=("admin",), body=DoneInSchema, errors=(404, 409))
    def post(self, data: dict, plan_id: str, action_id: str):
        """Close a coaching, rotation or assignment action (admins; courses close by passing)."""
        with transaction() as uow:
            return idp.mark_done(uow, plan_id[:32], action_id[:32], data["done_on"])


BLUEPRINTS = (plans,)
