"""HTTP API of IKM surveys and public consultations."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.fields import Text
from chassis.views import endpoint
from chassis.web import reader, transaction
from contracts.feedback import IKM_ELEMENTS
from services.feedback import consultations, ikm
from services.feedback.report_api import now
from services.feedback.report_schemas import optional_text, text

V = ma.validate

surveys = Blueprint("ikm", __name__, url_prefix="/ikm", description="IKM surveys")
forums = Blueprint(
    "consultations", __name__, url_prefix="/consultations", description="Public consultation"
)


class SurveyOpenSchema(ma.Schema):
    unit = text(64)
    year = ma.fields.Integer(required=True, validate=V.Range(2000, 2100))
    period = ma.fields.String(required=True, validate=V.Regexp(r"^(ANNUAL|S[12]|Q[1-4])$"))
    population = ma.fields.Integer(
        required=True,
        validate=V.Range(1, 10_000_000),
        metadata={"description": "People the unit served in the period (for the sample size)"},
    )


class CodesSchema(ma.Schema):
    count = ma.fields.Integer(required=True, validate=V.Range(1, ikm.MAX_CODES_PER_CALL))


class CodesIssuedSchema(ma.Schema):
    survey_id = ma.fields.Integer()
    codes = ma.fields.List(ma.fields.String(), metadata={"description": "Shown this once"})


# One field per element of PermenPAN-RB 14/2017, in the contract's order and names.
IkmAnswersSchema = type(
    "IkmAnswersSchema",
    (ma.Schema,),
    {e: ma.fields.Integer(required=True, validate=V.Range(1, 4)) for e in IKM_ELEMENTS},
)


class AnswerSchema(ma.Schema):
    code = Text(required=True, validate=V.Length(max=32))
    answers = ma.fields.Nested(IkmAnswersSchema, required=True)
    age_band = ma.fields.String(
        load_default=None, validate=V.OneOf(("<20", "20-29", "30-39", "40-49", "50+"))
    )
    gender = ma.fields.String(load_default=None, validate=V.OneOf(("L", "P")))
    education = ma.fields.String(
        load_default=None, validate=V.OneOf(("SD", "SMP", "SMA", "D3", "S1", "S2", "S3"))
    )


class ResultSchema(ma.Schema):
    respondents = ma.fields.Integer()
    nrr = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())
    ikm = ma.fields.Float()
    category = ma.fields.String()
    quality = ma.fields.String()
    minimum_sample = ma.fields.Integer(metadata={"description": "Krejcie-Morgan"})
    sample_sufficient = ma.fields.Boolean()


class SurveySchema(ma.Schema):
    id = ma.fields.Integer()
    unit = ma.fields.String()
    year = ma.fields.Integer()
    period = ma.fields.String()
    population = ma.fields.Integer()
    status = ma.fields.String()
    opened_at = ma.fields.DateTime()
    published_at = ma.fields.DateTime(allow_none=True)
    result = ma.fields.Nested(ResultSchema, allow_none=True)


class OpenSurveySchema(ma.Schema):
    id = ma.fields.Integer()
    unit = ma.fields.String()
    year = ma.fields.Integer()
    period = ma.fields.String()


class UnitQuerySchema(ma.Schema):
    unit = optional_text(64)


class RecordedSchema(ma.Schema):
    survey_id = ma.fields.Integer()
    recorded = ma.fields.Boolean()


@surveys.route("/surveys")
class Surveys(MethodView):
    @endpoint(surveys, 201, SurveySchema, roles=("admin",), body=SurveyOpenSchema)
    def post(self, data):
        """Open a unit's survey for a period (admins); 409 when one exists."""
        with transaction() as uow:
            return ikm.open_survey(uow, data, now())

    @endpoint(surveys, 200, OpenSurveySchema(many=True), query=UnitQuerySchema)
    def get(self, args):
        """Surveys open for answers (public)."""
        return ikm.open_surveys(reader(), args["unit"])


@surveys.route("/surveys/<int:survey_id>")
class Survey(MethodView):
    @endpoint(surveys, 200, SurveySchema, roles=("admin", "officer"))
    def get(self, survey_id):
        """A survey with its live result."""
        return ikm.staff_view(reader(), survey_id)


@surveys.route("/surveys/<int:survey_id>/codes")
class Codes(MethodView):
    @endpoint(surveys, 201, CodesIssuedSchema, roles=("admin", "officer"), body=CodesSchema)
    def post(self, data, survey_id):
        """One-use respondent codes for the service counter, shown once."""
        with transaction() as uow:
            return ikm.issue_codes(uow, survey_id, data["count"])


@surveys.route("/surveys/<int:survey_id>/answers")
class Answers(MethodView):
    @endpoint(surveys, 201, RecordedSchema, body=AnswerSchema)
    def post(self, data, survey_id):
        """Answer the 9 elements (1-4) with a respondent code; a code answers once (409)."""
        with transaction() as uow:
            return ikm.answer(uow, survey_id, data, now())


@surveys.route("/surveys/<int:survey_id>/publish")
class Publish(MethodView):
    @endpoint(surveys, 200, SurveySchema, roles=("admin",))
    def post(self, survey_id):
        """Close the survey and publish its IKM (and `feedback.ikm.published`)."""
        with transaction() as uow:
            return ikm.publish(uow, survey_id, now())


