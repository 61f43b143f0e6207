"""Request and response schemas of reports, the calendar and the directory (the API contract)."""

from __future__ import annotations

import marshmallow as ma

from chassis.fields import Text
from services.feedback import rules

V = ma.validate
ONE_OF = V.OneOf


def text(maximum: int, **kwargs) -> Text:
    """Required trimmed text of at most `maximum` characters."""
    return Text(required=True, validate=V.Length(max=maximum), **kwargs)


def optional_text(maximum: int) -> Text:
    return Text(load_default=None, validate=V.Length(max=maximum))


class SubmitSchema(ma.Schema):
    """A citizen's report; `website` is a honeypot that people never see and must stay empty."""

    class Meta:
        unknown = ma.RAISE

    kind = ma.fields.String(required=True, validate=ONE_OF(rules.KINDS))
    subject = ma.fields.String(required=True, validate=ONE_OF(rules.SUBJECTS))
    unit = text(64)
    service_name = optional_text(200)
    employee_name = optional_text(200)
    employee_position = optional_text(200)
    category = text(100)
    title = text(200)
    body = text(5000)
    place = optional_text(200)
    incident_date = ma.fields.Date(load_default=None)
    privacy = ma.fields.String(required=True, validate=ONE_OF(rules.PRIVACY))
    name = optional_text(200)
    email = ma.fields.Email(load_default=None, validate=V.Length(max=254))
    phone = ma.fields.String(load_default=None, validate=V.Regexp(r"^\+?[0-9 .-]{6,20}$"))
    website = ma.fields.String(load_default=None, validate=V.Length(max=200))


class SubmittedSchema(ma.Schema):
    tracking_number = ma.fields.String()
    secret = ma.fields.String(metadata={"description": "Shown this once; keep it to follow up"})
    status = ma.fields.String()
    received_at = ma.fields.DateTime()
    verify_due_on = ma.fields.Date()


class CredentialsSchema(ma.Schema):
    """Tracking number and secret (in the body, never in a URL that proxies log)."""

    tracking_number = text(32)
    secret = text(64)


class InformationSchema(CredentialsSchema):
    text = text(5000)


class RatingSchema(CredentialsSchema):
    rating = ma.fields.Integer(required=True, validate=V.Range(1, 5))
    comment = optional_text(1000)


class ReopenSchema(CredentialsSchema):
    reason = text(2000)


class StepSchema(ma.Schema):
    at = ma.fields.DateTime()
    action = ma.fields.String()
    status = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)


class TimelineSchema(ma.Schema):
    tracking_number = ma.fields.String()
    followed_as = ma.fields.String()
    kind = ma.fields.String()
    unit = ma.fields.String()
    category = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String()
    received_at = ma.fields.DateTime()
    due_on = ma.fields.Date(allow_none=True)
    awaiting_citizen = ma.fields.Boolean()
    overdue = ma.fields.Boolean()
    rating = ma.fields.Integer(allow_none=True)
    steps = ma.fields.List(ma.fields.Nested(StepSchema))


class SimilarQuerySchema(ma.Schema):
    unit = text(64)
    category = text(100)


class SimilarSchema(ma.Schema):
    tracking_number = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String()
    received_at = ma.fields.DateTime()


class DirectoryQuerySchema(ma.Schema):
    unit = optional_text(64)
    name = optional_text(100)


class DirectoryEntrySchema(ma.Schema):
    name = ma.fields.String()
    position = ma.fields.String()
    unit = ma.fields.String()


class DirectorySchema(ma.Schema):
    units = ma.fields.List(ma.fields.String())
    employees = ma.fields.List(ma.fields.Nested(DirectoryEntrySchema))


class PublicQuerySchema(ma.Schema):
    unit = optional_text(64)
    category = optional_text(100)
    status = ma.fields.String(load_default=None, validate=ONE_OF(rules.STATUSES))
    after = ma.fields.Integer(load_default=None, validate=V.Range(1, 2**62))
    limit = ma.fields.Integer(load_default=20, validate=V.Range(1, 100))


class PublicReportSchema(ma.Schema):
    tracking_number = ma.fields.String()
    kind = ma.fields.String()
    subject = ma.fields.String()
    unit = ma.fields.String()
    category = ma.fields.String()
    title = ma.fields.String()
    excerpt = ma.fields.String()
    status = ma.fields.String()
    received_at = ma.fields.DateTime()


class PublicPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PublicReportSchema))
    next = ma.fields.Integer(allow_none=True, metadata={"description": "`after` of the next page"})


class StatsQuerySchema(ma.Schema):
    unit = optional_text(64)
    category = optional_text(100)


