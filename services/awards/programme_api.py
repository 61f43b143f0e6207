"""HTTP API of programmes, nominations, committee scores, decisions, the public list and
Satyalancana. Views only validate, open the unit of work and hand it to a workflow."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import current_principal
from chassis.domain import Invalid
from chassis.views import endpoint
from chassis.web import reader, transaction
from services.awards import committee, programmes, public, satyalancana
from services.awards import programme_schemas as s

programmes_bp = Blueprint(
    "programmes",
    __name__,
    url_prefix="/programmes",
    description="Sofifi Berprestasi: programmes, decisions and the committee's ranking",
)
nominations_bp = Blueprint(
    "nominations",
    __name__,
    url_prefix="/nominations",
    description="Nominations, recusal and committee score sheets",
)
public_bp = Blueprint(
    "public", __name__, url_prefix="/public", description="The awardees list (no token)"
)
satyalancana_bp = Blueprint(
    "satyalancana",
    __name__,
    url_prefix="/satyalancana",
    description="Satyalancana Karya Satya (PP 25/1994): proposal lists and classes received",
)


@programmes_bp.route("")
class ProgrammesView(MethodView):
    @endpoint(
        programmes_bp,
        200,
        s.ProgrammeSchema(many=True),
        roles=("admin", "committee", "supervisor", "employee"),
    )
    def get(self):
        """Every programme, newest year first (signed-in staff: criteria are published)."""
        return programmes.list_programmes(reader().session)

    @endpoint(programmes_bp, 201, s.ProgrammeSchema, roles=("admin",), body=s.ProgrammeInSchema)
    def post(self, data: dict):
        """Publish a year's programme: categories, weighted criteria, budget, timeline (admins)."""
        with transaction() as uow:
            return programmes.create_programme(uow, data)


@programmes_bp.route("/<pid>")
class ProgrammeView(MethodView):
    @endpoint(
        programmes_bp,
        200,
        s.ProgrammeSchema,
        roles=("admin", "committee", "supervisor", "employee"),
    )
    def get(self, pid: str):
        """One programme."""
        return programmes.read_programme(reader().session, pid)

    @endpoint(programmes_bp, 200, s.ProgrammeSchema, roles=("admin",), body=s.TimelinePatchSchema)
    def patch(self, data: dict, pid: str):
        """Move dates of the timeline (admins; refused once decided)."""
        with transaction() as uow:
            return programmes.change_timeline(uow, pid, data)


@programmes_bp.route("/<pid>/nominations")
class ProgrammeNominationsView(MethodView):
    @endpoint(
        programmes_bp,
        200,
        s.NominationSummarySchema(many=True),
        roles=("admin", "committee"),
        query=s.NominationQuerySchema,
    )
    def get(self, args: dict, pid: str):
        """The programme's nominations, with each member's own status (committee, admins)."""
        uow = reader()
        return programmes.list_nominations(uow.session, pid, uow.require_actor(), args["category"])

    @endpoint(
        programmes_bp,
        201,
        s.NominationSchema,
        roles=("supervisor", "employee"),
        body=s.NominationInSchema,
    )
    def post(self, data: dict, pid: str):
        """Nominate an eligible employee (their supervisor or a head above; self where allowed)."""
        with transaction() as uow:
            return programmes.nominate(uow, pid, data)


@programmes_bp.route("/<pid>/ranking")
class RankingView(MethodView):
    @endpoint(programmes_bp, 200, s.RankingSchema, roles=("admin", "committee"))
    def get(self, pid: str):
        """Per category, the ranking with aggregates and spread (committee once scoring closed)."""
        return committee.ranking(reader().session, pid, current_principal())


@programmes_bp.route("/<pid>/decision")
class DecisionView(MethodView):
    @endpoint(programmes_bp, 200, s.DecisionSchema, roles=("admin", "committee"))
    def get(self, pid: str):
        """The decision with its awards and the committee's scores."""
        return committee.read_decision(reader().session, pid)

    @endpoint(programmes_bp, 201, s.DecisionSchema, roles=("admin",), body=s.DecisionInSchema)
    def post(self, data: dict, pid: str):
        """Decide once: the awards within quota and budget, published as award.granted."""
        with transaction() as uow:
            return committee.decide(uow, pid, data)


@nominations_bp.route("/<int:nomination_id>")
class NominationView(MethodView):
    @endpoint(
        nominations_bp,
        200,
        s.NominationSchema,
        roles=("admin", "committee", "supervisor", "employee"),
    )
    def get(self, nomination_id: int):
        """A nomination with statement, evidence and the year's commendations."""
        uow = reader()
        return programmes.read_nomination(uow.session, nomination_id, uow.require_actor())


