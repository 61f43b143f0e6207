"""The gateway's operational endpoints: the public says up or down, admins see the details.

`GET /health` (public, rate-limited like every call without a token) answers only
`{"status": "ok"}` (200) or `{"status": "error"}` (503): the platform is up when the gateway's
database and every backend's `/ready` answer. The verdict is kept for a couple of seconds, so a
flood of calls does not fan out to five backends each time. `GET /health/details`, `/ready`'s
checks and `/metrics` are for an admin token only (they name backends, latencies and errors).
Liveness probes use `/live` (the process answers; chassis.health), never these.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask, Response, current_app, g, jsonify

from chassis.auth import optional_principal, roles_required
from chassis.health import run_check
from gateway.aggregate import Part
from gateway.state import gateway_state

VERDICT_SECONDS = 2.0  # how long a public verdict is reused


class _Verdict:
    """The last public verdict of this process and when it was reached."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.healthy = False
        self.at = float("-inf")


def init_app(app: Flask) -> None:
    """Public /health, admin-only /health/details, /ready's checks and /metrics."""
    verdict = _Verdict()

    def public_health() -> tuple[Response, int]:
        """The platform is up (200) or down (503); nothing else is said."""
        with verdict.lock:
            if time.monotonic() - verdict.at > VERDICT_SECONDS:
                verdict.healthy = platform_health_body()["status"] == "ok"
                verdict.at = time.monotonic()
            healthy = verdict.healthy
        return jsonify({"status": "ok" if healthy else "error"}), 200 if healthy else 503

    @roles_required("admin")
    def health_details() -> tuple[Response, int]:
        """Each backend with its checks, and the gateway's own (admins)."""
        body = platform_health_body()
        return jsonify(body), 200 if body["status"] == "ok" else 503

    app.view_functions["health.health"] = public_health
    app.add_url_rule("/health/details", "health_details", health_details)
    app.view_functions["health.ready"] = _terse_unless_admin(app.view_functions["health.ready"])
    app.view_functions["metrics"] = roles_required("admin")(app.view_functions["metrics"])


def _terse_unless_admin(view: Any) -> Any:
    """`view`'s status code for anyone; its body (checks, errors) for an admin only."""

    def ready() -> Any:
        response = current_app.make_response(view())
        principal = optional_principal()
        if principal is not None and principal.has_any(("admin",)):
            return response
        status = "ok" if response.status_code == 200 else "error"
        return jsonify({"status": status}), response.status_code

    return ready


def platform_health_body() -> dict[str, Any]:
    """Each service with its database, broker and outbox checks, and the gateway's database."""
    state = gateway_state()
    calls = {name: f"{url}/ready" for name, url in state.settings.service_urls.items()}
    parts = state.aggregator.get_json(calls, {"X-Request-ID": g.request_id})
    checks = {
        name: run_check(check) for name, check in current_app.extensions["health_checks"].items()
    }
    backends = {name: backend_health(part) for name, part in parts.items()}
    healthy = all(item["status"] == "ok" for item in [*checks.values(), *backends.values()])
    return {
        "status": "ok" if healthy else "error",
        "service": "gateway",
        "checks": checks,
        "backends": backends,
    }


def backend_health(part: Part) -> dict[str, Any]:
    """One backend's entry: its own verdict and checks when it answered, else why it did not."""
    entry: dict[str, Any] = {"status": part.status, "latency_ms": part.latency_ms}
    data = part.data if isinstance(part.data, dict) else {}
    if part.http_status is not None:
        entry["http_status"] = part.http_status
    if isinstance(data.get("checks"), dict):
        entry["checks"] = data["checks"]
    if part.ok and data.get("status") != "ok":
        entry["status"] = "error"
    if part.error:
        entry["error"] = part.error
    return entry
