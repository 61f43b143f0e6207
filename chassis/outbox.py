"""Transactional outbox: events are rows written in the same transaction as the change.

A relay (in the service's worker) reads unsent rows in order, publishes them with publisher
confirms, and marks them sent. While the broker is away it backs off and tries again; nothing
is lost, and a batch whose confirms did not all arrive is published again (consumers dedupe).
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from chassis.arrays import ManyRows
from chassis.bus import BusError, Event, Outgoing, Publisher
from chassis.db import BigId, UtcDateTime, is_postgres
from chassis.fastpaths import DriverInsert
from chassis.logs import current_correlation_id, new_correlation_id
from chassis.wakeup import Wakeup, notify, wakeup_for

log = logging.getLogger(__name__)

EventValidator = Callable[[Mapping[str, Any]], None]

# A batch this big means events are streaming in: the relay waits a little longer for the next.
STREAM_ROWS = 20


def outbox_table(metadata: MetaData) -> Table:
    """The `outbox` table in a service's own metadata."""
    table = Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(120), nullable=False),
        Column("correlation_id", String(64), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False, server_default=func.now()),
        Column("sent_at", UtcDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text, nullable=True),
    )
    Index(
        "ix_outbox_unsent",
        table.c.id,
        postgresql_where=table.c.sent_at.is_(None),
        sqlite_where=table.c.sent_at.is_(None),
    )
    return table


_ROW_KEYS = ("event_id", "event_type", "correlation_id", "envelope")


class Outbox:
    """Records a service's events in the caller's transaction."""

    def __init__(self, table: Table, source: str, validate: EventValidator | None = None):
        self.table = table
        self.source = source
        self.validate = validate
        # Built once: making a statement per call costs more than running it. Inline: the
        # new row's id is not needed, so no RETURNING is asked for.
        self._insert = insert(table).inline()
        self._insert_one = DriverInsert(self._insert, _ROW_KEYS)
        self._insert_many = ManyRows(table, _ROW_KEYS)

    def add(
        self,
        session: Session,
        event_type: str,
        data: Mapping[str, Any],
        *,
        version: int = 1,
        correlation_id: str | None = None,
    ) -> Event:
        """Write `event_type` with `data` to the outbox; it is sent only if the caller commits."""
        event = self._event(event_type, data, version, correlation_id)
        connection = session.connection()
        self._insert_one.execute(connection, self._row(event))
        notify(connection, self.source)
        return event

    def add_many(
        self,
        session: Session,
        event_type: str,
        items: Iterable[tuple[Mapping[str, Any], str | None]],
        *,
        version: int = 1,
    ) -> list[Event]:
        """Write one event per (data, correlation id) in one statement (batch handlers)."""
        events = [self._event(event_type, data, version, cid) for data, cid in items]
        if events:
            self._insert_many.execute(session, [self._row(event) for event in events])
            notify(session.connection(), self.source)
        return events

    def _event(
        self, event_type: str, data: Mapping[str, Any], version: int, correlation_id: str | None
    ) -> Event:
        event = Event(
            type=event_type,
            version=version,
            data=data,
            source=self.source,
            correlation_id=correlation_id or current_correlation_id() or new_correlation_id(),
        )
        if self.validate is not None:
            self.validate(event.to_dict())
        return event

    @staticmethod
    def _row(event: Event) -> dict[str, Any]:
        return {
            "event_id": event.event_id,
            "event_type": event.type,
            "correlation_id": event.correlation_id,
            "envelope": event.to_json(),
        }


