"""Alembic environment of the recruitment service."""

from chassis.migrations import run_migrations
from services.recruitment.models import Base

run_migrations(Base.metadata)