@nominations_bp.route("/<int:nomination_id>/recusal")
class RecusalView(MethodView):
    @endpoint(nominations_bp, 200, s.RecusalSchema, roles=("committee",))
    def post(self, nomination_id: int):
        """Declare a conflict of interest and step aside from this nomination."""
        with transaction() as uow:
            return committee.recuse(uow, nomination_id)


@nominations_bp.route("/<int:nomination_id>/scores")
class ScoresView(MethodView):
    @endpoint(nominations_bp, 200, s.ScoresSchema, roles=("admin", "committee"))
    def get(self, nomination_id: int):
        """Every member's sheet and the aggregate (a member sees them once they submitted)."""
        return committee.read_scores(reader().session, nomination_id, current_principal())

    @endpoint(nominations_bp, 201, s.ScoresSchema, roles=("committee",), body=s.ScoresInSchema)
    def post(self, data: dict, nomination_id: int):
        """Submit your scores per criterion (within the scoring window; refused when recused)."""
        with transaction() as uow:
            return committee.submit_scores(uow, nomination_id, data)


@public_bp.route("/sofifi-berprestasi/<int:year>")
class PublicListView(MethodView):
    @endpoint(public_bp, 200, s.PublicListSchema)
    def get(self, year: int):
        """The year's awardees by category and unit, the criteria and aggregate scores."""
        return public.awardees(reader().session, year)


# -- Satyalancana ---------------------------------------------------------------------------


def _reference(year: int, on: date | None) -> date:
    if not 1950 <= year <= 2200:
        raise Invalid.field("year", "The year must be between 1950 and 2200.", location="path")
    on = on or satyalancana.reference_day(year)
    if on.year != year:
        raise Invalid.field("on", f"The day must be in {year}.", location="query")
    return on


def _restart() -> bool:
    return current_app.config["SETTINGS"].satyalancana_restart


@satyalancana_bp.route("/<int:year>")
class SatyalancanaSummaryView(MethodView):
    @endpoint(
        satyalancana_bp,
        200,
        s.SatyalancanaSummarySchema,
        roles=("admin",),
        query=s.SatyalancanaQuerySchema,
    )
    def get(self, args: dict, year: int):
        """Per unit: how many are proposed for each class and how many are excluded."""
        on = _reference(year, args["on"])
        return satyalancana.summary(reader().session, year, on, _restart())


@satyalancana_bp.route("/<int:year>/units/<unit>")
class SatyalancanaUnitView(MethodView):
    @endpoint(
        satyalancana_bp,
        200,
        s.SatyalancanaUnitSchema,
        roles=("admin",),
        query=s.SatyalancanaQuerySchema,
    )
    def get(self, args: dict, year: int, unit: str):
        """A unit's proposal list: the proposed with their class, the excluded with why."""
        on = _reference(year, args["on"])
        if len(unit) > 64:
            raise Invalid.field("unit", "A unit code has at most 64 characters.", location="path")
        return satyalancana.unit_list(reader().session, year, unit, on, _restart())


@satyalancana_bp.route("/<int:year>/export")
class SatyalancanaExportView(MethodView):
    @endpoint(
        satyalancana_bp,
        200,
        roles=("admin",),
        query=s.ExportQuerySchema,
        content_type="text/csv",
        description="CSV, or XLSX with `format=xlsx`",
    )
    def get(self, args: dict, year: int):
        """The proposal for the national secretariat, as CSV or XLSX."""
        on = _reference(year, args["on"])
        found = satyalancana.rows(reader().session, on, restart=_restart(), unit=args["unit"])
        name = f"satyalancana-{year}{'-' + args['unit'] if args['unit'] else ''}"
        if args["format"] == "xlsx":
            body = satyalancana.to_xlsx(found)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            return _file(body, kind, f"{name}.xlsx")
        include = args["include"]
        chosen = (
            r for r in found if include == "all" or r.outcome.proposed == (include == "proposed")
        )
        return _file(satyalancana.to_csv(chosen), "text/csv; charset=utf-8", f"{name}.csv")


def _file(body: bytes | str, kind: str, filename: str) -> Response:
    response = Response(body, mimetype=kind.split(";")[0], content_type=kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@satyalancana_bp.route("/classes")
class ClassesView(MethodView):
    @endpoint(satyalancana_bp, 201, s.ClassSchema, roles=("admin",), body=s.ClassInSchema)
    def post(self, data: dict):
        """Record a class the employee received (Keppres); published as award.granted."""
        with transaction() as uow:
            return satyalancana.record_class(uow, data)


BLUEPRINTS = (programmes_bp, nominations_bp, public_bp, satyalancana_bp)
