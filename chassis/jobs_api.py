"""Jobs over HTTP: the 202 a view answers when it starts one, and `GET /jobs/{id}`.

A service that has jobs registers `jobs_blueprint(spec.jobs.table)`; its views that start long
work call `accepted(...)` and declare `@blp.response(202, JobSchema)`. The job's URL is the
service's `/jobs/{id}` under the prefix the gateway says it is reached by (`X-Forwarded-Prefix`,
`/api/v1/<service>`), so the `Location` header and the body's `url` work through the gateway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from chassis import jobs
from chassis.auth import current_principal
from chassis.domain import Invalid
from chassis.web import reader, transaction

# What a forwarded prefix may look like (it ends up in a header and a body).
PREFIX = re.compile(r"^(/[A-Za-z0-9._-]+)*$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,120}$")


class ProgressSchema(ma.Schema):
    done = ma.fields.Integer(metadata={"description": "Steps done"})
    total = ma.fields.Integer(metadata={"description": "Steps in all (0 while unknown)"})


class JobErrorSchema(ma.Schema):
    code = ma.fields.Integer(metadata={"description": "The HTTP status the call would have had"})
    message = ma.fields.String()
    errors = ma.fields.Raw(metadata={"description": "Details, as in the common error shape"})


class JobSchema(ma.Schema):
    """A long operation run by the service's worker."""

    id = ma.fields.String()
    url = ma.fields.String(metadata={"description": "Where to follow it (also `Location`)"})
    kind = ma.fields.String(metadata={"example": "selection.rank-year"})
    params = ma.fields.Dict()
    state = ma.fields.String(
        metadata={"description": "QUEUED, RUNNING, SUCCEEDED or FAILED", "enum": jobs.STATES}
    )
    phase = ma.fields.String(metadata={"description": "What it is doing now"})
    progress = ma.fields.Nested(ProgressSchema)
    result = ma.fields.Dict(
        allow_none=True, metadata={"description": "When SUCCEEDED: what the call would answer"}
    )
    error = ma.fields.Nested(JobErrorSchema, allow_none=True)
    attempts = ma.fields.Integer(metadata={"description": "Runs started (a lost worker's too)"})
    started_by = ma.fields.String()
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


def job_url(job_id: str) -> str:
    """The job's URL as the caller reaches the service (through the gateway or directly)."""
    prefix = request.headers.get("X-Forwarded-Prefix", "").rstrip("/")
    if not PREFIX.match(prefix):
        prefix = ""
    return f"{prefix}/jobs/{job_id}"


def idempotency_key() -> str | None:
    """The request's `Idempotency-Key` header, checked (printable ASCII, at most 120)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise Invalid.field(
            "Idempotency-Key", "Printable ASCII without spaces, 1 to 120.", location="headers"
        )
    return key


def accepted(
    kind: str, params: Mapping[str, Any], readers: Iterable[str], payload: bytes | None = None
) -> Response:
    """Queue a job and answer 202 with its document and `Location` (the same for a repeated
    `Idempotency-Key`). A Response, so that the view's own 200 schema does not apply to it."""
    table = current_app.extensions["service_spec"].jobs.table
    key = idempotency_key()
    with transaction() as uow:
        row, _ = jobs.submit(uow, table, kind, params, readers, key, payload)
    url = job_url(row["id"])
    response = jsonify(JobSchema().dump(jobs.view(row, url)))
    response.status_code = 202
    response.headers["Location"] = url
    return response


# Parameters of a route whose operation may start a job (`@blp.route(..., parameters=...)`:
# a route's own list, so that they join those of the view's `arguments`).
JOB_PARAMETERS = [
    {
        "name": "async",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False},
        "description": "Run as a job: answer 202 with the job's URL at once.",
    },
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 120},
        "description": "A retry with the same key starts nothing new (jobs only).",
    },
]


def may_start_job(blp: Blueprint, rule: str):
    """The 202 answer of a view that may start a job (OpenAPI); `rule` says when it does."""
    return blp.alt_response(
        202,
        schema=JobSchema,
        description=f"Started as a job ({rule}): follow `Location` (also `url`) with "
        "GET; the same `Idempotency-Key` header returns the same job.",
        headers={"Location": {"description": "The job's URL", "schema": {"type": "string"}}},
    )


def wants_job() -> bool:
    """The caller asked for the work to run as a job (`?async=true`)."""
    return request.args.get("async", "").lower() in ("1", "true", "yes")


def jobs_blueprint(table) -> Blueprint:
    """`GET /jobs/{id}` of a service whose worker runs jobs."""
    blp = Blueprint("jobs", __name__, url_prefix="/jobs", description="Long operations")

    @blp.route("/<job_id>")
    class JobView(MethodView):
        @blp.response(200, JobSchema)
        @blp.alt_response(401, response="UNAUTHORIZED")
        @blp.alt_response(403, response="FORBIDDEN")
        @blp.alt_response(404, response="NOT_FOUND")
        @blp.doc(security=[{"bearerAuth": []}])
        def get(self, job_id: str):
            """A job: its state, phase and progress, then its result or its error (the roles
            that may start the operation)."""
            current_principal()  # 401 without a valid token
            return jobs.view(jobs.get(reader(), table, job_id), job_url(job_id))

    return blp
