"""Wiring of the training service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from chassis.service import ServiceSpec
from chassis.web import create_service_app
from contracts import validate_event
from services.training import api, api_courses, api_enrolment, api_ledger, handlers, models

SPEC = ServiceSpec(
    name="training",
    title="Sofifi ASN - Training",
    description="Competency development, the JP ledger and Latsar under PP 11/2017 and PP 17/2020.",
    metadata=models.Base.metadata,
    outbox=models.outbox,
    inbox=models.inbox,
    migrations_dir=Path(__file__).parent / "migrations",
    blueprints=(
        *api.BLUEPRINTS,
        *api_courses.BLUEPRINTS,
        *api_enrolment.BLUEPRINTS,
        *api_ledger.BLUEPRINTS,
    ),
    handlers=handlers.HANDLERS,
    validate_event=validate_event,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The training web app; `config` overrides environment settings (tests)."""
    return create_service_app(SPEC, config)
