"""Reading a service's queue in batches, for the inbox (chassis.inbox) to settle.

The consumer waits for a message, gathers those that follow close behind into a batch, and
hands it over; it reconnects with back-off when the broker goes away, and while the database
does not answer it holds a batch unacknowledged (answering heartbeats) and tries it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kombu import Connection, Consumer
from kombu.exceptions import OperationalError
from kombu.message import Message

from chassis.bus import Event, Topology

# The inbox's own log: operators follow one consumer in one logger.
log = logging.getLogger("chassis.inbox")


class DatabaseUnavailable(Exception):
    """The consumer's database does not answer: not the event's fault, so it is not retried."""


class BatchReader:
    """The broker side of a consumer: subclasses decode and settle the batches it reads."""

    service: str
    handlers: Mapping[str, Any]
    topology: Topology
    connection_factory: Callable[[], Connection]
    prefetch: int
    batch_size: int
    batch_wait: float
    batch_window: float
    _received: list[Message]

    def _decode_all(self, messages: list[Message]) -> list[tuple[Message, Event]]:
        """The events of a batch (the inbox dead-letters a message that is not one)."""
        raise NotImplementedError

    def _settle(self, events: list[tuple[Message, Event]]) -> None:
        """Apply a batch, then acknowledge or return its messages (DatabaseUnavailable: hold)."""
        raise NotImplementedError

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
            except (
                *connection.connection_errors,
                *connection.channel_errors,
                OSError,
                OperationalError,  # kombu's wrapper when the broker refuses to connect
            ) as exc:
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
                    events = self._decode_all(batch)
                    if events:
                        self._settle_or_hold(connection, events, stop)
                connection.heartbeat_check()

    def _settle_or_hold(
        self, connection: Connection, events: list[tuple[Message, Event]], stop: threading.Event
    ) -> None:
        """Settle a batch; while the database is away, keep it (unacknowledged) and retry."""
        backoff = 0.5
        while True:
            try:
                self._settle(events)
                return
            except DatabaseUnavailable as exc:
                log.warning(
                    "database unavailable; holding the batch",
                    extra={"error": str(exc), "events": len(events), "retry_in": backoff},
                )
            # Keep reading the connection meanwhile, so that heartbeats are answered; what
            # arrives waits for the next batch.
            deadline = time.monotonic() + backoff
            while not stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
                try:
                    connection.drain_events(timeout=min(remaining, 1.0))
                except TimeoutError:
                    pass
                connection.heartbeat_check()
            if stop.is_set():
                return  # left unacknowledged: the broker delivers them again
            backoff = min(backoff * 2, 10.0)

    def _collect(self, connection: Connection) -> None:
        """Wait up to a second for a message, then gather those that follow close behind.

        The batch grows while the next message comes within `batch_wait` (a stream), up to
        `batch_size` and `batch_window`: a lone event waits only `batch_wait` for company,
        while a backlog is taken in large batches that share one transaction and one ack.
        The first event of a batch waits at most `batch_window` (20 ms) for the rest: that is
        the consumer's part of the lag bound (a backlog already waiting in the socket fills a
        batch in a few milliseconds, so a longer window buys no throughput).
        """
        try:
            connection.drain_events(timeout=1.0)
        except TimeoutError:
            return
        deadline = time.monotonic() + self.batch_window
        while len(self._received) < self.batch_size and time.monotonic() < deadline:
            try:
                connection.drain_events(timeout=self.batch_wait)
            except TimeoutError:
                return
