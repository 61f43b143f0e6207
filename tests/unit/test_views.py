"""chassis.views.endpoint: the same OpenAPI operation and the same behaviour as the stack of
decorators it stands for (roles checked before the input is parsed)."""

from __future__ import annotations

import marshmallow as ma
import pytest
from flask import Flask, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.auth import roles_required
from chassis.errors import register_error_handlers
from chassis.principal import Principal
from chassis.views import endpoint
from chassis.web import Api


class ThingIn(ma.Schema):
    name = ma.fields.String(required=True)


class Thing(ma.Schema):
    name = ma.fields.String()


class Filters(ma.Schema):
    unit = ma.fields.String()


def app_with_both() -> tuple[Flask, Api]:
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    register_error_handlers(app)

    @app.before_request
    def _principal() -> None:
        roles = request.headers.get("X-Roles")
        if roles is not None:
            g.principal = Principal("tester", tuple(roles.split(",")))

    stacked = Blueprint("stacked", __name__, url_prefix="/stacked")
    declared = Blueprint("declared", __name__, url_prefix="/declared")

    @stacked.route("/<int:thing_id>")
    class StackedView(MethodView):
        @roles_required("admin")
        @stacked.arguments(ThingIn)
        @stacked.response(201, Thing)
        @stacked.alt_response(404, response="NOT_FOUND")
        @stacked.alt_response(409, response="CONFLICT")
        def post(self, data: dict, thing_id: int):
            """Make a thing."""
            return data

        @stacked.arguments(Filters, location="query")
        @stacked.response(200, Thing(many=True))
        def get(self, query: dict, thing_id: int):
            """List things."""
            return [query]

    @declared.route("/<int:thing_id>")
    class DeclaredView(MethodView):
        @endpoint(declared, 201, Thing, roles=("admin",), body=ThingIn, errors=(404, 409))
        def post(self, data: dict, thing_id: int):
            """Make a thing."""
            return data

        @endpoint(declared, 200, Thing(many=True), query=Filters)
        def get(self, query: dict, thing_id: int):
            """List things."""
            return [query]

    api.register_blueprint(stacked)
    api.register_blueprint(declared)
    return app, api


def test_the_declared_operation_is_the_stacked_one():
    _app, api = app_with_both()
    paths = api.spec.to_dict()["paths"]
    for method in ("get", "post"):
        stacked = dict(paths["/stacked/{thing_id}"][method])
        declared = dict(paths["/declared/{thing_id}"][method])
        assert stacked.pop("tags") == ["stacked"] and declared.pop("tags") == ["declared"]
        assert declared == stacked
    assert set(paths["/declared/{thing_id}"]["post"]["responses"]) >= {"201", "404", "409"}


@pytest.mark.parametrize("prefix", ["stacked", "declared"])
def test_roles_are_checked_before_the_body_is_parsed(prefix):
    client = app_with_both()[0].test_client()
    url = f"/{prefix}/1"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers={"X-Roles": "employee"}).status_code == 403
    assert client.post(url, json={}, headers={"X-Roles": "admin"}).status_code == 422
    made = client.post(url, json={"name": "a"}, headers={"X-Roles": "admin"})
    assert made.status_code == 201 and made.json == {"name": "a"}
    listed = client.get(f"{url}?unit=X")  # public: no role asked
    assert listed.status_code == 200 and listed.json == [{}]


def test_a_view_takes_its_input_from_one_place_and_declares_known_errors():
    blp = Blueprint("b", __name__)
    with pytest.raises(TypeError):
        endpoint(blp, 200, Thing, body=ThingIn, query=Filters)
    with pytest.raises(ValueError, match="418"):
        endpoint(blp, 200, Thing, errors=(418,))
