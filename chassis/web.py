"""App factories: the common base of every service and of the gateway."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, Response, current_app, g, request, send_from_directory
from kombu import Connection
from sqlalchemy import Engine, func, select

from chassis import fields, inputs
from chassis.auth import Auth, optional_principal
from chassis.bus import broker_reachable
from chassis.config import ENV_NAMES, Settings, url_var
from chassis.db import Database, ping, request_session
from chassis.errors import register_error_handlers
from chassis.health import Health
from chassis.logs import (
    bind_correlation_id,
    configure_logging,
    request_id_or_new,
    unbind_correlation_id,
)
from chassis.metrics import Metrics
from chassis.outbox import Outbox
from chassis.service import ServiceSpec
from chassis.uow import UnitOfWork, unit_of_work

log = logging.getLogger("sofifi.access")

SWAGGER_UI_PATH = "/swagger-ui"  # where every app serves Swagger UI's files (pinned package)


class ErrorSchema(ma.Schema):
    """The common error document (see chassis.errors)."""

    code = ma.fields.Integer(metadata={"description": "HTTP status code"})
    status = ma.fields.String(metadata={"description": "HTTP status phrase"})
    message = ma.fields.String(metadata={"description": "What went wrong"})
    errors = ma.fields.Dict(
        metadata={
            "description": (
                "On 422: location -> field -> reasons; on 409: what blocks the request"
            ),
            "example": {"json": {"nip": ["NIP must be 18 digits."]}},
        }
    )
    request_id = ma.fields.String(metadata={"description": "Correlation id of the request"})


class Api(flask_smorest.Api):
    """flask-smorest's Api with the platform's error document."""

    ERROR_SCHEMA = ErrorSchema


def create_base_app(
    name: str,
    config: Mapping[str, Any] | None,
    *,
    title: str,
    description: str = "",
    service_urls: Mapping[str, str] | None = None,
    unchecked_json_endpoints: frozenset[str] = frozenset(),
) -> tuple[Flask, Api]:
    """A Flask app with settings, JSON logs, request ids, OpenAPI, errors and metrics.

    `service_urls` (the gateway's backends, name -> default URL) comes from the wiring. Every
    JSON body is parsed within bounds first (chassis.inputs) except at
    `unchecked_json_endpoints` (the gateway's proxy streams bodies to the service, which checks).
    """
    config = dict(config or {})
    names = ENV_NAMES | {
        url_var(service, url).name for service, url in (service_urls or {}).items()
    }
    settings = Settings.from_env(
        name, {k: v for k, v in config.items() if k in names}, service_urls=service_urls
    )
    app = Flask(name)
    inputs.init_app(app)
    app.config.update(
        SETTINGS=settings,
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{SWAGGER_UI_PATH}/",
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            },
        },
    )
    app.config.update({k: v for k, v in config.items() if k not in names})
    configure_logging(name, settings.log_level)
    _init_swagger_ui(app)
    _init_request_ids(app)
    inputs.check_json_bodies(app, unchecked_json_endpoints)
    api = Api(app)
    api.register_field(fields.Decimal, "string", "decimal")
    register_error_handlers(app)
    Metrics().init_app(app, name)
    Health().init_app(app, name)
    return app, api


def _init_swagger_ui(app: Flask) -> None:
    """Swagger UI's files served from the pinned `swagger-ui-bundle` package, not a CDN."""
    from swagger_ui_bundle import swagger_ui_path

    def swagger_ui(filename: str) -> Response:
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    app.add_url_rule(f"{SWAGGER_UI_PATH}/<path:filename>", "swagger_ui", swagger_ui)


def _init_request_ids(app: Flask) -> None:
    """Take X-Request-ID from the caller (or make one), log the request, echo the id back."""

    @app.before_request
    def _bind() -> None:
        request_id = request_id_or_new(request.headers.get("X-Request-ID"))
        g.request_id = request_id
        g.request_id_token = bind_correlation_id(request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _echo(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        started = g.get("request_started")
        if started is not None and request.endpoint not in ("health.health", "metrics"):
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
        return response

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            unbind_correlation_id(token)


def create_service_app(spec: ServiceSpec, config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app of one domain service, wired from its spec."""
    app, api = create_base_app(spec.name, config, title=spec.title, description=spec.description)
    settings: Settings = app.config["SETTINGS"]
    Database().init_app(app)
    Auth().init_app(app, check_revocations=True)
    app.extensions["service_spec"] = spec
    for blueprint in spec.blueprints:
        api.register_blueprint(blueprint)
    if spec.jobs is not None:
        from chassis.jobs_api import jobs_blueprint

        api.register_blueprint(jobs_blueprint(spec.jobs.table))
    engine = Database.state(app).engine
    Health.add_check(app, "database", lambda: database_check(engine))
    Health.add_check(app, "broker", lambda: _broker_check(settings.amqp_url))
    Health.add_check(app, "outbox", lambda: _outbox_backlog(app, spec))
    return app


def app_factory(spec: ServiceSpec) -> Callable[..., Flask]:
    """A service's `create_app(config=None)`: `config` overrides environment settings (tests)."""

    def create_app(config: Mapping[str, Any] | None = None) -> Flask:
        return create_service_app(spec, config)

    create_app.__doc__ = f"The {spec.name} web app; `config` overrides environment settings."
    return create_app


def database_check(engine: Engine) -> dict[str, Any]:
    """Readiness of a database: it answers a trivial query; says which backend it is."""
    ping(engine)
    return {"backend": engine.dialect.name}


def _broker_check(url: str) -> dict[str, Any]:
    if Connection(url).transport.driver_type == "memory":
        return {"transport": "memory"}
    if not broker_reachable(url, timeout=1.5):
        raise ConnectionError("the broker did not answer")
    return {"transport": "amqp"}


def _outbox_backlog(app: Flask, spec: ServiceSpec) -> dict[str, Any]:
    table = spec.outbox.table
    with Database.state(app).engine.connect() as connection:
        pending, oldest = connection.execute(
            select(func.count(), func.min(table.c.created_at)).where(table.c.sent_at.is_(None))
        ).one()
    return {"pending": pending, "oldest_pending": oldest.isoformat() if oldest else None}


@contextmanager
def transaction() -> Iterator[UnitOfWork]:
    """The request's unit of work: the caller (if any) as actor; commits when the block ends.

    Views open it, hand it to a workflow and return what the workflow returns; serialisation
    happens after the commit (sessions do not expire objects on commit).
    """
    factory = Database.state(current_app).session_factory
    with unit_of_work(factory, _outbox(), optional_principal(), g.get("request_id")) as uow:
        yield uow


def reader() -> UnitOfWork:
    """A read-only unit of work on the request's session (closed at teardown, never committed)."""
    return UnitOfWork(request_session(), _outbox(), optional_principal(), g.get("request_id"))


def _outbox() -> Outbox | None:
    # The gateway has no spec and no outbox: its units of work publish nothing.
    spec: ServiceSpec | None = current_app.extensions.get("service_spec")
    return spec.outbox if spec is not None else None
