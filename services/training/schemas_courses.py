"""Schemas of the catalogue, enrolment, the JP ledger and plans (the API contract)."""

from __future__ import annotations

from datetime import date

import marshmallow as ma

from chassis.fields import Text, check
from contracts.identifiers import nip_problem
from services.training.rules import COMPETENCY_TYPES, MODES, PROVIDER_KINDS

_valid_nip = check(nip_problem)
ID = {"validate": ma.validate.Length(min=1, max=32)}
NEED_ID = {"validate": ma.validate.Length(min=1, max=64)}
YEAR = {"validate": ma.validate.Range(min=1950, max=2200)}
RUPIAH = {
    "validate": ma.validate.Range(min=0, max=10**12),
    "metadata": {"description": "Rupiah, 0 or more"},
}
JP = {"validate": ma.validate.Range(min=0, max=1000, min_inclusive=False)}
NOTE = {"validate": ma.validate.Length(max=500)}
# The ledger's years (and the event contract's): 1950-2200.
DAY = {"validate": ma.validate.Range(min=date(1950, 1, 1), max=date(2200, 12, 31))}


class ProviderInSchema(ma.Schema):
    name = Text(required=True, validate=ma.validate.Length(max=200))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(PROVIDER_KINDS))


class ProviderSchema(ProviderInSchema):
    provider_id = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class PartnershipInSchema(ma.Schema):
    provider_id = ma.fields.String(required=True, **ID)
    mou_number = Text(required=True, validate=ma.validate.Length(max=100))
    valid_from = ma.fields.Date(required=True, **DAY)
    valid_until = ma.fields.Date(required=True, **DAY)
    free_seats_per_year = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(min=0, max=100_000)
    )
    discount_percent = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=100))
    course_ids = ma.fields.List(
        ma.fields.String(**ID), required=True, validate=ma.validate.Length(min=1, max=500)
    )


class PartnershipSchema(PartnershipInSchema):
    partnership_id = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class PartnershipQuerySchema(ma.Schema):
    provider_id = ma.fields.String(**ID)


class CourseInSchema(ma.Schema):
    title = Text(required=True, validate=ma.validate.Length(max=300))
    competency_type = ma.fields.String(required=True, validate=ma.validate.OneOf(COMPETENCY_TYPES))
    competency = Text(
        required=True,
        validate=ma.validate.Length(max=200),
        metadata={"description": "The competency name training needs use"},
    )
    mode = ma.fields.String(required=True, validate=ma.validate.OneOf(MODES))
    jp = ma.fields.Float(required=True, **JP)
    cost_per_participant = ma.fields.Integer(required=True, **RUPIAH)
    provider_id = ma.fields.String(required=True, **ID)


class CourseSchema(CourseInSchema):
    course_id = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class CourseQuerySchema(ma.Schema):
    competency_type = ma.fields.String(validate=ma.validate.OneOf(COMPETENCY_TYPES))
    competency = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    mode = ma.fields.String(validate=ma.validate.OneOf(MODES))
    provider_id = ma.fields.String(**ID)


class SessionInSchema(ma.Schema):
    course_id = ma.fields.String(required=True, **ID)
    starts_on = ma.fields.Date(required=True, **DAY)
    ends_on = ma.fields.Date(required=True, **DAY)
    place = Text(validate=ma.validate.Length(max=200), load_default=None)
    link = ma.fields.Url(validate=ma.validate.Length(max=500), load_default=None)
    capacity = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=10_000))
    price = ma.fields.Integer(
        load_default=None,
        **{**RUPIAH, "metadata": {"description": "Per participant; default the course's cost"}},
    )


class SessionSchema(ma.Schema):
    session_id = ma.fields.String(required=True)
    course_id = ma.fields.String(required=True)
    course_title = ma.fields.String(required=True)
    competency = ma.fields.String(required=True)
    competency_type = ma.fields.String(required=True)
    jp = ma.fields.Float(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    place = ma.fields.String(allow_none=True)
    link = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer(required=True)
    price = ma.fields.Integer(required=True)
    partner_price = ma.fields.Integer(
        required=True, metadata={"description": "Price after the MoU's discount"}
    )
    partnership_id = ma.fields.String(allow_none=True)
    enrolled = ma.fields.Integer(required=True)
    waitlisted = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True)


