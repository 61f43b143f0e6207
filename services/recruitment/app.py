"""Wiring of the recruitment service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from chassis.service import ServiceSpec
from chassis.web import create_service_app
from contracts import validate_event
from services.recruitment import api, handlers, jobs, models
from services.recruitment.selection import api as selection_api

SPEC = ServiceSpec(
    name="recruitment",
    title="Sofifi ASN - Recruitment",
    description="CPNS selection and the roster of employees (BKN rules).",
    metadata=models.Base.metadata,
    outbox=models.outbox,
    inbox=models.inbox,
    migrations_dir=Path(__file__).parent / "migrations",
    blueprints=api.BLUEPRINTS + selection_api.BLUEPRINTS,
    handlers=handlers.HANDLERS,
    validate_event=validate_event,
    jobs=jobs.JOBS,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The recruitment web app; `config` overrides environment settings (tests)."""
    return create_service_app(SPEC, config)
