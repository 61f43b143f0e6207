"""One JSON error shape for every failure of a chassis app, and never a leak of internals."""

from __future__ import annotations

from http import HTTPStatus

import marshmallow as ma
import pytest
from flask_smorest import Blueprint, abort

from chassis.errors import Conflict, NotFound, check_field
from chassis.web import create_base_app
from contracts.identifiers import nip_problem

SECRET = "password=hunter2 in /srv/sofifi/secret_module.py"


def _valid_nip(value: str) -> None:
    problem = nip_problem(value)
    if problem:
        raise ma.ValidationError(problem)


class NoteSchema(ma.Schema):
    nip = ma.fields.String(required=True, validate=_valid_nip)
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))


def _blueprint() -> Blueprint:
    blp = Blueprint("notes", __name__, url_prefix="/notes")

    @blp.route("", methods=["POST"])
    @blp.arguments(NoteSchema)
    def create(note):
        """Create a note."""
        return {"nip": note["nip"]}

    @blp.route("/conflict", methods=["POST"])
    def conflict():
        """Refuse with 409."""
        raise Conflict("The appraisal is already finalized.")

    @blp.route("/missing")
    def missing():
        """Refuse with 404 through flask-smorest's abort."""
        abort(404, message="No appraisal with that id.")

    @blp.route("/gone")
    def gone():
        """Refuse with an ApiError 404."""
        raise NotFound("No employee with NIP 199804212025032001.")

    @blp.route("/rule")
    def rule():
        """Refuse with a rule's reason."""
        check_field(None, "month", "query")  # no problem: nothing raised
        check_field("The period is closed.", "year", "query")

    @blp.route("/boom")
    def boom():
        """Fail unexpectedly."""
        raise RuntimeError(SECRET)

    return blp


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    app, api = create_base_app("errors-test", {"SOFIFI_VAR_DIR": str(var_dir)}, title="Errors")
    api.register_blueprint(_blueprint())
    return app.test_client()


def _common_shape(response, code: int) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) <= {"code", "status", "message", "errors", "request_id"}
    assert body["code"] == code
    assert body["status"] == HTTPStatus(code).phrase
    assert isinstance(body["message"], str) and body["message"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    if code != 422:
        assert "errors" not in body
    return body


def test_an_api_error_has_the_common_shape(client):
    body = _common_shape(client.post("/notes/conflict"), 409)
    assert body["message"] == "The appraisal is already finalized."


def test_abort_has_the_common_shape(client):
    body = _common_shape(client.get("/notes/missing"), 404)
    assert body["message"] == "No appraisal with that id."


def test_not_found_from_a_view(client):
    assert _common_shape(client.get("/notes/gone"), 404)["message"].startswith("No employee")


def test_webargs_422_names_each_field(client):
    response = client.post("/notes", json={"nip": "123", "text": ""})
    body = _common_shape(response, 422)
    assert set(body["errors"]["json"]) == {"nip", "text"}
    assert body["errors"]["json"]["nip"] == ["NIP must be 18 digits."]
    assert body["errors"]["json"]["text"]


def test_a_valid_body_passes(client):
    response = client.post("/notes", json={"nip": "199804212025032001", "text": "ok"})
    assert response.status_code == 200
    assert response.get_json() == {"nip": "199804212025032001"}


def test_a_missing_field_is_named_with_its_reason(client):
    body = _common_shape(client.post("/notes", json={"text": "ok"}), 422)
    assert body["errors"] == {"json": {"nip": ["Missing data for required field."]}}


def test_a_body_that_is_not_json_is_refused_in_the_common_shape(client):
    response = client.post("/notes", data="nip=1", content_type="text/plain")
    assert response.status_code in (400, 415, 422)
    _common_shape(response, response.status_code)


def test_a_rule_refusal_names_the_field_and_its_location(client):
    body = _common_shape(client.get("/notes/rule"), 422)
    assert body["errors"] == {"query": {"year": ["The period is closed."]}}


def test_an_unknown_route_is_a_404_in_the_common_shape(client):
    _common_shape(client.get("/no/such/thing"), 404)


def test_a_wrong_method_is_a_405_that_says_what_is_allowed(client):
    response = client.delete("/notes/conflict")
    _common_shape(response, 405)
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_exception_is_a_500_without_internals(client, caplog):
    response = client.get("/notes/boom", headers={"X-Request-ID": "req-boom-0001"})
    body = _common_shape(response, 500)
    assert body["request_id"] == "req-boom-0001"
    text = response.get_data(as_text=True)
    for leak in ("hunter2", "secret_module", "RuntimeError", "Traceback", "line "):
        assert leak not in text
    # The trace is kept for operators, in the log, under the same request id.
    assert any(record.exc_info and SECRET in str(record.exc_info[1]) for record in caplog.records)


def test_a_request_id_is_made_when_none_or_a_malformed_one_is_sent(client):
    made = client.post("/notes/conflict").headers["X-Request-ID"]
    assert len(made) >= 8
    refused = client.post("/notes/conflict", headers={"X-Request-ID": "bad id; rm -rf"})
    assert refused.headers["X-Request-ID"] != "bad id; rm -rf"