class SessionQuerySchema(ma.Schema):
    course_id = ma.fields.String(**ID)
    competency = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    year = ma.fields.Integer(**YEAR)


# -- enrolment --------------------------------------------------------------------------------


class NominationSchema(ma.Schema):
    session_id = ma.fields.String(required=True, **ID)
    nip = ma.fields.String(required=True, validate=_valid_nip)
    need_id = ma.fields.String(load_default=None, **NEED_ID)
    waitlist = ma.fields.Boolean(
        load_default=False, metadata={"description": "Join the waitlist when the session is full"}
    )
    note = Text(load_default=None, **NOTE)


class RequestSchema(ma.Schema):
    session_id = ma.fields.String(required=True, **ID)
    need_id = ma.fields.String(load_default=None, **NEED_ID)
    note = Text(load_default=None, **NOTE)


class DecisionSchema(ma.Schema):
    approve = ma.fields.Boolean(required=True)
    note = Text(load_default=None, **NOTE)


class CancelSchema(ma.Schema):
    reason = Text(required=True, **NOTE)


class CompletionSchema(ma.Schema):
    attended = ma.fields.Boolean(required=True)
    passed = ma.fields.Boolean(required=True)
    certificate_number = Text(load_default=None, validate=ma.validate.Length(max=100))
    completed_on = ma.fields.Date(
        load_default=None, metadata={"description": "Default: the session's last day"}, **DAY
    )


class EnrolmentSchema(ma.Schema):
    enrolment_id = ma.fields.String(required=True)
    session_id = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    need_id = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True)
    origin = ma.fields.String(required=True)
    plan_id = ma.fields.String(allow_none=True)
    supervisor_nip = ma.fields.String(allow_none=True)
    cost = ma.fields.Integer(required=True)
    free_seat = ma.fields.Boolean(required=True)
    attended = ma.fields.Boolean(allow_none=True)
    passed = ma.fields.Boolean(allow_none=True)
    certificate_number = ma.fields.String(allow_none=True)
    completed_on = ma.fields.Date(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class CancelledSchema(ma.Schema):
    cancelled = ma.fields.Nested(EnrolmentSchema, required=True)
    promoted = ma.fields.Nested(EnrolmentSchema, allow_none=True)


class EnrolmentQuerySchema(ma.Schema):
    session_id = ma.fields.String(**ID)
    nip = ma.fields.String(validate=_valid_nip)
    status = ma.fields.String(
        validate=ma.validate.OneOf(
            ("REQUESTED", "ENROLLED", "WAITLISTED", "CANCELLED", "REJECTED", "COMPLETED", "FAILED")
        )
    )
    plan_id = ma.fields.String(**ID)


class ExternalInSchema(ma.Schema):
    nip = ma.fields.String(required=True, validate=_valid_nip)
    title = Text(required=True, validate=ma.validate.Length(max=300))
    organiser = Text(required=True, validate=ma.validate.Length(max=200))
    competency_type = ma.fields.String(required=True, validate=ma.validate.OneOf(COMPETENCY_TYPES))
    competency = Text(load_default=None, validate=ma.validate.Length(max=200))
    jp = ma.fields.Float(required=True, **JP)
    completed_on = ma.fields.Date(required=True, **DAY)
    evidence = Text(
        required=True,
        validate=ma.validate.Length(max=500),
        metadata={"description": "Certificate number or a link to the document"},
    )


class ExternalSchema(ExternalInSchema):
    external_id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    submitted_by = ma.fields.String(required=True)
    submitted_at = ma.fields.DateTime(required=True)
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)


class ExternalQuerySchema(ma.Schema):
    nip = ma.fields.String(validate=_valid_nip)
    status = ma.fields.String(validate=ma.validate.OneOf(("PENDING", "APPROVED", "REJECTED")))


