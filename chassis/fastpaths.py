"""The speed hacks, in one place and behind one switch (`SOFIFI_FASTPATHS`, on by default).

- py-amqp reads ahead on its socket (one large recv instead of three per frame) and parses a
  frame already buffered without touching the socket's timeout;
- a batch of published frames is corked into one write;
- the outbox insert goes straight to the DB-API cursor on the transaction's own connection;
- in-memory rate-limit counters are swept once a second, not by a new thread after each hit.
- many rows go in as binary column arrays on that cursor (chassis.arrays, PostgreSQL).

The first two lean on py-amqp's private attributes (`AMQP_HOOKS`): `missing_amqp_hooks` names
those a new py-amqp no longer has (a unit test fails on them), and a connection lacking one
runs the plain path with an error in the log rather than breaking. With the switch off every
caller takes the library's ordinary path; the delivery tests run both ways.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from kombu import Connection
from kombu.transport import pyamqp
from limits.storage import MemoryStorage
from sqlalchemy import Insert

from chassis.config import env

log = logging.getLogger(__name__)

READ_AHEAD = 32 * 1024
# py-amqp internals used here: (where, attribute).
AMQP_HOOKS: tuple[tuple[str, str], ...] = (
    ("transport", "_quick_recv"),
    ("transport", "_read_buffer"),
    ("transport", "_write"),
    ("transport", "read_frame"),
    ("transport", "write"),
    ("connection", "blocking_read"),
    ("connection", "on_inbound_frame"),
)


def enabled() -> bool:
    """The switch: SOFIFI_FASTPATHS (on unless set to off/0/false/no)."""
    return bool(env("SOFIFI_FASTPATHS"))


def missing_amqp_hooks(connection: Any) -> list[str]:
    """The py-amqp attributes these hacks rely on that `connection` (connected) lacks."""
    owners = {"connection": connection, "transport": getattr(connection, "transport", None)}
    return [f"{where}.{name}" for where, name in AMQP_HOOKS if not _has(owners[where], name)]


def _has(owner: Any, name: str) -> bool:
    # Looked up without getattr: some of py-amqp's properties connect when read.
    in_class = any(name in vars(klass) for klass in type(owner).__mro__)
    return in_class or name in getattr(owner, "__dict__", {})


class ReadAheadTransport(pyamqp.Transport):
    """kombu's py-amqp transport, reading the socket in large chunks.

    py-amqp asks the socket for exactly the bytes of the next frame part, three receives per
    frame and nine per message; a consumer then spends more time in recv() than in its
    handlers. py-amqp keeps whatever a receive returned beyond the request for the next read,
    so asking for more is all it takes.
    """

    def establish_connection(self):
        connection = super().establish_connection()
        missing = missing_amqp_hooks(connection)
        if missing:
            log.error(
                "py-amqp changed: fast paths off for this connection", extra={"missing": missing}
            )
            return connection
        transport = connection.transport
        if getattr(transport, "sock", None) is None:
            return connection
        recv = transport._quick_recv
        transport._quick_recv = lambda size: recv(max(size, READ_AHEAD))
        blocking_read = connection.blocking_read

        def read(timeout=None):
            # A whole frame already read ahead is parsed without touching the socket: setting
            # and restoring its timeout around that would be two system calls for nothing,
            # six per message.
            if not _frame_buffered(transport):
                return blocking_read(timeout)
            return connection.on_inbound_frame(transport.read_frame())

        connection.blocking_read = read
        return connection


def _frame_buffered(transport) -> bool:
    """True when the read-ahead buffer holds a whole frame: header, payload and end octet."""
    buffer = getattr(transport, "_read_buffer", b"")
    return len(buffer) >= 8 and len(buffer) >= int.from_bytes(buffer[3:7], "big") + 8


def amqp_transport(url: str) -> type | None:
    """The kombu transport class for `url`: the read-ahead one for AMQP when switched on."""
    scheme = url.split("://", 1)[0]
    return ReadAheadTransport if enabled() and scheme in ("amqp", "pyamqp") else None


@contextmanager
def corked(connection: Connection) -> Iterator[None]:
    """Gather every frame written inside the block and send them in one write at its end.

    A batch of messages then costs one system call instead of one per message. On an error
    nothing gathered is sent (the caller publishes the batch again). Switched off, or on
    another transport (memory), frames go out as they are written.
    """
    transport = getattr(connection.connection, "transport", None)
    send = getattr(transport, "_write", None)
    if send is None or not enabled():
        yield
        return
    chunks: list[bytes] = []
    # py-amqp hands over a view of a buffer it reuses for the next frame: copy it.
    transport._write = lambda data: chunks.append(bytes(data))
    try:
        yield
    finally:
        transport._write = send
    if chunks:
        transport.write(b"".join(chunks))


class DriverInsert:
    """One INSERT run straight on the DB-API cursor of the caller's transaction.

    SQLAlchemy's execution and result machinery cost as much again as the statement itself,
    for a row nobody reads back (writers and handlers add events on their hot path).
    """

    def __init__(self, statement: Insert, keys: tuple[str, ...]) -> None:
        self.statement = statement
        self.keys = keys
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def execute(self, connection: Any, row: Mapping[str, Any]) -> None:
        """Insert `row` on `connection` (a SQLAlchemy Connection), the fast way if it can."""
        compiled = self._for(connection.dialect) if enabled() else None
        if compiled is None:
            connection.execute(self.statement, dict(row))
            return
        sql, order = compiled
        params = tuple(row[key] for key in order) if order else row
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
        finally:
            cursor.close()

    def _for(self, dialect: Any) -> tuple[str, tuple[str, ...] | None] | None:
        """The insert as the driver takes it (SQL, parameter order if positional), per dialect."""
        if dialect.name not in ("postgresql", "sqlite"):
            return None
        if dialect.name not in self._compiled:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(self.keys))
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            self._compiled[dialect.name] = (str(compiled), order)
        return self._compiled[dialect.name]


# limits' MemoryStorage internals overridden by SweptMemoryStorage (name-mangled privates).
MEMORY_STORAGE_HOOKS = ("_MemoryStorage__schedule_expiry", "_MemoryStorage__expire_events")


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory counters, with expired ones swept once a second.

    MemoryStorage starts a timer thread 10 ms after a hit whenever none is running: under a
    steady load, a thread start per request or two. A counter past its window is dropped when
    read anyway, so the sweep only frees memory and may well wait a second.
    """

    STORAGE_SCHEME = ["sofifi-memory"]
    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the private it replaces)
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


def rate_limit_storage_uri(uri: str) -> str:
    """The storage URI of rate-limit counters: the swept one for `memory://` when switched on
    (and when limits still has the internals it overrides)."""
    hooks = all(hasattr(MemoryStorage, name) for name in MEMORY_STORAGE_HOOKS)
    return "sofifi-memory://" if uri == "memory://" and hooks and enabled() else uri
