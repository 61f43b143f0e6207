"""How an idle outbox relay learns that rows wait, without querying its database in a loop.

- PostgreSQL: the writer's transaction sends `NOTIFY` on the outbox's channel (`notify`), so
  the commit itself wakes the relay, which LISTENs on a connection of its own; a rollback
  sends nothing. Nothing is missed: the relay listens before its first look at the table.
- A SQLite file: the relay watches the file and its write-ahead log (two `stat` calls per
  poll interval, every few intervals once quiet) and looks at the table only when they
  changed.
- Anything else: the relay sleeps, longer and longer up to the idle interval, while nothing
  comes.
Each waits in steps of at most a second, so that a stop is seen at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

STEP = 1.0
WATCH_SLOWDOWN = 4
RECONNECT_SECONDS = 5.0


def channel(source: str) -> str:
    """The NOTIFY channel of a service's outbox."""
    return f"sofifi_outbox_{source}"


_NOTIFY = text("SELECT pg_notify(:channel, '')")
_SENT = "sofifi_outbox_notified"


def notify(connection: Connection, source: str) -> None:
    """Wake `source`'s relay when this transaction commits (PostgreSQL; once per transaction)."""
    if connection.dialect.name != "postgresql":
        return
    # The innermost transaction: a NOTIFY inside a savepoint that is rolled back is dropped.
    transaction = connection.get_nested_transaction() or connection.get_transaction()
    sent = connection.info.get(_SENT)
    if transaction is None or (sent is not None and sent() is transaction):
        return
    connection.execute(_NOTIFY, {"channel": channel(source)})
    connection.info[_SENT] = weakref.ref(transaction)


class Wakeup(Protocol):
    def idle(self, stop: threading.Event) -> bool:
        """Wait until rows may be there (or the idle interval passes, or `stop`).

        True when a writer's commit said so (a NOTIFY): the relay then reads the rows at once,
        without first probing whether there are any.
        """

    def busy(self) -> None:
        """Rows were just sent: the next wait starts short again."""

    def close(self) -> None:
        """Let go of what it holds."""


class Backoff:
    """Sleeps from a short pause doubling up to the idle interval while nothing comes."""

    def __init__(self, poll_interval: float, idle_interval: float) -> None:
        self.shortest = poll_interval / 8
        self.longest = max(idle_interval, self.shortest)
        self.pause = self.shortest

    def idle(self, stop: threading.Event) -> bool:
        stop.wait(self.pause)
        self.pause = min(self.pause * 2, self.longest)
        return False

    def busy(self) -> None:
        self.pause = self.shortest

    def close(self) -> None:
        pass


class FileWatch(Backoff):
    """Looks at the SQLite file and its WAL every poll interval; returns when they changed."""

    def __init__(self, path: str, poll_interval: float, idle_interval: float) -> None:
        super().__init__(poll_interval, idle_interval)
        self.paths = (path, f"{path}-wal")
        self.poll_interval = poll_interval
        self.seen = self._state()

    def _state(self) -> tuple:
        state = []
        for path in self.paths:
            try:
                info = os.stat(path)
                state.append((info.st_mtime_ns, info.st_size))
            except OSError:
                state.append(None)
        return tuple(state)

    def idle(self, stop: threading.Event) -> bool:
        deadline = time.monotonic() + self.longest
        # Every poll interval at first; after a quiet moment every few (a first event after a
        # long quiet waits at most WATCH_SLOWDOWN poll intervals, a stream never slows).
        step = self.poll_interval
        while not stop.wait(step) and time.monotonic() < deadline:
            step = min(step * 2, self.poll_interval * WATCH_SLOWDOWN)
            state = self._state()
            if state != self.seen:
                # Taken before the relay's next look at the table: a commit after that look
                # changes the state again, so none is missed.
                self.seen = state
                return False  # any write changes the file: the relay probes first
        return False


class Listen(Backoff):
    """LISTENs on the outbox's channel (or `on`); falls back to sleeping while it cannot."""

    def __init__(
        self,
        engine: Engine,
        source: str,
        poll_interval: float,
        idle_interval: float,
        *,
        on: str | None = None,
    ):
        super().__init__(poll_interval, idle_interval)
        self.engine = engine
        self.channel = on or channel(source)
        self.connection: Any = None
        self.retry_at = 0.0
        self._listen()

    def _listen(self) -> None:
        dialect = self.engine.dialect
        try:
            cargs, cparams = dialect.create_connect_args(self.engine.url)
            connection = dialect.connect(*cargs, **cparams)
            connection.autocommit = True
            connection.execute(f'LISTEN "{self.channel}"')
            self.connection = connection
        except Exception as exc:
            log.warning("cannot LISTEN; polling meanwhile", extra={"error": repr(exc)})
            self.retry_at = time.monotonic() + RECONNECT_SECONDS

    def idle(self, stop: threading.Event) -> bool:
        if self.connection is None:
            if time.monotonic() >= self.retry_at:
                self._listen()
            if self.connection is None:
                return super().idle(stop)
        deadline = time.monotonic() + self.longest
        try:
            while not stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
                woken = False
                for _ in self.connection.notifies(timeout=min(remaining, STEP), stop_after=1):
                    woken = True
                if woken:
                    # Drain what else came meanwhile: one look at the table covers them all.
                    for _ in self.connection.notifies(timeout=0):
                        pass
                    return True
        except Exception as exc:
            log.warning("lost the LISTEN connection; polling meanwhile", extra={"error": repr(exc)})
            self.close()
            self.retry_at = time.monotonic() + RECONNECT_SECONDS
        return False

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: S110 - it is being thrown away
                pass


def wakeup_for(engine: Engine, source: str, poll_interval: float, idle_interval: float) -> Wakeup:
    """The best way for this database to wake an idle relay."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return Listen(engine, source, poll_interval, idle_interval)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return FileWatch(url.database, poll_interval, idle_interval)
    return Backoff(poll_interval, idle_interval)
