"""Wiring of the feedback service: its spec (shared by web and worker) and its app factory."""

from __future__ import annotations

from chassis.service import ServiceSpec
from chassis.web import app_factory
from contracts import validate_event
from services.feedback import api, handlers, models

TITLE = "Sofifi ASN - Feedback"
DESCRIPTION = "Citizens' reports and IKM surveys under SP4N-LAPOR! (PermenPAN-RB 14/2017)."
SPEC = ServiceSpec.declare(models, api, handlers, validate_event, TITLE, DESCRIPTION)
create_app = app_factory(SPEC)
