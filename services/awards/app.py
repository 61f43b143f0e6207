"""Wiring of the awards service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from chassis.service import ServiceSpec
from chassis.web import app_factory
from contracts import validate_event
from services.awards import (
    api,
    handlers,
    models,
    tables,  # noqa: F401  (registers the programme tables in Base)
)

TITLE = "Sofifi ASN - Awards"
DESCRIPTION = "Sofifi Berprestasi and Satyalancana Karya Satya: eligibility and grants."
SPEC = ServiceSpec.declare(models, api, handlers, validate_event, TITLE, DESCRIPTION)
create_app = app_factory(SPEC)
