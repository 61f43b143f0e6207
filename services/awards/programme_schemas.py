"""Request and response schemas of programmes, nominations, scores and Satyalancana."""

from __future__ import annotations

import marshmallow as ma

from chassis.fields import Text, check
from contracts.identifiers import nip_problem

CODE = {
    "validate": ma.validate.Regexp(
        r"^[A-Z][A-Z0-9_]{0,31}$", error="A code is 1-32 capitals, digits or _ (e.g. INOVASI)."
    )
}
YEAR = {"validate": ma.validate.Range(min=1950, max=2200)}
RUPIAH = {"validate": ma.validate.Range(min=0, max=10**13), "metadata": {"description": "Rupiah"}}
NIP = {"validate": check(nip_problem)}


class CategoryInSchema(ma.Schema):
    code = ma.fields.String(required=True, **CODE)
    name = Text(required=True, validate=ma.validate.Length(max=200))
    quota = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=1000))
    incentive_amount = ma.fields.Integer(required=True, **RUPIAH)
    self_nomination = ma.fields.Boolean(load_default=False)


class CriterionInSchema(ma.Schema):
    code = ma.fields.String(required=True, **CODE)
    name = Text(required=True, validate=ma.validate.Length(max=200))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=1000))
    weight = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=1, max=100),
        metadata={"description": "Percent; a programme's weights add up to 100"},
    )


class TimelineSchema(ma.Schema):
    """The timeline: WIT calendar days, both ends included, each on or after the one before."""

    nominations_open = ma.fields.Date(required=True)
    nominations_close = ma.fields.Date(required=True)
    scoring_open = ma.fields.Date(required=True)
    scoring_close = ma.fields.Date(required=True)
    decision_on = ma.fields.Date(required=True)
    announcement_on = ma.fields.Date(required=True)


class TimelinePatchSchema(ma.Schema):
    """Dates to move; those left out stay."""

    nominations_open = ma.fields.Date()
    nominations_close = ma.fields.Date()
    scoring_open = ma.fields.Date()
    scoring_close = ma.fields.Date()
    decision_on = ma.fields.Date()
    announcement_on = ma.fields.Date()


class ProgrammeInSchema(TimelineSchema):
    year = ma.fields.Integer(
        required=True, metadata={"description": "The performance year rewarded"}, **YEAR
    )
    title = Text(required=True, validate=ma.validate.Length(max=200))
    total_budget = ma.fields.Integer(required=True, **RUPIAH)
    min_scorers = ma.fields.Integer(
        load_default=3,
        validate=ma.validate.Range(min=1, max=50),
        metadata={"description": "Score sheets a nomination needs to be ranked"},
    )
    categories = ma.fields.List(
        ma.fields.Nested(CategoryInSchema), required=True, validate=ma.validate.Length(1, 20)
    )
    criteria = ma.fields.List(
        ma.fields.Nested(CriterionInSchema), required=True, validate=ma.validate.Length(1, 20)
    )


class CategorySchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    quota = ma.fields.Integer(required=True)
    incentive_amount = ma.fields.Integer(required=True)
    self_nomination = ma.fields.Boolean(required=True)


class CriterionSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    weight = ma.fields.Integer(required=True)


class ProgrammeSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "SB-2024"})
    year = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    total_budget = ma.fields.Integer(required=True)
    min_scorers = ma.fields.Integer(required=True)
    nominations_open = ma.fields.Date(required=True)
    nominations_close = ma.fields.Date(required=True)
    scoring_open = ma.fields.Date(required=True)
    scoring_close = ma.fields.Date(required=True)
    decision_on = ma.fields.Date(required=True)
    announcement_on = ma.fields.Date(required=True)
    categories = ma.fields.List(ma.fields.Nested(CategorySchema), required=True)
    criteria = ma.fields.List(ma.fields.Nested(CriterionSchema), required=True)
    decided_at = ma.fields.DateTime(allow_none=True)


class EvidenceSchema(ma.Schema):
    title = Text(required=True, validate=ma.validate.Length(max=200))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=1000))
    url = ma.fields.Url(load_default=None, allow_none=True, validate=ma.validate.Length(max=500))


