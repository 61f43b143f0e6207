"""Request and response schemas of the appraisal service (the API contract)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from chassis.fields import Integer, Text, check
from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import nip_problem
from services.appraisal.models import PERIODS
from services.appraisal.rules import PREDIKATS, RATINGS, UNIT_RATINGS

_valid_nip = check(nip_problem)


YEAR = {"validate": ma.validate.Range(min=1950, max=2200)}
RATING = {
    "validate": ma.validate.OneOf(RATINGS),
    "metadata": {"description": "Against expectations: DI_ATAS, SESUAI or DI_BAWAH"},
}
COMMENT = {"validate": ma.validate.Length(max=4000)}


# -- periods ---------------------------------------------------------------------------------


class PeriodCreateSchema(ma.Schema):
    """A new performance period."""

    year = Integer(required=True, strict=True, **YEAR)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(PERIODS))


class PeriodUpdateSchema(ma.Schema):
    """Close or reopen a period."""

    status = ma.fields.String(required=True, validate=ma.validate.OneOf(("OPEN", "CLOSED")))


class PeriodSchema(ma.Schema):
    """A performance period."""

    year = Integer(required=True)
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


# -- SKP -------------------------------------------------------------------------------------


class SkpItemSchema(ma.Schema):
    """One result item of an SKP: the result (hasil kerja), its indicator and target."""

    result = Text(required=True, validate=ma.validate.Length(max=500))
    indicator = Text(required=True, validate=ma.validate.Length(max=500))
    target = Text(required=True, validate=ma.validate.Length(max=200))


ITEMS = {"validate": ma.validate.Length(min=1, max=50)}


class SkpCreateSchema(ma.Schema):
    """A new SKP for an employee and a period."""

    nip = ma.fields.String(required=True, validate=_valid_nip)
    year = Integer(required=True, strict=True, **YEAR)
    period = ma.fields.String(required=True, validate=ma.validate.OneOf(PERIODS))
    items = ma.fields.List(ma.fields.Nested(SkpItemSchema), required=True, **ITEMS)


class SkpUpdateSchema(ma.Schema):
    """New items for a draft SKP."""

    items = ma.fields.List(ma.fields.Nested(SkpItemSchema), required=True, **ITEMS)


class SkpSchema(ma.Schema):
    """An SKP plan and where its agreement stands."""

    id = Integer(required=True)
    nip = ma.fields.String(required=True)
    year = Integer(required=True)
    period = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(SkpItemSchema), required=True)
    status = ma.fields.String(required=True, metadata={"description": "DRAFT or AGREED"})
    appraiser_nip = ma.fields.String(allow_none=True)
    employee_agreed_at = ma.fields.DateTime(allow_none=True)
    appraiser_agreed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


# -- ratings ---------------------------------------------------------------------------------


# The seven BerAKHLAK core values, each rated against expectations (all required).
BehaviourValuesSchema = ma.Schema.from_dict(
    {value: ma.fields.String(required=True, **RATING) for value in BERAKHLAK_VALUES},
    name="BehaviourValuesSchema",
)


class RatingSchema(ma.Schema):
    """The appraiser's rating: results, each BerAKHLAK value and the overall behaviour."""

    results_rating = ma.fields.String(required=True, **RATING)
    behaviour_rating = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(RATINGS),
        metadata={"description": "Overall behaviour, the appraiser's judgement of the values"},
    )
    behaviour_values = ma.fields.Nested(BehaviourValuesSchema, required=True)
    results_comment = Text(**COMMENT)
    behaviour_comment = Text(**COMMENT)


class AppraisalSchema(ma.Schema):
    """An appraisal: the ratings, the predikat and where it stands."""

    id = ma.fields.String(required=True, metadata={"description": "<nip>-<year>-<period>"})
    nip = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    appraiser_nip = ma.fields.String(required=True)
    year = Integer(required=True)
    period = ma.fields.String(required=True)
    skp_id = Integer(required=True)
    results_rating = ma.fields.String(required=True)
    behaviour_rating = ma.fields.String(required=True)
    behaviour_values = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    results_comment = ma.fields.String(allow_none=True)
    behaviour_comment = ma.fields.String(allow_none=True)
    predikat = ma.fields.String(required=True, validate=ma.validate.OneOf(PREDIKATS))
    status = ma.fields.String(required=True, metadata={"description": "RATED or FINALIZED"})
    unit_rating = ma.fields.String(allow_none=True)
    revision = Integer(required=True)
    rated_at = ma.fields.DateTime(required=True)
    finalized_at = ma.fields.DateTime(allow_none=True)


