"""Idempotent consumer: the event id is stored in the same transaction as the handler's effect.

Messages are taken in batches and committed together; when one handler of a batch fails, the
batch is rolled back and its events are handled again one transaction each, so the failure
stays with its own event. After the commit, handled and duplicate events are acknowledged; a
failing event is returned to the queue after a short back-off, and the quorum queue's delivery
limit sends it to the dead-letter queue when it keeps failing. A message that is not a valid
event is dead-lettered at once: retrying it cannot help. While the service's database does not
answer at all, the batch is held unacknowledged and retried: an outage is not the event's
fault and must not spend its tries.

A handler made with `handles_batches` gets each run of consecutive events of its type at once,
so that it can write them with a few statements instead of a few per event. "event handled" is
logged once per correlation id of a committed batch, naming its events. Reading the queue in
batches (and reconnecting, and holding a batch) is the broker side, chassis.consuming."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

import amqp
from kombu import Connection
from kombu.message import Message
from sqlalchemy import Column, Engine, MetaData, String, Table, func
from sqlalchemy.orm import Session

from chassis.accounts import SenderCheck
from chassis.arrays import ManyRows
from chassis.bus import Event, Topology
from chassis.consuming import BatchReader, DatabaseUnavailable
from chassis.db import UtcDateTime, ping
from chassis.logs import correlation_scope

log = logging.getLogger(__name__)
# A consumer told nothing about accounts checks only the clock (chassis.accounts).
SHARED_ACCOUNT = SenderCheck(prefix=None)

Handler = Callable[[Session, Event], None]
BatchHandler = Callable[[Session, list[Event]], None]
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


def decode(
    message: Message, validate: EventValidator | None, senders: SenderCheck | None = None
) -> Event:
    """The event a message carries, checked against its contract, its publisher (the
    broker-validated `user_id`) and the clock (chassis.accounts)."""
    try:
        envelope = json.loads(message.body)
        if validate is not None:
            validate(envelope)
        event = Event.from_dict(envelope)
        problem = (senders or SHARED_ACCOUNT).problem(
            event.type, message.properties.get("user_id"), event.occurred
        )
    except Exception as exc:
        raise InvalidEvent(str(exc)[:300]) from exc
    if problem:
        raise InvalidEvent(problem)
    return event


def handles_batches(many: BatchHandler) -> Handler:
    """Make a handler of event lists usable as an ordinary handler.

    The consumer then hands it every run of consecutive new events of its type in a batch at
    once (one call, one set of statements instead of one per event); called as a plain handler
    (tests, one-by-one retries) it gets a list of one. It runs in the batch's transaction, so
    idempotency and the split of a failing batch stay the chassis's. Events it adds to the
    outbox should pass each event's `correlation_id`.
    """

    @wraps(many)
    def handler(session: Session, event: Event) -> None:
        many(session, [event])

    handler.many = many  # type: ignore[attr-defined]
    return handler


class EventConsumer(BatchReader):
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
        senders: SenderCheck | None = None,
        prefetch: int = 600,
        batch_size: int = 300,
        batch_wait: float = 0.005,
        batch_window: float = 0.02,
    ) -> None:
        self.service = service
        self.engine = engine
        self.inbox = inbox
        self.handlers = dict(handlers)
        self.topology = topology
        self.connection_factory = connection_factory
        self.validate = validate
        self.senders = senders
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.batch_window = batch_window
        self._received: list[Message] = []
        key = inbox.c.event_id
        self._claim_rows = ManyRows(
            inbox,
            ("event_id", "event_type"),
            lambda insert: insert.on_conflict_do_nothing(index_elements=[key]).returning(key),
        )

    # -- handling -----------------------------------------------------------------------

    def handle_batch(self, messages: list[Message]) -> None:
        """Handle, commit, then acknowledge or return each message of a batch."""
        events = self._decode_all(messages)
        if events:
            self._settle(events)

    def _decode_all(self, messages: list[Message]) -> list[tuple[Message, Event]]:
        """The events of a batch; a message that is not a valid event is dead-lettered now."""
        events: list[tuple[Message, Event]] = []
        for message in messages:
            try:
                events.append((message, decode(message, self.validate, self.senders)))
            except InvalidEvent as exc:
                log.error(
                    "invalid event dead-lettered",
                    extra={"message_id": message.properties.get("message_id"), "error": str(exc)},
                )
                message.reject(requeue=False)
        return events

    def _settle(self, events: list[tuple[Message, Event]]) -> None:
        """Apply the events, then acknowledge them or return the failed ones for a retry."""
        failed = self._apply_or_split(events)
        last = max((message for message, _event in events), key=_delivery_tag)
        if not failed and isinstance(last.channel, amqp.Channel):
            # Everything before it on this channel is settled: one frame acknowledges the batch.
            # (kombu's memory transport ignores `multiple`: there each message is acked below.)
            last.channel.basic_ack(_delivery_tag(last), multiple=True)
            return
        for message, _event in events:
            if message not in failed:
                message.ack()
        if failed:
            self._return_for_retry(failed)

    def _apply_or_split(self, events: list[tuple[Message, Event]]) -> list[Message]:
        """Apply a batch in one transaction, else each event in its own; the failed messages."""
        try:
            self._apply(events)
            return []
        except Exception as exc:
            self._check_database(exc)
            if len(events) == 1:
                log.exception("handler failed", extra=_event_fields(events[0][1]))
                return [events[0][0]]
            # Something in the batch failed: roll it all back and handle each event in its
            # own transaction, so that the good ones commit and only the bad one is retried.
            log.warning("batch failed; handling its events one by one", exc_info=True)
        failed: list[Message] = []
        for message, event in events:
            try:
                self._apply([(message, event)])
            except Exception as exc:
                self._check_database(exc)
                log.exception("handler failed", extra=_event_fields(event))
                failed.append(message)
        return failed

    def _check_database(self, error: Exception) -> None:
        """Raise DatabaseUnavailable when the database cannot answer at all.

        Then the failure is not the event's: returning it would spend its tries (and send it
        to the dead letters within seconds of a database restart), so the batch is held.
        """
        try:
            ping(self.engine)
        except Exception:
            raise DatabaseUnavailable(repr(error)[:300]) from error

    def _apply(self, events: list[tuple[Message, Event]]) -> None:
        """Record the new events in the inbox and run their handlers, in one transaction."""
        with Session(self.engine) as session, session.begin():
            fresh = self._claim(session, [event for _message, event in events])
            handled: list[Event] = []
            for _message, event in events:
                if event.event_id not in fresh:
                    log.info("duplicate event ignored", extra=_event_fields(event))
                    continue
                del fresh[event.event_id]  # a second copy in the same batch is a duplicate too
                handled.append(event)
            for run in _runs(handled):
                self._dispatch(session, run)
        # Once committed: a rolled-back batch was not handled.
        _log_handled([event for event in handled if event.type in self.handlers])

    def _claim(self, session: Session, events: list[Event]) -> dict[str, Event]:
        """Insert the ids of events not yet in the inbox; returns those events by id.

        One statement: INSERT .. ON CONFLICT DO NOTHING RETURNING (the ids as one array on
        PostgreSQL). A consumer racing us on the same event waits on the row until we commit,
        then inserts nothing and skips it.
        """
        rows = [{"event_id": event.event_id, "event_type": event.type} for event in events]
        new = set(self._claim_rows.execute(session, rows))
        return {event.event_id: event for event in events if event.event_id in new}

    def _dispatch(self, session: Session, run: list[Event]) -> None:
        """Hand a run of events of one type to its handler: whole, or one event at a time."""
        handler = self.handlers.get(run[0].type)
        if handler is None:
            for event in run:
                with correlation_scope(event.correlation_id):
                    log.warning(
                        "no handler for event; recorded and skipped", extra=_event_fields(event)
                    )
            return
        many = getattr(handler, "many", None)
        if many is not None:
            # The events' own correlation id when they share one (events a handler adds to its
            # outbox carry it); otherwise the handler passes each event's id to outbox.add.
            shared = {event.correlation_id for event in run}
            with correlation_scope(shared.pop() if len(shared) == 1 else _NO_CORRELATION):
                many(session, run)
            return
        for event in run:
            with correlation_scope(event.correlation_id):
                handler(session, event)

    def _return_for_retry(self, messages: list[Message]) -> None:
        """Return failed messages to the queue after a back-off that grows with their tries."""
        deliveries = max(int((m.headers or {}).get("x-delivery-count", 0) or 0) for m in messages)
        # Back off a little so that a passing fault (a locked row, a deadlock) can clear before
        # the next try; once per batch, not per message, so that many failures do not stall
        # the consumer. The queue's delivery limit bounds the tries.
        time.sleep(min(0.1 * 2**deliveries, 2.0))
        for message in messages:
            message.requeue()


def _delivery_tag(message: Message) -> int:
    return message.delivery_tag


def _event_fields(event: Event) -> dict[str, Any]:
    # Never the data: it may hold personal details.
    return {"event_id": event.event_id, "event_type": event.type, "event_source": event.source}


# The marker of a correlation scope shared by events that came with different ids: the scope
# needs a value, and new_correlation_id() per batch would suggest a link that is not there.
_NO_CORRELATION = "(several)"


def _runs(events: list[Event]) -> list[list[Event]]:
    """Consecutive events of the same type, in order (a batch handler gets a run at once)."""
    runs: list[list[Event]] = []
    for event in events:
        if runs and runs[-1][0].type == event.type:
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def _log_handled(events: list[Event]) -> None:
    """One "event handled" line per correlation id of a batch, naming its events.

    A JSON line per event cost a third of a handler statement; this keeps every event id and
    correlation id in the log (each line carries its correlation id as a field, as before),
    and a request that caused many events (a unit's year finalized) makes one line.
    """
    if not log.isEnabledFor(logging.INFO):
        return
    groups: dict[str, list[Event]] = {}
    for event in events:
        groups.setdefault(event.correlation_id, []).append(event)
    for correlation_id, group in groups.items():
        with correlation_scope(correlation_id):
            log.info(
                "event handled",
                extra={
                    "events": len(group),
                    "event_ids": [event.event_id for event in group],
                    "event_types": sorted({event.type for event in group}),
                    "event_sources": sorted({event.source for event in group}),
                },
            )