class NominationInSchema(ma.Schema):
    category = ma.fields.String(required=True, **CODE)
    nip = ma.fields.String(required=True, **NIP)
    statement = Text(required=True, validate=ma.validate.Length(max=4000))
    evidence = ma.fields.List(
        ma.fields.Nested(EvidenceSchema), load_default=list, validate=ma.validate.Length(max=20)
    )


class CommendationSchema(ma.Schema):
    recorded_on = ma.fields.Date(required=True)
    unit = ma.fields.String(required=True)


class NominationSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    programme_id = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    nominated_by = ma.fields.String(required=True)
    self_nominated = ma.fields.Boolean(required=True)
    submitted_at = ma.fields.DateTime(required=True)
    commendation_count = ma.fields.Integer()
    my_status = ma.fields.String(
        allow_none=True,
        metadata={"description": "For a committee member: SCORED, RECUSED or TO_SCORE"},
    )
    my_recusal = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "Why the member may not score: IS_NOMINEE, NOMINATED_THEM, "
            "SUPERVISION_CHAIN, SAME_UNIT or DECLARED"
        },
    )


class NominationSchema(NominationSummarySchema):
    statement = ma.fields.String(required=True)
    evidence = ma.fields.List(ma.fields.Nested(EvidenceSchema), required=True)
    commendations = ma.fields.List(ma.fields.Nested(CommendationSchema), required=True)


class NominationQuerySchema(ma.Schema):
    category = ma.fields.String(load_default=None, **CODE)


class ScoresInSchema(ma.Schema):
    scores = ma.fields.Dict(
        keys=ma.fields.String(**CODE),
        values=ma.fields.Float(validate=ma.validate.Range(min=0, max=100)),
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "Criterion code -> score on 0-100"},
    )
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=1000))


class SpreadSchema(ma.Schema):
    min = ma.fields.Float(allow_none=True)
    max = ma.fields.Float(allow_none=True)
    stdev = ma.fields.Float(allow_none=True, metadata={"description": "Population stdev"})


class AggregateSchema(ma.Schema):
    nomination_id = ma.fields.Integer(required=True)
    category = ma.fields.String(required=True)
    scorers = ma.fields.Integer(required=True)
    score = ma.fields.Float(allow_none=True, metadata={"description": "Weighted, 0-100"})
    spread = ma.fields.Nested(SpreadSchema, required=True)
    criteria = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)
    rank = ma.fields.Integer(allow_none=True)


class SheetSchema(ma.Schema):
    member = ma.fields.String(required=True)
    scores = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)
    total = ma.fields.Float(required=True)
    note = ma.fields.String(allow_none=True)
    submitted_at = ma.fields.DateTime()


class ScoresSchema(ma.Schema):
    nomination_id = ma.fields.Integer(required=True)
    sheets = ma.fields.List(ma.fields.Nested(SheetSchema), required=True)
    aggregate = ma.fields.Nested(AggregateSchema, required=True)


class RecusalSchema(ma.Schema):
    nomination_id = ma.fields.Integer(required=True)
    member = ma.fields.String(required=True)
    status = ma.fields.String(required=True)


class CategoryRankingSchema(ma.Schema):
    category = ma.fields.String(required=True)
    ranked = ma.fields.List(ma.fields.Nested(AggregateSchema), required=True)
    unranked = ma.fields.List(
        ma.fields.Nested(AggregateSchema),
        required=True,
        metadata={"description": "Too few score sheets to rank"},
    )
    ineligible = ma.fields.List(
        ma.fields.Nested(AggregateSchema),
        required=True,
        metadata={"description": "No longer eligible (a complaint or sanction since)"},
    )


class RankingSchema(ma.Schema):
    programme_id = ma.fields.String(required=True)
    categories = ma.fields.List(ma.fields.Nested(CategoryRankingSchema), required=True)


class DecisionInSchema(ma.Schema):
    awards = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1)),
        required=True,
        validate=ma.validate.Length(max=1000),
        metadata={"description": "The nominations awarded, each its category's best-ranked"},
    )


class GrantSchema(ma.Schema):
    grant_id = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    category = ma.fields.String(allow_none=True)
    amount = ma.fields.Integer(required=True)
    rank = ma.fields.Integer(allow_none=True)
    score = ma.fields.Float(allow_none=True)
    granted_on = ma.fields.Date(required=True)
    revoked_on = ma.fields.Date(allow_none=True)
    revocation_reason = ma.fields.String(allow_none=True)


