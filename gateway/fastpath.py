"""The proxied call served below Flask: `/api/v1/<service>/<path>` as plain WSGI.

Flask's request context, routing and hooks cost about as much CPU as the proxying itself, so the
common case is served here: a known service, a plain path, a valid (remembered) token or a public
call within its limit, a body within its cap. Every other request (unknown service, internal or
dotted path, bad token, over the limit, body too large or chunked) goes on to the Flask app,
which answers it as before. What the Flask hooks do for a request is done here too: the request
id (taken or made, bound to the logs, sent on and echoed), the access log line, the request
metrics, the rate-limit counters and headers.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import IO, Any
from urllib.parse import quote

from flask import Flask
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many

from chassis.errors import Unauthorized, error_body
from chassis.logs import bind_correlation_id, new_correlation_id, unbind_correlation_id
from gateway.proxy import (
    FORWARDED_HEADERS,
    INTERNAL_PATHS,
    METHODS,
    NOT_RELAYED,
    PATH_SAFE,
    failure_response,
    is_bulk_upload,
)
from gateway.state import GatewayState
from gateway.upstream import Upstream, UpstreamFailure, relayed

access_log = logging.getLogger("sofifi.access")
log = logging.getLogger(__name__)
PREFIX = "/api/v1/"
ENDPOINT = "proxy.proxy"
# The same rule as chassis.web's: a caller's id is kept only when it is well formed.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# WSGI environ keys of the forwarded caller headers (Content-Type has no HTTP_ prefix).
FORWARDED_KEYS = tuple(
    (name, "CONTENT_TYPE" if name == "Content-Type" else "HTTP_" + name.upper().replace("-", "_"))
    for name in FORWARDED_HEADERS
)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Fallback(Exception):
    """This request is not for the fast path: the Flask app answers it."""


class FastProxy:
    """WSGI middleware in front of the gateway's Flask app (inside ProxyFix)."""

    def __init__(self, app: Flask, state: GatewayState, limiter: Limiter, key_prefix: str) -> None:
        self.flask_app: WsgiApp = app.wsgi_app
        self.state = state
        self.limiter = limiter
        self.public_limits: list[RateLimitItem] = sorted(
            parse_many(state.settings.ratelimit_public)
        )
        # Flask-Limiter's own key (prefix, client, endpoint): the two paths share one budget.
        self.key_prefix = key_prefix
        self.max_body = int(app.config["MAX_CONTENT_LENGTH"])
        self.requests, self.latency = request_metrics(app)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self.flask_app(environ, start_response)
        started = time.perf_counter()
        offered = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if REQUEST_ID.match(offered) else new_correlation_id()
        token = bind_correlation_id(request_id)
        try:
            try:
                status, reason, headers, body = self._proxy(environ, path, request_id)
            except Fallback:
                return self.flask_app(environ, start_response)
            except Exception:
                # As chassis.errors does for a view: a 500 in the common shape, the trace logged.
                log.exception("proxied call failed unexpectedly")
                status, reason, headers, body = error_answer(
                    500, "Internal error; the request id identifies it in the logs."
                )
            method = environ["REQUEST_METHOD"]
            headers.append(("X-Request-ID", request_id))
            start_response(f"{status} {reason}", headers)
            self.latency.labels("gateway", method, ENDPOINT).observe(time.perf_counter() - started)
            self.requests.labels("gateway", method, ENDPOINT, status).inc()
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "path": path.encode("latin-1").decode("utf-8", "replace"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return [body]
        finally:
            unbind_correlation_id(token)

    def _proxy(
        self, environ: dict[str, Any], path: str, request_id: str
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """Status, reason, headers and body of the proxied call; raises Fallback."""
        method = environ["REQUEST_METHOD"]
        service, upstream, rest = self._route(path, method)
        bulk = is_bulk_upload(service, method, rest)
        length = self._body_length(environ, bulk)
        headers = forwarded_headers(environ, request_id)
        limit_headers: list[tuple[str, str]] = []
        if "Authorization" in headers:
            self._check_token(headers["Authorization"])
        else:
            limit_headers = self._hit_public_limit(environ)
        target = f"{upstream.base_path}/{quote(rest.encode('latin-1'), safe=PATH_SAFE)}"
        query = environ.get("QUERY_STRING")
        if query:
            target = f"{target}?{query}"
        body: IO[bytes] | None = None
        if length:
            headers["Content-Length"] = str(length)
            body = BoundedReader(environ["wsgi.input"], length)
        settings = self.state.settings
        timeout = settings.gateway_upload_timeout if bulk else settings.gateway_timeout
        try:
            answer = upstream.call(method, target, headers, body, timeout)
        except UpstreamFailure as failure:
            code, message = failure_response(service, failure)
            status, reason, error_headers, data = error_answer(code, message)
            return status, reason, error_headers + limit_headers, data
        relayed_headers = relayed(answer.headers, NOT_RELAYED)
        relayed_headers.append(("Content-Length", str(len(answer.body))))
        return answer.status, answer.reason, relayed_headers + limit_headers, answer.body

    def _route(self, path: str, method: str) -> tuple[str, Upstream, str]:
        """The service, its upstream and the rest of the path; Fallback when Flask must answer."""
        service, slash, rest = path[len(PREFIX) :].partition("/")
        upstream = self.state.upstreams.get(service)
        segments = rest.split("/")
        if (
            upstream is None
            or not slash
            or method not in METHODS
            or segments[0] in INTERNAL_PATHS
            or "." in segments
            or ".." in segments
            or "" in segments[:-1]  # empty first segment or doubled slashes: Flask redirects
        ):
            raise Fallback
        return service, upstream, rest

    def _body_length(self, environ: dict[str, Any], bulk: bool) -> int:
        if "HTTP_TRANSFER_ENCODING" in environ:
            raise Fallback  # a chunked body: Flask reads it up to the cap
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise Fallback from None
        cap = self.state.settings.gateway_max_upload_bytes if bulk else self.max_body
        if length < 0 or length > cap:
            raise Fallback  # Flask answers 413 in the common shape
        return length

    def _check_token(self, authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Fallback
        try:
            self.state.tokens.verify(token)
        except Unauthorized:
            raise Fallback from None  # Flask answers 401 with the reason

    def _hit_public_limit(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        """Count a call without a token as Flask-Limiter would; its X-RateLimit-* headers."""
        if not self.limiter.enabled or not self.public_limits:
            return []
        args = [self.key_prefix, environ.get("REMOTE_ADDR") or "127.0.0.1", ENDPOINT]
        strategy = self.limiter.limiter
        try:
            for item in self.public_limits:
                if not strategy.hit(item, *args):
                    raise Fallback  # Flask-Limiter refuses it (429, Retry-After) in Flask
            first = self.public_limits[0]
            reset, remaining = strategy.get_window_stats(first, *args)
        except Fallback:
            raise
        except Exception:
            raise Fallback from None  # storage trouble: Flask-Limiter's own handling applies
        reset_at = int(reset + 1)
        return [
            ("X-RateLimit-Limit", str(first.amount)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(reset_at)),
            ("Retry-After", str(int(reset_at - time.time()))),
        ]


def error_answer(code: int, message: str | None) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """A response in the common error shape (chassis.errors), as WSGI parts."""
    data = json.dumps(error_body(code, message)).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    return code, HTTPStatus(code).phrase, headers, data


class BoundedReader:
    """The first `length` bytes of a WSGI input stream (http.client reads until empty)."""

    def __init__(self, stream: IO[bytes], length: int) -> None:
        self.stream = stream
        self.left = length

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes, never past the request's Content-Length."""
        if self.left <= 0:
            return b""
        size = self.left if size < 0 else min(size, self.left)
        data = self.stream.read(size)
        self.left -= len(data)
        if not data:
            self.left = 0
        return data


def forwarded_headers(environ: dict[str, Any], request_id: str) -> dict[str, str]:
    """The caller's headers a service needs, plus the request id and forwarding info."""
    headers = {name: environ[key] for name, key in FORWARDED_KEYS if key in environ}
    # Behind ProxyFix the original peer is kept aside; it is the hop this gateway appends.
    peer = environ.get("werkzeug.proxy_fix.orig", environ).get("REMOTE_ADDR") or "unknown"
    prior = environ.get("HTTP_X_FORWARDED_FOR")
    headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
    headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme", "http")
    headers["X-Request-ID"] = request_id
    return headers


def request_metrics(app: Flask) -> tuple[Any, Any]:
    """The request counter and latency histogram chassis.metrics made for this app.

    The fast path adds to the very same instruments: a second instrument of the same name would
    collide in the app's registry or, under gunicorn, in the same multiprocess file entry.
    """
    return app.extensions["metrics_instruments"]
