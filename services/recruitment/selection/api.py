"""HTTP API of the CPNS selection: formations, applications, scores, ranking, announcement.

Appeals are in `api_appeals.py`; the year's end (optimisation, appointment, audit trail) in
`api_year_end.py`. Views validate and hand the request's unit of work to the workflows; it
commits once, and a refused request changes nothing.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.errors import Unprocessable
from chassis.jobs_api import JOB_PARAMETERS, accepted, may_start_job, wants_job
from chassis.views import endpoint
from chassis.web import reader, transaction
from services.recruitment import jobs
from services.recruitment.selection import applications, formations, results, scores
from services.recruitment.selection import schemas as s
from services.recruitment.selection.api_appeals import appeals_blp
from services.recruitment.selection.api_year_end import after_blp

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
    @endpoint(
        formations_blp,
        201,
        s.FormationSchema,
        roles=MANAGERS,
        body=s.FormationCreateSchema,
        errors=(409,),
    )
    def post(self, values: dict):
        """Create a formation (admins, recruiters)."""
        with transaction() as uow:
            return formations.create(uow, values)

    @endpoint(
        formations_blp, 200, s.FormationPageSchema, roles=MANAGERS, query=s.FormationQuerySchema
    )
    def get(self, query: dict):
        """A page of formations, optionally of one year and unit (admins, recruiters)."""
        return formations.search(reader().session, **query)


@formations_blp.route("/<int:formation_id>")
class FormationView(MethodView):
    @endpoint(formations_blp, 200, s.FormationSchema, roles=MANAGERS, errors=(404,))
    def get(self, formation_id: int):
        """One formation (admins, recruiters)."""
        return formations.get(reader().session, formation_id)


@formations_blp.route("/<int:formation_id>/applications")
class FormationApplicationsView(MethodView):
    @endpoint(
        formations_blp,
        201,
        s.RegisteredSchema,
        roles=MANAGERS,
        body=s.ApplicationCreateSchema,
        errors=(404, 409),
    )
    def post(self, values: dict, formation_id: int):
        """Register an applicant (admins, recruiters); the appeal secret is shown only here."""
        with transaction() as uow:
            application, secret = applications.register(uow, formation_id, values)
            return {**applications.view(application), "appeal_secret": secret}

    @endpoint(
        formations_blp,
        200,
        s.ApplicationPageSchema,
        roles=MANAGERS,
        query=s.PageArgsSchema,
        errors=(404,),
    )
    def get(self, args: dict, formation_id: int):
        """A page of the applications to a formation, NIK masked (admins, recruiters)."""
        return applications.of_formation(reader().session, formation_id, **args)


@formations_blp.route("/<int:formation_id>/rank")
class FormationRankView(MethodView):
    @endpoint(formations_blp, 200, s.RankSummarySchema, roles=MANAGERS, errors=(409,))
    def post(self, formation_id: int):
        """Rank one formation not yet announced (admins, recruiters)."""
        with transaction() as uow:
            return results.rank_formation(uow, formation_id)


@formations_blp.route("/<int:formation_id>/ranking")
class FormationRankingView(MethodView):
    @endpoint(
        formations_blp,
        200,
        s.ResultPageSchema,
        roles=MANAGERS,
        query=s.PageArgsSchema,
        errors=(404,),
    )
    def get(self, args: dict, formation_id: int):
        """A page of the full ranking list of a formation, best first (admins, recruiters)."""
        return results.ranking_list(reader().session, formation_id, **args)


@formations_blp.route("/<int:formation_id>/announce")
class FormationAnnounceView(MethodView):
    @endpoint(formations_blp, 200, s.FormationSchema, roles=("admin",), errors=(409,))
    def post(self, formation_id: int):
        """Rank and announce a formation (admins): its results freeze, appeals open."""
        with transaction() as uow:
            return formations.announce(uow, formation_id)


@formations_blp.route("/<int:formation_id>/announcement")
class FormationAnnouncementView(MethodView):
    @endpoint(formations_blp, 200, s.AnnouncementSchema, query=s.PageArgsSchema, errors=(404,))
    def get(self, args: dict, formation_id: int):
        """A page of the public announcement of a formation (no login; 404 before it)."""
        return results.announcement(reader().session, formation_id, **args)


# -- one application ---------------------------------------------------------------------------


@applications_blp.route("/<registration_number>")
class ApplicationView(MethodView):
    @endpoint(applications_blp, 200, s.ApplicationSchema, roles=MANAGERS, errors=(404,))
    def get(self, registration_number: str):
        """One application, NIK masked (admins, recruiters)."""
        return applications.view(applications.get(reader().session, registration_number))


@applications_blp.route("/<registration_number>/verification")
class VerificationView(MethodView):
    @endpoint(
        applications_blp,
        200,
        s.ApplicationSchema,
        roles=MANAGERS,
        body=s.VerificationSchema,
        errors=(409,),
    )
    def put(self, values: dict, registration_number: str):
        """Administrative verification: MS, or TMS with the reason (audited)."""
        with transaction() as uow:
            application = applications.verify(
                uow, registration_number, values["verification"], values.get("reason")
            )
            return applications.view(application)


def _enter_scores(registration_number: str, values: dict) -> dict:
    reason = values.pop("reason", None)
    with transaction() as uow:
        application = scores.enter(uow, registration_number, values, reason)
        return applications.view(application)


@applications_blp.route("/<registration_number>/skd")
class SkdView(MethodView):
    @endpoint(
        applications_blp,
        200,
        s.ApplicationSchema,
        roles=MANAGERS,
        body=s.SkdScoreSchema,
        errors=(409,),
    )
    def put(self, values: dict, registration_number: str):
        """Enter or correct an applicant's SKD scores (audited; a change needs a reason)."""
        return _enter_scores(registration_number, values)