class ResultSchema(AggregateSchema):
    nip = ma.fields.String(required=True)
    awarded = ma.fields.Boolean(required=True)
    sheets = ma.fields.List(ma.fields.Nested(SheetSchema), required=True)


class DecisionSchema(ma.Schema):
    programme_id = ma.fields.String(required=True)
    decided_at = ma.fields.DateTime(required=True)
    decided_by = ma.fields.String(required=True)
    total_amount = ma.fields.Integer(required=True)
    grants = ma.fields.List(ma.fields.Nested(GrantSchema), required=True)
    results = ma.fields.List(ma.fields.Nested(ResultSchema), required=True)


class AwardeeSchema(ma.Schema):
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    rank = ma.fields.Integer(allow_none=True)
    score = ma.fields.Float(allow_none=True)
    scorers = ma.fields.Integer(allow_none=True)
    criteria = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())


class PublicCategorySchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    quota = ma.fields.Integer(required=True)
    incentive_amount = ma.fields.Integer(required=True)
    awardees = ma.fields.List(ma.fields.Nested(AwardeeSchema), required=True)


class PublicUnitSchema(ma.Schema):
    unit = ma.fields.String(required=True)
    awardees = ma.fields.List(ma.fields.Nested(AwardeeSchema), required=True)


class PublicListSchema(ma.Schema):
    year = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    announced_on = ma.fields.Date(required=True)
    criteria = ma.fields.List(ma.fields.Nested(CriterionSchema), required=True)
    categories = ma.fields.List(ma.fields.Nested(PublicCategorySchema), required=True)
    units = ma.fields.List(ma.fields.Nested(PublicUnitSchema), required=True)


# -- Satyalancana ---------------------------------------------------------------------------


class SatyalancanaQuerySchema(ma.Schema):
    on = ma.fields.Date(
        load_default=None,
        metadata={"description": "Day service is counted to (in the year); 17 August if absent"},
    )


class ExportQuerySchema(SatyalancanaQuerySchema):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(["csv", "xlsx"]))
    unit = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=64))
    include = ma.fields.String(
        load_default="proposed",
        validate=ma.validate.OneOf(["proposed", "excluded", "all"]),
        metadata={"description": "CSV rows: the proposed, the excluded, or all (XLSX has both)"},
    )


class ServiceReasonSchema(ma.Schema):
    """Why an employee is or is not proposed."""

    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class SatyalancanaRowSchema(ma.Schema):
    nip = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    tmt_cpns = ma.fields.Date(required=True)
    award_class = ma.fields.String(allow_none=True, data_key="class")
    years = ma.fields.Integer(required=True)
    counted_from = ma.fields.Date(allow_none=True)
    holds = ma.fields.List(ma.fields.String(), required=True)
    reasons = ma.fields.List(ma.fields.Nested(ServiceReasonSchema), required=True)


class SatyalancanaUnitSchema(ma.Schema):
    year = ma.fields.Integer(required=True)
    on = ma.fields.Date(required=True)
    restart = ma.fields.Boolean(required=True)
    unit = ma.fields.String(required=True)
    proposed = ma.fields.List(ma.fields.Nested(SatyalancanaRowSchema), required=True)
    excluded = ma.fields.List(ma.fields.Nested(SatyalancanaRowSchema), required=True)


class UnitCountSchema(ma.Schema):
    unit = ma.fields.String(required=True)
    proposed = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    excluded = ma.fields.Integer(required=True)


class SatyalancanaSummarySchema(ma.Schema):
    year = ma.fields.Integer(required=True)
    on = ma.fields.Date(required=True)
    restart = ma.fields.Boolean(required=True)
    units = ma.fields.List(ma.fields.Nested(UnitCountSchema), required=True)


class ClassInSchema(ma.Schema):
    nip = ma.fields.String(required=True, **NIP)
    award_class = ma.fields.String(
        required=True, data_key="class", validate=ma.validate.OneOf(["X", "XX", "XXX"])
    )
    granted_on = ma.fields.Date(required=True)


class ClassSchema(ma.Schema):
    grant_id = ma.fields.String(required=True)
    nip = ma.fields.String(required=True)
    award_class = ma.fields.String(required=True, data_key="class")
    granted_on = ma.fields.Date(required=True)
