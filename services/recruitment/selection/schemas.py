"""Request and response schemas of the CPNS selection (the API contract).

No response schema has a NIK field: admins and recruiters see `nik_masked`, the public sees
registration number, name and scores only.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from chassis.fields import Decimal, Integer, Text, check
from chassis.pagination import PageArgsSchema, page_schema
from contracts.identifiers import nik_problem
from services.recruitment.selection import rules
from services.recruitment.selection.models import CATEGORIES

YEAR = {"validate": ma.validate.Range(2000, 2100)}
REASON = {
    "validate": ma.validate.Length(max=500),
    "metadata": {"description": "Why; required when changing a value already entered"},
}


def _skd_field(part: str, **kwargs: Any) -> ma.fields.Integer:
    maximum, step = rules.SKD_PARTS[part]
    return Integer(
        strict=True,
        validate=check(lambda value: rules.skd_problem(part, value)),
        metadata={"description": f"0-{maximum}, a multiple of {step}"},
        **kwargs,
    )


def _skb_field(**kwargs: Any) -> ma.fields.Decimal:
    return Decimal(
        places=None,
        validate=check(rules.skb_problem),
        metadata={"description": "0-100, at most two decimals"},
        **kwargs,
    )


# -- formations and passing grades --------------------------------------------------------------


class FormationCreateSchema(ma.Schema):
    """A new formation: a post to fill in a selection year."""

    code = Text(
        required=True,
        validate=ma.validate.Length(max=32),
        metadata={"example": "2024-DINKES-0001"},
    )
    year = Integer(required=True, strict=True, **YEAR)
    position = Text(required=True, validate=ma.validate.Length(max=200))
    unit = Text(required=True, validate=ma.validate.Length(max=64))
    education = Text(
        required=True,
        validate=ma.validate.Length(max=200),
        metadata={"description": "The qualification required"},
    )
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    quota = Integer(required=True, strict=True, validate=ma.validate.Range(min=1))


class FormationSchema(FormationCreateSchema):
    """A formation."""

    id = Integer(required=True)
    announced_at = ma.fields.DateTime(allow_none=True)
    announced_by = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class PublicFormationSchema(ma.Schema):
    """A formation as the public announcement shows it."""

    id = Integer()
    code = ma.fields.String()
    year = Integer()
    position = ma.fields.String()
    unit = ma.fields.String()
    education = ma.fields.String()
    category = ma.fields.String()
    quota = Integer()
    announced_at = ma.fields.DateTime()


class FormationQuerySchema(PageArgsSchema):
    year = Integer(**YEAR)
    unit = ma.fields.String()


class PassingGradeUpdateSchema(ma.Schema):
    """The minimum SKD scores of a category; a null (or absent) bound is not applied."""

    twk_min = _skd_field("twk", load_default=None, allow_none=True)
    tiu_min = _skd_field("tiu", load_default=None, allow_none=True)
    tkp_min = _skd_field("tkp", load_default=None, allow_none=True)
    total_min = Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(0, rules.SKD_MAX),
    )
    reason = Text(**REASON)


class PassingGradeSchema(ma.Schema):
    """The passing grade of a category in a selection year."""

    year = Integer()
    category = ma.fields.String()
    twk_min = Integer(allow_none=True)
    tiu_min = Integer(allow_none=True)
    tkp_min = Integer(allow_none=True)
    total_min = Integer(allow_none=True)
    source = ma.fields.String(metadata={"description": "configured, or the regulation"})


# -- applications ----------------------------------------------------------------------------


class ApplicationCreateSchema(ma.Schema):
    """An applicant's registration for a formation."""

    registration_number = Text(required=True, validate=ma.validate.Length(max=32))
    nik = ma.fields.String(
        required=True,
        load_only=True,
        validate=check(nik_problem),
        metadata={"description": "16 digits; kept private, never shown"},
    )
    name = Text(required=True, validate=ma.validate.Length(max=200))
    birth_date = ma.fields.Date(required=True)
    gender = ma.fields.String(required=True, validate=ma.validate.OneOf(("M", "F")))
    education = Text(required=True, validate=ma.validate.Length(max=200))
    gpa = Decimal(required=True, places=None, validate=check(rules.gpa_problem))


class ApplicationSchema(ma.Schema):
    """An application as admins and recruiters see it (the NIK masked)."""

    registration_number = ma.fields.String()
    formation_id = Integer()
    year = Integer()
    nik_masked = ma.fields.String()
    name = ma.fields.String()
    birth_date = ma.fields.Date()
    gender = ma.fields.String()
    education = ma.fields.String()
    gpa = Decimal()
    verification = ma.fields.String()
    verification_reason = ma.fields.String(allow_none=True)
    twk = Integer(allow_none=True)
    tiu = Integer(allow_none=True)
    tkp = Integer(allow_none=True)
    skd_total = Integer(allow_none=True)
    skb = Decimal(allow_none=True)
    withdrawn = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class RegisteredSchema(ApplicationSchema):
    """A new application with its appeal secret, shown this once and never again."""

    appeal_secret = ma.fields.String(
        metadata={"description": "Keep it: filing an appeal needs it; it is not stored"}
    )


