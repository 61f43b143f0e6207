"""Wiring of the feedback service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from chassis.service import ServiceSpec
from chassis.web import create_service_app
from contracts import validate_event
from services.feedback import (
    api,
    engagement_api,
    forum_api,
    handlers,
    models,
    report_api,
    tables,
    tables_engagement,
)
from services.feedback.limits import init_write_limits

_ = (tables, tables_engagement)  # their tables join models.Base.metadata when imported

TITLE = "Sofifi ASN - Feedback"
DESCRIPTION = "Citizens' reports and IKM surveys under SP4N-LAPOR! (PermenPAN-RB 14/2017)."
APIS = (api, report_api, forum_api, engagement_api)
SPEC = ServiceSpec.declare(models, APIS, handlers, validate_event, TITLE, DESCRIPTION)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The feedback web app; `config` overrides environment settings (tests)."""
    app = create_service_app(SPEC, config)
    init_write_limits(app, app.config["SETTINGS"].feedback_write_limit)

    @app.after_request
    def _no_sniffing(response: Response) -> Response:
        # Citizens' text and files are data: a browser must never guess them into HTML.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
