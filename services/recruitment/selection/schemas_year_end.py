"""Request and response schemas of a selection year's end: optimisation, appointment, and the
audit trail."""

from __future__ import annotations

import marshmallow as ma

from chassis.fields import Integer
from chassis.pagination import PageArgsSchema, page_schema


class OptimisedSchema(ma.Schema):
    """What the optimisation changed."""

    year = Integer()
    empty = Integer(metadata={"description": "Empty posts found"})
    filled = Integer(metadata={"description": "Empty posts filled"})
    changed = Integer(metadata={"description": "Outcomes changed"})
    outcomes = ma.fields.Dict(keys=ma.fields.String(), values=Integer())


class AppointRequestSchema(ma.Schema):
    """The TMT CPNS of the appointment (the first day of service)."""

    tmt_cpns = ma.fields.Date(required=True, metadata={"example": "2025-03-01"})


class AppointedSchema(ma.Schema):
    """One applicant appointed."""

    registration_number = ma.fields.String()
    nip = ma.fields.String()
    formation_code = ma.fields.String()
    unit = ma.fields.String()
    position = ma.fields.String()


class AppointmentsSchema(ma.Schema):
    """The applicants appointed by one request (none when re-run)."""

    year = Integer()
    tmt_cpns = ma.fields.Date()
    appointed = ma.fields.List(ma.fields.Nested(AppointedSchema))


class AuditQuerySchema(PageArgsSchema):
    entity = ma.fields.String(
        validate=ma.validate.OneOf(("application", "formation", "appeal", "passing_grade"))
    )
    entity_id = ma.fields.String(validate=ma.validate.Length(max=64))
    registration_number = ma.fields.String(
        validate=ma.validate.Length(max=32),
        metadata={"description": "Entries of an application and of its appeal"},
    )


class AuditEntrySchema(ma.Schema):
    """One change: who, when, old, new, why."""

    id = Integer()
    entity = ma.fields.String()
    entity_id = ma.fields.String()
    field = ma.fields.String()
    old_value = ma.fields.String(allow_none=True)
    new_value = ma.fields.String(allow_none=True)
    actor = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()


AuditPageSchema = page_schema(AuditEntrySchema, "audit entries, oldest first")
