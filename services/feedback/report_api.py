"""HTTP API of reports: the public side (no token) and the staff workflow (admin, officer)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.domain import Invalid
from chassis.web import reader, transaction
from services.feedback import attachments, calendar, listing, reports, rules, social, workflow
from services.feedback import report_schemas as s

public = Blueprint(
    "reports-public", __name__, url_prefix="/public", description="Citizens' side, no account"
)
staff = Blueprint("reports", __name__, url_prefix="/reports", description="Staff workflow")
days = Blueprint("calendar", __name__, url_prefix="/calendar", description="Working days")

UPLOAD_SLACK = 64 * 1024  # multipart framing and the form fields around a capped file


def now() -> datetime:
    """The service's clock (tests set FEEDBACK_CLOCK to a function returning a fixed time)."""
    return current_app.config.get("FEEDBACK_CLOCK", rules.utc_now)()


def attachments_dir() -> Path:
    """Where attachments live: outside the database, under the service's var folder."""
    configured = current_app.config.get("FEEDBACK_ATTACHMENTS_DIR")
    if configured:
        return Path(configured)
    return Path(current_app.config["SETTINGS"].var_dir) / "feedback-attachments"


def uploaded_file(limit: int) -> bytes:
    """The bytes of the multipart `file` field, refused over `limit` (413) or missing (422)."""
    request.max_content_length = limit + UPLOAD_SLACK
    upload = request.files.get("file")
    if upload is None:
        raise Invalid.field("file", "Attach the file as the multipart field 'file'.", "files")
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise Invalid.field("file", f"A file may have at most {limit} bytes.", location="files")
    return content


# -- public ---------------------------------------------------------------------------------


@public.route("/reports")
class PublicReports(MethodView):
    @public.arguments(s.PublicQuerySchema, location="query")
    @public.response(200, s.PublicPageSchema)
    def get(self, args):
        """Public reports, newest first (PUBLIC privacy only, names and contacts redacted)."""
        return listing.public_list(reader(), **args)

    @public.arguments(s.SubmitSchema())  # one instance: webargs would make one per request
    @public.response(201, s.SubmittedSchema)
    def post(self, data):
        """Send a report; the answer holds the tracking number and the secret, shown once."""
        with transaction() as uow:
            return reports.submit(uow, data, now())


@public.route("/reports/similar")
class Similar(MethodView):
    @public.arguments(s.SimilarQuerySchema, location="query")
    @public.response(200, s.SimilarSchema(many=True))
    def get(self, args):
        """Open public reports of this unit and category (offered before a new report)."""
        return reports.similar(reader(), args["unit"], args["category"])


@public.route("/reports/statistics")
class Statistics(MethodView):
    @public.arguments(s.StatsQuerySchema, location="query")
    @public.response(200, s.StatsSchema)
    def get(self, args):
        """Reports per unit: received, open, resolved, mean hours to the first response."""
        return listing.statistics(reader(), **args)


@public.route("/directory")
class Directory(MethodView):
    @public.arguments(s.DirectoryQuerySchema, location="query")
    @public.response(200, s.DirectorySchema)
    def get(self, args):
        """Units, and a unit's staff by name and post (to name one in a report; no NIP)."""
        return reports.directory(reader(), args["unit"], args["name"])


@public.route("/track")
class Track(MethodView):
    @public.arguments(s.CredentialsSchema)
    @public.response(200, s.TimelineSchema)
    @public.alt_response(404, response="NOT_FOUND")
    def post(self, creds):
        """The report's public timeline (404 alike for a wrong number or a wrong secret)."""
        return reports.timeline(reader(), creds["tracking_number"], creds["secret"], now())


@public.route("/track/information")
class Information(MethodView):
    @public.arguments(s.InformationSchema)
    @public.response(200, s.TimelineSchema)
    def post(self, data):
        """Answer staff's question (the clock runs again) or add information."""
        with transaction() as uow:
            return reports.add_information(
                uow, data["tracking_number"], data["secret"], data["text"], now()
            )


@public.route("/track/rating")
class Rating(MethodView):
    @public.arguments(s.RatingSchema)
    @public.response(200, s.TimelineSchema)
    def post(self, data):
        """Rate the handling of a closed report (1-5), once."""
        with transaction() as uow:
            return reports.rate(
                uow, data["tracking_number"], data["secret"], data["rating"], data["comment"], now()
            )


@public.route("/track/reopen")
class Reopen(MethodView):
    @public.arguments(s.ReopenSchema)
    @public.response(200, s.TimelineSchema)
    def post(self, data):
        """Reopen a resolved or closed report within 14 days of its resolution, once."""
        with transaction() as uow:
            return reports.reopen(
                uow, data["tracking_number"], data["secret"], data["reason"], now()
            )


@public.route("/track/attachments")
class CitizenAttachments(MethodView):
    @public.arguments(s.CitizenUploadSchema, location="form")
    @public.response(201, s.AttachmentSchema)
    def post(self, creds):
        """Attach a photo (JPEG/PNG, metadata stripped) or a PDF, at most 5 MiB (multipart)."""
        content = uploaded_file(attachments.MAX_BYTES)
        with transaction() as uow:
            report = reports.report_for_citizen(uow, creds["tracking_number"], creds["secret"])
            return attachments.add(uow, report, content, attachments_dir(), now())


# -- staff ----------------------------------------------------------------------------------