class OutboxRelay:
    """Publishes a service's outbox in order; one active relay per service database."""

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        publisher_factory: Callable[[], Publisher],
        *,
        batch_size: int = 500,
        poll_interval: float = 0.05,
        idle_interval: float = 2.0,
        max_backoff: float = 30.0,
    ) -> None:
        self.engine = engine
        self.table = outbox.table
        self.source = outbox.source
        self.publisher_factory = publisher_factory
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.idle_interval = idle_interval
        self.max_backoff = max_backoff
        self._publisher: Publisher | None = None
        # Advisory-lock key: the same for every relay of this database, so only one publishes.
        self._lock_key = zlib.crc32(f"outbox:{self.source}".encode())

    def publish_pending(self, probe: bool = True) -> int:
        """Publish one batch of unsent rows; returns how many were sent (0 when idle/locked).

        With `probe` a cheap read first checks that there is anything to send; the relay skips
        it while rows keep coming.
        """
        if probe and not self._has_pending():
            return 0
        with Session(self.engine) as session, session.begin():
            # No rows either when there is nothing to send or when another relay of this
            # service holds the turn (the lock is part of the same statement: one round trip).
            rows = session.execute(self._unsent(self.batch_size)).all()
            if not rows:
                return 0
            messages = [
                Outgoing(
                    row.event_id,
                    row.event_type,
                    row.correlation_id,
                    self.source,
                    row.envelope.encode(),
                )
                for row in rows
            ]
            ids = [row.id for row in rows]
            try:
                self._get_publisher().publish(messages)
            except BusError as exc:
                self._drop_publisher()
                # Committed (not rolled back with the raise): operators see the failed tries.
                session.execute(
                    update(self.table)
                    .where(self.table.c.id.in_(ids))
                    .values(attempts=self.table.c.attempts + 1, last_error=str(exc)[:500])
                )
                failure = exc
            else:
                session.execute(
                    update(self.table)
                    .where(self.table.c.id.in_(ids))
                    .values(sent_at=datetime.now(UTC), last_error=None)
                )
                return len(rows)
        raise failure

    @lru_cache(maxsize=4)  # noqa: B019 - a few statements per relay, kept as long as it
    def _unsent(self, limit: int) -> Any:
        """The next unsent rows in id order, behind the relays' advisory lock on PostgreSQL."""
        columns = self.table.c
        statement = (
            select(
                columns.id,
                columns.event_id,
                columns.event_type,
                columns.correlation_id,
                columns.envelope,
            )
            .where(columns.sent_at.is_(None))
            .order_by(columns.id)
            .limit(limit)
        )
        if is_postgres(self.engine):
            # An uncorrelated subquery: PostgreSQL runs it once, before the scan, and skips
            # the scan when the lock is taken.
            lock = select(func.pg_try_advisory_xact_lock(literal(self._lock_key, BigInteger)))
            statement = statement.where(lock.scalar_subquery())
        return statement

    def _has_pending(self) -> bool:
        # A read that takes no write lock, so an idle relay never blocks a SQLite writer.
        with self.engine.connect().execution_options(sqlite_deferred=True) as connection:
            return (
                connection.execute(
                    select(self.table.c.id).where(self.table.c.sent_at.is_(None)).limit(1)
                ).first()
                is not None
            )

    def run(self, stop: threading.Event) -> None:
        """Publish until `stop` is set, backing off while the broker or database is away.

        An idle relay sleeps until a sign of new rows (chassis.wakeup: a NOTIFY from the
        writer's commit on PostgreSQL, the file changing on SQLite) or the idle interval.
        """
        wakeup = wakeup_for(self.engine, self.source, self.poll_interval, self.idle_interval)
        try:
            self._loop(stop, wakeup)
        finally:
            wakeup.close()
            self._drop_publisher()

    def _loop(self, stop: threading.Event, wakeup: Wakeup) -> None:
        backoff = 0.0
        sent = 0
        # Probe for rows only when there is no sign of them: after a batch was sent (more may
        # follow) or a writer's NOTIFY, the relay reads them at once (the probe would cost a
        # transaction of its own on the path of every event's lag).
        probe = True
        while not stop.is_set():
            try:
                sent = self.publish_pending(probe=probe)
                probe = sent == 0
                backoff = 0.0
            except Exception as exc:
                sent, probe = 0, True
                backoff = min(max(backoff * 2, 0.5), self.max_backoff)
                log.warning(
                    "outbox relay could not publish; retrying",
                    extra={"error": repr(exc), "retry_in": backoff},
                )
                stop.wait(backoff)
                continue
            if sent >= self.batch_size:
                continue  # a backlog: straight on to the next batch
            if sent:
                # Rows are coming. In a stream, let more gather (half a poll interval of lag):
                # each batch costs a transaction and a confirm round trip whatever its size.
                # A trickle goes at once.
                wakeup.busy()
                stop.wait(self.poll_interval / (2 if sent >= STREAM_ROWS else 8))
                continue
            probe = not wakeup.idle(stop)

    def _get_publisher(self) -> Publisher:
        if self._publisher is None:
            self._publisher = self.publisher_factory()
        return self._publisher

    def _drop_publisher(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            publisher.close()
            try:
                publisher.connection.release()
            except Exception:  # noqa: S110 - it is being thrown away
                pass


def purge_sent(engine: Engine, table: Table, older_than_seconds: float) -> int:
    """Delete rows sent longer ago than `older_than_seconds`; returns how many."""
    cutoff = datetime.fromtimestamp(time.time() - older_than_seconds, UTC)
    with engine.begin() as connection:
        result = connection.execute(
            table.delete().where(table.c.sent_at.is_not(None), table.c.sent_at < cutoff)
        )
    return result.rowcount or 0
