"""A per-client limit on the public writes of the feedback service, on top of the gateway's
limit on every tokenless call: sending reports costs staff time, reading costs nothing.

The client is the address the gateway saw (the last `X-Forwarded-For` hop it appended), and the
limiter counts under a keyed hash of it (a random key per process), in memory only: the address
itself is never kept, not even in the counters.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Flask, request
from flask_limiter import Limiter

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


def client_key() -> str:
    """A keyed hash of the client's address (the gateway's last hop, else the peer)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    address = forwarded.rsplit(",", 1)[-1].strip() or request.remote_addr or "unknown"
    return hmac.new(_KEY, address.encode(), hashlib.sha256).hexdigest()[:32]


def init_write_limits(app: Flask, limit: str) -> Limiter:
    """Apply `limit` (e.g. "30 per minute") to each public write; 429 in the common shape."""
    limiter = Limiter(
        key_func=client_key,
        app=app,
        storage_uri="memory://",
        default_limits=[],
        headers_enabled=True,
    )
    message = f"Too many submissions from this client (limit: {limit}); wait and try again."
    for endpoint, method in PUBLIC_WRITES:
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(
            limit, methods=[method], error_message=message
        )(view)
    return limiter
