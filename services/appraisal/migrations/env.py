"""Alembic environment of the appraisal service."""

from chassis.migrations import run_migrations
from services.appraisal.models import Base

run_migrations(Base.metadata)
