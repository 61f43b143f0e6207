"""Alembic environment of the awards service."""

from chassis.migrations import run_migrations
from services.awards import tables  # noqa: F401  (registers the programme tables)
from services.awards.models import Base

run_migrations(Base.metadata)
