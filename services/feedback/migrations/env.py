"""Alembic environment of the feedback service."""

from chassis.migrations import run_migrations
from services.feedback import tables  # noqa: F401  (the report tables join the metadata)
from services.feedback.models import Base

run_migrations(Base.metadata)
