"""Wiring of the recruitment service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from chassis.service import ServiceSpec
from chassis.web import app_factory
from contracts import validate_event
from services.recruitment import api, handlers, jobs, models

TITLE = "Sofifi ASN - Recruitment"
DESCRIPTION = "CPNS selection and the roster of employees (BKN rules)."
SPEC = ServiceSpec.declare(
    models, api, handlers, validate_event, TITLE, DESCRIPTION, jobs=jobs.JOBS
)
create_app = app_factory(SPEC)
