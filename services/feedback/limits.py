"""A per-client limit on the public writes of the feedback service, on top of the gateway's
limit on every tokenless call: sending reports costs staff time, reading costs nothing.

The client is the address the gateway saw (the last `X-Forwarded-For` hop it appended), and the
limiter counts under a keyed hash of it (a random key per process), in memory only: the address
itself is never kept, not even in the counters.

The `limits` library counts (the one under Flask-Limiter, fixed windows in memory), called from
a thin wrapper of each public write: Flask-Limiter's extension also ran hooks before and after
every request of the service, reads included, which cost the report intake (the hot path)
about a tenth of its CPU.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from chassis import fastpaths
from chassis.errors import ApiError

log = logging.getLogger(__name__)

# (endpoint, method) of every public write.
PUBLIC_WRITES = (
    ("reports-public.PublicReports", "POST"),
    ("reports-public.Information", "POST"),
    ("reports-public.Rating", "POST"),
    ("reports-public.Reopen", "POST"),
    ("reports-public.CitizenAttachments", "POST"),
    ("ikm.Answers", "POST"),
    ("consultations.Comments", "POST"),
    ("consultations.Flag", "POST"),
)
_KEY = secrets.token_bytes(32)


class TooManyWrites(ApiError):
    code = 429
    message = "Too many submissions from this client; wait and try again."


def client_key() -> str:
    """A keyed hash of the client's address (the gateway's last hop, else the peer)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    address = forwarded.rsplit(",", 1)[-1].strip() or request.remote_addr or "unknown"
    return hmac.new(_KEY, address.encode(), hashlib.sha256).hexdigest()[:32]


class WriteLimiter:
    """Fixed-window counters per client over the public writes; 429 with Retry-After beyond."""

    def __init__(self, limit: str) -> None:
        self.limits = sorted(parse_many(limit))
        self.strategy = FixedWindowRateLimiter(
            storage_from_string(fastpaths.rate_limit_storage_uri("memory://"))
        )
        self.message = (
            f"Too many submissions from this client (limit: {limit}); wait and try again."
        )

    def check(self, endpoint: str) -> None:
        """Count this write of the current client at `endpoint` (each its own budget, as
        Flask-Limiter's decorators had), or refuse it (TooManyWrites)."""
        key = client_key()
        for item in self.limits:
            if not self.strategy.hit(item, endpoint, key):
                reset, _ = self.strategy.get_window_stats(item, endpoint, key)
                log.info("public write limit reached", extra={"limit": str(item)})
                headers = _headers(item, 0, reset)
                raise TooManyWrites(self.message, headers=headers)
        first = self.limits[0]
        reset, remaining = self.strategy.get_window_stats(first, endpoint, key)
        g.write_limit_headers = _headers(first, remaining, reset)

    def wrap(self, view: Callable[..., Any], endpoint: str, method: str) -> Callable[..., Any]:
        """`view` with this limit on `method` (other methods of the view pass freely)."""

        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            if request.method == method:
                self.check(endpoint)
            return view(*args, **kwargs)

        return limited


def _headers(item: Any, remaining: int, reset: float) -> dict[str, str]:
    reset_at = int(reset + 1)
    return {
        "X-RateLimit-Limit": str(item.amount),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset_at),
        "Retry-After": str(max(0, int(reset_at - time.time()))),
    }


def init_write_limits(app: Flask, limit: str) -> WriteLimiter:
    """Apply `limit` (e.g. "30 per minute") to each public write; 429 in the common shape."""
    limiter = WriteLimiter(limit)
    for endpoint, method in PUBLIC_WRITES:
        app.view_functions[endpoint] = limiter.wrap(app.view_functions[endpoint], endpoint, method)

    @app.after_request
    def _limit_headers(response: Response) -> Response:
        for name, value in g.pop("write_limit_headers", {}).items():
            response.headers[name] = value
        return response

    return limiter
