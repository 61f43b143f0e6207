"""Wiring of the training service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from chassis.service import ServiceSpec
from chassis.web import app_factory
from contracts import validate_event
from services.training import (
    api,
    api_courses,
    api_enrolment,
    api_idp,
    api_ledger,
    api_succession,
    api_talent,
    handlers,
    jobs,
    models,
)

TITLE = "Sofifi ASN - Training"
DESCRIPTION = "Competency development, the JP ledger and Latsar under PP 11/2017 and PP 17/2020."
APIS = (api, api_courses, api_enrolment, api_ledger, api_talent, api_succession, api_idp)
SPEC = ServiceSpec.declare(
    models, APIS, handlers, validate_event, TITLE, DESCRIPTION, jobs=jobs.JOBS
)
create_app = app_factory(SPEC)
