"""The proxy's rules, free of any framework: one copy for the fast path and the Flask view.

Both paths work on the WSGI environ (Flask's `request.environ` is the same dict), so the route,
the path checks, the headers sent on, the request-id rule, the rate-limit key, the caps and
timeouts, the target URL and the failure answers are decided here once. What differs between
the paths is only how they answer: the fast path writes WSGI directly, the Flask view raises.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chassis.logs import request_id_or_new
from gateway.upstream import Upstream, UpstreamFailure

log = logging.getLogger("gateway.proxy")

PREFIX = "/api/v1/"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# A service's operational endpoints stay inside the network (the gateway's /health sums them up).
INTERNAL_PATHS = frozenset({"metrics", "ready", "health", "live"})
# Idempotency-Key: a retried job start must reach the service with its key (chassis.jobs_api).
FORWARDED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "Idempotency-Key",
)
# WSGI environ keys of the forwarded caller headers (Content-Type has no HTTP_ prefix).
FORWARDED_KEYS = tuple(
    (name, "CONTENT_TYPE" if name == "Content-Type" else "HTTP_" + name.upper().replace("-", "_"))
    for name in FORWARDED_HEADERS
)
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
# Characters left as they are when the path is quoted again for the backend.
PATH_SAFE = "/:@!$&'()*+,;=-._~"
# Bulk uploads (POST) get GATEWAY_UPLOAD_TIMEOUT and GATEWAY_MAX_UPLOAD_BYTES: any path ending
# in /import or /upload, and recruitment's CSV score uploads (selection/<year>/skd-scores, ...).
BULK_LAST_SEGMENTS = frozenset({"import", "upload"})
BULK_PATHS = {"recruitment": re.compile(r"selection/\d+/sk[db]-scores/?")}
# Flask-Limiter's endpoint part of the key: the proxied calls of both paths share one budget.
ENDPOINT = "proxy.proxy"


class Refused(Exception):
    """The gateway answers this request itself, in the common error shape."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Route:
    """Where a proxied call goes: the service, its upstream and the rest of the path.

    `rest` is WSGI text (each byte of the raw path as one latin-1 character), as PATH_INFO is.
    """

    service: str
    upstream: Upstream
    rest: str

    @property
    def segments(self) -> list[str]:
        """The segments of the rest of the path."""
        return self.rest.split("/")


def split(path_info: str) -> tuple[str, bool, str]:
    """The service name, whether a slash follows it, and the rest of a proxied path."""
    service, slash, rest = path_info[len(PREFIX) :].partition("/")
    return service, bool(slash), rest


def route(upstreams: Mapping[str, Upstream], path_info: str) -> Route:
    """The route of `/api/v1/<service>/<rest>`; Refused (404) for what must not go through."""
    service, _, rest = split(path_info)
    upstream = upstreams.get(service)
    if upstream is None:
        raise Refused(404, f"There is no service called {service}.")
    segments = rest.split("/")
    first = next((segment for segment in segments if segment), "")
    if first in INTERNAL_PATHS or "." in segments or ".." in segments:
        shown = rest.encode("latin-1").decode("utf-8", "replace")
        raise Refused(404, f"/{shown} of {service} is not reachable through the gateway.")
    return Route(service, upstream, rest)


def request_id(offered: str | None) -> str:
    """The caller's request id when it is well formed, else a new one (the chassis's rule)."""
    return request_id_or_new(offered)


def client_address(environ: Mapping[str, Any]) -> str:
    """The client as the rate limits key it (the peer, or what trusted proxies say it is)."""
    return environ.get("REMOTE_ADDR") or "127.0.0.1"


def limit_key_parts(key_prefix: str, environ: Mapping[str, Any]) -> list[str]:
    """Flask-Limiter's key of a proxied public call: prefix, client, endpoint."""
    return [key_prefix, client_address(environ), ENDPOINT]


def bearer(authorization: str) -> str | None:
    """The token of a `Bearer <token>` header; None for any other scheme or an empty token."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def forwarded_headers(environ: Mapping[str, Any], request_id: str, service: str) -> dict[str, str]:
    """The caller's headers a service needs, plus the request id and forwarding info.

    `X-Forwarded-Prefix` tells the service the path it is reached by, for the URLs it hands
    out (a job's `Location`).
    """
    headers = {name: environ[key] for name, key in FORWARDED_KEYS if key in environ}
    # Behind ProxyFix the original peer is kept aside; it is the hop this gateway appends.
    peer = environ.get("werkzeug.proxy_fix.orig", environ).get("REMOTE_ADDR") or "unknown"
    prior = environ.get("HTTP_X_FORWARDED_FOR")
    headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
    headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme", "http")
    headers["X-Forwarded-Prefix"] = f"{PREFIX}{service}"
    headers["X-Request-ID"] = request_id
    return headers


def target(route: Route, query: str | None) -> str:
    """The request target on the service: its base path, the path quoted again, the query."""
    path = f"{route.upstream.base_path}/{quote(route.rest.encode('latin-1'), safe=PATH_SAFE)}"
    return f"{path}?{query}" if query else path


def is_bulk_upload(service: str, method: str, path: str) -> bool:
    """A POST of a bulk upload (CSV import), which gets the upload timeout and size cap."""
    if method != "POST":
        return False
    if path.rstrip("/").rsplit("/", 1)[-1] in BULK_LAST_SEGMENTS:
        return True
    pattern = BULK_PATHS.get(service)
    return pattern is not None and pattern.fullmatch(path) is not None


def body_limits(settings: Any, route: Route, method: str, default_cap: int) -> tuple[int, float]:
    """The body cap (bytes) and the timeout (seconds) of a call on this route."""
    if is_bulk_upload(route.service, method, route.rest):
        return settings.gateway_max_upload_bytes, settings.gateway_upload_timeout
    return default_cap, settings.gateway_timeout


def failure_response(service: str, failure: UpstreamFailure) -> tuple[int, str]:
    """504 or 502 and its message for a call that got no answer; logs the full error."""
    log.warning(
        "proxied call failed",
        extra={"target": service, "outcome": failure.kind, "error": repr(failure.error)},
    )
    if failure.kind == "timeout":
        return 504, f"The {service} service did not answer in time."
    return 502, f"The {service} service could not be reached."
