"""The event bus on kombu: the envelope, the topology, and a publisher with batched confirms."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Exchange, Queue, binding

from chassis.fastpaths import amqp_transport, corked

log = logging.getLogger(__name__)


class BusError(Exception):
    """The broker did not take a message (nack, timeout, or lost connection)."""


@dataclass(frozen=True)
class Event:
    """The envelope of every event on the bus (DESIGN.md section 3)."""

    type: str
    data: Mapping[str, Any]
    source: str
    correlation_id: str
    version: int = 1
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="microseconds")
    )

    @property
    def occurred(self) -> datetime:
        """`occurred_at` as an aware UTC datetime."""
        moment = datetime.fromisoformat(self.occurred_at)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def to_dict(self) -> dict[str, Any]:
        """The envelope as plain JSON-ready data."""
        return {
            "event_id": self.event_id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at,
            "source": self.source,
            "correlation_id": self.correlation_id,
            "data": dict(self.data),
        }

    def to_json(self) -> str:
        """The envelope serialised as the message body."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, envelope: Mapping[str, Any]) -> Event:
        """Rebuild an envelope (raises KeyError/TypeError when a field is missing)."""
        return cls(
            event_id=envelope["event_id"],
            type=envelope["type"],
            version=envelope["version"],
            occurred_at=envelope["occurred_at"],
            source=envelope["source"],
            correlation_id=envelope["correlation_id"],
            data=envelope["data"],
        )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An event ready to go on the wire: its serialised envelope and the properties to set."""

    event_id: str
    type: str
    correlation_id: str
    source: str
    body: bytes
    # The broker user that first published it (kept when a dead letter is replayed).
    user_id: str | None = None

    @classmethod
    def of(cls, event: Event) -> Outgoing:
        """The message for `event`."""
        return cls(
            event.event_id, event.type, event.correlation_id, event.source, event.to_json().encode()
        )


@dataclass(frozen=True)
class Topology:
    """Names and arguments of everything declared on the broker."""

    exchange: str = "asn.events"
    delivery_limit: int = 5

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.exchange}.dead-letter"

    def queue_name(self, service: str) -> str:
        """The quorum queue a service consumes from."""
        return f"{service}.events"

    def dead_letter_queue_name(self, service: str) -> str:
        """Where a service's undeliverable events wait for an operator."""
        return f"{service}.events.dead-letter"

    def queue_arguments(self, service: str) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            # RabbitMQ counts returns, not deliveries: a limit of N allows N + 1 tries. Ours
            # (EVENT_DELIVERY_LIMIT) is the number of tries, so the queue gets one less.
            "x-delivery-limit": max(self.delivery_limit - 1, 0),
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": self.queue_name(service),
            # at-least-once dead-lettering: a message is removed from the source queue only
            # once the dead-letter queue has confirmed it (needs reject-publish overflow).
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    def events_exchange(self) -> Exchange:
        return Exchange(self.exchange, type="topic", durable=True)

    def service_queue(self, service: str, event_types: Iterable[str]) -> Queue:
        """The service's queue, bound to each event type it handles."""
        exchange = self.events_exchange()
        return Queue(
            self.queue_name(service),
            bindings=[binding(exchange, routing_key=t) for t in sorted(event_types)],
            durable=True,
            queue_arguments=self.queue_arguments(service),
        )

    def dead_letter_queue(self, service: str) -> Queue:
        exchange = Exchange(self.dead_letter_exchange, type="direct", durable=True)
        return Queue(
            self.dead_letter_queue_name(service),
            exchange=exchange,
            routing_key=self.queue_name(service),
            durable=True,
            queue_arguments={"x-queue-type": "quorum"},
        )

    def declare(self, connection: Connection, consumers: Mapping[str, Iterable[str]]) -> None:
        """Declare the exchange and, per consuming service, its queue and dead-letter queue."""
        channel = connection.channel()
        try:
            self.events_exchange()(channel).declare()
            for service, event_types in consumers.items():
                self.dead_letter_queue(service)(channel).declare()
                self.service_queue(service, event_types)(channel).declare()
        finally:
            channel.close()

    def definitions(self, consumers: Mapping[str, Iterable[str]], vhost: str = "/") -> dict:
        """The same topology as a RabbitMQ definitions document (deploy/rabbitmq)."""
        exchanges = [
            _exchange_definition(self.exchange, "topic", vhost),
            _exchange_definition(self.dead_letter_exchange, "direct", vhost),
        ]
        queues, bindings = [], []
        for service in sorted(consumers):
            queues.append(
                _queue_definition(self.queue_name(service), self.queue_arguments(service), vhost)
            )
            dlq = self.dead_letter_queue_name(service)
            queues.append(_queue_definition(dlq, {"x-queue-type": "quorum"}, vhost))
            bindings.append(
                _binding_definition(self.dead_letter_exchange, dlq, self.queue_name(service), vhost)
            )
            for event_type in sorted(consumers[service]):
                bindings.append(
                    _binding_definition(self.exchange, self.queue_name(service), event_type, vhost)
                )
        return {"exchanges": exchanges, "queues": queues, "bindings": bindings}


def _exchange_definition(name: str, kind: str, vhost: str) -> dict:
    return {
        "name": name,
        "vhost": vhost,
        "type": kind,
        "durable": True,
        "auto_delete": False,
        "internal": False,
        "arguments": {},
    }


def _queue_definition(name: str, arguments: dict, vhost: str) -> dict:
    return {
        "name": name,
        "vhost": vhost,
        "durable": True,
        "auto_delete": False,
        "arguments": arguments,
    }