class VerificationSchema(ma.Schema):
    """The administrative verification: MS, or TMS with the reason."""

    verification = ma.fields.String(required=True, validate=ma.validate.OneOf(("MS", "TMS")))
    reason = Text(validate=ma.validate.Length(max=500))


class SkdScoreSchema(ma.Schema):
    """An applicant's SKD scores (all three parts)."""

    twk = _skd_field("twk", required=True)
    tiu = _skd_field("tiu", required=True)
    tkp = _skd_field("tkp", required=True)
    reason = Text(**REASON)


class SkbScoreSchema(ma.Schema):
    """An applicant's SKB score."""

    skb = _skb_field(required=True)
    reason = Text(**REASON)


class UploadQuerySchema(ma.Schema):
    reason = Text(**REASON)


class UploadResultSchema(ma.Schema):
    """What a CSV upload stored."""

    rows = Integer()
    changed = Integer()
    unchanged = Integer()


class WithdrawalSchema(ma.Schema):
    """Why a selected applicant leaves (declined, did not report)."""

    reason = Text(required=True, validate=ma.validate.Length(max=500))


# -- ranking and announcement -----------------------------------------------------------------


class RankSummarySchema(ma.Schema):
    """How many applications ended with each outcome."""

    formations = Integer()
    outcomes = ma.fields.Dict(keys=ma.fields.String(), values=Integer())


class PublicResultSchema(ma.Schema):
    """One line of a public ranking list: never a NIK, a birth date or a secret."""

    registration_number = ma.fields.String()
    name = ma.fields.String()
    twk = Integer(allow_none=True)
    tiu = Integer(allow_none=True)
    tkp = Integer(allow_none=True)
    skd_total = Integer(allow_none=True)
    skb = Decimal(allow_none=True)
    final_score = Decimal(allow_none=True)
    rank = Integer(allow_none=True)
    outcome = ma.fields.String()
    optimised_into = ma.fields.String(
        allow_none=True, metadata={"description": "Code of the formation an OPTIMISED fills"}
    )


class ResultSchema(PublicResultSchema):
    """One line of the full ranking list (admins, recruiters)."""

    passed_grade = ma.fields.Boolean()
    shortlisted = ma.fields.Boolean()
    withdrawn = ma.fields.Boolean()
    ranked_at = ma.fields.DateTime()


class AnnouncementSchema(PageArgsSchema):
    """A page of the public announcement of a formation (best first), and how many in all."""

    formation = ma.fields.Nested(PublicFormationSchema)
    appeal_filing_closes = ma.fields.DateTime()
    items = ma.fields.List(ma.fields.Nested(PublicResultSchema))
    total = Integer()


# -- appeals -----------------------------------------------------------------------------------


class AppealFileSchema(ma.Schema):
    """An applicant's appeal: the registration number and the secret given at registration."""

    registration_number = Text(required=True, validate=ma.validate.Length(max=32))
    secret = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(min=1, max=200)
    )
    grounds = Text(required=True, validate=ma.validate.Length(max=2000))


class FiledAppealSchema(ma.Schema):
    """An appeal as its applicant sees it after filing."""

    registration_number = ma.fields.String()
    status = ma.fields.String()
    filed_at = ma.fields.DateTime()
    answer_due = ma.fields.DateTime()


class AppealLookupSchema(ma.Schema):
    """An applicant's registration number and secret (in the body, never in a URL)."""

    registration_number = Text(required=True, validate=ma.validate.Length(max=32))
    secret = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(min=1, max=200)
    )


class AppealStatusSchema(FiledAppealSchema):
    """An appeal as its applicant sees it: status, deadline and the decision once taken."""

    grounds = ma.fields.String()
    decided_at = ma.fields.DateTime(allow_none=True)
    decision = ma.fields.String(allow_none=True)


class CorrectionsSchema(ma.Schema):
    """What an accepted appeal corrects."""

    twk = _skd_field("twk")
    tiu = _skd_field("tiu")
    tkp = _skd_field("tkp")
    skb = _skb_field()
    verification = ma.fields.String(validate=ma.validate.OneOf(("MS", "TMS")))
    verification_reason = Text(validate=ma.validate.Length(max=500))


class AppealDecisionSchema(ma.Schema):
    """An admin's decision on an appeal."""

    status = ma.fields.String(required=True, validate=ma.validate.OneOf(("ACCEPTED", "REJECTED")))
    decision = Text(required=True, validate=ma.validate.Length(max=2000))
    corrections = ma.fields.Nested(CorrectionsSchema, load_default=dict)


class AppealSchema(FiledAppealSchema):
    """An appeal as admins see it."""

    formation_id = Integer()
    grounds = ma.fields.String()
    overdue = ma.fields.Boolean(
        metadata={"description": "Not answered, or answered, after the 7-day deadline"}
    )
    decided_at = ma.fields.DateTime(allow_none=True)
    decided_by = ma.fields.String(allow_none=True)
    decision = ma.fields.String(allow_none=True)


class AppealQuerySchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(("FILED", "ACCEPTED", "REJECTED")))


FormationPageSchema = page_schema(FormationSchema, "formations, by code")
AppealPageSchema = page_schema(AppealSchema, "appeals, oldest first")
ApplicationPageSchema = page_schema(ApplicationSchema, "the applications to a formation")
ResultPageSchema = page_schema(ResultSchema, "a formation's ranking list, best first")