# -- the ledger, Latsar and plans -------------------------------------------------------------


class LedgerQuerySchema(ma.Schema):
    unit = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    as_of = ma.fields.Date(metadata={"description": "Default: today"}, **DAY)


class ExportQuerySchema(LedgerQuerySchema):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(("csv", "xlsx")))


class LedgerRowSchema(ma.Schema):
    nip = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    teknis = ma.fields.Float(required=True)
    manajerial = ma.fields.Float(required=True)
    sosial_kultural = ma.fields.Float(required=True)
    total = ma.fields.Float(required=True)
    pending_external = ma.fields.Float(required=True)
    scheduled = ma.fields.Float(required=True, metadata={"description": "JP booked, not done"})
    compliant = ma.fields.Boolean(required=True)
    at_risk = ma.fields.Boolean(required=True)
    shortfall = ma.fields.Float(required=True)
    months_left = ma.fields.Integer(required=True)


class UnitComplianceSchema(ma.Schema):
    unit = ma.fields.String(required=True)
    employees = ma.fields.Integer(required=True)
    compliant = ma.fields.Integer(required=True)
    rate = ma.fields.Float(required=True)
    at_risk = ma.fields.Integer(required=True)
    jp_total = ma.fields.Float(required=True)


class JpEntrySchema(ma.Schema):
    entry_id = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    course_id = ma.fields.String(allow_none=True)
    competency_type = ma.fields.String(required=True)
    competency = ma.fields.String(allow_none=True)
    jp = ma.fields.Float(required=True)
    completed_on = ma.fields.Date(required=True)


class EmployeeYearSchema(ma.Schema):
    nip = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    by_type = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)
    total = ma.fields.Float(required=True)
    pending_external = ma.fields.Float(required=True)
    compliant = ma.fields.Boolean(required=True)
    minimum = ma.fields.Integer(required=True)
    entries = ma.fields.List(ma.fields.Nested(JpEntrySchema), required=True)


class LatsarQuerySchema(ma.Schema):
    as_of = ma.fields.Date(**DAY)
    within_days = ma.fields.Integer(load_default=90, validate=ma.validate.Range(min=0, max=366))
    warnings_only = ma.fields.Boolean(load_default=False)


class LatsarSchema(ma.Schema):
    nip = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    tmt_cpns = ma.fields.Date(required=True)
    probation_ends = ma.fields.Date(required=True)
    days_left = ma.fields.Integer(required=True)
    latsar_passed = ma.fields.Boolean(required=True)
    enrolled = ma.fields.Boolean(required=True)
    overdue = ma.fields.Boolean(required=True)
    warning = ma.fields.Boolean(required=True)


class PlanInSchema(ma.Schema):
    year = ma.fields.Integer(required=True, **YEAR)
    budget = ma.fields.Integer(required=True, **RUPIAH)
    method = ma.fields.String(load_default="milp", validate=ma.validate.OneOf(("milp", "greedy")))


class PlanSchema(ma.Schema):
    plan_id = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    budget = ma.fields.Integer(required=True)
    method = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    cost = ma.fields.Integer(required=True)
    summary = ma.fields.Dict(required=True)
    created_by = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    adopted_by = ma.fields.String(allow_none=True)
    adopted_at = ma.fields.DateTime(allow_none=True)


class PlanQuerySchema(ma.Schema):
    year = ma.fields.Integer(**YEAR)


class PlanItemQuerySchema(ma.Schema):
    covered = ma.fields.Boolean()


class PlanItemSchema(ma.Schema):
    need_id = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    session_id = ma.fields.String(allow_none=True)
    cost = ma.fields.Integer(required=True)
    free_seat = ma.fields.Boolean(required=True)
    weight = ma.fields.Float(required=True)
    explanation = ma.fields.String(required=True)


class AdoptedSchema(ma.Schema):
    plan_id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    enrolments = ma.fields.Integer(required=True)
    cost = ma.fields.Integer(required=True)
