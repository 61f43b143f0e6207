"""HTTP API of the appraisal service: views validate and hand a unit of work to the workflows."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import ROLES
from chassis.errors import check_field
from chassis.views import endpoint
from chassis.web import reader, transaction
from contracts.identifiers import nip_problem
from services.appraisal import calibration, objections, plans, ratings
from services.appraisal.models import PERIODS
from services.appraisal.schemas import (
    AppraisalQuerySchema,
    AppraisalSchema,
    CalibrationSchema,
    FinalizationSchema,
    ObjectionCreateSchema,
    ObjectionDecisionSchema,
    ObjectionQuerySchema,
    ObjectionSchema,
    PeriodCreateSchema,
    PeriodSchema,
    PeriodUpdateSchema,
    RatingSchema,
    SkpCreateSchema,
    SkpSchema,
    SkpUpdateSchema,
    UnitRatingInSchema,
    UnitRatingSchema,
)

periods = Blueprint("periods", __name__, url_prefix="/periods", description="Periods")
skp = Blueprint("skp", __name__, url_prefix="/skp", description="SKP plans")
appraisals = Blueprint(
    "appraisals", __name__, url_prefix="/appraisals", description="Ratings and predikat"
)
units = Blueprint("units", __name__, url_prefix="/units", description="Unit ratings")
objection_bp = Blueprint(
    "objections", __name__, url_prefix="/objections", description="Objections (keberatan)"
)


def _check_path(nip: str | None = None, period: str | None = None, unit: str | None = None) -> None:
    if nip is not None:
        check_field(nip_problem(nip), "nip", "path")
    if period is not None and period not in PERIODS:
        check_field(f"Must be one of: {', '.join(PERIODS)}.", "period", "path")
    if unit is not None and not 0 < len(unit) <= 64:
        check_field("A unit code has 1 to 64 characters.", "unit", "path")


@periods.route("")
class PeriodsView(MethodView):
    @endpoint(periods, 200, PeriodSchema(many=True), roles=ROLES)
    def get(self):
        """Every performance period (any signed-in user)."""
        return plans.list_periods(reader().session)

    @endpoint(periods, 201, PeriodSchema, roles=("admin",), body=PeriodCreateSchema)
    def post(self, values: dict):
        """Open a period: a year's ANNUAL appraisal or a quarterly review (admins)."""
        with transaction() as uow:
            return plans.open_period(uow, values["year"], values["kind"])


@periods.route("/<int:year>/<kind>")
class PeriodView(MethodView):
    @endpoint(periods, 200, PeriodSchema, roles=("admin",), body=PeriodUpdateSchema)
    def patch(self, values: dict, year: int, kind: str):
        """Close or reopen a period (admins)."""
        _check_path(period=kind)
        with transaction() as uow:
            return plans.set_period_status(uow, year, kind, values["status"])


@skp.route("")
class SkpPlansView(MethodView):
    @endpoint(skp, 201, SkpSchema, roles=ROLES, body=SkpCreateSchema)
    def post(self, values: dict):
        """Write an SKP in DRAFT (the employee themself or their supervisor)."""
        with transaction() as uow:
            return plans.create_plan(uow, values)


@skp.route("/<int:plan_id>")
class SkpPlanView(MethodView):
    @endpoint(skp, 200, SkpSchema, roles=ROLES)
    def get(self, plan_id: int):
        """One SKP (the employee, their supervisor, admins)."""
        return plans.read_plan(reader(), plan_id)

    @endpoint(skp, 200, SkpSchema, roles=ROLES, body=SkpUpdateSchema)
    def put(self, values: dict, plan_id: int):
        """Replace the items of a DRAFT SKP; agreements given so far are withdrawn."""
        with transaction() as uow:
            return plans.revise_plan(uow, plan_id, values["items"])


@skp.route("/<int:plan_id>/agree")
class SkpAgreeView(MethodView):
    @endpoint(skp, 200, SkpSchema, roles=ROLES)
    def post(self, plan_id: int):
        """Agree the SKP as the employee or as the appraiser; AGREED when both have."""
        with transaction() as uow:
            return plans.agree(uow, plan_id)


