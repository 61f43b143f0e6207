"""Request and response schemas of the awards service (the API contract)."""

from __future__ import annotations

import marshmallow as ma

from chassis.pagination import PageArgsSchema, page_schema


class ReasonSchema(ma.Schema):
    """One reason behind a decision (positive or negative)."""

    code = ma.fields.String(required=True, metadata={"example": "PREDIKAT_SANGAT_BAIK"})
    message = ma.fields.String(required=True)


class EligibilitySchema(ma.Schema):
    """An employee's eligibility for a programme in a year, and why."""

    nip = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    programme = ma.fields.String(required=True, metadata={"example": "SOFIFI_BERPRESTASI"})
    eligible = ma.fields.Boolean(required=True)
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema), required=True)
    determined_at = ma.fields.DateTime(
        required=True, metadata={"description": "When the outcome or its reasons last changed"}
    )
    unit = ma.fields.String(required=True, metadata={"description": "Unit in the appraised year"})
    basis = ma.fields.String(
        required=True, metadata={"description": "appraisal_id of the annual appraisal decided on"}
    )
    predikat = ma.fields.String(allow_none=True)
    jp_year_total = ma.fields.Float(
        allow_none=True, metadata={"description": "JP recorded for the year; null when none"}
    )
    name = ma.fields.String(allow_none=True, metadata={"description": "From the roster, if known"})


class EligibilityQuerySchema(PageArgsSchema):
    """Filters and page of the eligibility list."""

    eligible = ma.fields.Boolean(load_default=None)
    unit = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=64))


class EligibilityPageSchema(ma.Schema):
    """One page of a year's eligibility decisions."""

    year = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Decisions that match"})
    page = ma.fields.Integer(required=True)
    page_size = ma.fields.Integer(required=True)
    items = ma.fields.List(ma.fields.Nested(EligibilitySchema), required=True)


class EmployeeAwardSchema(ma.Schema):
    """One award granted to an employee (a Sofifi Berprestasi decision or a Satyalancana)."""

    grant_id = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True, metadata={"example": "SOFIFI_BERPRESTASI or SATYALANCANA_KARYA_SATYA"}
    )
    programme_id = ma.fields.String(allow_none=True, metadata={"example": "SB-2024"})
    year = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True, metadata={"description": "Programme and category"})
    category = ma.fields.String(allow_none=True)
    award_class = ma.fields.String(allow_none=True, metadata={"description": "X, XX or XXX"})
    amount = ma.fields.Integer(required=True, metadata={"description": "Incentive, rupiah"})
    granted_on = ma.fields.Date(required=True)
    decided_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "The programme's decision; null for Satyalancana"}
    )
    revoked_on = ma.fields.Date(allow_none=True)
    revocation_reason = ma.fields.String(allow_none=True)


EmployeeAwardPageSchema = page_schema(EmployeeAwardSchema, "an employee's awards")