class UnitStatsSchema(ma.Schema):
    unit = ma.fields.String()
    received = ma.fields.Integer()
    open = ma.fields.Integer()
    resolved = ma.fields.Integer()
    responded = ma.fields.Integer()
    mean_response_hours = ma.fields.Float(allow_none=True)


class StatsSchema(ma.Schema):
    units = ma.fields.List(ma.fields.Nested(UnitStatsSchema))


# -- staff ---------------------------------------------------------------------------------


class TransitionSchema(ma.Schema):
    """Why (shown on the citizen's timeline); `unit` for a disposition, `forwarded_to` for a
    forward."""

    note = optional_text(2000)
    unit = optional_text(64)
    forwarded_to = optional_text(200)


class QuestionSchema(ma.Schema):
    question = text(2000)


class FindingSchema(ma.Schema):
    substantiated = ma.fields.Boolean(required=True)
    severity = ma.fields.String(load_default=None, validate=ONE_OF(rules.SEVERITIES))
    note = optional_text(2000)


class MergeSchema(ma.Schema):
    into = text(32)


class StaffStepSchema(ma.Schema):
    at = ma.fields.DateTime()
    actor = ma.fields.String()
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    public = ma.fields.Boolean()


class ContactSchema(ma.Schema):
    name = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    handle = ma.fields.String(allow_none=True)


class AttachmentSchema(ma.Schema):
    id = ma.fields.Integer()
    media_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()


class StaffReportSchema(ma.Schema):
    tracking_number = ma.fields.String()
    kind = ma.fields.String()
    subject = ma.fields.String()
    unit = ma.fields.String()
    service_name = ma.fields.String(allow_none=True)
    employee_nip = ma.fields.String(allow_none=True)
    category = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    place = ma.fields.String(allow_none=True)
    incident_date = ma.fields.Date(allow_none=True)
    privacy = ma.fields.String()
    channel = ma.fields.String()
    post_url = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    received_at = ma.fields.DateTime()
    handling_unit = ma.fields.String(allow_none=True)
    due_on = ma.fields.Date(allow_none=True)
    paused_on = ma.fields.Date(allow_none=True)
    overdue = ma.fields.Boolean()
    finding = ma.fields.String(allow_none=True)
    severity = ma.fields.String(allow_none=True)
    rating = ma.fields.Integer(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    merged_into = ma.fields.String(allow_none=True)
    contact = ma.fields.Nested(ContactSchema, allow_none=True)
    steps = ma.fields.List(ma.fields.Nested(StaffStepSchema))
    attachments = ma.fields.List(ma.fields.Nested(AttachmentSchema))


class StaffQuerySchema(ma.Schema):
    status = ma.fields.String(load_default=None, validate=ONE_OF(rules.STATUSES))
    unit = optional_text(64)
    overdue = ma.fields.Boolean(load_default=None)
    page = ma.fields.Integer(load_default=1, validate=V.Range(1, 100_000))
    page_size = ma.fields.Integer(load_default=50, validate=V.Range(1, 200))


class PageQuerySchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=V.Range(1, 100_000))
    page_size = ma.fields.Integer(load_default=50, validate=V.Range(1, 200))


class StaffLineSchema(ma.Schema):
    tracking_number = ma.fields.String()
    kind = ma.fields.String()
    unit = ma.fields.String()
    handling_unit = ma.fields.String(allow_none=True)
    category = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String()
    received_at = ma.fields.DateTime()
    due_on = ma.fields.Date(allow_none=True)
    awaiting_citizen = ma.fields.Boolean()
    overdue = ma.fields.Boolean()


class StaffPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(StaffLineSchema))
    page = ma.fields.Integer()
    page_size = ma.fields.Integer()
    total = ma.fields.Integer()


class CalendarDaySchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ONE_OF(("HOLIDAY", "WORKDAY")))
    note = text(200)


class CalendarChangeSchema(ma.Schema):
    day = ma.fields.Date()
    kind = ma.fields.String()
    note = ma.fields.String()
    set_by = ma.fields.String()


class NationalDaySchema(ma.Schema):
    day = ma.fields.Date()
    name = ma.fields.String()


class CalendarYearSchema(ma.Schema):
    year = ma.fields.Integer()
    national = ma.fields.List(ma.fields.Nested(NationalDaySchema))
    changes = ma.fields.List(ma.fields.Nested(CalendarChangeSchema))


class CitizenUploadSchema(ma.Schema):
    """The form fields that go with a citizen's attachment upload (multipart)."""

    tracking_number = text(32)
    secret = text(64)
