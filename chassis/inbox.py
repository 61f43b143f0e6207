"""Idempotent consumer: the event id is stored in the same transaction as the handler's effect.

Messages are taken in small batches and committed together; when one handler of a batch fails,
the batch is rolled back and its events are handled again one transaction each, so the failure
stays with its own event. After the commit, handled and duplicate events are acknowledged; a
failing event is returned to the queue after a short back-off, and the
quorum queue's delivery limit sends it to the dead-letter queue when it keeps failing. A message
that is not a valid event is dead-lettered at once: retrying it cannot help.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kombu import Connection, Consumer
from kombu.message import Message
from sqlalchemy import Column, Engine, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from chassis.bus import Event, Topology
from chassis.db import UtcDateTime
from chassis.logs import correlation_scope

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event], None]
EventValidator = Callable[[Mapping[str, Any]], None]


def inbox_table(metadata: MetaData) -> Table:
    """The `inbox` table (ids of events already handled) in a service's own metadata."""
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(120), nullable=False),
        Column("handled_at", UtcDateTime(), nullable=False, server_default=func.now()),
    )


class InvalidEvent(Exception):
    """A message that is not a valid event of a known contract."""


def decode(message: Message, validate: EventValidator | None) -> Event:
    """The event a message carries, checked against its contract."""
    try:
        envelope = json.loads(message.body)
        if validate is not None:
            validate(envelope)
        return Event.from_dict(envelope)
    except Exception as exc:
        raise InvalidEvent(str(exc)[:300]) from exc


class EventConsumer:
    """Consumes a service's queue into its database, exactly one effect per event."""

    def __init__(
        self,
        *,
        service: str,
        engine: Engine,
        inbox: Table,
        handlers: Mapping[str, Handler],
        topology: Topology,
        connection_factory: Callable[[], Connection],
        validate: EventValidator | None = None,
        prefetch: int = 200,
        batch_size: int = 100,
        batch_wait: float = 0.005,
    ) -> None:
        self.service = service
        self.engine = engine
        self.inbox = inbox
        self.handlers = dict(handlers)
        self.topology = topology
        self.connection_factory = connection_factory
        self.validate = validate
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self._received: list[Message] = []

    # -- handling -----------------------------------------------------------------------

    def handle_batch(self, messages: list[Message]) -> None:
        """Handle, commit, then acknowledge or return each message of a batch."""
        events: list[tuple[Message, Event]] = []
        for message in messages:
            try:
                events.append((message, decode(message, self.validate)))
            except InvalidEvent as exc:
                log.error(
                    "invalid event dead-lettered",
                    extra={"message_id": message.properties.get("message_id"), "error": str(exc)},
                )
                message.reject(requeue=False)
        if not events:
            return
        failed: list[Message] = []
        try:
            self._apply(events)
        except Exception:
            # Something in the batch failed: roll it all back and handle each event in its
            # own transaction, so that the good ones commit and only the bad one is retried.
            log.warning("batch failed; handling its events one by one", exc_info=True)
            for message, event in events:
                try:
                    self._apply([(message, event)])
                except Exception:
                    log.exception("handler failed", extra=_event_fields(event))
                    failed.append(message)
        for message, _event in events:
            if message not in failed:
                message.ack()
        for message in failed:
            self._return_for_retry(message)

    def _apply(self, events: list[tuple[Message, Event]]) -> None:
        """Record the new events in the inbox and run their handlers, in one transaction."""
        with Session(self.engine) as session, session.begin():
            ids = [event.event_id for _message, event in events]
            seen = set(
                session.scalars(select(self.inbox.c.event_id).where(self.inbox.c.event_id.in_(ids)))
            )
            fresh: list[Event] = []
            for _message, event in events:
                if event.event_id in seen:
                    log.info("duplicate event ignored", extra=_event_fields(event))
                    continue
                seen.add(event.event_id)
                fresh.append(event)
            if not fresh:
                return
            session.execute(
                insert(self.inbox), [{"event_id": e.event_id, "event_type": e.type} for e in fresh]
            )
            for event in fresh:
                with correlation_scope(event.correlation_id):
                    self._dispatch(session, event)

    def _dispatch(self, session: Session, event: Event) -> None:
        handler = self.handlers.get(event.type)
        if handler is None:
            log.warning("no handler for event; recorded and skipped", extra=_event_fields(event))
            return
        handler(session, event)
        log.info("event handled", extra=_event_fields(event))

    def _return_for_retry(self, message: Message) -> None:
        deliveries = int((message.headers or {}).get("x-delivery-count", 0) or 0)
        # Back off a little so that a passing fault (a locked row, a restarting database) can
        # clear before the next try; the queue's delivery limit bounds the tries.
        time.sleep(min(0.1 * 2**deliveries, 2.0))
        message.requeue()

    # -- running ------------------------------------------------------------------------

    def _on_message(self, message: Message) -> None:
        self._received.append(message)

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set, reconnecting (with back-off) when the broker goes away."""
        backoff = 0.0
        while not stop.is_set():
            connection = self.connection_factory()
            try:
                self._consume(connection, stop)
                backoff = 0.0
            except (*connection.connection_errors, *connection.channel_errors, OSError) as exc:
                backoff = min(max(backoff * 2, 0.5), 30.0)
                log.warning(
                    "consumer lost the broker; reconnecting",
                    extra={"error": repr(exc), "retry_in": backoff},
                )
                self._received.clear()
                stop.wait(backoff)
            finally:
                try:
                    connection.release()
                except Exception:  # noqa: S110 - the connection is already broken
                    pass

    def _consume(self, connection: Connection, stop: threading.Event) -> None:
        connection.ensure_connection(max_retries=1)
        channel = connection.channel()
        queue = self.topology.service_queue(self.service, self.handlers)
        # on_message (not callbacks) hands over the raw message: kombu decodes nothing, so a
        # malformed body reaches decode() and is dead-lettered instead of crashing the loop.
        consumer = Consumer(channel, queues=[queue], on_message=self._on_message, no_ack=False)
        consumer.qos(prefetch_count=self.prefetch)
        with consumer:
            while not stop.is_set():
                self._collect(connection)
                if self._received:
                    batch, self._received = self._received, []
                    self.handle_batch(batch)
                connection.heartbeat_check()

    def _collect(self, connection: Connection) -> None:
        """Wait up to a second for a message, then gather more for a few milliseconds."""
        try:
            connection.drain_events(timeout=1.0)
        except TimeoutError:
            return
        deadline = time.monotonic() + self.batch_wait
        while len(self._received) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                connection.drain_events(timeout=remaining)
            except TimeoutError:
                return


def _event_fields(event: Event) -> dict[str, Any]:
    # Never the data: it may hold personal details.
    return {"event_id": event.event_id, "event_type": event.type, "event_source": event.source}
