"""HTTP API of the yearly staff engagement survey (issue 16)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.views import endpoint
from chassis.web import reader, transaction
from services.feedback import engagement, rules
from services.feedback.report_api import now
from services.feedback.report_schemas import text

V = ma.validate

engagement_surveys = Blueprint(
    "engagement", __name__, url_prefix="/engagement-surveys", description="Staff engagement"
)


class EngagementOpenSchema(ma.Schema):
    unit = text(64)
    year = ma.fields.Integer(required=True, validate=V.Range(2000, 2100))
    questions = ma.fields.List(
        ma.fields.String(validate=V.Length(min=1, max=300)),
        required=True,
        validate=V.Length(min=1, max=20),
    )
    closes_on = ma.fields.Date(required=True)


class EngagementSurveySchema(ma.Schema):
    id = ma.fields.Integer()
    unit = ma.fields.String()
    year = ma.fields.Integer()
    questions = ma.fields.List(ma.fields.String())
    closes_on = ma.fields.Date()
    open = ma.fields.Boolean()


class EngagementAnswerSchema(ma.Schema):
    scores = ma.fields.List(
        ma.fields.Integer(validate=V.Range(*rules.ENGAGEMENT_SCALE)),
        required=True,
        validate=V.Length(min=1, max=20),
    )


class EngagementRecordedSchema(ma.Schema):
    survey_id = ma.fields.Integer()
    recorded = ma.fields.Boolean()


class EngagementResultsSchema(EngagementSurveySchema):
    respondents = ma.fields.Integer()
    minimum_group = ma.fields.Integer()
    withheld = ma.fields.Boolean(metadata={"description": "Fewer than ten respondents"})
    means = ma.fields.List(ma.fields.Float(), allow_none=True)
    overall = ma.fields.Float(allow_none=True)


@engagement_surveys.route("")
class EngagementSurveys(MethodView):
    @endpoint(
        engagement_surveys, 201, EngagementSurveySchema, roles=("admin",), body=EngagementOpenSchema
    )
    def post(self, data):
        """Open a unit's yearly engagement survey (admins)."""
        with transaction() as uow:
            return engagement.open_survey(uow, data, now())


@engagement_surveys.route("/<int:survey_id>/answers")
class EngagementAnswers(MethodView):
    @endpoint(
        engagement_surveys,
        201,
        EngagementRecordedSchema,
        roles=("employee",),
        body=EngagementAnswerSchema,
    )
    def post(self, data, survey_id):
        """Answer the unit's survey once (its ASN; stored apart from who answered)."""
        with transaction() as uow:
            return engagement.answer(uow, survey_id, data["scores"], now())


@engagement_surveys.route("/<int:survey_id>/results")
class EngagementResults(MethodView):
    @endpoint(engagement_surveys, 200, EngagementResultsSchema, roles=("admin", "officer"))
    def get(self, survey_id):
        """Respondents, and the means only for at least ten of them (admins, unit officers)."""
        return engagement.results(reader(), survey_id, now())


BLUEPRINTS = (engagement_surveys,)
