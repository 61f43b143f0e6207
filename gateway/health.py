"""`GET /health` of the gateway: every backend's readiness and its own, gathered in parallel."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify

from chassis.health import run_check
from gateway.aggregate import Part
from gateway.state import gateway_state


def platform_health():
    """Each service with its database, broker and outbox checks, and the gateway's database."""
    state = gateway_state()
    calls = {name: f"{url}/ready" for name, url in state.settings.service_urls.items()}
    parts = state.aggregator.get_json(calls, {"X-Request-ID": g.request_id})
    checks = {
        name: run_check(check) for name, check in current_app.extensions["health_checks"].items()
    }
    backends = {name: backend_health(part) for name, part in parts.items()}
    healthy = all(item["status"] == "ok" for item in [*checks.values(), *backends.values()])
    body = {
        "status": "ok" if healthy else "error",
        "service": "gateway",
        "checks": checks,
        "backends": backends,
    }
    return jsonify(body), 200 if healthy else 503


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
