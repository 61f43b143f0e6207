"""`/health` and `/live` (the process is alive), `/ready` (its database and broker answer)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, jsonify

log = logging.getLogger(__name__)

Check = Callable[[], dict[str, Any]]


def run_check(check: Check) -> dict[str, Any]:
    """Run one readiness check, turning an exception into a failed result."""
    started = time.perf_counter()
    try:
        result = {"status": "ok", **check()}
    except Exception as exc:
        log.warning("readiness check failed", extra={"error": repr(exc)})
        result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


class Health:
    """Flask extension: register named readiness checks, serve /health and /ready."""

    def init_app(self, app: Flask, service: str) -> None:
        """Add the two endpoints; checks are added with `add_check`."""
        app.extensions["health_checks"] = {}
        blueprint = Blueprint("health", __name__)

        @blueprint.get("/health")
        def health():
            """The process is up."""
            return jsonify({"status": "ok", "service": service})

        @blueprint.get("/live")
        def live():
            """The process answers (liveness probes: never a dependency, so that a broker or
            database outage does not restart every pod)."""
            return jsonify({"status": "ok"})

        @blueprint.get("/ready")
        def ready():
            """The process can serve: every dependency answered."""
            checks = {
                name: run_check(check) for name, check in app.extensions["health_checks"].items()
            }
            healthy = all(result["status"] == "ok" for result in checks.values())
            body = {"status": "ok" if healthy else "error", "service": service, "checks": checks}
            return jsonify(body), 200 if healthy else 503

        app.register_blueprint(blueprint)

    @staticmethod
    def add_check(app: Flask, name: str, check: Check) -> None:
        """Make /ready depend on `check` (it raises, or returns details to show)."""
        app.extensions["health_checks"][name] = check
