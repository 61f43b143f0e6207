"""HTTP API of the CPNS selection: formations, applications, scores, ranking, announcement.

Appeals, optimisation, appointment and the audit trail are in `api_after.py`. Views validate,
call the workflow modules and commit; a refused request changes nothing.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.db import request_session
from chassis.errors import Unprocessable
from chassis.jobs_api import JOB_PARAMETERS, accepted, may_start_job, wants_job
from services.recruitment import jobs
from services.recruitment.selection import applications, formations, results, scores
from services.recruitment.selection import schemas as s
from services.recruitment.selection.api_after import after_blp, appeals_blp

MANAGERS = ("admin", "recruiter")
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "A CSV file with a header line; every row is checked, none is stored "
        "unless all are valid.",
    }
}

formations_blp = Blueprint(
    "selection-formations",
    __name__,
    url_prefix="/formations",
    description="CPNS selection: formations, applicants, ranking and the public announcement",
)
applications_blp = Blueprint(
    "selection-applications",
    __name__,
    url_prefix="/applications",
    description="CPNS selection: verification and scores of one application",
)
years_blp = Blueprint(
    "selection-years",
    __name__,
    url_prefix="/selection",
    description="CPNS selection per year: passing grades, score uploads, ranking",
)


# -- formations ------------------------------------------------------------------------------


@formations_blp.route("")
class FormationsView(MethodView):
    @roles_required(*MANAGERS)
    @formations_blp.arguments(s.FormationCreateSchema)
    @formations_blp.response(201, s.FormationSchema)
    @formations_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict):
        """Create a formation (admins, recruiters)."""
        session = request_session()
        formation = formations.create(session, values)
        session.commit()
        return formation

    @roles_required(*MANAGERS)
    @formations_blp.arguments(s.FormationQuerySchema, location="query")
    @formations_blp.response(200, s.FormationPageSchema)
    def get(self, query: dict):
        """A page of formations, optionally of one year and unit (admins, recruiters)."""
        return formations.search(request_session(), **query)


@formations_blp.route("/<int:formation_id>")
class FormationView(MethodView):
    @roles_required(*MANAGERS)
    @formations_blp.response(200, s.FormationSchema)
    @formations_blp.alt_response(404, response="NOT_FOUND")
    def get(self, formation_id: int):
        """One formation (admins, recruiters)."""
        return formations.get(request_session(), formation_id)


@formations_blp.route("/<int:formation_id>/applications")
class FormationApplicationsView(MethodView):
    @roles_required(*MANAGERS)
    @formations_blp.arguments(s.ApplicationCreateSchema)
    @formations_blp.response(201, s.RegisteredSchema)
    @formations_blp.alt_response(404, response="NOT_FOUND")
    @formations_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict, formation_id: int):
        """Register an applicant (admins, recruiters); the appeal secret is shown only here."""
        session = request_session()
        application, secret = applications.register(session, formation_id, values)
        session.commit()
        return {**applications.view(application), "appeal_secret": secret}

    @roles_required(*MANAGERS)
    @formations_blp.arguments(s.PageArgsSchema, location="query")
    @formations_blp.response(200, s.ApplicationPageSchema)
    @formations_blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, formation_id: int):
        """A page of the applications to a formation, NIK masked (admins, recruiters)."""
        return applications.of_formation(request_session(), formation_id, **args)


@formations_blp.route("/<int:formation_id>/rank")
class FormationRankView(MethodView):
    @roles_required(*MANAGERS)
    @formations_blp.response(200, s.RankSummarySchema)
    @formations_blp.alt_response(409, response="CONFLICT")
    def post(self, formation_id: int):
        """Rank one formation not yet announced (admins, recruiters)."""
        session = request_session()
        summary = results.rank_formation(session, formation_id)
        session.commit()
        return summary


@formations_blp.route("/<int:formation_id>/ranking")
class FormationRankingView(MethodView):
    @roles_required(*MANAGERS)
    @formations_blp.arguments(s.PageArgsSchema, location="query")
    @formations_blp.response(200, s.ResultPageSchema)
    @formations_blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, formation_id: int):
        """A page of the full ranking list of a formation, best first (admins, recruiters)."""
        return results.ranking_list(request_session(), formation_id, **args)


@formations_blp.route("/<int:formation_id>/announce")
class FormationAnnounceView(MethodView):
    @roles_required("admin")
    @formations_blp.response(200, s.FormationSchema)
    @formations_blp.alt_response(409, response="CONFLICT")
    def post(self, formation_id: int):
        """Rank and announce a formation (admins): its results freeze, appeals open."""
        session = request_session()
        formation = formations.announce(session, formation_id)
        session.commit()
        return formation


@formations_blp.route("/<int:formation_id>/announcement")
class FormationAnnouncementView(MethodView):
    @formations_blp.arguments(s.PageArgsSchema, location="query")
    @formations_blp.response(200, s.AnnouncementSchema)
    @formations_blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, formation_id: int):
        """A page of the public announcement of a formation (no login; 404 before it)."""
        return results.announcement(request_session(), formation_id, **args)


# -- one application ---------------------------------------------------------------------------


@applications_blp.route("/<registration_number>")
class ApplicationView(MethodView):
    @roles_required(*MANAGERS)
    @applications_blp.response(200, s.ApplicationSchema)
    @applications_blp.alt_response(404, response="NOT_FOUND")
    def get(self, registration_number: str):
        """One application, NIK masked (admins, recruiters)."""
        return applications.view(applications.get(request_session(), registration_number))


@applications_blp.route("/<registration_number>/verification")
class VerificationView(MethodView):
    @roles_required(*MANAGERS)
    @applications_blp.arguments(s.VerificationSchema)
    @applications_blp.response(200, s.ApplicationSchema)
    @applications_blp.alt_response(409, response="CONFLICT")
    def put(self, values: dict, registration_number: str):
        """Administrative verification: MS, or TMS with the reason (audited)."""
        session = request_session()
        application = applications.verify(
            session, registration_number, values["verification"], values.get("reason")
        )
        session.commit()
        return applications.view(application)


def _enter_scores(registration_number: str, values: dict) -> dict:
    session = request_session()
    reason = values.pop("reason", None)
    application = scores.enter(session, registration_number, values, reason)
    session.commit()
    return applications.view(application)


@applications_blp.route("/<registration_number>/skd")
class SkdView(MethodView):
    @roles_required(*MANAGERS)
    @applications_blp.arguments(s.SkdScoreSchema)
    @applications_blp.response(200, s.ApplicationSchema)
    @applications_blp.alt_response(409, response="CONFLICT")
    def put(self, values: dict, registration_number: str):
        """Enter or correct an applicant's SKD scores (audited; a change needs a reason)."""
        return _enter_scores(registration_number, values)


