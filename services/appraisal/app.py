"""Wiring of the appraisal service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from chassis.service import ServiceSpec
from chassis.web import app_factory
from contracts import validate_event
from services.appraisal import api, handlers, models

TITLE = "Sofifi ASN - Appraisal"
DESCRIPTION = "SKP plans, ratings and predikat under PermenPAN-RB 6/2022."
SPEC = ServiceSpec.declare(models, api, handlers, validate_event, TITLE, DESCRIPTION)
create_app = app_factory(SPEC)
