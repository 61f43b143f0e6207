"""HTTP API of the catalogue: providers, partnerships (MoU), courses and sessions."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.views import endpoint
from chassis.web import reader, transaction
from services.training import catalogue
from services.training.schemas_courses import (
    CourseInSchema,
    CourseQuerySchema,
    CourseSchema,
    PartnershipInSchema,
    PartnershipQuerySchema,
    PartnershipSchema,
    ProviderInSchema,
    ProviderSchema,
    SessionInSchema,
    SessionQuerySchema,
    SessionSchema,
)

READERS = ("admin", "supervisor", "employee")

providers = Blueprint(
    "providers", __name__, url_prefix="/providers", description="Training providers"
)
partnerships = Blueprint(
    "partnerships", __name__, url_prefix="/partnerships", description="Partnerships (MoU)"
)
courses = Blueprint("courses", __name__, url_prefix="/courses", description="Course catalogue")
sessions = Blueprint("sessions", __name__, url_prefix="/sessions", description="Sessions")


@providers.route("")
class ProvidersView(MethodView):
    @endpoint(providers, 200, ProviderSchema(many=True), roles=READERS)
    def get(self):
        """Every provider, by name."""
        return catalogue.list_providers(reader().session)

    @endpoint(providers, 201, ProviderSchema, roles=("admin",), body=ProviderInSchema)
    def post(self, data: dict):
        """Register a provider: BPSDM/LAN, a university, an NGO, a professional body (admins)."""
        with transaction() as uow:
            return catalogue.create_provider(uow, data)


@partnerships.route("")
class PartnershipsView(MethodView):
    @endpoint(
        partnerships, 200, PartnershipSchema(many=True), roles=READERS, query=PartnershipQuerySchema
    )
    def get(self, query: dict):
        """Every MoU (of one provider) with the courses it covers."""
        return catalogue.list_partnerships(reader().session, query.get("provider_id"))

    @endpoint(partnerships, 201, PartnershipSchema, roles=("admin",), body=PartnershipInSchema)
    def post(self, data: dict):
        """Record an MoU: validity, free seats per year and/or a discount, courses (admins)."""
        with transaction() as uow:
            return catalogue.create_partnership(uow, data)


@courses.route("")
class CoursesView(MethodView):
    @endpoint(courses, 200, CourseSchema(many=True), roles=READERS, query=CourseQuerySchema)
    def get(self, query: dict):
        """The catalogue by title, filtered by competency type, competency, mode or provider."""
        return catalogue.list_courses(reader().session, query)

    @endpoint(courses, 201, CourseSchema, roles=("admin",), body=CourseInSchema)
    def post(self, data: dict):
        """Add a course to the catalogue (admins)."""
        with transaction() as uow:
            return catalogue.create_course(uow, data)


@courses.route("/<course_id>")
class CourseView(MethodView):
    @endpoint(courses, 200, CourseSchema, roles=READERS)
    def get(self, course_id: str):
        """One course."""
        return catalogue.get_course(reader().session, course_id)


@sessions.route("")
class SessionsView(MethodView):
    @endpoint(sessions, 200, SessionSchema(many=True), roles=READERS, query=SessionQuerySchema)
    def get(self, query: dict):
        """Sessions by start date with seats taken and waitlist, by course, competency, year."""
        return catalogue.list_sessions(reader().session, query)

    @endpoint(sessions, 201, SessionSchema, roles=("admin",), body=SessionInSchema)
    def post(self, data: dict):
        """Schedule a session of a course: dates, place or link, capacity, price (admins)."""
        with transaction() as uow:
            return catalogue.create_session(uow, data)


@sessions.route("/<session_id>")
class SessionView(MethodView):
    @endpoint(sessions, 200, SessionSchema, roles=READERS)
    def get(self, session_id: str):
        """One session with its seats taken and waitlist."""
        session = reader().session
        return catalogue.session_view(session, catalogue.get_session(session, session_id))


BLUEPRINTS = (providers, partnerships, courses, sessions)
