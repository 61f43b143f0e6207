"""One JSON error shape for every service and the gateway.

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"nip": ["NIP must be 18 digits."]}}, "request_id": "..."}

On a 422, `errors` names each field (by location) with its reasons; a 409 may carry the
state that blocks the request in it (e.g. `{"blockers": [...]}`). Unexpected exceptions
become a 500 with the same shape and no internals; the trace goes to the log.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from chassis.domain import ConflictError, DomainError, Invalid, NotAllowed, NotFoundError
from chassis.logs import current_correlation_id

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client can act on; rendered in the common shape."""

    code = 400
    message = "The request could not be handled."

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors
        self.headers = headers or {}


class BadRequest(ApiError):
    code = 400
    message = "The request is malformed."


class Unauthorized(ApiError):
    code = 401
    message = "A valid bearer token is required."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="sofifi"'})
        super().__init__(message, **kwargs)


class Forbidden(ApiError):
    code = 403
    message = "Your role does not allow this."


class NotFound(ApiError):
    code = 404
    message = "Not found."


class Conflict(ApiError):
    code = 409
    message = "The request conflicts with the current state."


class Unprocessable(ApiError):
    code = 422
    message = "The request is not valid."

    @classmethod
    def field(cls, name: str, reason: str, location: str = "json") -> Unprocessable:
        """A 422 that names one field and why it was refused."""
        return cls(errors={location: {name: [reason]}})


def check_field(problem: str | None, name: str, location: str = "json") -> None:
    """Raise a 422 naming `name` when a rule reported a `problem` (None means valid)."""
    if problem is not None:
        raise Unprocessable.field(name, problem, location)


def error_body(code: int, message: str | None = None, errors: Any = None) -> dict[str, Any]:
    """The common error document."""
    status = HTTPStatus(code)
    body: dict[str, Any] = {
        "code": code,
        "status": status.phrase,
        "message": message or status.description or status.phrase,
    }
    if errors:
        body["errors"] = errors
    request_id = current_correlation_id()
    if request_id:
        body["request_id"] = request_id
    return body


def error_response(
    code: int, message: str | None = None, errors: Any = None, headers: dict | None = None
) -> Response:
    """A Flask response in the common shape."""
    response = jsonify(error_body(code, message, errors))
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_exception(exc: HTTPException) -> Response:
    """Werkzeug and flask-smorest errors (abort, 404, 405, webargs' 422) in the common shape."""
    data = getattr(exc, "data", None) or {}
    code = exc.code or 500
    message = data.get("message") or exc.description
    if code == 422 and not data.get("message"):
        message = "The request is not valid."
    headers = dict(data.get("headers") or {})
    if code == 405 and exc.get_response().headers.get("Allow"):
        headers["Allow"] = exc.get_response().headers["Allow"]
    return error_response(code, message, data.get("messages") or data.get("errors"), headers)


def domain_error_response(exc: DomainError) -> Response:
    """A domain refusal in the common shape: 422, 404, 409 or 403."""
    if isinstance(exc, Invalid):
        return error_response(422, exc.message, {exc.location: exc.problems})
    if isinstance(exc, NotFoundError):
        return error_response(404, exc.message)
    if isinstance(exc, ConflictError):
        return error_response(409, exc.message, exc.details)
    if isinstance(exc, NotAllowed):
        return error_response(403, exc.message)
    return error_response(400, exc.message)


def register_error_handlers(app: Flask) -> None:
    """Render ApiError, HTTP errors and unexpected exceptions in the common shape."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.code, exc.message, exc.errors, exc.headers)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return domain_error_response(exc)

    app.register_error_handler(HTTPException, handle_http_exception)

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError) -> Response:
        # The database unreachable, or a connection it dropped (a restart, a failover, SQLite
        # busy): the pool replaces the connection and the client may retry. Other database
        # errors are internal ones.
        if exc.connection_invalidated or isinstance(exc, OperationalError):
            log.warning("database connection lost; answered 503")
            return error_response(
                503, "The database is not reachable; try again.", headers={"Retry-After": "1"}
            )
        log.exception("unhandled database error")
        return error_response(500, "Internal error; the request id identifies it in the logs.")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return handle_http_exception(exc)
        log.exception("unhandled error")
        return error_response(500, "Internal error; the request id identifies it in the logs.")