@applications_blp.route("/<registration_number>/skb")
class SkbView(MethodView):
    @endpoint(
        applications_blp,
        200,
        s.ApplicationSchema,
        roles=MANAGERS,
        body=s.SkbScoreSchema,
        errors=(409,),
    )
    def put(self, values: dict, registration_number: str):
        """Enter or correct an applicant's SKB score (audited; a change needs a reason)."""
        return _enter_scores(registration_number, values)


@applications_blp.route("/<registration_number>/withdraw")
class WithdrawView(MethodView):
    @endpoint(
        applications_blp,
        200,
        s.ApplicationSchema,
        roles=("admin",),
        body=s.WithdrawalSchema,
        errors=(409,),
    )
    def post(self, values: dict, registration_number: str):
        """Withdraw a selected applicant (admins): their post becomes empty (audited)."""
        with transaction() as uow:
            application = applications.withdraw(uow, registration_number, values["reason"])
            return applications.view(application)


# -- per selection year ----------------------------------------------------------------------


@years_blp.route("/<int:year>/passing-grades")
class PassingGradesView(MethodView):
    @endpoint(years_blp, 200, s.PassingGradeSchema(many=True), roles=MANAGERS)
    def get(self, year: int):
        """The passing grades of every category in a year (admins, recruiters)."""
        return formations.passing_grades(reader().session, year)


@years_blp.route("/<int:year>/passing-grades/<category>")
class PassingGradeView(MethodView):
    @endpoint(
        years_blp,
        200,
        s.PassingGradeSchema,
        roles=("admin",),
        body=s.PassingGradeUpdateSchema,
        errors=(409,),
    )
    def put(self, values: dict, year: int, category: str):
        """Configure the passing grade of a category for a year (admins; audited)."""
        if category not in s.CATEGORIES:
            raise Unprocessable.field("category", f"One of {', '.join(s.CATEGORIES)}.", "path")
        reason = values.pop("reason", None)
        with transaction() as uow:
            return formations.set_passing_grade(uow, year, category, values, reason)


def _upload(year: int, query: dict, header: tuple[str, ...]) -> dict:
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable.field("csv", "The file must be UTF-8 text.", "body") from None
    with transaction() as uow:
        return scores.upload(uow, year, text, header, query.get("reason"))


@years_blp.route("/<int:year>/skd-scores")
class SkdUploadView(MethodView):
    @endpoint(years_blp, 200, s.UploadResultSchema, roles=MANAGERS, query=s.UploadQuerySchema)
    @years_blp.doc(**CSV_BODY)
    def post(self, query: dict, year: int):
        """Upload SKD scores as CSV: registration_number,twk,tiu,tkp (all rows or none)."""
        return _upload(year, query, scores.SKD_HEADER)


@years_blp.route("/<int:year>/skb-scores")
class SkbUploadView(MethodView):
    @endpoint(years_blp, 200, s.UploadResultSchema, roles=MANAGERS, query=s.UploadQuerySchema)
    @years_blp.doc(**CSV_BODY)
    def post(self, query: dict, year: int):
        """Upload SKB scores as CSV: registration_number,skb (all rows or none)."""
        return _upload(year, query, scores.SKB_HEADER)


@years_blp.route("/<int:year>/rank", parameters=JOB_PARAMETERS)
class RankYearView(MethodView):
    @endpoint(years_blp, 200, s.RankSummarySchema, roles=MANAGERS, errors=(409,))
    @may_start_job(years_blp, "`async=true`, or a year of more than 20,000 applications")
    def post(self, year: int):
        """Rank every formation of a year not yet announced (admins, recruiters)."""
        with transaction() as uow:
            if not jobs.year_job(uow.session, year, wants_job()):
                return results.rank_year(uow, year)
        return accepted(jobs.RANK_YEAR, {"year": year}, MANAGERS)


BLUEPRINTS = (formations_blp, applications_blp, years_blp, appeals_blp, after_blp)