@surveys.route("/results")
class Results(MethodView):
    @endpoint(surveys, 200, SurveySchema(many=True), query=UnitQuerySchema)
    def get(self, args):
        """Published IKM results per unit over time (public)."""
        return ikm.public_results(reader(), args["unit"])


# -- consultations ----------------------------------------------------------------------------


class ConsultationOpenSchema(ma.Schema):
    unit = text(64)
    title = text(200)
    draft = text(20000)
    audience = ma.fields.String(
        load_default="PUBLIC",
        validate=V.OneOf(consultations.AUDIENCES),
        metadata={"description": "PUBLIC, or STAFF: signed-in ASN only, never named"},
    )
    closes_on = ma.fields.Date(required=True)


class CommentInSchema(ma.Schema):
    name = optional_text(100)
    body = text(3000)
    reply_to = ma.fields.Integer(load_default=None, validate=V.Range(1, 2**31 - 1))
    website = ma.fields.String(load_default=None, validate=V.Length(max=200))


class CommentSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(allow_none=True)
    body = ma.fields.String()
    posted_at = ma.fields.DateTime()
    hidden = ma.fields.Boolean()
    replies = ma.fields.List(ma.fields.Nested(lambda: CommentSchema()))


class ConsultationHeadSchema(ma.Schema):
    id = ma.fields.Integer()
    unit = ma.fields.String()
    title = ma.fields.String()
    draft = ma.fields.String()
    audience = ma.fields.String()
    closes_on = ma.fields.Date()
    open = ma.fields.Boolean()
    summary = ma.fields.String(allow_none=True)
    summary_at = ma.fields.DateTime(allow_none=True)


class ConsultationSchema(ConsultationHeadSchema):
    comments = ma.fields.List(ma.fields.Nested(CommentSchema))


class PostedSchema(ma.Schema):
    id = ma.fields.Integer()
    reply_to = ma.fields.Integer(allow_none=True)
    posted_at = ma.fields.DateTime()


class ModerateSchema(ma.Schema):
    hidden = ma.fields.Boolean(required=True)
    reason = text(500)


class SummarySchema(ma.Schema):
    summary = text(20000)


class FlaggedSchema(ma.Schema):
    id = ma.fields.Integer()
    flagged = ma.fields.Boolean()


class ModeratedSchema(ma.Schema):
    id = ma.fields.Integer()
    hidden = ma.fields.Boolean()


class ModerationLogSchema(ma.Schema):
    moderations = ma.fields.List(ma.fields.Dict())
    flagged = ma.fields.List(ma.fields.Dict())


@forums.route("")
class Consultations(MethodView):
    @endpoint(
        forums, 201, ConsultationSchema, roles=("admin", "officer"), body=ConsultationOpenSchema
    )
    def post(self, data):
        """A unit opens a consultation (its officer, or an admin)."""
        with transaction() as uow:
            return consultations.open_consultation(uow, data, now())

    @endpoint(forums, 200, ConsultationHeadSchema(many=True), query=UnitQuerySchema)
    def get(self, args):
        """Consultations, newest first (public)."""
        return consultations.listing(reader(), args["unit"], now())


@forums.route("/<int:consultation_id>")
class ConsultationView(MethodView):
    @endpoint(forums, 200, ConsultationSchema)
    def get(self, consultation_id):
        """A consultation with its comment threads (public)."""
        return consultations.view(reader(), consultation_id, now())


@forums.route("/<int:consultation_id>/comments")
class Comments(MethodView):
    @endpoint(forums, 201, PostedSchema, body=CommentInSchema)
    def post(self, data, consultation_id):
        """Comment or reply, no account (name optional)."""
        with transaction() as uow:
            return consultations.comment(uow, consultation_id, data, now())


@forums.route("/<int:consultation_id>/comments/<int:comment_id>/flag")
class Flag(MethodView):
    @endpoint(forums, 200, FlaggedSchema)
    def post(self, consultation_id, comment_id):
        """Flag a comment for the moderators (public)."""
        with transaction() as uow:
            return consultations.flag(uow, consultation_id, comment_id)


@forums.route("/<int:consultation_id>/comments/<int:comment_id>/moderation")
class Moderate(MethodView):
    @endpoint(forums, 200, ModeratedSchema, roles=("admin", "officer"), body=ModerateSchema)
    def post(self, data, consultation_id, comment_id):
        """Hide (or show again) a comment, with the reason."""
        with transaction() as uow:
            return consultations.moderate(
                uow, consultation_id, comment_id, data["hidden"], data["reason"], now()
            )


@forums.route("/<int:consultation_id>/moderation")
class ModerationLog(MethodView):
    @endpoint(forums, 200, ModerationLogSchema, roles=("admin", "officer"))
    def get(self, consultation_id):
        """The audit list of moderation, and the flagged comments."""
        return consultations.moderation_log(reader(), consultation_id)


@forums.route("/<int:consultation_id>/summary")
class Summary(MethodView):
    @endpoint(forums, 200, ConsultationSchema, roles=("admin", "officer"), body=SummarySchema)
    def post(self, data, consultation_id):
        """The unit's response summary, after the closing date."""
        with transaction() as uow:
            return consultations.summarize(uow, consultation_id, data["summary"], now())


BLUEPRINTS = (surveys, forums)