@appraisals.route("")
class AppraisalsView(MethodView):
    @endpoint(appraisals, 200, AppraisalSchema(many=True), roles=ROLES, query=AppraisalQuerySchema)
    def get(self, query: dict):
        """An employee's appraisals (the employee, their supervisor, admins)."""
        return ratings.list_for(reader(), query["nip"], query.get("year"))


@appraisals.route("/<nip>/<int:year>/<period>")
class AppraisalView(MethodView):
    @endpoint(appraisals, 200, AppraisalSchema, roles=ROLES)
    def get(self, nip: str, year: int, period: str):
        """One appraisal (the employee, their supervisor, admins)."""
        _check_path(nip=nip, period=period)
        return ratings.read(reader(), nip, year, period)

    @endpoint(appraisals, 200, AppraisalSchema, roles=("supervisor",), body=RatingSchema)
    def put(self, values: dict, nip: str, year: int, period: str):
        """Rate a subordinate (only their supervisor on the roster); predikat by the matrix."""
        _check_path(nip=nip, period=period)
        with transaction() as uow:
            return ratings.rate(uow, nip, year, period, values)


@appraisals.route("/<nip>/<int:year>/ANNUAL/objection")
class ObjectionFilingView(MethodView):
    @endpoint(appraisals, 201, ObjectionSchema, roles=ROLES, body=ObjectionCreateSchema)
    def post(self, values: dict, nip: str, year: int):
        """Object to one's own finalized annual rating, within 14 days (the employee)."""
        _check_path(nip=nip)
        with transaction() as uow:
            return objections.file(uow, nip, year, values["reason"])


@objection_bp.route("")
class ObjectionsView(MethodView):
    @endpoint(
        objection_bp, 200, ObjectionSchema(many=True), roles=ROLES, query=ObjectionQuerySchema
    )
    def get(self, query: dict):
        """The caller's objections, those they decide, or one employee's (`scope=employee`)."""
        return objections.listing(reader(), query["scope"], query.get("nip"))


@objection_bp.route("/<int:objection_id>")
class ObjectionView(MethodView):
    @endpoint(objection_bp, 200, ObjectionSchema, roles=ROLES)
    def get(self, objection_id: int):
        """One objection (the employee, the appraiser, the deciding superior, admins)."""
        return objections.read(reader(), objection_id)


@objection_bp.route("/<int:objection_id>/decision")
class ObjectionDecisionView(MethodView):
    @endpoint(
        objection_bp, 200, ObjectionSchema, roles=("supervisor",), body=ObjectionDecisionSchema
    )
    def post(self, values: dict, objection_id: int):
        """Uphold (with new ratings) or reject an objection (the appraiser's own superior)."""
        with transaction() as uow:
            return objections.decide(uow, objection_id, values)


@units.route("/<unit>/<int:year>/rating")
class UnitRatingView(MethodView):
    @endpoint(units, 200, UnitRatingSchema, roles=("admin",), body=UnitRatingInSchema)
    def put(self, values: dict, unit: str, year: int):
        """Set a unit's organisation rating for a year, until it is finalized (admins)."""
        _check_path(unit=unit)
        with transaction() as uow:
            row = calibration.set_unit_rating(uow, unit, year, values["rating"])
            return row


@units.route("/<unit>/<int:year>/calibration")
class CalibrationView(MethodView):
    @endpoint(units, 200, CalibrationSchema, roles=("admin", "supervisor"))
    def get(self, unit: str, year: int):
        """The unit's predikat distribution against its rating (admins, its supervisors)."""
        _check_path(unit=unit)
        uow = reader()
        calibration.require_viewer(uow, unit)
        return calibration.calibrate(uow.session, unit, year).as_dict()


@units.route("/<unit>/<int:year>/finalize")
class FinalizeView(MethodView):
    @endpoint(units, 200, FinalizationSchema, roles=("admin",), errors=(409,))
    def post(self, unit: str, year: int):
        """Finalize the unit's annual appraisals together; 409 with the broken rules (admins)."""
        _check_path(unit=unit)
        with transaction() as uow:
            done = calibration.finalize(uow, unit, year)
            return {
                "unit": unit,
                "year": year,
                "unit_rating": done.unit_rating.rating,
                "finalized_at": done.unit_rating.finalized_at,
                "appraisals": done.appraisals,
            }


BLUEPRINTS = (periods, skp, appraisals, objection_bp, units)
