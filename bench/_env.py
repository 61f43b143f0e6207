"""A fresh RabbitMQ vhost and fresh PostgreSQL databases for a benchmark, removed after."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from chassis.db import make_engine, normalize_url


def rabbitmqctl(*args: str) -> None:
    """Run rabbitmqctl on the local broker."""
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def fresh_vhost(base_url: str) -> Iterator[str]:
    """A new vhost on the broker of `base_url`; yields its AMQP URL."""
    name = f"sofifi-bench-{uuid.uuid4().hex[:8]}"
    user = urlsplit(base_url).username or "guest"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        parts = urlsplit(base_url)
        yield urlunsplit((parts.scheme, parts.netloc, "/" + quote(name, safe=""), "", ""))
    finally:
        rabbitmqctl("delete_vhost", name)


@contextmanager
def fresh_database(admin_url: str, metadata: MetaData) -> Iterator[str]:
    """A new database with `metadata`'s tables on the server of `admin_url`; yields its URL."""
    name = f"sofifi_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(admin_url)).set(database=name).render_as_string(False)
    try:
        engine = make_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
