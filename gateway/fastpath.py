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
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import IO, Any

from flask import Flask
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many

from chassis.errors import Unauthorized, error_body
from chassis.logs import bind_correlation_id, unbind_correlation_id
from gateway import core
from gateway.state import GatewayState
from gateway.upstream import UpstreamFailure, relayed

access_log = logging.getLogger("sofifi.access")
log = logging.getLogger(__name__)
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
        if not path.startswith(core.PREFIX):
            return self.flask_app(environ, start_response)
        started = time.perf_counter()
        request_id = core.request_id(environ.get("HTTP_X_REQUEST_ID"))
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
            self.latency.labels("gateway", method, core.ENDPOINT).observe(
                time.perf_counter() - started
            )
            self.requests.labels("gateway", method, core.ENDPOINT, status).inc()
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
        route = self._route(path, method)
        cap, timeout = core.body_limits(self.state.settings, route, method, self.max_body)
        length = _body_length(environ, cap)
        headers = core.forwarded_headers(environ, request_id, route.service)
        limit_headers: list[tuple[str, str]] = []
        if "Authorization" in headers:
            self._check_token(headers["Authorization"])
        else:
            limit_headers = self._hit_public_limit(environ)
        body: IO[bytes] | None = None
        if length:
            headers["Content-Length"] = str(length)
            body = BoundedReader(environ["wsgi.input"], length)
        try:
            answer = route.upstream.call(
                method, core.target(route, environ.get("QUERY_STRING")), headers, body, timeout
            )
        except UpstreamFailure as failure:
            code, message = core.failure_response(route.service, failure)
            status, reason, error_headers, data = error_answer(code, message)
            return status, reason, error_headers + limit_headers, data
        relayed_headers = relayed(answer.headers, core.NOT_RELAYED)
        relayed_headers.append(("Content-Length", str(len(answer.body))))
        return answer.status, answer.reason, relayed_headers + limit_headers, answer.body

    def _route(self, path: str, method: str) -> core.Route:
        """The route of the call; Fallback when Flask must answer (refusals, redirects)."""
        _, slash, rest = core.split(path)
        if not slash or method not in core.METHODS or "" in rest.split("/")[:-1]:
            raise Fallback  # no slash after the service, or doubled slashes: Flask redirects
        try:
            return core.route(self.state.upstreams, path)
        except core.Refused:
            raise Fallback from None  # Flask answers the 404, after counting a public call

    def _check_token(self, authorization: str) -> None:
        token = core.bearer(authorization)
        if token is None:
            raise Fallback
        try:
            self.state.tokens.verify(token)
        except Unauthorized:
            raise Fallback from None  # Flask answers 401 with the reason

    def _hit_public_limit(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        """Count a call without a token as Flask-Limiter would; its X-RateLimit-* headers."""
        if not self.limiter.enabled or not self.public_limits:
            return []
        args = core.limit_key_parts(self.key_prefix, environ)
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


def _body_length(environ: dict[str, Any], cap: int) -> int:
    """The declared body length; Fallback for a chunked body, a bad length or one over `cap`."""
    if "HTTP_TRANSFER_ENCODING" in environ:
        raise Fallback  # a chunked body: Flask reads it up to the cap
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Fallback from None
    if length < 0 or length > cap:
        raise Fallback  # Flask answers 413 in the common shape
    return length


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


def request_metrics(app: Flask) -> tuple[Any, Any]:
    """The request counter and latency histogram chassis.metrics made for this app.

    The fast path adds to the very same instruments: a second instrument of the same name would
    collide in the app's registry or, under gunicorn, in the same multiprocess file entry.
    """
    return app.extensions["metrics_instruments"]