class AppraisalQuerySchema(ma.Schema):
    """Whose appraisals, optionally of one year."""

    nip = ma.fields.String(required=True, validate=_valid_nip)
    year = Integer(**YEAR)


# -- units -----------------------------------------------------------------------------------


class UnitRatingInSchema(ma.Schema):
    """A unit's organisation rating for a year."""

    rating = ma.fields.String(required=True, validate=ma.validate.OneOf(UNIT_RATINGS))


class UnitRatingSchema(ma.Schema):
    """A unit's organisation rating for a year, as set."""

    unit = ma.fields.String(required=True)
    year = Integer(required=True)
    rating = ma.fields.String(required=True)
    set_by = ma.fields.String(required=True)
    set_at = ma.fields.DateTime(required=True)
    finalized_at = ma.fields.DateTime(allow_none=True)


class CalibrationSchema(ma.Schema):
    """A unit's year: the predikat distribution against what its rating allows."""

    unit = ma.fields.String(required=True)
    year = Integer(required=True)
    unit_rating = ma.fields.String(allow_none=True)
    finalized_at = ma.fields.DateTime(allow_none=True)
    staff = Integer(metadata={"description": "Appraised staff in the unit"})
    rated = Integer(metadata={"description": "Of them, with an annual rating"})
    distribution = ma.fields.Dict(metadata={"description": "predikat -> {count, percent}"})
    rules = ma.fields.List(ma.fields.Dict(), metadata={"description": "Each rule: ok/broken"})
    broken_rules = ma.fields.List(ma.fields.Dict())
    unrated = ma.fields.List(ma.fields.Dict())
    blockers = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "Why it cannot be finalized now"}
    )


class FinalizationSchema(ma.Schema):
    """A finalized unit year and its appraisals."""

    unit = ma.fields.String(required=True)
    year = Integer(required=True)
    unit_rating = ma.fields.String(required=True)
    finalized_at = ma.fields.DateTime(required=True)
    appraisals = ma.fields.List(ma.fields.Nested(AppraisalSchema))


# -- objections ------------------------------------------------------------------------------


class ObjectionCreateSchema(ma.Schema):
    """An employee's objection to their finalized annual rating."""

    reason = Text(required=True, **COMMENT)


class ObjectionDecisionSchema(ma.Schema):
    """The superior's decision; an upheld objection carries the new ratings."""

    upheld = ma.fields.Boolean(required=True)
    reason = Text(required=True, **COMMENT)
    results_rating = ma.fields.String(**RATING)
    behaviour_rating = ma.fields.String(**RATING)
    behaviour_values = ma.fields.Nested(BehaviourValuesSchema)

    @ma.validates_schema
    def _ratings_when_upheld(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("upheld"):
            missing = {
                name: ["Required when the objection is upheld."]
                for name in ("results_rating", "behaviour_rating")
                if name not in data
            }
            if missing:
                raise ma.ValidationError(missing)


class ObjectionSchema(ma.Schema):
    """An objection and its decision."""

    id = Integer(required=True)
    appraisal_id = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "PENDING/UPHELD/REJECTED"})
    filed_at = ma.fields.DateTime(required=True)
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    previous_predikat = ma.fields.String(required=True)
    new_predikat = ma.fields.String(allow_none=True)


class ObjectionQuerySchema(ma.Schema):
    """Whose objections: the caller's own, those the caller decides, or one employee's."""

    scope = ma.fields.String(
        load_default="mine",
        validate=ma.validate.OneOf(("mine", "decide", "employee")),
        metadata={
            "description": "mine (filed by the caller), decide (the caller decides) or "
            "employee (filed by `nip`: for those who may read that employee's appraisals)"
        },
    )
    nip = ma.fields.String(validate=_valid_nip, metadata={"description": "with scope=employee"})

    @ma.validates_schema
    def _nip_with_employee(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("scope") == "employee") != ("nip" in data):
            raise ma.ValidationError("Given with scope=employee, and only then.", "nip")
