"""`/api/v1/<service>/<path>`: route a call to its service and relay the answer.

The common case is served below Flask by gateway.fastpath (target: < 2 ms over a direct call at
the median); this view answers the rest (refusals, chunked bodies) and is the reference for what
the fast path must do.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from flask import Blueprint, Response, g, request

from chassis.auth import bearer_token
from chassis.errors import ApiError, NotFound, Unauthorized
from gateway.state import GatewayState, gateway_state
from gateway.upstream import UpstreamFailure, relayed

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# A service's operational endpoints stay inside the network (the gateway's /health sums them up).
INTERNAL_PATHS = frozenset({"metrics", "ready", "health", "live"})
FORWARDED_HEADERS = ("Authorization", "Content-Type", "Accept", "Accept-Language")
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Recomputed or set by the gateway itself (length, server identity, date, request id).
NOT_RELAYED = HOP_BY_HOP | {"content-length", "server", "date", "x-request-id"}
# Characters left as they are when the decoded path is quoted again for the backend.
PATH_SAFE = "/:@!$&'()*+,;=-._~"
# Bulk uploads (POST) get GATEWAY_UPLOAD_TIMEOUT and GATEWAY_MAX_UPLOAD_BYTES: any path ending
# in /import or /upload, and recruitment's CSV score uploads (selection/<year>/skd-scores, ...).
BULK_LAST_SEGMENTS = frozenset({"import", "upload"})
BULK_PATHS = {"recruitment": re.compile(r"selection/\d+/sk[db]-scores/?")}

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
    upstream = state.upstreams.get(service)
    if upstream is None:
        raise NotFound(f"There is no service called {service}.")
    segments = path.split("/")
    first = next((segment for segment in segments if segment), "")
    if first in INTERNAL_PATHS or "." in segments or ".." in segments:
        raise NotFound(f"/{path} of {service} is not reachable through the gateway.")
    headers = forwarded_headers()
    if "Authorization" in headers:
        verify_token(state)
    target = f"{upstream.base_path}/{quote(path, safe=PATH_SAFE)}"
    if request.query_string:
        target = f"{target}?{request.query_string.decode('latin-1')}"
    settings = state.settings
    timeout = settings.gateway_timeout
    if is_bulk_upload(service, request.method, path):
        request.max_content_length = settings.gateway_max_upload_bytes
        timeout = settings.gateway_upload_timeout
    try:
        answer = upstream.call(request.method, target, headers, request.get_data() or None, timeout)
    except UpstreamFailure as failure:
        code, message = failure_response(service, failure)
        raise (GatewayTimeout if code == 504 else BadGateway)(message) from failure
    return Response(answer.body, status=answer.status, headers=relayed(answer.headers, NOT_RELAYED))


def is_bulk_upload(service: str, method: str, path: str) -> bool:
    """A POST of a bulk upload (CSV import), which gets the upload timeout and size cap."""
    if method != "POST":
        return False
    if path.rstrip("/").rsplit("/", 1)[-1] in BULK_LAST_SEGMENTS:
        return True
    pattern = BULK_PATHS.get(service)
    return pattern is not None and pattern.fullmatch(path) is not None


def failure_response(service: str, failure: UpstreamFailure) -> tuple[int, str]:
    """504 or 502 and its message for a call that got no answer; logs the full error."""
    log.warning(
        "proxied call failed",
        extra={"target": service, "outcome": failure.kind, "error": repr(failure.error)},
    )
    if failure.kind == "timeout":
        return 504, f"The {service} service did not answer in time."
    return 502, f"The {service} service could not be reached."


def verify_token(state: GatewayState) -> None:
    """Refuse a bad token here, so that it never costs a backend call (401)."""
    token = bearer_token()
    if token is None:
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
    g.principal = state.tokens.verify(token)


def forwarded_headers() -> dict[str, str]:
    """The caller's headers a service needs, plus the gateway's request id and forwarding info."""
    incoming = request.headers
    headers = {name: incoming[name] for name in FORWARDED_HEADERS if name in incoming}
    environ = request.environ
    # Behind ProxyFix the original peer is kept aside; it is the hop this gateway appends.
    peer = environ.get("werkzeug.proxy_fix.orig", environ).get("REMOTE_ADDR") or "unknown"
    prior = incoming.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Request-ID"] = g.request_id
    return headers
