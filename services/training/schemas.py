"""Request and response schemas of the training service (the API contract)."""

from __future__ import annotations

import marshmallow as ma

from chassis.fields import Integer, check
from contracts.identifiers import nip_problem
from services.training.rules import COMPETENCY_TYPES, KINDS, SOURCES

_valid_nip = check(nip_problem)


YEAR = {"validate": ma.validate.Range(min=1950, max=2200)}
UNIT = {"validate": ma.validate.Length(min=1, max=64), "metadata": {"description": "Unit code"}}


class NeedQuerySchema(ma.Schema):
    """Filters of the list of training needs."""

    nip = ma.fields.String(validate=_valid_nip, metadata={"description": "The employee's NIP"})
    unit = ma.fields.String(**UNIT)
    year = Integer(**YEAR, metadata={"description": "Year of the development plan"})
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))


class SummaryQuerySchema(ma.Schema):
    """The year (required) and, optionally, one unit of the summary."""

    year = Integer(required=True, **YEAR)
    unit = ma.fields.String(**UNIT)


class NeedSchema(ma.Schema):
    """A training need of an employee."""

    need_id = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    unit = ma.fields.String(required=True, metadata={"description": "Unit when identified"})
    year = Integer(required=True, metadata={"description": "Year of the plan"})
    kind = ma.fields.String(required=True, metadata={"enum": list(KINDS)})
    competency = ma.fields.String(required=True)
    competency_type = ma.fields.String(required=True, metadata={"enum": list(COMPETENCY_TYPES)})
    source = ma.fields.String(required=True, metadata={"enum": list(SOURCES)})
    source_ref = ma.fields.String(
        required=True, metadata={"description": "The appraisal_id, or the NIP for an appointment"}
    )
    reason = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    identified_at = ma.fields.DateTime(required=True)


class CompetencyCountSchema(ma.Schema):
    """Needs of one kind and competency in a unit."""

    kind = ma.fields.String(required=True)
    competency = ma.fields.String(required=True)
    competency_type = ma.fields.String(required=True)
    needs = Integer(required=True)
    employees = Integer(required=True, metadata={"description": "Distinct NIPs"})


class UnitSummarySchema(ma.Schema):
    """A unit's needs of the year: in all, by kind and by competency."""

    unit = ma.fields.String(required=True)
    needs = Integer(required=True)
    employees = Integer(required=True, metadata={"description": "Distinct NIPs"})
    by_kind = ma.fields.Dict(keys=ma.fields.String(), values=Integer(), required=True)
    by_competency = ma.fields.List(ma.fields.Nested(CompetencyCountSchema), required=True)


class NeedSummarySchema(ma.Schema):
    """Training needs of a year per unit."""

    year = Integer(required=True)
    units = ma.fields.List(ma.fields.Nested(UnitSummarySchema), required=True)
