"""Alembic per service: each service has its own `migrations/` folder and database."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData

from chassis.db import make_engine


def alembic_config(migrations_dir: Path, url: str) -> Config:
    """An Alembic config for one service's migrations and database, with no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(migrations_dir, url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def revision(migrations_dir: Path, url: str, message: str) -> None:
    """Write a new migration by comparing the models with the (migrated) database at `url`."""
    command.revision(alembic_config(migrations_dir, url), message=message, autogenerate=True)


def pending_changes(engine: Engine, metadata: MetaData) -> list:
    """Differences between the models and a migrated database (empty when in step)."""
    with engine.connect() as connection:
        migration_context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(migration_context, metadata)


def run_migrations(target_metadata: MetaData) -> None:
    """Body of a service's migrations/env.py: run online, on the given or a new connection."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection, target_metadata)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as new_connection:
            _run(new_connection, target_metadata)
    finally:
        engine.dispose()


def _run(connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