def _binding_definition(source: str, queue: str, routing_key: str, vhost: str) -> dict:
    return {
        "source": source,
        "vhost": vhost,
        "destination": queue,
        "destination_type": "queue",
        "routing_key": routing_key,
        "arguments": {},
    }


def connect(url: str, *, heartbeat: int = 20, timeout: float = 5.0) -> Connection:
    """A kombu connection with a connect timeout and heartbeats (not yet connected).

    `url` may list the nodes of a cluster separated by `;` (kombu failover): a connection
    goes to the first that answers, in order, and a new one starts from the first again.
    """
    return FailoverConnection(
        url, heartbeat=heartbeat, connect_timeout=timeout, transport=amqp_transport(url)
    )


class FailoverConnection(Connection):
    """kombu's connection, trying every node of a failover URL before giving up.

    kombu connects on first use (a channel, a drain) with one retry, i.e. two nodes at most;
    a URL naming three nodes, the first two down, would never reach the third.
    """

    def _ensure_connection(self, errback=None, max_retries=None, *args, **kwargs):
        if max_retries is not None:
            max_retries = max(max_retries, failover_retries(self))
        return super()._ensure_connection(errback, max_retries, *args, **kwargs)


def failover_retries(connection: Connection) -> int:
    """`max_retries` for ensure_connection that tries every node of a failover URL once.

    kombu moves to the next node after each failed try (without sleeping in between within
    one round), so a URL of n nodes needs n - 1 retries to reach the last; at least one.
    """
    return max(len(connection.alt or ()) - 1, 1)


def safe_url(url: str) -> str:
    """`url` (one node or a failover list) with every password masked, for logs."""
    from kombu.utils.url import maybe_sanitize_url

    return ";".join(maybe_sanitize_url(part) for part in url.split(";"))


def broker_reachable(url: str, timeout: float = 2.0) -> bool:
    """True when a broker (any node of a failover URL) answers within `timeout` seconds."""
    connection = FailoverConnection(url, connect_timeout=timeout)
    try:
        connection.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False
    finally:
        connection.release()


def message_properties(message: Outgoing, user_id: str | None = None) -> dict[str, Any]:
    """AMQP properties of an event's message (DESIGN.md section 3).

    `user_id` is the publishing broker user: RabbitMQ refuses a message whose user_id is not
    the connection's own user, so consumers can trust it (chassis.senders).
    """
    properties = {
        "message_id": message.event_id,
        "type": message.type,
        "delivery_mode": 2,
        "app_id": message.source,
        "timestamp": int(time.time()),
    }
    if message.user_id or user_id:
        properties["user_id"] = message.user_id or user_id
    return properties


class Publisher:
    """Publishes batches of events and waits for the broker to confirm every one of them.

    On RabbitMQ the channel is in confirm mode and a batch is written in one go, then the
    confirms are awaited together: a nack, a timeout or a lost connection raises BusError and
    the caller publishes the whole batch again (consumers are idempotent). On kombu's memory
    transport (local fallback) there are no confirms.
    """

    def __init__(self, connection: Connection, exchange: str, confirm_timeout: float = 10.0):
        self.connection = connection
        self.exchange = exchange
        self.confirm_timeout = confirm_timeout
        self._channel = None
        self._confirms = connection.transport.driver_type == "amqp"
        # Stamped on every message; the broker checks it is the connection's own user.
        self._user_id = connection.userid if self._confirms else None
        self._next_tag = 1
        self._pending: set[int] = set()
        self._nacked = False

    def _open(self):
        if self._channel is None:
            channel = self.connection.channel()
            if self._confirms:
                channel.confirm_select()
                channel.events["basic_ack"].add(self._on_ack)
                channel.events["basic_nack"].add(self._on_nack)
                self._next_tag = 1
            self._channel = channel
        return self._channel

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._forget(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked = True
        self._forget(delivery_tag, multiple)

    def _forget(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._pending = {tag for tag in self._pending if tag > delivery_tag}
        else:
            self._pending.discard(delivery_tag)

    def publish(self, messages: Sequence[Outgoing], routing_key: str | None = None) -> None:
        """Publish `messages` in order; return only when the broker has confirmed them all.

        With `routing_key` the messages go to that queue through the default exchange (used
        to replay dead letters to one service) instead of to the events exchange.
        """
        if not messages:
            return
        exchange = self.exchange if routing_key is None else ""
        try:
            channel = self._open()
            self._pending, self._nacked = set(), False
            with corked(self.connection):
                for outgoing in messages:
                    message = channel.prepare_message(
                        outgoing.body,
                        content_type="application/json",
                        content_encoding="utf-8",
                        headers={"correlation_id": outgoing.correlation_id},
                        properties=message_properties(outgoing, self._user_id),
                    )
                    channel.basic_publish(message, exchange, routing_key or outgoing.type)
                    if self._confirms:
                        self._pending.add(self._next_tag)
                        self._next_tag += 1
            self._await_confirms()
        except BusError:
            self.close()
            raise
        except (*self.connection.connection_errors, *self.connection.channel_errors) as exc:
            self.close()
            raise BusError(f"publish failed: {exc!r}") from exc

    def _await_confirms(self) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        while self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BusError(f"{len(self._pending)} confirms did not arrive in time")
            try:
                self.connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        if self._nacked:
            raise BusError("the broker refused (nacked) part of the batch")

    def close(self) -> None:
        """Drop the channel (a new one is opened on the next publish)."""
        channel, self._channel = self._channel, None
        if channel is not None:
            try:
                channel.close()
            except Exception:  # noqa: S110 - the connection may already be gone
                pass
