"""pytest plugin with the shared fixtures: keys and tokens, a real broker, a real PostgreSQL.

Broker and database come from AMQP_URL / DATABASE_URL (or the local defaults), else from
testcontainers where Docker exists. When neither is there the test fails under CI=true and is
skipped (with the reason) on a developer's machine: delivery guarantees are never "tested"
against a fake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pytest

from chassis.auth import generate_keypair, sign_token
from chassis.bus import broker_reachable
from chassis.config import env

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ISSUER, AUDIENCE = "sofifi-gateway", "sofifi-asn"


def unavailable(what: str) -> None:
    """Fail under CI, skip elsewhere: a missing broker or database is never silently passed."""
    message = f"{what} is not reachable and no Docker engine runs for testcontainers"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI=true: tests that need it must run)")
    pytest.skip(message)


# -- keys and tokens ----------------------------------------------------------------------


class Keys:
    """A dev key pair in a temporary folder, and a token factory signed with it."""

    def __init__(self, folder: Path) -> None:
        self.private = folder / "jwt-private.pem"
        self.public = folder / "jwt-public.pem"
        generate_keypair(self.private, self.public)

    def token(
        self,
        *roles: str,
        subject: str = "tester",
        nip: str | None = None,
        unit: str | None = None,
        ttl: int = 600,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
        now: float | None = None,
    ) -> str:
        """A signed token with these roles and claims."""
        return sign_token(
            self.private.read_bytes(),
            subject=subject,
            roles=roles,
            issuer=issuer,
            audience=audience,
            ttl_seconds=ttl,
            nip=nip,
            unit=unit,
            now=now,
        )

    def headers(self, *roles: str, **claims: Any) -> dict[str, str]:
        """An Authorization header for a token with these roles."""
        return {"Authorization": f"Bearer {self.token(*roles, **claims)}"}


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """The key pair the services under test trust."""
    return Keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def foreign_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """Another key pair, which nothing trusts."""
    return Keys(tmp_path_factory.mktemp("foreign-keys"))


@pytest.fixture
def service_config(tmp_path: Path, keys: Keys) -> dict[str, str]:
    """Settings for a service under test: its own var dir, the test keys, the memory bus."""
    return {
        "SOFIFI_VAR_DIR": str(tmp_path / "var"),
        "JWT_PUBLIC_KEY_FILE": str(keys.public),
        "JWT_PRIVATE_KEY_FILE": str(keys.private),
        "AMQP_URL": "memory://",
        "LOG_LEVEL": "INFO",
        # No gateway to read revoked tokens from (tests of that turn it on, with their gateway).
        "REVOCATION_REFRESH_SECONDS": "0",
    }


# -- RabbitMQ -----------------------------------------------------------------------------


class Broker:
    """A real RabbitMQ and a way to make isolated virtual hosts on it."""

    def __init__(self, url: str, ctl: Callable[..., str] | None) -> None:
        self.url = url
        self.ctl = ctl

    def new_vhost(self) -> str:
        """A fresh virtual host; returns its AMQP URL."""
        if self.ctl is None:
            pytest.fail("making test vhosts needs rabbitmqctl (local broker) or testcontainers")
        name = f"sofifi-test-{uuid.uuid4().hex[:10]}"
        user = urlsplit(self.url).username or "guest"
        self.ctl("add_vhost", name)
        self.ctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/" + quote(name, safe=""), "", ""))

    def delete_vhost(self, url: str) -> None:
        """Remove a vhost made by `new_vhost`, and the service users made for it
        (`<vhost>-<service>`, by `sofifi run`: chassis.accounts.local_service_urls)."""
        name = vhost_of(url)
        if self.ctl is not None and name.startswith("sofifi-test-"):
            self.ctl("delete_vhost", name)
            for user in self.ctl("list_users", "--no-table-headers").splitlines():
                user = user.split("\t", 1)[0].strip()
                if user.startswith(f"{name}-"):
                    self.ctl("delete_user", user)

    def _require_ctl(self) -> Callable[..., str]:
        if self.ctl is None:
            pytest.fail("controlling the broker needs rabbitmqctl (local broker) or testcontainers")
        return self.ctl

    def close_connections(
        self, url: str, why: str = "closed by a test", timeout: float = 15.0
    ) -> None:
        """Force-close every client connection of the vhost in `url` (others are untouched),
        and return only once the broker has stopped taking frames on any of them."""
        before = set(self.connections(url))
        self._require_ctl()("close_all_connections", "--vhost", vhost_of(url), why)
        # close_all_connections only asks each connection to close: until its state has left
        # "running" the broker still takes acks on it, and a test of lost acks would lose none.
        deadline = time.monotonic() + timeout
        while any(self.connections(url).get(name) == "running" for name in before):
            if time.monotonic() > deadline:
                raise AssertionError(f"connections still running after {timeout} s")
            time.sleep(0.05)

    def connections(self, url: str) -> dict[str, str]:
        """Client connections of the vhost in `url`: name (addresses and ports) -> state."""
        # list_connections lists every vhost's (it takes no -p): the broker may be shared.
        output = self._require_ctl()(
            "list_connections", "--no-table-headers", "name", "state", "vhost"
        )
        rows = [line.rsplit("\t", 2) for line in output.splitlines() if line.count("\t") >= 2]
        vhost = vhost_of(url)
        return {name.strip(): state.strip() for name, state, on in rows if on.strip() == vhost}

    def queues(self, url: str) -> dict[str, dict[str, str]]:
        """Queues of the vhost in `url`: name -> {type, arguments, messages, ...} as text."""
        columns = ("name", "type", "durable", "arguments", "messages", "consumers")
        output = self._require_ctl()(
            "list_queues", "-p", vhost_of(url), "--no-table-headers", *columns
        )
        rows = [line.split("\t") for line in output.splitlines() if line.strip()]
        return {row[0]: dict(zip(columns[1:], row[1:], strict=False)) for row in rows}

    def bindings(self, url: str) -> set[tuple[str, str, str]]:
        """(exchange, queue, routing key) of every binding in the vhost, default exchange aside."""
        output = self._require_ctl()(
            "list_bindings",
            "-p",
            vhost_of(url),
            "--no-table-headers",
            "source_name",
            "destination_name",
            "routing_key",
        )
        rows = [line.split("\t") for line in output.splitlines() if line.strip()]
        return {(row[0], row[1], row[2]) for row in rows if len(row) == 3 and row[0]}

    @contextmanager
    def stopped(self, ready_timeout: float = 90.0) -> Iterator[None]:
        """Stop the broker application for the block, and always start it again after.

        The node stays up (`rabbitmqctl stop_app` / `start_app`); the block ends with the broker
        accepting connections again, or the test fails.
        """
        ctl = self._require_ctl()
        ctl("stop_app")
        try:
            yield
        finally:
            self.start(ready_timeout)

    def start(self, ready_timeout: float = 90.0) -> None:
        """Start the broker application (if stopped) and wait until it takes connections."""
        ctl = self._require_ctl()
        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                ctl("start_app")
                ctl("await_startup")
                if broker_reachable(self.url, timeout=2.0):
                    return
            except Exception:  # noqa: S110 - retried until the deadline
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"RabbitMQ did not come back within {ready_timeout} s")
            time.sleep(0.5)


def vhost_of(url: str) -> str:
    """The virtual host an AMQP URL names."""
    return unquote(urlsplit(url).path[1:]) or "/"


def _local_rabbitmqctl(*args: str) -> str:
    return subprocess.run(
        ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def _docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    """The real RabbitMQ: AMQP_URL, the local one, or a testcontainer."""
    url = env("AMQP_URL")  # the platform's own default: the local broker
    if url.startswith("amqp") and broker_reachable(url):
        host = urlsplit(url).hostname
        local = host in ("localhost", "127.0.0.1") and shutil.which("rabbitmqctl")
        yield Broker(url, _local_rabbitmqctl if local else None)
        return
    if not _docker_available():
        unavailable(f"RabbitMQ at {url}")
    from testcontainers.rabbitmq import RabbitMqContainer

    with RabbitMqContainer("rabbitmq:3.13-management") as container:
        params = container.get_connection_params()
        container_url = f"amqp://guest:guest@{params.host}:{params.port}//"

        def container_ctl(*args: str) -> str:
            code, output = container.exec(["rabbitmqctl", "-q", *args])
            if code:
                raise RuntimeError(output.decode())
            return output.decode()

        yield Broker(container_url, container_ctl)


@pytest.fixture
def amqp_url(broker: Broker) -> Iterator[str]:
    """An AMQP URL on a fresh virtual host of the real broker, deleted after the test."""
    url = broker.new_vhost()
    try:
        yield url
    finally:
        broker.delete_vhost(url)


# -- PostgreSQL ---------------------------------------------------------------------------


class Postgres:
    """A real PostgreSQL server on which tests make throwaway databases."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine

        from chassis.db import normalize_url

        self.admin_url = normalize_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def new_database(self) -> str:
        """A new empty database; returns its URL."""
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = f"sofifi_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    @contextmanager
    def unavailable(self, url: str) -> Iterator[None]:
        """The database at `url` refuses connections (and drops its open ones) for the block.

        An outage of one database, the server and every other database staying up.
        """
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        try:
            yield
        finally:
            with self.admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))

    def drop_database(self, url: str) -> None:
        """Drop a database made by `new_database`."""
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _postgres_reachable(url: str) -> bool:
    from sqlalchemy import create_engine, text

    from chassis.db import normalize_url

    try:
        engine = create_engine(normalize_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """The real PostgreSQL: DATABASE_URL, the local one, or a testcontainer."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("postgres") and _postgres_reachable(url):
        server = Postgres(url)
        yield server
        server.admin.dispose()
        return
    if not _docker_available():
        unavailable(f"PostgreSQL at {url}")
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver="psycopg") as container:
        server = Postgres(container.get_connection_url())
        yield server
        server.admin.dispose()


@pytest.fixture
def postgres_url(postgres: Postgres) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database, dropped after the test."""
    url = postgres.new_database()
    try:
        yield url
    finally:
        postgres.drop_database(url)
