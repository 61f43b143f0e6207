"""Prometheus metrics at /metrics, correct under several gunicorn workers.

With PROMETHEUS_MULTIPROC_DIR set (the `sofifi web` command sets it), every worker writes its
samples to files in that folder and /metrics adds them up; without it (tests, the dev server)
each app keeps its own registry, so several apps in one process never collide.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from chassis.config import env


def multiprocess_mode() -> bool:
    """True when samples are shared through PROMETHEUS_MULTIPROC_DIR."""
    return bool(env("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    """Flask extension: request counts and latencies, and the /metrics endpoint."""

    def init_app(self, app: Flask, service: str) -> None:
        """Create this app's metrics and register the hooks and the endpoint."""
        registry = None if multiprocess_mode() else CollectorRegistry()
        requests = Counter(
            "http_requests_total",
            "HTTP requests handled",
            ["service", "method", "endpoint", "status"],
            registry=registry,
        )
        latency = Histogram(
            "http_request_duration_seconds",
            "Time spent handling an HTTP request",
            ["service", "method", "endpoint"],
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        app.extensions["metrics"] = registry
        # The gateway's fast path (below Flask) counts into the very same instruments.
        app.extensions["metrics_instruments"] = (requests, latency)

        @app.before_request
        def _start_timer() -> None:
            g.metrics_started = time.perf_counter()

        @app.after_request
        def _observe(response: Response) -> Response:
            started = g.pop("metrics_started", None)
            if started is not None and request.endpoint != "metrics":
                endpoint = request.endpoint or "unmatched"
                latency.labels(service, request.method, endpoint).observe(
                    time.perf_counter() - started
                )
                requests.labels(service, request.method, endpoint, response.status_code).inc()
            return response

        app.add_url_rule("/metrics", "metrics", _metrics_view)


def _metrics_view() -> Response:
    from flask import current_app

    registry = current_app.extensions["metrics"]
    if registry is None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
