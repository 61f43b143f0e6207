"""Schemathesis over every operation of every service and of the gateway: no 5xx, and every
documented answer matches its schema, with a token of each role and without one.

The operations come from each app's own OpenAPI document (new endpoints are fuzzed as soon as
they are documented). Services and the gateway's own operations are fuzzed in process with every
caller; then every operation of the combined document through the gateway (every service served
over HTTP behind it) with three callers, so that the proxy and the fast path are covered too.
A deliberately broken little app proves the harness fails when a server error or a response
that breaks its schema appears. `FUZZ_MAX_EXAMPLES` sets the cases per operation and mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import marshmallow as ma
import pytest
from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis.migrations import upgrade
from chassis.web import create_base_app
from gateway.app import MIGRATIONS_DIR
from gateway.app import create_app as create_gateway
from sofifi.registry import SERVICE_NAMES
from tests.service.appraisal_support import build, rate_unit
from tests.service.fuzz_support import callers, fuzz
from tests.service.selection_support import Selection
from tests.service.test_gateway_proxy import serve

pytestmark = pytest.mark.slow

GATEWAY_EXAMPLES = 3  # per operation and mode through the gateway (the services get more)


def seeded(name, make_service, keys, employee_events):
    """The service with some data, so that lists and reads answer with real records."""
    service = make_service(name)
    if name == "recruitment":
        selection = Selection(service, keys)
        formation = selection.formation(quota=1)
        selection.prepared(formation["id"], {1: (100, 100, 180, "80.25"), 2: (90, 95, 170, 70)})
        assert selection.call("post", f"/formations/{formation['id']}/rank").status_code == 200
        selection.announce(formation["id"])
    elif name == "appraisal":
        org = build(service, keys, employee_events, staff=3)
        rate_unit(org, ["BAIK", "SANGAT_BAIK", "BAIK"])
    else:
        record = employee_events.record(employee_events.nip(1))
        service.apply(employee_events.appointed(record))
    return service


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_operation_of_the_service_survives_fuzzing(name, make_service, keys, employee_events):
    service = seeded(name, make_service, keys, employee_events)

    report = fuzz(service.app, callers(keys, employee_events.nip(1)))

    print(f"\nschemathesis {name}: {report.summary()}")
    assert report.operations > 0
    assert not report.failures, report.summary()


@pytest.fixture
def platform(make_service, service_config, keys, employee_events, tmp_path: Path) -> Iterator:
    """The gateway in process, each seeded service served over HTTP behind it."""
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(serve(seeded(name, make_service, keys, employee_events).app))
            for name in SERVICE_NAMES
        }
        database_url = f"sqlite:///{tmp_path}/gateway.db"
        upgrade(MIGRATIONS_DIR, database_url)
        config = {
            **service_config,
            "DATABASE_URL": database_url,
            "RATELIMIT_PUBLIC": "100000 per minute",
            "RATELIMIT_LOGIN": "100000 per minute",
            **{f"{name.upper()}_URL": url for name, url in urls.items()},
        }
        yield create_gateway(config, service_urls=urls)


def test_every_operation_of_the_gateway_itself_survives_fuzzing(platform, keys, employee_events):
    # Its own document (tokens, sign-out, health), in process, with each caller; a fresh token
    # per call, so that a fuzzed sign-out does not silence the calls after it.
    report = fuzz(platform, callers(keys, employee_events.nip(1), fresh=True))

    print(f"\nschemathesis gateway (own): {report.summary()}")
    assert report.operations > 0
    assert not report.failures, report.summary()


def test_every_operation_through_the_gateway_survives_fuzzing(platform, keys, employee_events):
    # Each service's operations with every role are fuzzed above, in process; through the
    # gateway (proxy, fast path, combined document) three callers stand for the rest.
    every = callers(keys, employee_events.nip(1), fresh=True)
    report = fuzz(
        platform,
        {name: every[name] for name in ("anonymous", "admin", "employee")},
        openapi_path="/api/v1/openapi.json",
        max_examples=GATEWAY_EXAMPLES,
    )

    print(f"\nschemathesis gateway (combined): {report.summary()}")
    document = platform.test_client().get("/api/v1/openapi.json").json
    assert document["x-unavailable"] == []  # every service's operations are in the run
    assert report.operations == sum(
        1
        for item in document["paths"].values()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    )
    assert not report.failures, report.summary()


# -- the harness itself fails on a broken app -------------------------------------------------


class Thing(ma.Schema):
    count = ma.fields.Integer(required=True)


class Args(ma.Schema):
    n = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 100))


def broken_app(tmp_path: Path, keys):
    """An app with a 500 on some input and an answer that breaks its own schema."""
    app, api = create_base_app(
        "broken",
        {
            "SOFIFI_VAR_DIR": str(tmp_path),
            "JWT_PUBLIC_KEY_FILE": str(keys.public),
            "AMQP_URL": "memory://",
        },
        title="Broken",
    )
    blp = Blueprint("things", __name__, url_prefix="/things")

    @blp.route("/crash")
    class Crash(MethodView):
        @blp.arguments(Args, location="query")
        @blp.response(200, Thing)
        def get(self, args):
            """Divides by zero when n is 0."""
            return {"count": 100 // args["n"]}

    @blp.route("/lie")
    class Lie(MethodView):
        @blp.response(200, Thing)
        def get(self):
            """Answers a string where the schema says an integer (past the serialiser)."""
            return jsonify({"count": "many"})

    api.register_blueprint(blp)
    return app


def test_the_harness_fails_on_a_server_error_and_on_a_schema_violation(tmp_path, keys):
    report = fuzz(broken_app(tmp_path, keys), {"anonymous": dict}, max_examples=25)

    found = {(op, problem.split(" (")[0]) for op, problem in report.failures}
    assert ("GET /things/crash", "Server error") in found
    assert ("GET /things/lie", "Response violates schema") in found
