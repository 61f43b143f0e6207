"""Request and response schemas of talent mapping."""

from __future__ import annotations

import marshmallow as ma

from chassis.fields import check
from contracts.identifiers import nip_problem
from services.training import talent_rules as tr
from services.training.schemas import UNIT, YEAR


class MapQuerySchema(ma.Schema):
    """One unit of the map (optional)."""

    unit = ma.fields.String(**UNIT)


class ImportResultSchema(ma.Schema):
    """What an assessment import stored."""

    imported = ma.fields.Integer(required=True)
    by_potential = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class AssessmentSchema(ma.Schema):
    """An employee's newest assessment and the potential derived from it."""

    nip = ma.fields.String(required=True)
    assessed_on = ma.fields.Date(required=True)
    managerial = ma.fields.Float(required=True)
    socio_cultural = ma.fields.Float(required=True)
    job_match = ma.fields.Float(required=True)
    education = ma.fields.String(required=True)
    experience_years = ma.fields.Integer(required=True)
    track_record = ma.fields.String(required=True)
    base_potential = ma.fields.String(required=True, validate=ma.validate.OneOf(tr.LEVELS))
    potential = ma.fields.String(required=True, validate=ma.validate.OneOf(tr.LEVELS))


class PlacementSchema(ma.Schema):
    """An employee's box on the year's map and the movement from last year."""

    nip = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    year = ma.fields.Integer(required=True, **YEAR)
    predikat = ma.fields.List(ma.fields.String(), metadata={"description": "This year, last"})
    performance = ma.fields.String(required=True)
    potential = ma.fields.String(required=True)
    box = ma.fields.Integer(required=True)
    label = ma.fields.String(required=True)
    previous_box = ma.fields.Integer(allow_none=True)
    movement = ma.fields.String(required=True, metadata={"description": "NEW, UP, DOWN, SAME"})


class BoxCountSchema(ma.Schema):
    """How many employees are in one box."""

    box = ma.fields.Integer(required=True)
    label = ma.fields.String(required=True)
    employees = ma.fields.Integer(required=True)


class AreaSchema(ma.Schema):
    """The boxes of the province or of one unit."""

    unit = ma.fields.String()
    employees = ma.fields.Integer(required=True)
    boxes = ma.fields.List(ma.fields.Nested(BoxCountSchema))


class MapSummarySchema(ma.Schema):
    """Counts per box for the province and per unit."""

    year = ma.fields.Integer(required=True)
    province = ma.fields.Nested(AreaSchema)
    units = ma.fields.List(ma.fields.Nested(AreaSchema))


class PositionInSchema(ma.Schema):
    """A position to mark critical."""

    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    unit = ma.fields.String(required=True, **UNIT)
    note = ma.fields.String(validate=ma.validate.Length(max=500))


class CandidateInSchema(ma.Schema):
    """An employee to put into a position's pool, from the year's talent map."""

    nip = ma.fields.String(required=True, validate=check(nip_problem))
    year = ma.fields.Integer(required=True, **YEAR)
    readiness = ma.fields.String(
        required=True, validate=ma.validate.OneOf(("NOW", "ONE_TO_TWO_YEARS", "LATER"))
    )


class SuccessorsInSchema(ma.Schema):
    """The ordered successor list (first = first successor)."""

    nips = ma.fields.List(
        ma.fields.String(validate=check(nip_problem)),
        required=True,
        validate=ma.validate.Length(min=1, max=5),
    )


class CandidateSchema(ma.Schema):
    """A pool member."""

    nip = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    box = ma.fields.Integer(required=True)
    competency_match = ma.fields.Float(required=True)
    readiness = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "ACTIVE or DROPPED"})
    successor_rank = ma.fields.Integer(allow_none=True)
    dropped_reason = ma.fields.String(allow_none=True)


class PositionSummarySchema(ma.Schema):
    """A critical position."""

    position_id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    note = ma.fields.String(allow_none=True)


class PositionSchema(PositionSummarySchema):
    """A critical position with its pool and its successors."""

    pool = ma.fields.List(ma.fields.Nested(CandidateSchema))
    successors = ma.fields.List(ma.fields.Nested(CandidateSchema))


class IdpInSchema(ma.Schema):
    """Whose IDP, for which year of the talent map."""

    nip = ma.fields.String(required=True, validate=check(nip_problem))
    year = ma.fields.Integer(required=True, **YEAR)


class ActionInSchema(ma.Schema):
    """A development action: a catalogue course, coaching/mentoring, rotation or assignment."""

    kind = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(("COURSE", "COACHING_MENTORING", "ROTATION", "ASSIGNMENT")),
    )
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    course_id = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    target_date = ma.fields.Date(required=True)


class DoneInSchema(ma.Schema):
    """When a non-course action was done."""

    done_on = ma.fields.Date(required=True)


class ActionSchema(ma.Schema):
    """An action of an IDP."""

    action_id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    course_id = ma.fields.String(allow_none=True)
    jp = ma.fields.Float(required=True)
    target_date = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, metadata={"description": "OPEN or DONE"})
    closed_by = ma.fields.String(allow_none=True, metadata={"description": "Enrolment or admin"})
    closed_on = ma.fields.Date(allow_none=True)


class IdpSchema(ma.Schema):
    """An IDP with its actions and JP (jp_done are the ledger's, never added again)."""

    plan_id = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True)
    jp_planned = ma.fields.Float(required=True)
    jp_done = ma.fields.Float(required=True)
    actions = ma.fields.List(ma.fields.Nested(ActionSchema))
