"""Alembic environment of the training service."""

from chassis.migrations import run_migrations
from services.training.models import Base

run_migrations(Base.metadata)