@applications_blp.route("/<registration_number>/skb")
class SkbView(MethodView):
    @roles_required(*MANAGERS)
    @applications_blp.arguments(s.SkbScoreSchema)
    @applications_blp.response(200, s.ApplicationSchema)
    @applications_blp.alt_response(409, response="CONFLICT")
    def put(self, values: dict, registration_number: str):
        """Enter or correct an applicant's SKB score (audited; a change needs a reason)."""
        return _enter_scores(registration_number, values)


@applications_blp.route("/<registration_number>/withdraw")
class WithdrawView(MethodView):
    @roles_required("admin")
    @applications_blp.arguments(s.WithdrawalSchema)
    @applications_blp.response(200, s.ApplicationSchema)
    @applications_blp.alt_response(409, response="CONFLICT")
    def post(self, values: dict, registration_number: str):
        """Withdraw a selected applicant (admins): their post becomes empty (audited)."""
        session = request_session()
        application = applications.withdraw(session, registration_number, values["reason"])
        session.commit()
        return applications.view(application)


# -- per selection year ----------------------------------------------------------------------


@years_blp.route("/<int:year>/passing-grades")
class PassingGradesView(MethodView):
    @roles_required(*MANAGERS)
    @years_blp.response(200, s.PassingGradeSchema(many=True))
    def get(self, year: int):
        """The passing grades of every category in a year (admins, recruiters)."""
        return formations.passing_grades(request_session(), year)


@years_blp.route("/<int:year>/passing-grades/<category>")
class PassingGradeView(MethodView):
    @roles_required("admin")
    @years_blp.arguments(s.PassingGradeUpdateSchema)
    @years_blp.response(200, s.PassingGradeSchema)
    @years_blp.alt_response(409, response="CONFLICT")
    def put(self, values: dict, year: int, category: str):
        """Configure the passing grade of a category for a year (admins; audited)."""
        if category not in s.CATEGORIES:
            raise Unprocessable.field("category", f"One of {', '.join(s.CATEGORIES)}.", "path")
        session = request_session()
        reason = values.pop("reason", None)
        grade = formations.set_passing_grade(session, year, category, values, reason)
        session.commit()
        return grade


def _upload(year: int, query: dict, header: tuple[str, ...]) -> dict:
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable.field("csv", "The file must be UTF-8 text.", "body") from None
    session = request_session()
    stored = scores.upload(session, year, text, header, query.get("reason"))
    session.commit()
    return stored


@years_blp.route("/<int:year>/skd-scores")
class SkdUploadView(MethodView):
    @roles_required(*MANAGERS)
    @years_blp.arguments(s.UploadQuerySchema, location="query")
    @years_blp.doc(**CSV_BODY)
    @years_blp.response(200, s.UploadResultSchema)
    def post(self, query: dict, year: int):
        """Upload SKD scores as CSV: registration_number,twk,tiu,tkp (all rows or none)."""
        return _upload(year, query, scores.SKD_HEADER)


@years_blp.route("/<int:year>/skb-scores")
class SkbUploadView(MethodView):
    @roles_required(*MANAGERS)
    @years_blp.arguments(s.UploadQuerySchema, location="query")
    @years_blp.doc(**CSV_BODY)
    @years_blp.response(200, s.UploadResultSchema)
    def post(self, query: dict, year: int):
        """Upload SKB scores as CSV: registration_number,skb (all rows or none)."""
        return _upload(year, query, scores.SKB_HEADER)


@years_blp.route("/<int:year>/rank", parameters=JOB_PARAMETERS)
class RankYearView(MethodView):
    @roles_required(*MANAGERS)
    @years_blp.response(200, s.RankSummarySchema)
    @may_start_job(years_blp, "`async=true`, or a year of more than 20,000 applications")
    @years_blp.alt_response(409, response="CONFLICT")
    def post(self, year: int):
        """Rank every formation of a year not yet announced (admins, recruiters)."""
        session = request_session()
        if jobs.year_job(session, year, wants_job()):
            return accepted(jobs.RANK_YEAR, {"year": year}, MANAGERS)
        summary = results.rank_year(session, year)
        session.commit()
        return summary


BLUEPRINTS = (formations_blp, applications_blp, years_blp, appeals_blp, after_blp)
