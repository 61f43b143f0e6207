"""HTTP API of talent mapping: assessment imports, the nine-box map, an employee's box."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import current_principal
from chassis.csvfile import request_csv
from chassis.errors import check_field
from chassis.views import endpoint
from chassis.web import reader, transaction
from contracts.identifiers import nip_problem
from services.training import talent
from services.training.schemas_talent import (
    AssessmentSchema,
    ImportResultSchema,
    MapQuerySchema,
    MapSummarySchema,
    PlacementSchema,
)

CSV_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string"}}}
        },
    },
    "description": "Columns " + ",".join(talent.COLUMNS) + ", UTF-8.",
}

talent_map = Blueprint(
    "talent", __name__, url_prefix="/talent", description="Talent mapping (nine-box)"
)


def _year(year: int) -> int:
    check_field(None if 1950 <= year <= 2200 else "A year from 1950 to 2200.", "year", "path")
    return year


def _nip(nip: str) -> str:
    check_field(nip_problem(nip), "nip", "path")
    return nip


@talent_map.route("/assessments/import")
class AssessmentImportView(MethodView):
    @endpoint(talent_map, 201, ImportResultSchema, roles=("admin",))
    @talent_map.doc(requestBody=CSV_BODY)
    def post(self):
        """Import competency-assessment results from CSV, all rows or none (admins)."""
        payload = request_csv()
        with transaction() as uow:
            return talent.import_assessments(uow, payload)


@talent_map.route("/assessments/<nip>")
class AssessmentView(MethodView):
    @endpoint(talent_map, 200, AssessmentSchema, roles=("admin",), errors=(404,))
    def get(self, nip: str):
        """An employee's newest assessment and potential (admins)."""
        return talent.get_assessment(reader().session, _nip(nip))


@talent_map.route("/map/<int:year>")
class MapView(MethodView):
    @endpoint(talent_map, 200, PlacementSchema(many=True), roles=("admin",), query=MapQuerySchema)
    @talent_map.paginate(page_size=50, max_page_size=500)
    def get(self, query: dict, year: int, pagination_parameters):
        """The year's nine-box map (of one unit), by unit and NIP, paged (admins)."""
        rows = talent.talent_map(reader().session, _year(year), query.get("unit"))
        pagination_parameters.item_count = len(rows)
        first = pagination_parameters.first_item
        return rows[first : first + pagination_parameters.page_size]


@talent_map.route("/map/<int:year>/summary")
class MapSummaryView(MethodView):
    @endpoint(talent_map, 200, MapSummarySchema, roles=("admin",))
    def get(self, year: int):
        """Employees per box for the province and per unit (admins)."""
        return talent.summary(reader().session, _year(year))


@talent_map.route("/map/<int:year>/<nip>")
class BoxView(MethodView):
    @endpoint(
        talent_map, 200, PlacementSchema, roles=("admin", "supervisor", "employee"), errors=(404,)
    )
    def get(self, year: int, nip: str):
        """One employee's box: admins and the supervision chain above them (403 otherwise)."""
        session = reader().session
        return talent.employee_box(session, current_principal(), _year(year), _nip(nip))


BLUEPRINTS = (talent_map,)
