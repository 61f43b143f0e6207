"""Dead letters: list what a service's consumer gave up on, and replay it to that service."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kombu import Connection, Queue

from chassis.bus import Outgoing, Publisher, Topology


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered event, as an operator sees it (never its data: it may be personal)."""

    event_id: str
    event_type: str
    correlation_id: str | None
    source: str | None
    reason: str | None
    deliveries: int | None
    dead_since: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _describe(message) -> DeadLetter:
    properties = message.properties
    headers = message.headers or {}
    deaths = headers.get("x-death") or [{}]
    first = deaths[0] if isinstance(deaths, list) and deaths else {}
    time = first.get("time")
    return DeadLetter(
        event_id=str(properties.get("message_id")),
        event_type=str(properties.get("type")),
        correlation_id=headers.get("correlation_id"),
        source=properties.get("app_id"),
        reason=first.get("reason") or headers.get("x-first-death-reason"),
        deliveries=headers.get("x-delivery-count"),
        dead_since=time.isoformat() if hasattr(time, "isoformat") else time,
    )


def _drain(connection: Connection, queue_name: str) -> Iterable[Any]:
    """Every message now in the queue, taken without acknowledging (they stay there)."""
    queue = Queue(queue_name, no_declare=True).bind(connection.default_channel)
    while True:
        message = queue.get(no_ack=False)
        if message is None:
            return
        yield message


def _exists(connection: Connection, queue_name: str) -> bool:
    """True when the queue is declared (a worker of the service has run on this broker)."""
    channel = connection.channel()
    try:
        Queue(queue_name, no_declare=True).bind(channel).queue_declare(passive=True)
        return True
    except connection.channel_errors:
        return False
    finally:
        try:
            channel.close()
        except Exception:  # noqa: S110 - the broker closed it already (404)
            pass


def list_dead_letters(connection: Connection, topology: Topology, service: str) -> list[DeadLetter]:
    """What waits in `service`'s dead-letter queue; nothing is removed."""
    if not _exists(connection, topology.dead_letter_queue_name(service)):
        return []
    try:
        return [_describe(m) for m in _drain(connection, topology.dead_letter_queue_name(service))]
    finally:
        # Closing the channel returns every message we looked at to the queue, in order.
        connection.default_channel.close()


def replay_dead_letters(
    connection: Connection,
    publisher_connection: Connection,
    topology: Topology,
    service: str,
    event_ids: Iterable[str] | None = None,
) -> list[str]:
    """Send dead letters (all, or those with `event_ids`) back to `service`'s queue.

    Each one is republished to that queue alone (the other services already have it) and
    confirmed by the broker before it is removed from the dead-letter queue. Returns the ids.
    """
    wanted = set(event_ids) if event_ids is not None else None
    if not _exists(connection, topology.dead_letter_queue_name(service)):
        return []
    publisher = Publisher(publisher_connection, topology.exchange)
    replayed: list[str] = []
    try:
        for message in _drain(connection, topology.dead_letter_queue_name(service)):
            event_id = str(message.properties.get("message_id"))
            if wanted is not None and event_id not in wanted:
                continue  # left unacknowledged: back in the queue when the channel closes
            outgoing = _outgoing(message)
            publisher.publish([outgoing], routing_key=topology.queue_name(service))
            message.ack()
            replayed.append(event_id)
    finally:
        publisher.close()
        connection.default_channel.close()
    return replayed


def _outgoing(message) -> Outgoing:
    body = message.body if isinstance(message.body, bytes) else message.body.encode()
    properties, headers = message.properties, message.headers or {}
    try:
        envelope = json.loads(body)
        source = envelope.get("source") or properties.get("app_id") or "unknown"
    except (ValueError, AttributeError):
        source = properties.get("app_id") or "unknown"
    return Outgoing(
        event_id=str(properties.get("message_id")),
        type=str(properties.get("type")),
        correlation_id=str(headers.get("correlation_id") or ""),
        source=source,
        body=body,
        # Replayed as its first publisher sent it: the consumer checks who that was (replaying
        # for another user needs a broker account tagged `impersonator`).
        user_id=properties.get("user_id"),
    )