@staff.route("")
class StaffReports(MethodView):
    @roles_required("admin", "officer")
    @staff.arguments(s.StaffQuerySchema, location="query")
    @staff.response(200, s.StaffPageSchema)
    def get(self, args):
        """Reports to handle, oldest due first (an officer: their unit's)."""
        return listing.staff_list(reader(), now(), **args)


@staff.route("/overdue")
class Overdue(MethodView):
    @roles_required("admin")
    @staff.arguments(s.PageQuerySchema, location="query")
    @staff.response(200, s.StaffPageSchema)
    def get(self, args):
        """The escalation queue: reports past their stage's due day (admins)."""
        return listing.overdue_queue(reader(), now(), args["page"], args["page_size"])


@staff.route("/<tracking_number>")
class StaffReport(MethodView):
    @roles_required("admin", "officer")
    @staff.response(200, s.StaffReportSchema)
    def get(self, tracking_number):
        """One report with its history; the reporter's contact for admins only."""
        return workflow.staff_view(reader(), tracking_number, now())


@staff.route(
    "/<tracking_number>/<any(verify,reject,forward,disposition,respond,resolve,close):action>"
)
class Transition(MethodView):
    @roles_required("admin", "officer")
    @staff.arguments(s.TransitionSchema)
    @staff.response(200, s.StaffReportSchema)
    @staff.alt_response(409, response="CONFLICT")
    def post(self, data, tracking_number, action):
        """Move the report (409 for a move its state does not allow)."""
        with transaction() as uow:
            return workflow.transition(uow, tracking_number, action, data, now())


@staff.route("/<tracking_number>/question")
class Question(MethodView):
    @roles_required("admin", "officer")
    @staff.arguments(s.QuestionSchema)
    @staff.response(200, s.StaffReportSchema)
    def post(self, data, tracking_number):
        """Ask the citizen for information; the clock pauses until they answer."""
        with transaction() as uow:
            return workflow.ask(uow, tracking_number, data["question"], now())


@staff.route("/<tracking_number>/finding")
class Finding(MethodView):
    @roles_required("admin")
    @staff.arguments(s.FindingSchema)
    @staff.response(200, s.StaffReportSchema)
    def post(self, data, tracking_number):
        """The verifiers' finding on a complaint about a named employee (once)."""
        with transaction() as uow:
            return workflow.record_finding(uow, tracking_number, data, now())


@staff.route("/<tracking_number>/merge")
class Merge(MethodView):
    @roles_required("admin")
    @staff.arguments(s.MergeSchema)
    @staff.response(200, s.StaffReportSchema)
    def post(self, data, tracking_number):
        """Merge this duplicate into `into`; its citizen follows the survivor."""
        with transaction() as uow:
            return workflow.merge(uow, tracking_number, data["into"], now())


@staff.route("/<tracking_number>/attachments/<int:attachment_id>")
class StaffAttachment(MethodView):
    @roles_required("admin", "officer")
    @staff.response(200)
    def get(self, tracking_number, attachment_id):
        """The attachment's bytes (metadata already stripped), checked against its SHA-256."""
        uow = reader()
        report = workflow.get(uow, tracking_number)
        workflow.check_access(uow.require_actor(), report)
        content, media_type = attachments.read(uow, report, attachment_id, attachments_dir())
        return Response(
            content,
            mimetype=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{tracking_number}-{attachment_id}"',
                "X-Content-Type-Options": "nosniff",
            },
        )


imports = Blueprint(
    "social-media", __name__, url_prefix="/social-media", description="Social-media imports"
)


# The path ends in /import so that the gateway gives it the bulk-upload timeout and size cap.
@imports.route("/<any(X,FACEBOOK,INSTAGRAM,WHATSAPP,OWN):channel>/import")
class Import(MethodView):
    @roles_required("admin")
    @imports.response(201)
    def post(self, channel):
        """Import a channel's export (multipart `file`, CSV or JSON): all rows or none."""
        content = uploaded_file(8 * 1024 * 1024)
        name = (request.files["file"].filename or "").lower()
        file_format = "json" if name.endswith(".json") or content.lstrip()[:1] == b"[" else "csv"
        with transaction() as uow:
            return social.import_posts(uow, channel, content, file_format, now())


@days.route("/<int:year>")
class CalendarYear(MethodView):
    @roles_required("admin", "officer")
    @days.response(200, s.CalendarYearSchema)
    def get(self, year):
        """The year's national holidays and the admins' changes (cuti bersama)."""
        _check_year(year)
        return calendar.year_view(reader(), year)


@days.route("/days/<day>")
class CalendarDay(MethodView):
    @roles_required("admin")
    @days.arguments(s.CalendarDaySchema)
    @days.response(200, s.CalendarChangeSchema)
    def put(self, data, day):
        """Add cuti bersama (HOLIDAY) or declare a national holiday a working day (WORKDAY)."""
        with transaction() as uow:
            return calendar.set_day(uow, _day(day), data["kind"], data["note"])

    @roles_required("admin")
    @days.response(204)
    def delete(self, day):
        """Undo the change of a day."""
        with transaction() as uow:
            calendar.remove_day(uow, _day(day))


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid.field("day", "A date as YYYY-MM-DD.", location="path") from None
    _check_year(day.year)
    return day


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise Invalid.field("year", "A year between 2000 and 2100.", location="path")


BLUEPRINTS = (public, staff, days, imports)
