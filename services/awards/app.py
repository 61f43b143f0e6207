"""Wiring of the awards service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from chassis.service import ServiceSpec
from chassis.web import create_service_app
from contracts import validate_event
from services.awards import (
    api,
    award_handlers,
    handlers,
    models,
    programme_api,
    tables,  # noqa: F401  (registers the programme tables in Base)
)

SPEC = ServiceSpec(
    name="awards",
    title="Sofifi ASN - Awards",
    description="Sofifi Berprestasi and Satyalancana Karya Satya: eligibility and grants.",
    metadata=models.Base.metadata,
    outbox=models.outbox,
    inbox=models.inbox,
    migrations_dir=Path(__file__).parent / "migrations",
    blueprints=(*api.BLUEPRINTS, *programme_api.BLUEPRINTS),
    # Eligibility first, then what programmes add (withdrawal sees the new facts).
    handlers=award_handlers.combined(handlers.HANDLERS, award_handlers.HANDLERS),
    validate_event=validate_event,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The awards web app; `config` overrides environment settings (tests)."""
    return create_service_app(SPEC, config)
