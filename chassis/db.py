"""SQLAlchemy 2 per service: engine factory, a session per request; dialect INSERTs."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from flask import Flask, g
from sqlalchemy import (
    BigInteger,
    DateTime,
    Engine,
    Integer,
    Table,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert

from chassis.config import env

# Stable constraint names, so that Alembic can alter them later (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite included)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` URLs use the psycopg (3) driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite defers BEGIN on its own; we emit BEGIN IMMEDIATE so that a transaction takes
        # the write lock up front (waiting on busy_timeout) instead of failing with "database is
        # locked" when it upgrades from reading to writing while the worker writes too.
        # A read-only probe can ask for a deferred BEGIN with execution_options(sqlite_deferred=1).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=10)
    _ping_when_idle(engine)
    return engine


# A pooled connection idle longer than this is pinged before use (a restarted server or a
# dropped link is then noticed and the connection replaced). SQLAlchemy's pool_pre_ping pings
# on every checkout: a round trip and as much CPU as a small request's own statement.
PING_AFTER_IDLE_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only after PING_AFTER_IDLE_SECONDS of rest.

    A failed ping raises DisconnectionError, on which the pool replaces the connection and
    retries the checkout (SQLAlchemy's documented pessimistic handling). A connection that
    breaks while busy is noticed by its error: SQLAlchemy then invalidates the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _rested_since(_dbapi_connection, record) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        since = record.info.pop("checked_in", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"pooled connection failed its ping: {error}") from error


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    deferred = connection.get_execution_options().get("sqlite_deferred")
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    """True when the engine talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


_INSERTS: dict[str, Callable[[Table], Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def dialect_insert(dialect: str, table: Table) -> Insert:
    """An INSERT of `table` with the dialect's ON CONFLICT clauses (PostgreSQL or SQLite)."""
    return _INSERTS[dialect](table)


@lru_cache(maxsize=64)
def insert_if_absent(
    dialect: str, table: Table, keys: tuple[str, ...], returning: tuple[str, ...] = ()
) -> Insert:
    """INSERT .. ON CONFLICT (`keys`) DO NOTHING [RETURNING `returning`], built once per table.

    Only a conflict on `keys` is ignored; any other constraint still fails loudly. Building
    the statement costs more than running it, hence the cache.
    """
    statement = dialect_insert(dialect, table).on_conflict_do_nothing(
        index_elements=[table.c[name] for name in keys]
    )
    return statement.returning(*(table.c[name] for name in returning)) if returning else statement


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


class Database:
    """Flask extension: one engine per app, one session per request (closed at teardown)."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, url: str | None = None) -> None:
        """Create the engine for `app` from its settings (or `url`)."""
        # As many pooled connections as the worker has threads: beyond the pool, a busy thread
        # would open and close a connection (a new server backend) per request.
        threads = env("WEB_THREADS")
        engine = make_engine(url or app.config["SETTINGS"].database_url, pool_size=max(5, threads))
        app.extensions["db"] = _AppDatabase(engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(_close_request_session)

    @staticmethod
    def state(app: Flask) -> _AppDatabase:
        """The engine and session factory of `app`."""
        return app.extensions["db"]


class _AppDatabase:
    def __init__(self, engine: Engine, session_factory: sessionmaker[Session]) -> None:
        self.engine = engine
        self.session_factory = session_factory


def request_session() -> Session:
    """The request's reading session (made on first use; writes go through a unit of work)."""
    from flask import current_app

    if "db_session" not in g:
        session = current_app.extensions["db"].session_factory()
        # A read must not take SQLite's write lock (BEGIN IMMEDIATE): it would hold it until the
        # request ends, and a unit of work opened in the same request would wait on it.
        session.connection(execution_options={"sqlite_deferred": True})
        g.db_session = session
    return g.db_session


def _close_request_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
