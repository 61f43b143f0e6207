"""`/api/v1/<service>/<path>`: route a call to its service and relay the answer (Flask view).

The common case is served below Flask by gateway.fastpath; this view answers the rest
(refusals, bad tokens, calls over the public limit, bodies over their cap, chunked bodies).
Both paths take their rules from gateway.core; only the way of answering differs.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from chassis.errors import ApiError, BadRequest, NotFound, Unauthorized
from gateway import core
from gateway.state import GatewayState, gateway_state
from gateway.upstream import UpstreamFailure, relayed

METHODS = list(core.METHODS)

blp = Blueprint("proxy", __name__)


class BadGateway(ApiError):
    code = 502
    message = "The service could not be reached."


class GatewayTimeout(ApiError):
    code = 504
    message = "The service did not answer in time."


@blp.route("/api/v1/<service>/", defaults={"path": ""}, methods=METHODS)
@blp.route("/api/v1/<service>/<path:path>", methods=METHODS)
def proxy(service: str, path: str) -> Response:
    """Forward the request to `service` and relay its status, body and safe headers."""
    state = gateway_state()
    environ = request.environ
    try:
        route = core.route(state.upstreams, environ["PATH_INFO"])
    except core.Refused as refused:
        raise NotFound(refused.message) from None
    headers = core.forwarded_headers(environ, g.request_id, route.service)
    if "Authorization" in headers:
        verify_token(state, headers["Authorization"])
    cap, timeout = core.body_limits(
        state.settings, route, request.method, request.max_content_length or 0
    )
    request.max_content_length = cap
    body = request_body()
    target = core.target(route, environ.get("QUERY_STRING"))
    try:
        answer = route.upstream.call(request.method, target, headers, body or None, timeout)
    except UpstreamFailure as failure:
        code, message = core.failure_response(route.service, failure)
        raise (GatewayTimeout if code == 504 else BadGateway)(message) from failure
    return Response(
        answer.body, status=answer.status, headers=relayed(answer.headers, core.NOT_RELAYED)
    )


def request_body() -> bytes:
    """The whole body (up to its cap, else 413); a malformed chunked body is the caller's 400."""
    try:
        return request.get_data()
    except ApiError:
        raise
    except Exception as exc:
        # gunicorn raises its parse errors (InvalidChunkSize, ChunkMissingTerminator, ...) and
        # werkzeug's server an OSError from inside the read: the client sent a broken body.
        if not _is_body_error(exc):
            raise
        raise BadRequest(f"The request body could not be read: {exc}.") from exc


def _is_body_error(exc: Exception) -> bool:
    if isinstance(exc, OSError):
        return True
    try:
        from gunicorn.http.errors import ParseException
    except ImportError:  # pragma: no cover - gunicorn is a dependency
        return False
    return isinstance(exc, ParseException)


def verify_token(state: GatewayState, authorization: str) -> None:
    """Refuse a bad token here, so that it never costs a backend call (401)."""
    token = core.bearer(authorization)
    if token is None:
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
    g.principal = state.tokens.verify(token)
